"""A real Celery worker with beat sweeps reminders into a real SMTP server on loopback.

On the embedded SQLite broker and on Redis. The worker is killed with SIGKILL in the middle of
a sweep and started again: every due reminder is then delivered, each exactly once, except the
one message that was in flight at the moment of the kill, which the database names (a survivor's
becomes ``unknown`` and is never re-sent; a staff copy is re-sent with the same Message-ID).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from api.contact_preferences.service import ContactPreferences
from api.db.engine import create_db_engine
from api.reminders.models import Notification, Reminder, ReminderState
from api.settings import Settings
from api.tasks.celery_app import create_celery, prepare_broker
from tests.api.cases.builders import World
from tests.api.deadlines.helpers import (
    add_survivor,
    cica_case,
    confirm_all,
    set_preferences,
    smtp_sink,
    with_mail,
)

pytestmark = [pytest.mark.slow]

WAIT_SECONDS = 90.0
CASES = 6
FINAL = {ReminderState.SENT.value, ReminderState.UNKNOWN.value, ReminderState.SUPPRESSED.value}


def _start_worker(settings: Settings, log_path: Path) -> subprocess.Popen[bytes]:
    command = [
        *(sys.executable, "-m", "celery", "-A", "api.tasks.celery_app", "worker", "--beat"),
        *("--pool=solo", "--loglevel=info", "--without-mingle", "--without-gossip", "--without-heartbeat"),
    ]
    environment = {**os.environ, **settings.to_environment()}
    producer = create_celery(settings)
    prepare_broker(producer)  # as `redress serve` does: the broker's tables before worker and beat
    producer.close()
    with log_path.open("ab") as log:
        return subprocess.Popen(
            command, env=environment, stdout=log, stderr=subprocess.STDOUT, process_group=0
        )


def _kill_group(process: subprocess.Popen[bytes], sig: int) -> None:
    # The whole group: with --beat, beat is a child that would outlive its worker.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _wait_for(
    condition: Callable[[], bool], what: str, log_path: Path, worker: subprocess.Popen[bytes]
) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        if worker.poll() is not None:
            pytest.fail(f"the worker exited early; its log:\n{log_path.read_text()[-4000:]}")
        time.sleep(0.2)
    pytest.fail(f"{what} within {WAIT_SECONDS} s; worker log:\n{log_path.read_text()[-4000:]}")


def _rows(database_url: str) -> list[Reminder]:
    engine = create_db_engine(database_url)
    try:
        with Session(engine) as session:
            rows = session.exec(select(Reminder)).all()
            session.expunge_all()
            return list(rows)
    finally:
        engine.dispose()


def _make_due(session: Session) -> None:
    """Bring every planned reminder forward to a minute ago (the worker runs on today's clock)."""
    from datetime import UTC, datetime, timedelta

    session.execute(update(Reminder).values(due_at=datetime.now(UTC) - timedelta(minutes=1)))
    session.commit()


@pytest.fixture(params=["embedded", pytest.param("redis", marks=pytest.mark.redis)])
def broker_settings(request: pytest.FixtureRequest, migrated_settings: Settings) -> Settings:
    """The embedded SQLite broker, or the local Redis server (``TEST_REDIS_URL``)."""
    updates: dict[str, object] = {"beat_interval_seconds": 1.0, "reminder_lease_seconds": 4.0}
    if request.param == "redis":
        redis_url: str = request.getfixturevalue("redis_url")
        import redis

        client = redis.Redis.from_url(redis_url)
        client.delete("celery")  # sweeps queued by an earlier run would only expire
        client.close()
        updates["broker_url"] = redis_url
    return migrated_settings.model_copy(update=updates)


def test_a_worker_killed_mid_sweep_loses_nothing_and_never_repeats_to_a_survivor(
    db_session: Session, cheap_settings: Settings, world: World, broker_settings: Settings, tmp_path: Path
) -> None:
    log_path = tmp_path / "worker.log"
    with smtp_sink(delay_seconds=0.05) as (sink, port):
        settings = with_mail(broker_settings, port)
        service_settings = with_mail(cheap_settings, port)
        for number in range(CASES):
            case = cica_case(db_session, service_settings, world, f"Case {number}")
            if number % 2 == 0:
                survivor = add_survivor(db_session, service_settings, world, case)
                set_preferences(
                    db_session,
                    service_settings,
                    survivor,
                    case,
                    ContactPreferences(
                        reminders_opt_in=True,
                        email=f"person{number}@mail.example",
                        email_safe=True,
                        in_app_safe=True,
                    ),
                )
            confirm_all(db_session, service_settings, world, case)
        _make_due(db_session)
        total = len(_rows(settings.database_url))
        emails = [r for r in _rows(settings.database_url) if r.channel == "email"]
        assert len(emails) == CASES * 7 + (CASES // 2) * 7

        worker = _start_worker(settings, log_path)
        try:
            _wait_for(lambda: len(sink.messages) >= 10, "ten messages sent", log_path, worker)
            _kill_group(worker, signal.SIGKILL)  # mid-sweep: the server is still receiving
        finally:
            _kill_group(worker, signal.SIGKILL)
        received_at_kill = len(sink.messages)
        assert received_at_kill < len(emails), "the sweep had finished before the kill"

        worker = _start_worker(settings, log_path)
        try:
            _wait_for(
                lambda: all(r.state in FINAL for r in _rows(settings.database_url)),
                "every reminder sent after the restart",
                log_path,
                worker,
            )
        finally:
            _kill_group(worker, signal.SIGTERM)

    rows = _rows(settings.database_url)
    assert len(rows) == total
    by_message_id = Counter(m["X-Redress-Reminder"] for m in sink.messages)
    in_doubt = [
        r for r in rows if r.state == ReminderState.UNKNOWN or (r.last_error or "").startswith("Re-sent")
    ]
    assert len(in_doubt) <= 1  # one worker, one message in flight when it was killed
    for row in rows:
        if row.channel != "email":
            continue
        copies = by_message_id[row.public_id]
        if row.state == ReminderState.UNKNOWN:
            assert row.recipient == "survivor"
            assert copies <= 1, "a survivor must never get the same message twice"
        elif row in in_doubt:
            assert copies in (1, 2)  # staff: re-sent after the crash, same Message-ID
        else:
            assert row.state == ReminderState.SENT
            assert copies == 1, f"{row.recipient} reminder {row.public_id} arrived {copies} times"
    engine = create_db_engine(settings.database_url)
    try:
        with Session(engine) as session:
            in_app = [r for r in rows if r.channel == "in_app"]
            notified = session.exec(
                select(Notification.reminder_id).where(col(Notification.reminder_id).is_not(None))
            ).all()
            assert sorted(notified) == sorted(r.id for r in in_app)
    finally:
        engine.dispose()


def test_invalid_smtp_settings_warn_at_start_and_in_app_reminders_still_work(
    db_session: Session, cheap_settings: Settings, world: World, migrated_settings: Settings, tmp_path: Path
) -> None:
    broken = {"smtp_host": "127.0.0.1", "smtp_port": "twenty-five", "smtp_from": "reminders"}
    settings = migrated_settings.model_copy(update={"beat_interval_seconds": 1.0, **broken})
    case = cica_case(db_session, cheap_settings.model_copy(update=broken), world)
    confirm_all(db_session, cheap_settings.model_copy(update=broken), world, case)
    _make_due(db_session)
    log_path = tmp_path / "worker.log"

    worker = _start_worker(settings, log_path)
    try:
        _wait_for(
            lambda: all(r.state == ReminderState.SENT for r in _rows(settings.database_url)),
            "in-app reminders sent",
            log_path,
            worker,
        )
    finally:
        _kill_group(worker, signal.SIGTERM)

    log = log_path.read_text()
    assert "Email reminders are off because the SMTP settings are wrong" in log
    assert "REDRESS_SMTP_PORT must be a port number" in log
    assert "REDRESS_SMTP_FROM must be the sender's address" in log
    rows = _rows(settings.database_url)
    assert {r.channel for r in rows} == {"in_app"}
    assert len(rows) == 7
