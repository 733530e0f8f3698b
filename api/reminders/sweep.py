"""The reminder sweep: select due rows through an index, claim them, send, mark them sent.

Run by a Celery beat task every minute (:mod:`api.tasks.reminders`); any number of workers may
sweep at once, on SQLite or PostgreSQL. The task itself carries nothing: a lost or repeated task
is harmless because the rows are the truth (DESIGN.md: embedded brokers never redeliver).

**At most once to a survivor, never lost.** A reminder row moves through these states, each step
a committed, guarded ``UPDATE … WHERE id = … AND claim_token = … AND state = …``, so a worker
whose lease was taken over can no longer touch the row:

1. ``pending`` → ``claimed``: ``UPDATE … WHERE id IN (due ids) AND state = 'pending'`` sets a fresh
   random ``claim_token`` and ``lease_until``; only the rows that carry the worker's token are
   its own, so two workers never take the same row (on PostgreSQL the selection also uses
   ``FOR UPDATE SKIP LOCKED`` so that they do not even wait for each other).
2. In-app notifications are written *in the same transaction* that marks the row ``sent`` (and a
   unique ``notification.reminder_id``): exactly once, whatever crashes when.
3. Email and webhooks cannot join a database transaction, so the row is first marked
   ``sending`` (committed), then handed to SMTP/HTTP, then marked ``sent``.

After a crash (SIGKILL, power loss) a later sweep finds rows whose lease ran out:

- ``claimed``: nothing was sent yet → back to ``pending``, sent later. Never lost.
- ``sending``: the message may or may not have left. To a **survivor** it becomes ``unknown``:
  never re-sent (a second "you have a date coming up" could be seen by the wrong person, and
  cannot be taken back), and the advocate is told in-app so they can follow up. To **staff** and
  webhooks it is re-sent (``pending``) with the same Message-ID / ``Idempotency-Key``: a
  duplicate to an advocate is harmless, a missed deadline is not.

A failed send (SMTP refused, webhook 5xx, network) goes back to ``pending`` with exponential
backoff (``REDRESS_REMINDER_RETRY_BASE_SECONDS`` × 2^(attempt-1)); after
``REDRESS_REMINDER_MAX_ATTEMPTS`` it is ``failed`` and the advocate is told in-app and on the
case's deadline page. A reminder to a survivor who has not opted in, or through a channel not
marked safe, is ``suppressed`` with the reason shown to the advocate. An email due outside the
hours the survivor marked as safe goes back to ``pending`` with ``due_at`` at the next safe hour
(:mod:`api.contact_preferences.safe_times`); if that is after the date it is about, it is
``suppressed`` instead. Nothing is dropped silently.

The selection uses ``ix_reminder_state_due_at`` (state, due_at): the pending rows sit together at
the front of the index in due order however many sent rows pile up, so selecting 10,000 due rows
costs the same among 10 thousand or 1 million rows.
"""

from __future__ import annotations

import logging
import time as clock
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import Final

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from api.cases.models import LegalCase
from api.contact_preferences.safe_times import SafeTimes, next_safe_instant
from api.contact_preferences.service import read_preferences, why_not_reachable
from api.deadlines.models import CaseDeadline, DeadlineState
from api.orgs.models import Organisation, User
from api.reminders import messages, webhook
from api.reminders.digest import digest_text, plan_digests
from api.reminders.escalation import plan_escalations
from api.reminders.mail import MailConfig, MailSender, usable_mail_config
from api.reminders.models import (
    Channel,
    Notification,
    OrgWebhook,
    Purpose,
    Recipient,
    Reminder,
    ReminderState,
)
from api.reminders.planning import organisation_zone
from api.security.random_tokens import new_token
from api.settings import Settings

