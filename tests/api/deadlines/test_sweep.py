"""The sweep in-process against a real SMTP server on loopback and a real loopback webhook."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from api.contact_preferences.safe_times import SafeTimes
from api.contact_preferences.service import ContactPreferences
from api.db.engine import create_db_engine
from api.deadlines import service as deadlines
from api.reminders import webhook
from api.reminders.digest import set_daily_digest
from api.reminders.models import Notification, Purpose, Recipient, Reminder, ReminderState
from api.reminders.sweep import PASSED_BEFORE_SAFE_TIME, claim_due, sweep
from api.settings import Settings
from tests.api.cases.builders import NOW, World, actor
from tests.api.deadlines.helpers import (
    add_survivor,
    cica_case,
    confirm_all,
    free_port,
    set_preferences,
    smtp_sink,
    with_mail,
)

DUE_DAY = datetime(2027, 3, 10, 9, 1, tzinfo=UTC)  # after every reminder of the 2027-03-10 deadline


@pytest.fixture
def engine(migrated_settings: Settings) -> Iterator[Engine]:
    eng = create_db_engine(migrated_settings.database_url)
    yield eng
    eng.dispose()


def _states(session: Session, **where: str) -> dict[str, int]:
    session.expire_all()
    rows = session.exec(select(Reminder)).all()
    counts: dict[str, int] = {}
    for row in rows:
        if all(getattr(row, k) == v for k, v in where.items()):
            counts[row.state] = counts.get(row.state, 0) + 1
    return counts


def test_due_reminders_reach_the_advocate_by_email_and_in_app_once(
    db_session: Session, cheap_settings: Settings, world: World, engine: Engine
) -> None:
    with smtp_sink() as (sink, port):
        settings = with_mail(cheap_settings, port)
        case = cica_case(db_session, settings, world)
        confirm_all(db_session, settings, world, case)

        sweep(engine, settings, now=lambda: DUE_DAY)
        sweep(
            engine, settings, now=lambda: DUE_DAY + timedelta(minutes=1)
        )  # a second sweep sends nothing again

    mails = sink.to("bea@harbour.example")
    assert len(mails) == 7
    assert len({m["Message-ID"] for m in mails}) == 7
    assert all("Case Kestrel" in m["Subject"] for m in mails)
    # No details of the claim in mail: the rule id and the date, the rest behind the sign-in.
    assert all("CICA" not in m.get_payload() or "UK-CICA-D1" in m.get_payload() for m in mails)
    notes = db_session.exec(select(Notification).where(Notification.user_id == world.advocate.id)).all()
    assert len(notes) == 7
    assert _states(db_session, purpose=Purpose.REMINDER.value) == {"sent": 14}


def test_a_survivor_whose_only_channel_is_unsafe_gets_nothing_and_the_advocate_sees_why(
    db_session: Session, cheap_settings: Settings, world: World, engine: Engine
) -> None:
    with smtp_sink() as (sink, port):
        settings = with_mail(cheap_settings, port)
        case = cica_case(db_session, settings, world)
        survivor = add_survivor(db_session, settings, world, case)
        set_preferences(
            db_session,
            settings,
            survivor,
            case,
            ContactPreferences(
                reminders_opt_in=True, email="kes@mail.example", email_safe=False, in_app_safe=False
            ),
        )
        confirm_all(db_session, settings, world, case)
        sweep(engine, settings, now=lambda: DUE_DAY)

    assert sink.to("kes@mail.example") == []
    assert db_session.exec(select(Notification).where(Notification.user_id == survivor.id)).all() == []
    rows = db_session.exec(select(Reminder).where(Reminder.recipient == Recipient.SURVIVOR.value)).all()
    assert rows
    assert {r.state for r in rows} == {ReminderState.SUPPRESSED.value}
    assert {r.last_error for r in rows if r.channel == "email"} == {
        "The person has not marked their email as safe to use."
    }
    # The advocate's reminders went out all the same.
    assert len(sink.to("bea@harbour.example")) == 7


def test_a_survivor_who_opted_in_on_a_safe_channel_gets_a_neutral_message(
    db_session: Session, cheap_settings: Settings, world: World, engine: Engine
) -> None:
    with smtp_sink() as (sink, port):
        settings = with_mail(cheap_settings, port)
        case = cica_case(db_session, settings, world)
        survivor = add_survivor(db_session, settings, world, case)
        set_preferences(
            db_session,
            settings,
            survivor,
            case,
            ContactPreferences(
                reminders_opt_in=True,
                email="kes@mail.example",
                email_safe=True,
                in_app_safe=True,
                name="Robin",
            ),
        )
        confirm_all(db_session, settings, world, case)
        sweep(engine, settings, now=lambda: DUE_DAY)

    mails = sink.to("kes@mail.example")
    assert len(mails) == 7
    for message in mails:
        text = (message["Subject"] + message.get_payload()).lower()
        assert "hello robin" in text
        assert "you have a date coming up" in text
        for word in ("harbour", "trafficking", "immigration", "cica", "compensation", "deadline", "case"):
            assert word not in text
    notes = db_session.exec(select(Notification).where(Notification.user_id == survivor.id)).all()
    assert len(notes) == 7


def test_a_send_that_keeps_failing_is_retried_with_backoff_then_failed_and_shown(
    db_session: Session, cheap_settings: Settings, world: World, engine: Engine
) -> None:
    settings = with_mail(cheap_settings, free_port()).model_copy(update={"reminder_max_attempts": 3})
    case = cica_case(db_session, settings, world)
    confirm_all(db_session, settings, world, case)
    email_rows = {"channel": "email", "purpose": Purpose.REMINDER.value}

    sweep(engine, settings, now=lambda: DUE_DAY)  # nobody listens on the port: attempt 1
    assert _states(db_session, **email_rows) == {"pending": 7}
    retry_at = {r.due_at for r in db_session.exec(select(Reminder).where(Reminder.channel == "email"))}
    assert retry_at == {DUE_DAY + timedelta(seconds=1)}
    sweep(engine, settings, now=lambda: DUE_DAY + timedelta(seconds=1))  # attempt 2, next in 2 s
    sweep(engine, settings, now=lambda: DUE_DAY + timedelta(seconds=2))  # not due yet
    assert _states(db_session, **email_rows) == {"pending": 7}
    sweep(engine, settings, now=lambda: DUE_DAY + timedelta(seconds=3))  # attempt 3: gives up

    assert _states(db_session, **email_rows) == {"failed": 7}
    failed = db_session.exec(select(Reminder).where(Reminder.state == "failed")).first()
    assert failed is not None
    assert "gave up after 3 attempts" in (failed.last_error or "")
    told = db_session.exec(
        select(Notification).where(
            Notification.user_id == world.advocate.id,
            col(Notification.title).startswith("A reminder could not be sent"),
        )
    ).all()
    # One notice per failed message: the seven reminders and the supervisor's escalation email.
    failed_rows = db_session.exec(select(Reminder).where(Reminder.state == "failed")).all()
    assert len(failed_rows) == 8
    assert len(told) == 8


def test_two_workers_never_claim_the_same_row(
    db_session: Session, cheap_settings: Settings, world: World, engine: Engine
) -> None:
    case = cica_case(db_session, cheap_settings, world)
    confirm_all(db_session, cheap_settings, world, case)
    with Session(engine) as first, Session(engine) as second:
        _, mine = claim_due(first, cheap_settings, DUE_DAY, 4)
        _, theirs = claim_due(second, cheap_settings, DUE_DAY, 100)
    assert len(mine) == 4
    assert len(theirs) == 3
    assert not {r.id for r in mine} & {r.id for r in theirs}


def test_after_a_crash_claimed_rows_are_sent_later_and_a_survivor_is_never_sent_twice(
    db_session: Session, cheap_settings: Settings, world: World, engine: Engine
) -> None:
    with smtp_sink() as (sink, port):
        settings = with_mail(cheap_settings, port)
        case = cica_case(db_session, settings, world)
        survivor = add_survivor(db_session, settings, world, case)
        set_preferences(
            db_session,
            settings,
            survivor,
            case,
            ContactPreferences(reminders_opt_in=True, email="kes@mail.example", email_safe=True),
        )
        confirm_all(db_session, settings, world, case)
        # A worker claimed everything, marked two emails "sending" and died.
        with Session(engine) as dead_worker:
            _, rows = claim_due(dead_worker, settings, DUE_DAY, 1000)
            in_flight = {r.recipient: r.id for r in rows if r.channel == "email" and r.days_before == 0}
            for row_id in in_flight.values():
                dead_worker.execute(
                    update(Reminder).where(col(Reminder.id) == row_id).values(state="sending")
                )
            dead_worker.commit()
        assert set(in_flight) == {"advocate", "survivor"}

        # Within the lease nobody touches them; after it, a sweep recovers them.
        sweep(engine, settings, now=lambda: DUE_DAY + timedelta(seconds=10))
        assert sink.to("bea@harbour.example") == sink.to("kes@mail.example") == []
        later = DUE_DAY + timedelta(seconds=settings.reminder_lease_seconds + 1)
        sweep(engine, settings, now=lambda: later)

    db_session.expire_all()
    assert db_session.get(Reminder, in_flight["survivor"]).state == ReminderState.UNKNOWN  # type: ignore[union-attr]
    # The survivor got the six other reminders once each, and not the one in doubt.
    assert len(sink.to("kes@mail.example")) == 6
    # Staff are re-sent what was in doubt: all seven reached the advocate.
    assert len({m["Message-ID"] for m in sink.to("bea@harbour.example")}) == 7
    told = db_session.exec(
        select(Notification).where(col(Notification.title).startswith("A reminder to the person may not"))
    ).all()
    assert [n.user_id for n in told] == [world.advocate.id]


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Receiver.received.append((dict(self.headers.items()), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        return None


def test_the_organisation_webhook_receives_signed_reminders(
    db_session: Session, cheap_settings: Settings, world: World, engine: Engine
) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    _Receiver.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hooks/redress"
        secret = webhook.set_webhook(db_session, cheap_settings, world.home.id or 0, url, now=NOW)
        db_session.commit()
        case = cica_case(db_session, cheap_settings, world)
        confirm_all(db_session, cheap_settings, world, case)
        sweep(engine, cheap_settings, now=lambda: DUE_DAY)
    finally:
        server.shutdown()
        server.server_close()

    assert len(_Receiver.received) == 7
    for headers, body in _Receiver.received:
        expected = hmac.new(
            secret.encode(), headers["X-Redress-Timestamp"].encode() + b"." + body, hashlib.sha256
        )
        assert headers["X-Redress-Signature"] == "sha256=" + expected.hexdigest()
        payload = json.loads(body)
        assert payload["case_id"] == case.public_id
        assert payload["deadline"]["due"] == "2027-03-10"
    assert len({h["Idempotency-Key"] for h, _ in _Receiver.received}) == 7


def test_an_unacknowledged_deadline_within_48_hours_escalates_to_supervisors_once(
    db_session: Session, cheap_settings: Settings, world: World, engine: Engine
) -> None:
    case = cica_case(db_session, cheap_settings, world)
    confirm_all(db_session, cheap_settings, world, case)
    two_days_before = datetime(2027, 3, 8, 10, tzinfo=UTC)

    sweep(engine, cheap_settings, now=lambda: two_days_before)
    sweep(engine, cheap_settings, now=lambda: two_days_before + timedelta(minutes=1))

    escalations = db_session.exec(select(Reminder).where(Reminder.purpose == Purpose.ESCALATION.value)).all()
    assert [(r.user_id, r.channel, r.state) for r in escalations] == [(world.admin.id, "in_app", "sent")]
    note = db_session.exec(select(Notification).where(Notification.user_id == world.admin.id)).one()
    assert note.title.startswith("Needs attention")

    # Acknowledged: the overdue phase later escalates nothing more.
    view = deadlines.list_deadlines(db_session, cheap_settings, actor(db_session, world.advocate), case)[0]
    deadlines.acknowledge_deadline(
        db_session, actor(db_session, world.advocate), case, view.row.public_id, now=NOW
    )
    sweep(engine, cheap_settings, now=lambda: datetime(2027, 3, 11, 10, tzinfo=UTC))
    assert (
        len(db_session.exec(select(Reminder).where(Reminder.purpose == Purpose.ESCALATION.value)).all()) == 1
    )


def test_an_advocate_who_asked_gets_one_daily_digest_a_day(
    db_session: Session, cheap_settings: Settings, world: World, engine: Engine
) -> None:
    case = cica_case(db_session, cheap_settings, world)
    confirm_all(db_session, cheap_settings, world, case)
    set_daily_digest(db_session, world.advocate.id or 0, True)
    morning = datetime(2027, 3, 1, 8, 30, tzinfo=UTC)

    sweep(engine, cheap_settings, now=lambda: datetime(2027, 3, 1, 7, 30, tzinfo=UTC))  # too early
    sweep(engine, cheap_settings, now=lambda: morning)
    sweep(engine, cheap_settings, now=lambda: morning + timedelta(hours=3))  # same day: nothing new

    digests = db_session.exec(
        select(Notification).where(col(Notification.title).startswith("Your deadlines"))
    ).all()
    assert [(n.user_id, n.title) for n in digests] == [
        (world.advocate.id, "Your deadlines: 1 in the next two weeks")
    ]
    assert "2027-03-10  case Case Kestrel  UK-CICA-D1" in digests[0].body
    # The admin did not ask for it.
    assert not db_session.exec(
        select(Reminder).where(Reminder.purpose == Purpose.DIGEST.value, Reminder.user_id == world.admin.id)
    ).all()


def test_a_survivor_who_opts_in_after_the_deadline_was_confirmed_is_reminded_too(
    db_session: Session, cheap_settings: Settings, world: World, engine: Engine
) -> None:
    case = cica_case(db_session, cheap_settings, world)
    confirm_all(db_session, cheap_settings, world, case)
    survivor = add_survivor(db_session, cheap_settings, world, case)
    set_preferences(
        db_session,
        cheap_settings,
        survivor,
        case,
        ContactPreferences(reminders_opt_in=True, in_app_safe=True),
    )

    sweep(engine, cheap_settings, now=lambda: DUE_DAY)

    notes = db_session.exec(select(Notification).where(Notification.user_id == survivor.id)).all()
    assert len(notes) == 7
    assert {n.title for n in notes} == {"You have a date coming up"}


def _emailed_survivor_on_the_day(
    session: Session, settings: Settings, world: World, times: SafeTimes
) -> None:
    """A CICA case (deadline 10 March 2027, confirmed) whose survivor takes email at ``times``;
    every reminder but the one on the day is marked sent, so a sweep sends only that one."""
    case = cica_case(session, settings, world)
    survivor = add_survivor(session, settings, world, case)
    preferences = ContactPreferences(
        reminders_opt_in=True, email="kes@mail.example", email_safe=True, safe_times=times
    )
    set_preferences(session, settings, survivor, case, preferences)
    confirm_all(session, settings, world, case)
    session.execute(
        update(Reminder).where(col(Reminder.days_before) > 0).values(state=ReminderState.SENT.value)
    )
    session.commit()


def test_an_email_to_a_survivor_waits_for_the_hours_they_marked_safe(
    db_session: Session, cheap_settings: Settings, world: World, engine: Engine
) -> None:
    """Due at 09:00 with a safe window of 13:00 to 17:00: held (pending, due at 13:00, the reason
    shown), then sent at 13:00 once. The advocate's own email is not held."""
    with smtp_sink() as (sink, port):
        settings = with_mail(cheap_settings, port)
        _emailed_survivor_on_the_day(db_session, settings, world, SafeTimes(13, 17))
        on_the_day = datetime(2027, 3, 10, 9, 1, tzinfo=UTC)  # 09:01 GMT: the reminder is due

        sweep(engine, settings, now=lambda: on_the_day)
        assert sink.to("kes@mail.example") == []
        assert len(sink.to("bea@harbour.example")) == 1
        held = db_session.exec(
            select(Reminder).where(
                Reminder.recipient == Recipient.SURVIVOR.value, Reminder.channel == "email"
            )
        ).all()
        db_session.expire_all()
        held_row = next(r for r in held if r.days_before == 0)
        db_session.refresh(held_row)
        assert held_row.state == ReminderState.PENDING
        assert held_row.due_at == datetime(2027, 3, 10, 13, 0, tzinfo=UTC)
        assert held_row.claim_token is None
        assert "Held until 2027-03-10 13:00 (Europe/London)" in (held_row.last_error or "")

        sweep(engine, settings, now=lambda: datetime(2027, 3, 10, 12, 59, tzinfo=UTC))
        assert sink.to("kes@mail.example") == []
        sweep(engine, settings, now=lambda: datetime(2027, 3, 10, 13, 0, tzinfo=UTC))
        sweep(engine, settings, now=lambda: datetime(2027, 3, 10, 13, 5, tzinfo=UTC))
    assert len(sink.to("kes@mail.example")) == 1
    db_session.refresh(held_row)
    assert held_row.state == ReminderState.SENT


def test_an_email_that_could_only_arrive_after_its_date_is_not_sent_and_the_advocate_sees_why(
    db_session: Session, cheap_settings: Settings, world: World, engine: Engine
) -> None:
    """10 March 2027 is a Wednesday; "weekdays only, 18:00 to 19:00" on the day at 19:30 would
    mean Thursday: after the date, so the reminder is held back with the reason."""
    with smtp_sink() as (sink, port):
        settings = with_mail(cheap_settings, port)
        _emailed_survivor_on_the_day(db_session, settings, world, SafeTimes(18, 19, weekdays_only=True))
        sweep(engine, settings, now=lambda: datetime(2027, 3, 10, 19, 30, tzinfo=UTC))
    assert sink.to("kes@mail.example") == []
    row = db_session.exec(
        select(Reminder).where(
            Reminder.recipient == Recipient.SURVIVOR.value,
            Reminder.channel == "email",
            Reminder.days_before == 0,
        )
    ).one()
    db_session.refresh(row)
    assert row.state == ReminderState.SUPPRESSED
    assert row.last_error == PASSED_BEFORE_SAFE_TIME
