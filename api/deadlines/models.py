"""The ``case_deadline`` table: one row per deadline rule per application.

The engine computes deadlines on every evaluation; these rows keep what a person did with them.
A computed date counts only once a person confirmed it (``state`` ``confirmed``). A date taken
from a letter (``override_due`` with its reason) wins over the computed one. When a fact change
moves the computed date, ``previous_due`` keeps the old one and the row asks for confirmation
again (``state`` ``moved``). The override's reason may quote a letter, so it is stored only
encrypted under the case's data key.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from sqlalchemy import Column, ForeignKey, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.cases.models import new_public_id
from api.db.types import UtcDateTime


class DeadlineState(StrEnum):
    """Whether a deadline counts yet."""

    UNCONFIRMED = "unconfirmed"  # computed, waiting for a person to check it
    CONFIRMED = "confirmed"  # a person checked the date (or entered it from a letter)
    MOVED = "moved"  # was confirmed, then a fact change moved the computed date
    GONE = "gone"  # the rule no longer applies to the case's facts


# The states in which a deadline is live (reminders, escalation, the calendar feed).
LIVE_STATES: tuple[str, ...] = (DeadlineState.UNCONFIRMED, DeadlineState.CONFIRMED, DeadlineState.MOVED)


class CaseDeadline(SQLModel, table=True):
    """One deadline of one application, with the engine's explanation and a person's decision."""

    __tablename__: ClassVar[str] = "case_deadline"
    __table_args__: ClassVar[tuple[object, ...]] = (
        UniqueConstraint("application_id", "rule_id"),
        # Escalation: live deadlines falling due soon, across all organisations.
        Index("ix_case_deadline_state_due_on", "state", "due_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, max_length=32, unique=True)
    organisation_id: int = Field(
        sa_column=Column(ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False)
    )
    case_id: int = Field(
        sa_column=Column(ForeignKey("legal_case.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    application_id: int = Field(
        sa_column=Column(ForeignKey("application.id", ondelete="CASCADE"), nullable=False)
    )
    rule_id: str = Field(max_length=64)
    label: str = Field(max_length=300)
    kind: str = Field(max_length=16)  # limit | target | period_end
    basis: str = Field(max_length=500)
    confidence: str = Field(max_length=1)
    explanation: str = Field(sa_column=Column(Text(), nullable=False))
    trigger_label: str = Field(max_length=300)
    trigger_date: date | None = Field(default=None)
    day_type: str = Field(max_length=100)
    holidays_skipped: str = Field(default="[]", sa_column=Column(Text(), nullable=False))  # JSON
    computed_due: date | None = Field(default=None)  # None: entered from a letter only
    previous_due: date | None = Field(default=None)  # the date before the last move
    override_due: date | None = Field(default=None)
    override_reason_encrypted: bytes | None = Field(
        default=None, sa_column=Column(LargeBinary(), nullable=True)
    )
    due_on: date  # the date that counts: the override, else the computed date
    state: str = Field(default=DeadlineState.UNCONFIRMED.value, max_length=16)
    confirmed_due: date | None = Field(default=None)  # the date the person confirmed
    confirmed_by_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    confirmed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    acknowledged_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
