"""Tables of organisations and the people in them.

``organisation``: an NGO, law firm or clinic using Redress. ``app_user``: a person who signs in
(``user`` is reserved in PostgreSQL). ``membership``: a person's role in one organisation (a
person may belong to several, e.g. a lawyer volunteering for two NGOs). ``partner_link``: the
organisation may share its cases with the lawyers of its partner organisation.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar, Final

import sqlalchemy as sa
from sqlalchemy import CheckConstraint, Column, ForeignKey, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.db.types import UtcDateTime

DEFAULT_TIMEZONE: Final = "Europe/London"
EMAIL_MAX_LENGTH: Final = 320  # RFC 5321: 64 (local part) + 1 + 255 (domain)
NAME_MAX_LENGTH: Final = 200
SLUG_MAX_LENGTH: Final = 80
SIGN_IN_NAME_MAX_LENGTH: Final = 40


class Role(StrEnum):
    """A person's role in one organisation."""

    ADMIN = "admin"  # manages the organisation's users and partners; everything an advocate does
    ADVOCATE = "advocate"  # works on every case of the organisation
    LAWYER = "lawyer"  # reviews only what is shared with them
    SURVIVOR = "survivor"  # sees only their own case

    @property
    def is_staff(self) -> bool:
        """Whether this role belongs to the organisation's staff (everyone but survivors)."""
        return self is not Role.SURVIVOR


STAFF_ROLES: Final = frozenset({Role.ADMIN, Role.ADVOCATE, Role.LAWYER})
# Roles that work on every case of their own organisation.
CASEWORKER_ROLES: Final = frozenset({Role.ADMIN, Role.ADVOCATE})


def _role_column() -> Column[Role]:
    # Stored as text (no native PostgreSQL enum type to migrate), guarded by a CHECK constraint.
    return Column(
        sa.Enum(
            Role,
            name="role",
            native_enum=False,
            create_constraint=True,
            length=16,
            values_callable=lambda roles: [role.value for role in roles],
            validate_strings=True,
        ),
        nullable=False,
    )


class Organisation(SQLModel, table=True):
    """An organisation using Redress; every case belongs to exactly one."""

    __tablename__: ClassVar[str] = "organisation"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_MAX_LENGTH)
    slug: str = Field(max_length=SLUG_MAX_LENGTH, unique=True)
    timezone: str = Field(default=DEFAULT_TIMEZONE, max_length=64)  # IANA name
    require_staff_totp: bool = Field(default=False)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class User(SQLModel, table=True):
    """A person who signs in. Survivors have no email: they start from an access code and then
    sign in with their ``sign_in_name`` and the passphrase they chose."""

    __tablename__: ClassVar[str] = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str | None = Field(default=None, max_length=EMAIL_MAX_LENGTH, unique=True)  # lower-case
    # What a survivor signs in with instead of an email: two common words and two digits made
    # for them ("river-lantern-42"), lower-case. None for staff, who sign in with their email.
    sign_in_name: str | None = Field(default=None, max_length=SIGN_IN_NAME_MAX_LENGTH, unique=True)
    display_name: str = Field(max_length=NAME_MAX_LENGTH)
    password_hash: str = Field(max_length=255)
    # The TOTP secret, encrypted (AES-GCM under the key ring); set once enrolment is confirmed.
    totp_secret_encrypted: bytes | None = Field(
        default=None, sa_column=Column(sa.LargeBinary(), nullable=True)
    )
    # The last TOTP time step accepted, so that a code seen over a shoulder cannot be replayed.
    totp_last_step: int | None = Field(default=None, sa_column=Column(sa.BigInteger(), nullable=True))
    is_active: bool = Field(default=True)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    last_login_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))

    @property
    def has_totp(self) -> bool:
        """Whether this person has a confirmed second factor."""
        return self.totp_secret_encrypted is not None


class Membership(SQLModel, table=True):
    """One person's role in one organisation."""

    __tablename__: ClassVar[str] = "membership"
    __table_args__: ClassVar[tuple[object, ...]] = (UniqueConstraint("organisation_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(
        sa_column=Column(ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False)
    )
    user_id: int = Field(
        sa_column=Column(ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    role: Role = Field(sa_column=_role_column())


class PartnerLink(SQLModel, table=True):
    """``organisation_id`` may share its cases with the lawyers of ``partner_organisation_id``.

    One-directional: the partner does not thereby share its own cases back.
    """

    __tablename__: ClassVar[str] = "partner_link"
    __table_args__: ClassVar[tuple[object, ...]] = (
        UniqueConstraint("organisation_id", "partner_organisation_id"),
        CheckConstraint("organisation_id <> partner_organisation_id", name="not_self"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(
        sa_column=Column(ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False)
    )
    partner_organisation_id: int = Field(
        sa_column=Column(ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False, index=True)
    )
