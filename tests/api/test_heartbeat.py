"""Heartbeats and the health report built from them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlmodel import Session, select

from api.db.engine import create_db_engine
from api.heartbeat.models import ServiceHeartbeat
from api.heartbeat.schemas import HealthReport
from api.heartbeat.service import WORKER_HEARTBEAT, read_health, record_heartbeat
from api.settings import Settings

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
INTERVAL = 60.0


def health_of(database_url: str) -> HealthReport:
    """The health report at NOW, read through a new engine on ``database_url`` (then disposed)."""
    engine = create_db_engine(database_url)
    try:
        with Session(engine) as session:
            return read_health(session, NOW, beat_interval_seconds=INTERVAL)
    finally:
        engine.dispose()


def test_a_fresh_heartbeat_makes_the_report_ok(db_session: Session) -> None:
    record_heartbeat(db_session, WORKER_HEARTBEAT, NOW - timedelta(seconds=30), "celery@host")

    report = read_health(db_session, NOW, beat_interval_seconds=INTERVAL)

    assert report.status == "ok"
    assert report.reasons == []
    assert report.database.reachable
    assert report.database.up_to_date
    assert report.worker.ok
    assert report.worker.age_seconds == 30.0
    assert report.worker.stale_after_seconds == 3 * INTERVAL
    assert report.worker.detail == "celery@host"


def test_recording_again_updates_the_one_row(db_session: Session) -> None:
    record_heartbeat(db_session, WORKER_HEARTBEAT, NOW - timedelta(minutes=5), "first")
    record_heartbeat(db_session, WORKER_HEARTBEAT, NOW, "second")

    rows = db_session.exec(select(ServiceHeartbeat)).all()

    assert [(row.name, row.last_seen_at, row.detail) for row in rows] == [(WORKER_HEARTBEAT, NOW, "second")]


def test_instants_are_stored_in_utc_and_read_back_aware(db_session: Session) -> None:
    new_york = timezone(timedelta(hours=-5))
    record_heartbeat(db_session, WORKER_HEARTBEAT, datetime(2026, 11, 22, 7, tzinfo=new_york))
    db_session.expire_all()

    stored = db_session.get(ServiceHeartbeat, WORKER_HEARTBEAT)

    assert stored is not None
    assert stored.last_seen_at == NOW
    assert stored.last_seen_at.tzinfo == UTC


def test_naive_datetimes_are_refused(db_session: Session) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        record_heartbeat(db_session, WORKER_HEARTBEAT, NOW.replace(tzinfo=None))
    with pytest.raises(ValueError, match="timezone-aware"):
        read_health(db_session, NOW.replace(tzinfo=None), beat_interval_seconds=INTERVAL)


def test_no_heartbeat_yet_is_degraded(db_session: Session) -> None:
    report = read_health(db_session, NOW, beat_interval_seconds=INTERVAL)

    assert report.status == "degraded"
    assert not report.worker.ok
    assert report.worker.last_seen_at is None
    assert report.worker.reason is not None
    assert "no heartbeat" in report.worker.reason
    assert report.reasons == [report.worker.reason]


def test_a_heartbeat_older_than_three_intervals_means_a_stale_worker(db_session: Session) -> None:
    record_heartbeat(db_session, WORKER_HEARTBEAT, NOW - timedelta(seconds=3 * INTERVAL))
    assert read_health(db_session, NOW, beat_interval_seconds=INTERVAL).worker.ok

    record_heartbeat(db_session, WORKER_HEARTBEAT, NOW - timedelta(seconds=3 * INTERVAL + 1))
    report = read_health(db_session, NOW, beat_interval_seconds=INTERVAL)

    assert report.status == "degraded"
    assert not report.worker.ok
    assert report.worker.age_seconds == 181.0
    assert report.worker.reason is not None
    assert "181 s ago" in report.worker.reason


def test_a_worker_clock_slightly_ahead_is_not_a_negative_age(db_session: Session) -> None:
    record_heartbeat(db_session, WORKER_HEARTBEAT, NOW + timedelta(seconds=2))

    report = read_health(db_session, NOW, beat_interval_seconds=INTERVAL)

    assert report.worker.ok
    assert report.worker.age_seconds == 0.0


def test_an_unmigrated_database_is_reachable_but_degraded(settings: Settings) -> None:
    report = health_of(settings.database_url)

    assert report.status == "degraded"
    assert report.database.reachable
    assert report.database.revision is None
    assert not report.database.up_to_date
    assert not report.worker.ok
    assert len(report.reasons) == 2


def test_an_unreachable_database_is_unavailable(tmp_path: Path) -> None:
    # A directory where the database file should be: SQLite cannot open it.
    report = health_of(f"sqlite:///{tmp_path}")

    assert report.status == "unavailable"
    assert not report.database.reachable
    assert report.database.error == "OperationalError"
    assert str(tmp_path) not in report.model_dump_json()  # no paths or hosts leak
    assert not report.worker.ok
