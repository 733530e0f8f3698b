"""Record heartbeats and build the health report.

The Celery beat schedule runs ``system.record_heartbeat`` every ``beat_interval_seconds``; the
worker that executes it records the ``worker`` heartbeat. A recent heartbeat therefore proves that
beat, the broker and the worker all work, which is what reminders depend on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import Insert, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from api.db.migrate import current_revision, head_revision
from api.heartbeat.models import ServiceHeartbeat
from api.heartbeat.schemas import DatabaseHealth, HealthReport, HealthStatus, WorkerHealth
from api.version import app_version

WORKER_HEARTBEAT: Final = "worker"
# A heartbeat may be one beat late (task queued behind others, beat restarting) without alarm.
STALE_AFTER_BEATS: Final = 3
DETAIL_MAX_LENGTH: Final = 200


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"'now' must be timezone-aware, got {now!r}")


def record_heartbeat(session: Session, name: str, now: datetime, detail: str = "") -> None:
    """Record that service ``name`` was alive at ``now``, and commit.

    A single upsert statement, so two workers reporting at once can't collide on the key.
    """
    _require_aware(now)
    values = {"name": name, "last_seen_at": now, "detail": detail[:DETAIL_MAX_LENGTH]}
    session.exec(_upsert_heartbeat(session.get_bind().dialect.name, values))
    session.commit()


def _upsert_heartbeat(dialect_name: str, values: dict[str, object]) -> Insert:
    if dialect_name == "sqlite":
        sqlite_insert = sqlite.insert(ServiceHeartbeat).values(values)
        return sqlite_insert.on_conflict_do_update(
            index_elements=["name"],
            set_={
                "last_seen_at": sqlite_insert.excluded.last_seen_at,
                "detail": sqlite_insert.excluded.detail,
            },
        )
    if dialect_name == "postgresql":
        pg_insert = postgresql.insert(ServiceHeartbeat).values(values)
        return pg_insert.on_conflict_do_update(
            index_elements=["name"],
            set_={
                "last_seen_at": pg_insert.excluded.last_seen_at,
                "detail": pg_insert.excluded.detail,
            },
        )
    raise NotImplementedError(f"heartbeats support SQLite and PostgreSQL, not {dialect_name}")


def _database_health(session: Session) -> DatabaseHealth:
    head = head_revision()
    try:
        connection = session.connection()
        connection.execute(text("SELECT 1"))
        revision = current_revision(connection)
    except SQLAlchemyError as exc:
        session.rollback()
        return DatabaseHealth(
            reachable=False,
            revision=None,
            head=head,
            up_to_date=False,
            error=type(exc).__name__,  # the message may hold a host name or a path
        )
    return DatabaseHealth(reachable=True, revision=revision, head=head, up_to_date=revision == head)


def _worker_health(session: Session, now: datetime, stale_after_seconds: float) -> WorkerHealth:
    try:
        heartbeat = session.get(ServiceHeartbeat, WORKER_HEARTBEAT)
    except SQLAlchemyError:
        session.rollback()
        return WorkerHealth(
            ok=False,
            last_seen_at=None,
            age_seconds=None,
            stale_after_seconds=stale_after_seconds,
            reason="heartbeats cannot be read (are the migrations applied?)",
        )
    if heartbeat is None:
        return WorkerHealth(
            ok=False,
            last_seen_at=None,
            age_seconds=None,
            stale_after_seconds=stale_after_seconds,
            reason="no heartbeat from the worker yet (is the Celery worker with beat running?)",
        )
    # A clock a little ahead on the worker's machine must not make the age negative.
    age = max(0.0, (now - heartbeat.last_seen_at).total_seconds())
    ok = age <= stale_after_seconds
    return WorkerHealth(
        ok=ok,
        last_seen_at=heartbeat.last_seen_at,
        age_seconds=round(age, 3),
        stale_after_seconds=stale_after_seconds,
        detail=heartbeat.detail or None,
        reason=None if ok else f"last worker heartbeat {age:.0f} s ago: worker or beat stopped?",
    )


def read_health(session: Session, now: datetime, *, beat_interval_seconds: float) -> HealthReport:
    """Report on the database and on the worker as of ``now`` (timezone-aware).

    The worker is ok if its heartbeat is at most ``STALE_AFTER_BEATS`` beat intervals old.
    Never raises for an unreachable database: that is what the report is for.
    """
    _require_aware(now)
    stale_after_seconds = STALE_AFTER_BEATS * beat_interval_seconds
    database = _database_health(session)
    if not database.reachable:
        worker = WorkerHealth(
            ok=False,
            last_seen_at=None,
            age_seconds=None,
            stale_after_seconds=stale_after_seconds,
            reason="unknown: the database is unreachable",
        )
        return HealthReport(
            status="unavailable",
            reasons=["the database is unreachable"],
            database=database,
            worker=worker,
            version=app_version(),
        )
    worker = _worker_health(session, now, stale_after_seconds)
    reasons = []
    if not database.up_to_date:
        reasons.append(f"the database is at migration {database.revision}, the code expects {database.head}")
    if worker.reason is not None:
        reasons.append(worker.reason)
    status: HealthStatus = "degraded" if reasons else "ok"
    return HealthReport(
        status=status, reasons=reasons, database=database, worker=worker, version=app_version()
    )
