"""The ``contact_preference`` table: how (and whether) a survivor may be reminded.

One row per case. The email address and the name to use are stored only encrypted under the
case's data key; the rest are flags. Nothing is sent to a survivor unless ``reminders_opt_in`` is
set and the channel is marked safe: their phone or inbox may be read by the person they escaped.
The safe times (``safe_from_hour`` to ``safe_until_hour`` on the organisation's clock, and
``weekdays_only``) say when an email may arrive: someone may look at the phone in the evening.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import Boolean, Column, ForeignKey, LargeBinary, false
from sqlmodel import Field, SQLModel

from api.db.types import UtcDateTime


class ContactPreference(SQLModel, table=True):
    """A survivor's choices for one case."""

    __tablename__: ClassVar[str] = "contact_preference"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(
        sa_column=Column(ForeignKey("legal_case.id", ondelete="CASCADE"), nullable=False, unique=True)
    )
    reminders_opt_in: bool = Field(default=False)
    email_encrypted: bytes | None = Field(default=None, sa_column=Column(LargeBinary(), nullable=True))
    email_safe: bool = Field(default=False)
    in_app_safe: bool = Field(default=False)
    name_encrypted: bytes | None = Field(default=None, sa_column=Column(LargeBinary(), nullable=True))
    org_name_allowed: bool = Field(default=False)
    language: str = Field(default="en", max_length=16)
    # Both None: any time. A window that wraps midnight (22 to 6) is allowed.
    safe_from_hour: int | None = Field(default=None)
    safe_until_hour: int | None = Field(default=None)
    weekdays_only: bool = Field(
        default=False, sa_column=Column(Boolean(), nullable=False, server_default=false())
    )
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