BATCH_SIZE: Final = 200
HELD: Final = "held"  # what a sweep reports for an email put back until a safe time
PASSED_BEFORE_SAFE_TIME: Final = "The date passed before a time the person marked as safe for email."
TIME_BUDGET_SECONDS: Final = 50.0  # under the beat interval, so sweeps rarely overlap
logger = logging.getLogger("redress.reminders.sweep")
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current instant, in UTC."""
    return datetime.now(UTC)


@dataclass
class SweepReport:
    """What one sweep did, by final state."""

    recovered: int = 0
    escalations_planned: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, state: str) -> None:
        """Count one reminder that ended in ``state`` in this sweep."""
        self.outcomes[state] = self.outcomes.get(state, 0) + 1


def sweep(
    engine: Engine,
    settings: Settings,
    *,
    now: Clock = utc_now,
    batch_size: int = BATCH_SIZE,
    time_budget_seconds: float = TIME_BUDGET_SECONDS,
) -> SweepReport:
    """Recover expired leases, plan escalations, then send due reminders batch by batch until
    none is due or the time budget is spent."""
    report = SweepReport()
    with Session(engine) as session:
        report.recovered = recover_expired(session, settings, now())
        report.escalations_planned = plan_escalations(session, settings, now())
        plan_digests(session, settings, now())
        session.commit()
    started = clock.monotonic()
    config = usable_mail_config(settings)
    with MailSender(config) if config else _NoMail() as sender:
        while clock.monotonic() - started < time_budget_seconds:
            with Session(engine) as session:
                token, rows = claim_due(session, settings, now(), batch_size)
                session.expunge_all()  # plain values from here on; each send has its own session
            if not rows:
                break
            for row in rows:
                # A short session per reminder: its commits never re-expire the whole batch.
                with Session(engine) as session:
                    report.count(dispatch(session, settings, row, token, sender, config, now))
    return report


class _NoMail:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_args: object) -> None:
        return None


def select_due(session: Session, now: datetime, limit: int) -> list[int]:
    """The ids of up to ``limit`` pending reminders due by ``now``, oldest first (the index)."""
    query = (
        select(Reminder.id)
        .where(col(Reminder.state) == ReminderState.PENDING.value, col(Reminder.due_at) <= now)
        .order_by(col(Reminder.state), col(Reminder.due_at))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return [i for i in session.exec(query).all() if i is not None]


def claim_due(session: Session, settings: Settings, now: datetime, limit: int) -> tuple[str, list[Reminder]]:
    """Claim up to ``limit`` due reminders for this worker; returns its token and the rows."""
    ids = select_due(session, now, limit)
    token = new_token(16)
    if not ids:
        session.rollback()
        return token, []
    session.execute(
        update(Reminder)
        .where(col(Reminder.id).in_(ids), col(Reminder.state) == ReminderState.PENDING.value)
        .values(
            state=ReminderState.CLAIMED.value,
            claim_token=token,
            lease_until=now + timedelta(seconds=settings.reminder_lease_seconds),
        )
    )
    session.commit()
    rows = session.exec(
        select(Reminder).where(Reminder.claim_token == token, Reminder.state == ReminderState.CLAIMED.value)
    ).all()
    return token, list(rows)


def _guarded(session: Session, row_id: int, token: str, current: ReminderState, /, **values: object) -> bool:
    """Move our row from ``current``, only if it is still ours; whether it was."""
    result = session.execute(
        update(Reminder)
        .where(
            col(Reminder.id) == row_id,
            col(Reminder.claim_token) == token,
            col(Reminder.state) == current.value,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class _Context:
    case: LegalCase | None
    deadline: CaseDeadline | None
    organisation: Organisation | None


def _context(session: Session, row: Reminder) -> _Context:
    case = session.get(LegalCase, row.case_id) if row.case_id is not None else None
    deadline = session.get(CaseDeadline, row.deadline_id) if row.deadline_id is not None else None
    return _Context(case, deadline, session.get(Organisation, row.organisation_id))


def _link(settings: Settings, path: str) -> str:
    return settings.public_base_url.rstrip("/") + path if settings.public_base_url else path


def dispatch(
    session: Session,
    settings: Settings,
    row: Reminder,
    token: str,
    sender: MailSender | None,
    config: MailConfig | None,
    now: Clock,
) -> str:
    """Send one claimed reminder; returns the state it ended in."""
    row_id = row.id
    assert row_id is not None
    ctx = _context(session, row)
    stale = _stale_reason(row, ctx)
    if stale is not None:
        return _finish(session, row_id, token, ReminderState.CLAIMED, ReminderState.CANCELLED, stale)
    survivor_text = None
    if row.recipient == Recipient.SURVIVOR:
        assert ctx.case is not None
        preferences = read_preferences(session, settings, ctx.case)
        reason = why_not_reachable(preferences, row.channel)
        if reason is None and row.channel == Channel.IN_APP and ctx.case.survivor_user_id is None:
            reason = "The person has no account in Redress yet."
        if reason is not None:
            return _finish(session, row_id, token, ReminderState.CLAIMED, ReminderState.SUPPRESSED, reason)
        if row.channel == Channel.EMAIL:
            held = _hold_until_safe(session, row_id, token, ctx, preferences.safe_times, now())
            if held is not None:
                return held
        org_name = ctx.organisation.name if ctx.organisation else ""
        survivor_text = messages.survivor_text(preferences, org_name, _link(settings, "/survivor"))
        address = preferences.email
        user_id = ctx.case.survivor_user_id
    else:
        user = session.get(User, row.user_id) if row.user_id is not None else None
        address = user.email if user is not None and user.email else ""
        user_id = row.user_id
    if survivor_text is not None:
        text = survivor_text
    elif row.purpose == Purpose.DIGEST and user_id is not None:
        text = digest_text(session, user_id, now())
    else:
        text = _staff_text(settings, row, ctx)

    if row.channel == Channel.IN_APP:
        if user_id is None:
            return _finish(
                session, row_id, token, ReminderState.CLAIMED, ReminderState.SUPPRESSED, "No one to tell."
            )
        if not _guarded(
            session, row_id, token, ReminderState.CLAIMED, state=ReminderState.SENT.value, sent_at=now()
        ):
            session.rollback()
            return "lost_lease"
        link = "/survivor" if row.recipient == Recipient.SURVIVOR else _deadlines_path(ctx)
        session.add(
            Notification(
                user_id=user_id,
                reminder_id=row_id,
                title=text.title,
                body=text.body,
                link=link,
                created_at=now(),
            )
        )
        session.commit()  # the notification and "sent" together: exactly once
        return ReminderState.SENT.value

    if row.channel == Channel.EMAIL and (config is None or sender is None or not address):
        why = "Email is not configured." if config is None else "There is no email address to send to."
        return _finish(session, row_id, token, ReminderState.CLAIMED, ReminderState.FAILED, why, notify=ctx)
    hook = None
    if row.channel == Channel.WEBHOOK:
        hook = session.exec(
            select(OrgWebhook).where(OrgWebhook.organisation_id == row.organisation_id)
        ).first()
        if hook is None:
            return _finish(
                session,
                row_id,
                token,
                ReminderState.CLAIMED,
                ReminderState.CANCELLED,
                "The webhook was removed.",
            )
    moment = now()
    attempt = row.attempts + 1  # read before the commit below reloads the row
    if not _guarded(
        session,
        row_id,
        token,
        ReminderState.CLAIMED,
        state=ReminderState.SENDING.value,
        attempts=attempt,
        lease_until=moment + timedelta(seconds=settings.reminder_lease_seconds),
    ):
        session.rollback()
        return "lost_lease"
    session.commit()  # "sending" is on disk before anything leaves this machine
    try:
        if hook is not None:
            payload = _webhook_payload(row, ctx)
            webhook.post(
                hook.url,
                webhook.webhook_secret(settings, hook),
                payload,
                idempotency_key=row.public_id,
                now=moment,
            )
        else:
            assert config is not None
            assert sender is not None
            domain = parseaddr(config.from_address)[1].rpartition("@")[2]
            sender.send(messages.email(address, text, message_key=row.public_id, sender_domain=domain))
    except Exception as exc:  # any failure to deliver is retried, then shown; never swallowed
        return _after_failure(session, settings, row_id, attempt, token, ctx, exc, now())
    _guarded(
        session,
        row_id,
        token,
        ReminderState.SENDING,
        state=ReminderState.SENT.value,
        sent_at=now(),
        # last_error stays: "re-sent after an interruption" tells why a copy may have come twice.
    )
    session.commit()
    return ReminderState.SENT.value


def _hold_until_safe(
    session: Session, row_id: int, token: str, ctx: _Context, times: SafeTimes, moment: datetime
) -> str | None:
    """Put an email to the survivor back until the next time they marked as safe (None: now is
    safe). An in-app message waits for their sign-in anyway, so only email is held. Held past
    the date it is about, it would only confuse: then it is not sent, and the advocate sees why."""
    if times.any_time:
        return None
    assert ctx.case is not None
    zone = organisation_zone(session, ctx.case.organisation_id)
    when = next_safe_instant(times, moment, zone)
    if when == moment:
        return None
    local = when.astimezone(zone)
    if ctx.deadline is not None and local.date() > ctx.deadline.due_on:
        return _finish(
            session, row_id, token, ReminderState.CLAIMED, ReminderState.SUPPRESSED, PASSED_BEFORE_SAFE_TIME
        )
    held = _guarded(
        session,
        row_id,
        token,
        ReminderState.CLAIMED,
        state=ReminderState.PENDING.value,
        due_at=when,
        claim_token=None,
        lease_until=None,
        last_error=f"Held until {local:%Y-%m-%d %H:%M} ({zone.key}), a time the person marked as safe.",
    )
    if not held:
        session.rollback()
        return "lost_lease"
    session.commit()
    return HELD


def _stale_reason(row: Reminder, ctx: _Context) -> str | None:
    """Why a planned reminder no longer makes sense (its deadline moved, went or was re-dated)."""
    if row.purpose != Purpose.REMINDER or ctx.deadline is None:
        return None
    if ctx.deadline.state != DeadlineState.CONFIRMED:
        return "The deadline is no longer confirmed."
    if f":{ctx.deadline.due_on.isoformat()}:" not in row.idempotency_key:
        return "The deadline's date changed."
    return None


def _deadlines_path(ctx: _Context) -> str:
    return f"/cases/{ctx.case.public_id}/deadlines" if ctx.case is not None else "/notifications"


def _staff_text(settings: Settings, row: Reminder, ctx: _Context) -> messages.Text:
    deadline = ctx.deadline
    if deadline is None or ctx.case is None:
        return messages.Text(title="Redress reminder", body="Sign in to Redress to see it.")
    return messages.staff_text(
        purpose=row.purpose,
        reference=ctx.case.reference,
        rule_id=deadline.rule_id,
        label=deadline.label if row.channel == Channel.IN_APP else "",
        due=deadline.due_on,
        days_before=row.days_before,
        link=_link(settings, _deadlines_path(ctx)),
    )


def _webhook_payload(row: Reminder, ctx: _Context) -> dict[str, object]:
    deadline = ctx.deadline
    return {
        "event": f"deadline.{row.purpose}",
        "reminder_id": row.public_id,
        "case_id": ctx.case.public_id if ctx.case else None,
        "deadline": None
        if deadline is None
        else {
            "id": deadline.public_id,
            "rule_id": deadline.rule_id,
            "kind": deadline.kind,
            "due": deadline.due_on.isoformat(),
            "state": deadline.state,
        },
        "days_before": row.days_before,
    }


def _finish(
    session: Session,
    row_id: int,
    token: str,
    expected: ReminderState,
    state: ReminderState,
    reason: str,
    *,
    notify: _Context | None = None,
) -> str:
    if not _guarded(session, row_id, token, expected, state=state.value, last_error=reason[:500]):
        session.rollback()
        return "lost_lease"
    if notify is not None:
        _tell_advocate(session, notify, "A reminder could not be sent", reason)
    session.commit()
    return state.value


def _after_failure(
    session: Session,
    settings: Settings,
    row_id: int,
    attempts: int,
    token: str,
    ctx: _Context,
    exc: Exception,
    now: datetime,
) -> str:
    reason = f"Sending failed ({type(exc).__name__}: {str(exc)[:200]})"
    logger.warning("reminder %d attempt %d failed: %s", row_id, attempts, reason)
    if attempts >= settings.reminder_max_attempts:
        return _finish(
            session,
            row_id,
            token,
            ReminderState.SENDING,
            ReminderState.FAILED,
            f"{reason}; gave up after {attempts} attempts.",
            notify=ctx,
        )
    delay = settings.reminder_retry_base_seconds * 2 ** (attempts - 1)
    _guarded(
        session,
        row_id,
        token,
        ReminderState.SENDING,
        state=ReminderState.PENDING.value,
        claim_token=None,
        lease_until=None,
        due_at=now + timedelta(seconds=delay),
        last_error=reason[:500],
    )
    session.commit()
    return "retrying"


def _tell_advocate(session: Session, ctx: _Context, title: str, body: str) -> None:
    """An in-app notice to the case's advocate (added to the session)."""
    if ctx.case is None or ctx.case.assigned_user_id is None:
        return
    session.add(
        Notification(
            user_id=ctx.case.assigned_user_id,
            title=f"{title} (case {ctx.case.reference})",
            body=body,
            link=_deadlines_path(ctx),
            created_at=utc_now(),
        )
    )


