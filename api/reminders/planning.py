"""Plan reminder rows from a confirmed deadline, following the organisation's policy.

Each organisation sets, per deadline kind (``limit``, ``target``, ``period_end``), how many days
before the date it is reminded (default 60, 30, 14, 7, 2, 1 and 0: on the day) and at what local
hour (default 09:00). A reminder's instant is that hour on that day *in the organisation's time
zone*, converted to UTC with ``zoneinfo``: 09:00 in London is 09:00 UTC in winter and 08:00 UTC
in summer, so daylight-saving changes never move a reminder to the middle of the night.

Rows get an idempotency key naming the deadline, its date, the offset, the recipient and the
channel: planning again (a second confirmation, a retried request) adds nothing, and a deadline
confirmed for a new date gets new rows while the old date's pending ones are cancelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import update
from sqlmodel import Session, col, select

from api.cases.checks import saved_id
from api.cases.models import LegalCase
from api.contact_preferences.models import ContactPreference
from api.deadlines.models import CaseDeadline
from api.orgs.models import DEFAULT_TIMEZONE, Organisation, User
from api.reminders.mail import usable_mail_config
from api.reminders.models import (
    DEFAULT_DAYS_BEFORE,
    DEFAULT_LOCAL_HOUR,
    Channel,
    OrgWebhook,
    Purpose,
    Recipient,
    Reminder,
    ReminderPolicy,
    ReminderState,
)
from api.settings import Settings

DEADLINE_KINDS: Final = ("limit", "target", "period_end")
MAX_DAYS_BEFORE: Final = 366


class PolicyInputError(ValueError):
    """A policy value is wrong; the message says how to write it."""


def organisation_zone(session: Session, organisation_id: int) -> ZoneInfo:
    """The organisation's time zone (London if it names one this machine does not know)."""
    organisation = session.get(Organisation, organisation_id)
    name = organisation.timezone if organisation is not None else DEFAULT_TIMEZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def local_instant(day: date, hour: int, zone: ZoneInfo) -> datetime:
    """``hour``:00 on ``day`` on the zone's clock, as a UTC instant (DST-correct)."""
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


def parse_days(text: str) -> tuple[int, ...]:
    """``"60, 30, 7, 0"`` as days before, largest first; :class:`PolicyInputError` if malformed."""
    days: set[int] = set()
    for part in text.split(","):
        item = part.strip()
        if not item:
            continue
        if not item.isdigit() or int(item) > MAX_DAYS_BEFORE:
            raise PolicyInputError(
                f"Write whole numbers of days from 0 (on the day) to {MAX_DAYS_BEFORE}, separated "
                f"by commas, such as 60, 30, 14, 7, 2, 1, 0 ({item!r} is not one)."
            )
        days.add(int(item))
    if not days:
        raise PolicyInputError("Give at least one day, such as 7, 1, 0.")
    return tuple(sorted(days, reverse=True))


def policy_for(session: Session, organisation_id: int, kind: str) -> tuple[tuple[int, ...], int]:
    """The organisation's days before and local hour for deadlines of ``kind``."""
    row = session.exec(
        select(ReminderPolicy).where(
            ReminderPolicy.organisation_id == organisation_id, ReminderPolicy.deadline_kind == kind
        )
    ).first()
    if row is None:
        return DEFAULT_DAYS_BEFORE, DEFAULT_LOCAL_HOUR
    return parse_days(row.days_before), row.local_hour


def set_policy(session: Session, organisation_id: int, kind: str, days_text: str, local_hour: int) -> None:
    """Set the organisation's policy for ``kind`` (adds to the session; the caller commits)."""
    if kind not in DEADLINE_KINDS:
        raise PolicyInputError(f"The deadline kind must be one of {', '.join(DEADLINE_KINDS)}.")
    if not 0 <= local_hour <= 23:
        raise PolicyInputError("The hour must be from 0 to 23.")
    days = parse_days(days_text)
    row = session.exec(
        select(ReminderPolicy).where(
            ReminderPolicy.organisation_id == organisation_id, ReminderPolicy.deadline_kind == kind
        )
    ).first() or ReminderPolicy(organisation_id=organisation_id, deadline_kind=kind, days_before="")
    row.days_before = ",".join(str(d) for d in days)
    row.local_hour = local_hour
    session.add(row)


def cancel_pending(session: Session, deadline_id: int) -> None:
    """Cancel the deadline's reminders not yet taken by a worker (the date no longer counts)."""
    session.execute(
        update(Reminder)
        .where(col(Reminder.deadline_id) == deadline_id, col(Reminder.state) == ReminderState.PENDING.value)
        .values(state=ReminderState.CANCELLED.value)
    )


