"""Escalation: a live deadline within 48 hours that nobody acknowledged, or an overdue one, is
sent to the organisation's supervisors (its admins), in-app and by email.

Planned on every sweep: one query through ``ix_case_deadline_state_due_on`` for live deadlines
falling due between a week ago and three days ahead (wider than 48 hours, then checked exactly
against each organisation's clock). Each escalation's idempotency key names the deadline, its
date, the phase (``soon`` or ``overdue``), the supervisor and the channel, so a deadline is
escalated once per phase however often the sweep runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from sqlmodel import Session, col, select

from api.deadlines.models import LIVE_STATES, CaseDeadline
from api.orgs.models import Membership, Role, User
from api.reminders.mail import usable_mail_config
from api.reminders.models import Channel, Purpose, Recipient, Reminder
from api.reminders.planning import add_new, organisation_zone
from api.settings import Settings

ESCALATE_WITHIN: Final = timedelta(hours=48)
OVERDUE_LOOKBACK_DAYS: Final = 7


def supervisors(session: Session, organisation_id: int) -> list[User]:
    """The organisation's supervisors: its admins who can sign in."""
    return list(
        session.exec(
            select(User)
            .join(Membership, col(Membership.user_id) == col(User.id))
            .where(
                col(Membership.organisation_id) == organisation_id,
                col(Membership.role) == Role.ADMIN,
                col(User.is_active).is_(True),
            )
        ).all()
    )


def plan_escalations(session: Session, settings: Settings, now: datetime) -> int:
    """Add escalation reminders due now; returns how many were added (the caller commits)."""
    today = now.date()
    candidates = session.exec(
        select(CaseDeadline).where(
            col(CaseDeadline.state).in_(LIVE_STATES),
            col(CaseDeadline.due_on) >= today - timedelta(days=OVERDUE_LOOKBACK_DAYS),
            col(CaseDeadline.due_on) <= today + timedelta(days=3),
            col(CaseDeadline.acknowledged_at).is_(None),
        )
    ).all()
    mail_on = usable_mail_config(settings) is not None
    planned: list[Reminder] = []
    staff_by_org: dict[int, list[User]] = {}
    for deadline in candidates:
        local_now = now.astimezone(organisation_zone(session, deadline.organisation_id))
        if deadline.due_on < local_now.date():
            phase = "overdue"
        elif deadline.due_on <= (local_now + ESCALATE_WITHIN).date():
            phase = "soon"
        else:
            continue
        if deadline.organisation_id not in staff_by_org:
            staff_by_org[deadline.organisation_id] = supervisors(session, deadline.organisation_id)
        for user in staff_by_org[deadline.organisation_id]:
            channels = [Channel.IN_APP] + ([Channel.EMAIL] if mail_on and user.email else [])
            for channel in channels:
                planned.append(
                    Reminder(
                        idempotency_key=(
                            f"e:{deadline.id}:{deadline.due_on.isoformat()}:{phase}:{user.id}:{channel}"
                        ),
                        organisation_id=deadline.organisation_id,
                        case_id=deadline.case_id,
                        deadline_id=deadline.id,
                        purpose=Purpose.ESCALATION.value,
                        recipient=Recipient.SUPERVISOR.value,
                        user_id=user.id,
                        channel=channel.value,
                        due_at=now,
                        created_at=now,
                    )
                )
    return len(add_new(session, planned))