def recover_expired(session: Session, settings: Settings, now: datetime) -> int:
    """Handle rows whose worker died (lease over); see the module docstring. Adds and commits."""
    expired = session.exec(
        select(Reminder).where(
            col(Reminder.state).in_([ReminderState.CLAIMED.value, ReminderState.SENDING.value]),
            col(Reminder.lease_until) < now,
        )
    ).all()
    for row in expired:
        assert row.id is not None
        assert row.claim_token is not None
        if row.state == ReminderState.CLAIMED:
            _guarded(
                session,
                row.id,
                row.claim_token,
                ReminderState.CLAIMED,
                state=ReminderState.PENDING.value,
                claim_token=None,
                lease_until=None,
            )
        elif row.recipient == Recipient.SURVIVOR:
            reason = (
                "Redress stopped while sending this reminder to the person. It was not sent again, "
                "so that they never get the same message twice; it may not have arrived."
            )
            if _guarded(
                session,
                row.id,
                row.claim_token,
                ReminderState.SENDING,
                state=ReminderState.UNKNOWN.value,
                last_error=reason,
            ):
                _tell_advocate(
                    session, _context(session, row), "A reminder to the person may not have arrived", reason
                )
        else:
            _guarded(
                session,
                row.id,
                row.claim_token,
                ReminderState.SENDING,
                state=ReminderState.PENDING.value,
                claim_token=None,
                lease_until=None,
                last_error="Re-sent after an interruption (the same message may arrive twice).",
            )
    session.commit()
    return len(expired)
