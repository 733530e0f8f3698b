"""The Celery app: :func:`create_celery` builds it from settings.

The worker runs as ``celery -A api.tasks.celery_app worker --beat``. This module builds that app
only when ``celery_app`` (or ``app``, the name the ``celery`` command looks for) is first read, so
importing it reads no settings and touches no broker.

Embedded profile: kombu's SQLAlchemy transport on a SQLite file in ``data_dir``. It never
redelivers a task lost in a crash, so every task must be safe to lose or to repeat; periodic work
is rows in the database swept by beat tasks, never far-future ETAs.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Final

import kombu.transport.sqlalchemy
from celery import Celery
from celery.signals import beat_init

from api.db.engine import ensure_sqlite_directory
from api.reminders.mail import warn_if_misconfigured
from api.settings import Settings, get_settings

TASK_MODULES: Final = ["api.tasks.system", "api.tasks.reminders", "api.tasks.documents"]
HEARTBEAT_TASK: Final = "system.record_heartbeat"
HEARTBEAT_SCHEDULE_ENTRY: Final = "record-worker-heartbeat"
PURGE_TASK: Final = "system.purge_delivered_messages"
PURGE_INTERVAL_SECONDS: Final = 3600.0
REMINDER_SWEEP_TASK: Final = "reminders.sweep"
# kombu's SQLAlchemy transport polls every second by default: a second per task round trip.
# It must be set on the class: as a transport option it reaches create_engine() and crashes.
SQLA_POLLING_INTERVAL_SECONDS: Final = 0.2
# Redis redelivers an unacknowledged task after this long; it must exceed the longest task.
REDIS_VISIBILITY_TIMEOUT_SECONDS: Final = 3600


def create_celery(settings: Settings) -> Celery:
    """Build a Celery app for ``settings``: JSON only, late acks, one task at a time."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    for url in (settings.broker_url, settings.result_backend):
        ensure_sqlite_directory(url)  # before the SQLite broker is first touched
    app = Celery(
        "redress",
        broker=settings.broker_url,
        backend=settings.result_backend,
        include=TASK_MODULES,
    )
    interval = settings.beat_interval_seconds
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        # Late acks, one task at a time: a task in progress when a worker dies is not lost on
        # Redis. Tasks are idempotent, so running one twice is harmless.
        task_acks_late=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        timezone="UTC",
        enable_utc=True,
        beat_schedule_filename=str(settings.data_dir / "celerybeat-schedule"),
        beat_schedule={
            HEARTBEAT_SCHEDULE_ENTRY: {
                "task": HEARTBEAT_TASK,
                "schedule": interval,
                # A heartbeat that waited a whole interval in the queue is worthless.
                "options": {"expires": interval},
            },
            # Every interval (a minute by default); see api.reminders.sweep for why a lost or
            # repeated sweep is harmless.
            "sweep-reminders": {
                "task": REMINDER_SWEEP_TASK,
                "schedule": interval,
                "options": {"expires": interval},
            },
            "sweep-document-generation": {
                "task": "documents.sweep",
                "schedule": interval,
                "options": {"expires": interval},
            },
            "purge-delivered-broker-messages": {
                "task": PURGE_TASK,
                "schedule": PURGE_INTERVAL_SECONDS,
                "options": {"expires": PURGE_INTERVAL_SECONDS},
            },
        },
    )
    warn_if_misconfigured(settings)
    if settings.broker_url.startswith("sqla+"):
        kombu.transport.sqlalchemy.Transport.polling_interval = SQLA_POLLING_INTERVAL_SECONDS
    if settings.broker_url.startswith(("redis://", "rediss://")):
        app.conf.broker_transport_options = {"visibility_timeout": REDIS_VISIBILITY_TIMEOUT_SECONDS}
    return app


def prepare_broker(app: Celery) -> None:
    """Create the SQLite broker's tables and the default queue, before any worker starts.

    On a fresh broker file, a worker and its embedded beat otherwise both create them at the
    same moment, and one of them crashes ("UNIQUE constraint failed: kombu_queue.name"):
    kombu guards the creation only within one process. Other brokers need nothing.
    """
    if not app.conf.broker_url.startswith("sqla+"):
        return
    with app.connection_for_write() as connection:
        connection.default_channel.queue_declare(queue=app.conf.task_default_queue)


def _heartbeat_when_beat_starts(sender: Any, **_kwargs: Any) -> None:
    # Beat's first interval tick comes one interval after start; without this the health page
    # would call a freshly started worker "late" for a whole interval.
    entry = sender.app.conf.beat_schedule.get(HEARTBEAT_SCHEDULE_ENTRY)
    if entry is not None:
        sender.app.send_task(HEARTBEAT_TASK, expires=entry["schedule"])


beat_init.connect(_heartbeat_when_beat_starts)


@lru_cache(maxsize=1)
def _process_app() -> Celery:
    return create_celery(get_settings())


def __getattr__(name: str) -> Celery:
    """Build the process's app on first access of ``celery_app`` or ``app``."""
    if name in ("celery_app", "app"):
        return _process_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
