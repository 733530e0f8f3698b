"""Tables of sign-in: browser sessions, login attempts (for throttling) and personal API tokens.

No secret is stored in the clear: a session row's key and an API token's ``token_hash`` are
SHA-256 digests of random tokens that only the browser or the token's owner holds.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Final

from sqlalchemy import Column, ForeignKey, Index
from sqlmodel import Field, SQLModel

from api.db.types import UtcDateTime

API_TOKEN_NAME_MAX_LENGTH: Final = 100
# The scopes an API token may carry: reading cases, and changing them.
SCOPE_CASES_READ: Final = "cases:read"
SCOPE_CASES_WRITE: Final = "cases:write"
API_SCOPES: Final = frozenset({SCOPE_CASES_READ, SCOPE_CASES_WRITE})


class UserSession(SQLModel, table=True):
    """A signed-in browser. Ends when revoked, idle too long, or at ``expires_at``."""

    __tablename__: ClassVar[str] = "user_session"

    id: str = Field(primary_key=True, max_length=64)  # hex SHA-256 of the session token
    user_id: int = Field(
        sa_column=Column(ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    last_seen_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))  # absolute lifetime
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))


class LoginAttempt(SQLModel, table=True):
    """One attempt to prove who someone is (password, second factor or access code)."""

    __tablename__: ClassVar[str] = "login_attempt"
    # The throttle counts one identifier's recent attempts; the purge deletes by age.
    __table_args__: ClassVar[tuple[object, ...]] = (
        Index("ix_login_attempt_identifier_at", "identifier", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    identifier: str = Field(max_length=400)  # e.g. "email:ana@example.org", "totp:12", "code:7"
    succeeded: bool
    at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))


class ApiToken(SQLModel, table=True):
    """A personal API token: acts as its owner, limited to its scopes, until revoked."""

    __tablename__: ClassVar[str] = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    name: str = Field(max_length=API_TOKEN_NAME_MAX_LENGTH)
    token_hash: str = Field(max_length=64, unique=True)  # hex SHA-256 of the token
    scopes: str = Field(max_length=200)  # space-separated, e.g. "cases:read cases:write"
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    last_used_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))

    @property
    def scope_set(self) -> frozenset[str]:
        """The scopes as a set."""
        return frozenset(self.scopes.split())


class StaffSetupCode(SQLModel, table=True):
    """A one-time code with which a member of staff chooses their passphrase (a new colleague, or
    someone who forgot theirs). Only its keyed hash is stored, as for survivor access codes."""

    __tablename__: ClassVar[str] = "staff_setup_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    code_hash: str = Field(max_length=128, unique=True)  # HMAC-SHA-256 under REDRESS_SECRET_KEY
    # Who issued it: the admin, kept for the trail (the row stays if their account is deleted).
    created_by_user_id: int | None = Field(
        default=None, sa_column=Column(ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True)
    )
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
