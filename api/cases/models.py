"""Tables of the cases domain: ``legal_case``, ``application``, ``case_fact``, ``case_share``,
``survivor_access_code`` and ``case_comment``.

The int ``id`` columns are internal: URLs and the API use ``public_id`` (a random uuid4 hex), so
an id never reveals how many cases an organisation holds or invites guessing a neighbour's.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from sqlalchemy import Column, ForeignKey, Index, LargeBinary, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from api.db.types import UtcDateTime


def new_public_id() -> str:
    """A fresh public id: 32 hex characters of a random uuid4."""
    return uuid.uuid4().hex


def _case_column(*, index: bool) -> Column[int]:
    # Rows that only make sense with their case go when the case is erased.
    return Column(ForeignKey("legal_case.id", ondelete="CASCADE"), nullable=False, index=index)


class CaseStatus(StrEnum):
    """Whether work on a case goes on."""

    OPEN = "open"
    CLOSED = "closed"


class ApplicationStatus(StrEnum):
    """Where an application stands, in DESIGN.md's order."""

    DRAFT = "draft"
    IN_PROGRESS = "in_progress"
    READY_FOR_REVIEW = "ready_for_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    FILED = "filed"
    DECIDED = "decided"
    REVIEW_APPEAL = "review_appeal"
    CLOSED = "closed"


class FactSource(StrEnum):
    """Where a fact's value came from."""

    SURVIVOR = "survivor"
    ADVOCATE = "advocate"
    DOCUMENT = "document"


class LegalCase(SQLModel, table=True):
    """One survivor's matter in one organisation (``case`` is reserved in SQL)."""

    __tablename__: ClassVar[str] = "legal_case"
    __table_args__: ClassVar[tuple[object, ...]] = (
        UniqueConstraint("organisation_id", "reference"),
        # The case list: one organisation's cases, most recently updated first …
        Index("ix_legal_case_organisation_id_updated_at", "organisation_id", "updated_at"),
        # … or those whose next deadline falls within a few days.
        Index("ix_legal_case_organisation_id_next_deadline_on", "organisation_id", "next_deadline_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, max_length=32, unique=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    # A pseudonym or the organisation's own reference, never the survivor's name: stored plain
    # so that the case list can search it.
    reference: str = Field(max_length=60)
    preferred_language: str = Field(max_length=16)
    jurisdiction: str = Field(max_length=10)
    status: str = Field(default=CaseStatus.OPEN.value, max_length=16)
    assigned_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    survivor_user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    # The case's data key, encrypted under the key-encryption key (api.security.crypto).
    wrapped_data_key: str = Field(sa_column=Column(Text(), nullable=False))
    next_deadline_on: date | None = Field(default=None)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class Application(SQLModel, table=True):
    """One case's instance of one workflow version."""

    __tablename__: ClassVar[str] = "application"
    # One application per workflow per case: facts are shared, so a second one adds nothing.
    __table_args__: ClassVar[tuple[object, ...]] = (UniqueConstraint("case_id", "workflow_id"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, max_length=32, unique=True)
    case_id: int = Field(sa_column=_case_column(index=True))
    workflow_id: str = Field(max_length=64)
    workflow_version: str = Field(max_length=32)
    status: str = Field(default=ApplicationStatus.DRAFT.value, max_length=24)
    # Cached from the last evaluation, so lists need no engine run.
    progress_answered: int = Field(default=0)
    progress_applicable: int = Field(default=0)
    next_deadline_on: date | None = Field(default=None)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class CaseFact(SQLModel, table=True):
    """One value of one fact of a case. A change supersedes the row; rows are never deleted.

    Exactly one of ``value_plain`` (JSON, ``general`` facts only) and ``value_encrypted``
    (AES-GCM under the case key) is set, unless the fact is unknown, when both are empty.
    """

    __tablename__: ClassVar[str] = "case_fact"
    __table_args__: ClassVar[tuple[object, ...]] = (
        # At most one current value per fact: the history rows all have superseded_at set.
        Index(
            "uq_case_fact_case_id_key_current",
            "case_id",
            "key",
            unique=True,
            sqlite_where=text("superseded_at IS NULL"),
            postgresql_where=text("superseded_at IS NULL"),
        ),
        # Every read of a case's current facts seeks here, past its history. An index on
        # case_id alone made SQLite walk every superseded row of the case, so a step cost
        # more with each answer ever changed.
        Index("ix_case_fact_case_id_superseded_at", "case_id", "superseded_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(sa_column=_case_column(index=False))
    key: str = Field(max_length=100)
    value_encrypted: bytes | None = Field(default=None, sa_column=Column(LargeBinary(), nullable=True))
    value_plain: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    is_unknown: bool = Field(default=False)
    source: str = Field(max_length=16)
    given_by_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    given_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    superseded_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))


class CaseShare(SQLModel, table=True):
    """A case (or one of its applications) shared with a lawyer for review, until revoked."""

    __tablename__: ClassVar[str] = "case_share"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(sa_column=_case_column(index=True))
    application_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("application.id", ondelete="CASCADE"), nullable=True),
    )
    lawyer_user_id: int = Field(foreign_key="app_user.id", index=True)
    shared_by_user_id: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))


class SurvivorAccessCode(SQLModel, table=True):
    """A one-time code a survivor redeems to set a passphrase; only its hash is stored."""

    __tablename__: ClassVar[str] = "survivor_access_code"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(sa_column=_case_column(index=True))
    code_hash: str = Field(max_length=128, unique=True)
    expires_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    created_by_user_id: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class CaseComment(SQLModel, table=True):
    """A comment of a caseworker or a reviewing lawyer on a case, or on one of its applications.

    The text is free and may say anything about the person, so it is stored only encrypted under
    the case's data key (see :mod:`api.cases.comments`), bound to this comment by its
    ``public_id``, which is known before the row is inserted. Comments are never edited.
    """

    __tablename__: ClassVar[str] = "case_comment"

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, max_length=32, unique=True)
    case_id: int = Field(sa_column=_case_column(index=True))
    # None: a comment on the case as a whole.
    application_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("application.id", ondelete="CASCADE"), nullable=True),
    )
    author_user_id: int = Field(foreign_key="app_user.id")
    body_encrypted: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
