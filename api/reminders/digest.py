"""The daily digest: each morning, an advocate who asked for it gets one summary of the live
deadlines of their cases in the next two weeks (in-app, and by email if configured).

Planned by the sweep: one row per person per local day (the idempotency key names the day), due
from 08:00 on the clock of the person's first organisation. Off unless the person turns it on.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from sqlmodel import Session, col, select

from api.cases.models import LegalCase
from api.deadlines.models import LIVE_STATES, CaseDeadline, DeadlineState
from api.orgs.models import Membership, User
from api.reminders.mail import usable_mail_config
from api.reminders.messages import Text
from api.reminders.models import Channel, Purpose, Recipient, Reminder, StaffReminderSetting
from api.reminders.planning import add_new, organisation_zone
from api.settings import Settings

DIGEST_HOUR: Final = 8
DIGEST_DAYS: Final = 14
MAX_LINES: Final = 50


def set_daily_digest(session: Session, user_id: int, on: bool) -> None:
    """Turn the person's daily digest on or off; commits."""
    row = session.get(StaffReminderSetting, user_id) or StaffReminderSetting(user_id=user_id)
    row.daily_digest = on
    session.add(row)
    session.commit()


def wants_daily_digest(session: Session, user_id: int) -> bool:
    """Whether the person asked for the daily digest."""
    row = session.get(StaffReminderSetting, user_id)
    return row is not None and row.daily_digest


def plan_digests(session: Session, settings: Settings, now: datetime) -> int:
    """Add today's digest rows of everyone who asked and whose morning has come (caller commits)."""
    users = session.exec(
        select(User)
        .join(StaffReminderSetting, col(StaffReminderSetting.user_id) == col(User.id))
        .where(col(StaffReminderSetting.daily_digest).is_(True), col(User.is_active).is_(True))
    ).all()
    mail_on = usable_mail_config(settings) is not None
    planned = []
    for user in users:
        membership = session.exec(
            select(Membership).where(Membership.user_id == user.id).order_by(col(Membership.id))
        ).first()
        if membership is None:
            continue
        local = now.astimezone(organisation_zone(session, membership.organisation_id))
        if local.hour < DIGEST_HOUR:
            continue
        channels = [Channel.IN_APP] + ([Channel.EMAIL] if mail_on and user.email else [])
        for channel in channels:
            planned.append(
                Reminder(
                    idempotency_key=f"d:{user.id}:{local.date().isoformat()}:{channel}",
                    organisation_id=membership.organisation_id,
                    purpose=Purpose.DIGEST.value,
                    recipient=Recipient.ADVOCATE.value,
                    user_id=user.id,
                    channel=channel.value,
                    due_at=now,
                    created_at=now,
                )
            )
    return len(add_new(session, planned))


def digest_text(session: Session, user_id: int, now: datetime) -> Text:
    """The digest: the person's cases' live deadlines in the next two weeks, soonest first."""
    today = now.date()
    rows = session.exec(
        select(CaseDeadline, LegalCase)
        .join(LegalCase, col(LegalCase.id) == col(CaseDeadline.case_id))
        .where(
            col(LegalCase.assigned_user_id) == user_id,
            col(CaseDeadline.state).in_(LIVE_STATES),
            col(CaseDeadline.due_on) >= today - timedelta(days=1),
            col(CaseDeadline.due_on) <= today + timedelta(days=DIGEST_DAYS),
        )
        .order_by(col(CaseDeadline.due_on))
        .limit(MAX_LINES)
    ).all()
    if not rows:
        return Text(
            title="Your deadlines: nothing in the next two weeks", body="No deadline of your cases falls due."
        )
    lines = [
        f"{d.due_on.isoformat()}  case {c.reference}  {d.rule_id}"
        + ("" if d.state == DeadlineState.CONFIRMED else "  (not confirmed yet)")
        for d, c in rows
    ]
    return Text(title=f"Your deadlines: {len(rows)} in the next two weeks", body="\n".join(lines))
