"""System tasks: the worker heartbeat for the health page, and the embedded broker's clean-up."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from celery import shared_task

from api.db.session import task_session
from api.heartbeat import service as heartbeat_service
from api.settings import get_settings
from api.tasks.broker_maintenance import purge_delivered_messages


# shared_task binds to whichever Celery app the process has, so this module never imports one.
@shared_task(name="system.record_heartbeat", bind=True, ignore_result=True)  # type: ignore[untyped-decorator]
def record_heartbeat(task: Any) -> None:
    """Record the worker's heartbeat. Safe to repeat, lose or run late: it is an upsert."""
    settings = get_settings()
    with task_session(settings.database_url) as session:
        heartbeat_service.record_heartbeat(
            session,
            heartbeat_service.WORKER_HEARTBEAT,
            datetime.now(UTC),
            detail=f"{task.request.hostname} pid {os.getpid()}",
        )


@shared_task(name="system.purge_delivered_messages", ignore_result=True)  # type: ignore[untyped-decorator]
def purge_broker_messages() -> int:
    """Delete delivered messages from the embedded broker. Safe to repeat or to lose."""
    return purge_delivered_messages(get_settings().broker_url)
