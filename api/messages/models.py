"""The ``case_message`` table: one message between a survivor and their case's caseworkers, its
text encrypted under the case's data key (bound to the case and the message)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import Column, ForeignKey, LargeBinary
from sqlmodel import Field, SQLModel

from api.cases.models import new_public_id
from api.db.types import UtcDateTime


class CaseMessage(SQLModel, table=True):
    """One message of a case's conversation with its survivor."""

    __tablename__: ClassVar[str] = "case_message"

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, max_length=32, unique=True)
    case_id: int = Field(
        sa_column=Column(ForeignKey("legal_case.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    author_user_id: int = Field(foreign_key="app_user.id")
    # Which side wrote it: unread counts are "the other side's messages not yet read".
    from_survivor: bool
    body_encrypted: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    read_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
