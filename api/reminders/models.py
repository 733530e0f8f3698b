"""Tables of reminders: ``reminder_policy``, ``reminder``, ``notification``, ``calendar_feed``,
``org_webhook`` and ``staff_reminder_setting``.

A ``reminder`` row says who is told about which deadline, when (``due_at``, a UTC instant) and
through which channel; :mod:`api.reminders.sweep` sends it at most once (see its docstring for
the states and why a crash can neither lose nor duplicate a message to a survivor).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar, Final

from sqlalchemy import Column, ForeignKey, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.cases.models import new_public_id
from api.db.types import UtcDateTime

DEFAULT_DAYS_BEFORE: Final = (60, 30, 14, 7, 2, 1, 0)
DEFAULT_LOCAL_HOUR: Final = 9  # reminders fire at 09:00 on the organisation's clock


class Channel(StrEnum):
    """How a reminder travels."""

    EMAIL = "email"
    IN_APP = "in_app"
    WEBHOOK = "webhook"


class Recipient(StrEnum):
    """Who a reminder is for."""

    ADVOCATE = "advocate"  # the case's assigned advocate
    SURVIVOR = "survivor"  # only if they opted in and the channel is safe
    SUPERVISOR = "supervisor"  # the organisation's admins (escalations)
    ORGANISATION = "organisation"  # the organisation's own systems (webhook)


class Purpose(StrEnum):
    """Why a reminder exists."""

    REMINDER = "reminder"  # N days before a confirmed deadline
    ESCALATION = "escalation"  # unacknowledged within 48 hours, or overdue
    DIGEST = "digest"  # an advocate's daily summary


class ReminderState(StrEnum):
    """A reminder's life; see :mod:`api.reminders.sweep`."""

    PENDING = "pending"  # waiting for due_at (also between retries)
    CLAIMED = "claimed"  # a worker holds it until lease_until; nothing sent yet
    SENDING = "sending"  # handed to SMTP/HTTP; the outcome is not recorded yet
    SENT = "sent"
    FAILED = "failed"  # every retry failed: shown to the advocate
    UNKNOWN = "unknown"  # a worker died while sending to a survivor: never re-sent, advocate told
    SUPPRESSED = "suppressed"  # not sent on purpose (survivor not opted in, channel unsafe ...)
    CANCELLED = "cancelled"  # the deadline moved or went before the reminder was due


class ReminderPolicy(SQLModel, table=True):
    """How many days before a deadline of one kind an organisation is reminded."""

    __tablename__: ClassVar[str] = "reminder_policy"
    __table_args__: ClassVar[tuple[object, ...]] = (UniqueConstraint("organisation_id", "deadline_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(
        sa_column=Column(ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False)
    )
    deadline_kind: str = Field(max_length=16)
    days_before: str = Field(max_length=200)  # comma-separated, e.g. "60,30,14,7,2,1,0"
    local_hour: int = Field(default=DEFAULT_LOCAL_HOUR)


class Reminder(SQLModel, table=True):
    """One message to one recipient through one channel at one instant."""

    __tablename__: ClassVar[str] = "reminder"
    __table_args__: ClassVar[tuple[object, ...]] = (
        # The sweep's selection: state = 'pending' AND due_at <= now, oldest first. State leads,
        # so the index range holds only pending rows however many sent ones pile up behind.
        Index("ix_reminder_state_due_at", "state", "due_at"),
        # Recovering rows whose worker died: state IN ('claimed', 'sending') AND lease_until < now.
        Index("ix_reminder_state_lease_until", "state", "lease_until"),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, max_length=32, unique=True)
    # One row per intended message, ever: planning twice inserts nothing new.
    idempotency_key: str = Field(max_length=200, unique=True)
    organisation_id: int = Field(
        sa_column=Column(ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False)
    )
    case_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("legal_case.id", ondelete="CASCADE"), nullable=True, index=True),
    )
    deadline_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("case_deadline.id", ondelete="CASCADE"), nullable=True, index=True),
    )
    purpose: str = Field(max_length=16)
    recipient: str = Field(max_length=16)
    user_id: int | None = Field(default=None, foreign_key="app_user.id")
    channel: str = Field(max_length=16)
    days_before: int | None = Field(default=None)
    due_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    state: str = Field(default=ReminderState.PENDING.value, max_length=16)
    attempts: int = Field(default=0)
    claim_token: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    # Why it failed or was suppressed, in words for the advocate; never personal data.
    last_error: str | None = Field(default=None, max_length=500)
    sent_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class Notification(SQLModel, table=True):
    """An in-app notification: the bell in the header counts the unread ones."""

    __tablename__: ClassVar[str] = "notification"
    __table_args__: ClassVar[tuple[object, ...]] = (
        Index("ix_notification_user_id_read_at", "user_id", "read_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False))
    # The reminder it delivers: unique, so a reminder becomes at most one notification.
    reminder_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("reminder.id", ondelete="CASCADE"), nullable=True, unique=True),
    )
    title: str = Field(max_length=300)
    body: str = Field(sa_column=Column(Text(), nullable=False))
    link: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    read_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))


class CalendarFeed(SQLModel, table=True):
    """A person's secret calendar address; only the token's SHA-256 is stored."""

    __tablename__: ClassVar[str] = "calendar_feed"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))


class OrgWebhook(SQLModel, table=True):
    """Where an organisation's own systems receive reminders, signed with HMAC-SHA256."""

    __tablename__: ClassVar[str] = "org_webhook"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(
        sa_column=Column(ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False, unique=True)
    )
    url: str = Field(max_length=500)
    secret_encrypted: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class StaffReminderSetting(SQLModel, table=True):
    """A staff member's reminder choices: the daily digest (off unless they ask for it)."""

    __tablename__: ClassVar[str] = "staff_reminder_setting"

    user_id: int = Field(sa_column=Column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True))
    daily_digest: bool = Field(default=False)
