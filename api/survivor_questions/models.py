"""The ``survivor_question`` table: one question (a fact) an advocate asked the survivor of a case
to answer on their own pages, with an optional note (encrypted under the case's data key).

Pages address a question by its random ``public_id``, never by the fact key: a key such as
``exploitation.start_date`` in an address would say what the survivor went through.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import Column, ForeignKey, LargeBinary
from sqlmodel import Field, SQLModel

from api.cases.models import new_public_id
from api.db.types import UtcDateTime


class SurvivorQuestion(SQLModel, table=True):
    """One question asked of a case's survivor; open until answered, withdrawn, or both."""

    __tablename__: ClassVar[str] = "survivor_question"

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, max_length=32, unique=True)
    case_id: int = Field(
        sa_column=Column(ForeignKey("legal_case.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    fact_key: str = Field(max_length=100)
    note_encrypted: bytes | None = Field(default=None, sa_column=Column(LargeBinary(), nullable=True))
    asked_by_user_id: int = Field(foreign_key="app_user.id")
    asked_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    answered_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    withdrawn_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    withdrawn_by_user_id: int | None = Field(default=None, foreign_key="app_user.id")
