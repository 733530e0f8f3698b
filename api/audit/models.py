"""The ``case_event`` table: the append-only audit trail.

Rows are only ever inserted. An event names the action (``case.viewed``, ``fact.changed``) and at
most a *subject* such as a fact key or an application's public id; it never holds a fact's value,
so the trail can be shown to auditors and exported without decrypting anything.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import Column, ForeignKey, Index
from sqlmodel import Field, SQLModel

from api.db.types import UtcDateTime


class CaseEvent(SQLModel, table=True):
    """One thing that happened to a case (or to an organisation, when ``case_id`` is None)."""

    __tablename__: ClassVar[str] = "case_event"
    # The case's history is read newest first, a page at a time.
    __table_args__: ClassVar[tuple[object, ...]] = (Index("ix_case_event_case_id_id", "case_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    # Erasing a case keeps its trail (who did what, when), detached from the erased case.
    case_id: int | None = Field(
        default=None, sa_column=Column(ForeignKey("legal_case.id", ondelete="SET NULL"), nullable=True)
    )
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    actor_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    action: str = Field(max_length=64)
    subject: str | None = Field(default=None, max_length=200)
    at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