def _recipients(
    session: Session, settings: Settings, case: LegalCase
) -> list[tuple[Recipient, int | None, Channel]]:
    """Who is reminded through what: the advocate in-app (and by email if configured), the
    survivor through both channels (the sweep decides at sending time whether each is allowed,
    and records why not), and the organisation's webhook."""
    targets: list[tuple[Recipient, int | None, Channel]] = []
    mail_on = usable_mail_config(settings) is not None
    if case.assigned_user_id is not None:
        targets.append((Recipient.ADVOCATE, case.assigned_user_id, Channel.IN_APP))
        advocate = session.get(User, case.assigned_user_id)
        if mail_on and advocate is not None and advocate.email:
            targets.append((Recipient.ADVOCATE, case.assigned_user_id, Channel.EMAIL))
    has_preferences = (
        session.exec(select(ContactPreference.id).where(ContactPreference.case_id == saved_id(case))).first()
        is not None
    )
    if case.survivor_user_id is not None or has_preferences:
        targets.append((Recipient.SURVIVOR, case.survivor_user_id, Channel.IN_APP))
        if mail_on:
            targets.append((Recipient.SURVIVOR, case.survivor_user_id, Channel.EMAIL))
    webhook = session.exec(
        select(OrgWebhook.id).where(OrgWebhook.organisation_id == case.organisation_id)
    ).first()
    if webhook is not None:
        targets.append((Recipient.ORGANISATION, None, Channel.WEBHOOK))
    return targets


def reminder_key(
    deadline: CaseDeadline, days: int, recipient: Recipient, user_id: int | None, channel: Channel
) -> str:
    """The idempotency key of one planned reminder."""
    return f"r:{saved_id(deadline)}:{deadline.due_on.isoformat()}:{days}:{recipient}:{user_id or 0}:{channel}"


def plan_for_deadline(
    session: Session, settings: Settings, case: LegalCase, deadline: CaseDeadline, *, now: datetime
) -> list[Reminder]:
    """Make the deadline's pending reminders exactly those its confirmed date needs now.

    Rows planned before for the same date stay as they are (confirming twice adds nothing);
    pending rows for another date are cancelled; rows cancelled earlier for this very date
    (moved away and back) are revived; instants already past are not planned. Adds to the
    session; the caller commits. Returns the rows added or revived.
    """
    days_before, hour = policy_for(session, case.organisation_id, deadline.kind)
    zone = organisation_zone(session, case.organisation_id)
    targets = _recipients(session, settings, case)
    desired: dict[str, Reminder] = {}
    for days in days_before:
        due_at = local_instant(deadline.due_on - timedelta(days=days), hour, zone)
        if due_at < now:
            continue
        for recipient, user_id, channel in targets:
            key = reminder_key(deadline, days, recipient, user_id, channel)
            desired[key] = Reminder(
                idempotency_key=key,
                organisation_id=case.organisation_id,
                case_id=saved_id(case),
                deadline_id=saved_id(deadline),
                purpose=Purpose.REMINDER.value,
                recipient=recipient.value,
                user_id=user_id,
                channel=channel.value,
                days_before=days,
                due_at=due_at,
                created_at=now,
            )
    existing = session.exec(
        select(Reminder).where(
            Reminder.deadline_id == saved_id(deadline), Reminder.purpose == Purpose.REMINDER.value
        )
    ).all()
    changed: list[Reminder] = []
    for row in existing:
        if row.idempotency_key not in desired:
            if row.state == ReminderState.PENDING:
                row.state = ReminderState.CANCELLED.value
                session.add(row)
            continue
        wanted = desired.pop(row.idempotency_key)
        if row.state == ReminderState.CANCELLED:
            row.state = ReminderState.PENDING.value
            row.due_at = wanted.due_at
            row.claim_token = None
            row.lease_until = None
            session.add(row)
            changed.append(row)
    return changed + add_new(session, list(desired.values()))


def add_new(session: Session, reminders: Sequence[Reminder]) -> list[Reminder]:
    """Add the reminders whose idempotency key is not taken yet; return those added."""
    if not reminders:
        return []
    keys = [r.idempotency_key for r in reminders]
    taken = set(
        session.exec(select(Reminder.idempotency_key).where(col(Reminder.idempotency_key).in_(keys))).all()
    )
    fresh = [r for r in reminders if r.idempotency_key not in taken]
    session.add_all(fresh)
    return fresh


def change_timezone(session: Session, organisation_id: int, timezone: str) -> int:
    """Set the organisation's time zone and move its pending deadline reminders to the same
    local hour on the new clock; returns how many moved. Adds to the session; the caller commits.

    Raises :class:`PolicyInputError` for a name that is not a time zone. A reminder already taken
    by a worker, sent or cancelled keeps its instant: only what has not happened yet moves.
    """
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise PolicyInputError(f"{timezone!r} is not a time zone. Choose one from the list.") from None
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise PolicyInputError("There is no such organisation.")
    organisation.timezone = timezone
    session.add(organisation)
    pending = session.exec(
        select(Reminder, CaseDeadline)
        .join(CaseDeadline, col(CaseDeadline.id) == col(Reminder.deadline_id))
        .where(
            Reminder.organisation_id == organisation_id,
            Reminder.purpose == Purpose.REMINDER.value,
            Reminder.state == ReminderState.PENDING.value,
        )
    ).all()
    hours = {kind: policy_for(session, organisation_id, kind)[1] for kind in DEADLINE_KINDS}
    for reminder, deadline in pending:
        day = deadline.due_on - timedelta(days=reminder.days_before or 0)
        reminder.due_at = local_instant(day, hours.get(deadline.kind, DEFAULT_LOCAL_HOUR), zone)
        session.add(reminder)
    return len(pending)
