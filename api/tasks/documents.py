"""Document tasks: generate queued versions, and the beat sweep that re-offers lost work.

Both take ids (or nothing) and are idempotent: the rows in ``document_version`` are the work,
the messages only wake a worker (see :mod:`api.documents.service`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from celery import shared_task

from api.db.session import task_session
from api.documents import service
from api.settings import get_settings

GENERATE_TASK = "documents.generate"
SWEEP_TASK = "documents.sweep"


@shared_task(name=GENERATE_TASK, ignore_result=True)  # type: ignore[untyped-decorator]
def generate_document(version_id: int) -> list[int]:
    """Generate version ``version_id`` (and other queued ones, in one batch). Safe to repeat."""
    settings = get_settings()
    with task_session(settings.database_url) as session:
        return service.run_generation(session, settings, version_id, now=datetime.now(UTC))


@shared_task(name=SWEEP_TASK, ignore_result=True)  # type: ignore[untyped-decorator]
def sweep_documents() -> list[int]:
    """Re-offer versions whose task was lost, and reset those a dead worker left running."""
    settings = get_settings()
    with task_session(settings.database_url) as session:
        waiting = service.sweep(session, now=datetime.now(UTC))
    for version_id in waiting:
        generate_document.delay(version_id)
    return waiting
