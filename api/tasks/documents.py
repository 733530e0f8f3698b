"""Document tasks: generate queued versions, fill uploaded forms, and the beat sweep that
re-offers lost work.

All take ids (or nothing) and are idempotent: the rows in ``document_version`` and ``form_fill``
are the work, the messages only wake a worker (see :mod:`api.documents.service` and
:mod:`api.documents.form_fill`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from celery import Celery, shared_task

from api.db.session import task_session
from api.documents import form_fill, service
from api.settings import Settings, get_settings
from api.tasks.celery_app import create_celery

GENERATE_TASK = "documents.generate"
FILL_TASK = "documents.fill_form"
SWEEP_TASK = "documents.sweep"


@shared_task(name=GENERATE_TASK, ignore_result=True)  # type: ignore[untyped-decorator]
def generate_document(version_id: int) -> list[int]:
    """Generate version ``version_id`` (and other queued ones, in one batch). Safe to repeat."""
    settings = get_settings()
    with task_session(settings.database_url) as session:
        return service.run_generation(session, settings, version_id, now=datetime.now(UTC))


@shared_task(name=FILL_TASK, ignore_result=True)  # type: ignore[untyped-decorator]
def fill_form(fill_id: int) -> bool:
    """Fill the uploaded form ``fill_id`` with the case's answers. Safe to repeat."""
    settings = get_settings()
    with task_session(settings.database_url) as session:
        return form_fill.run_fill(session, settings, fill_id, now=datetime.now(UTC))


@shared_task(name=SWEEP_TASK, ignore_result=True)  # type: ignore[untyped-decorator]
def sweep_documents() -> list[int]:
    """Re-offer versions and form fills whose task was lost, and reset those a dead worker left
    running; the versions' ids."""
    settings = get_settings()
    now = datetime.now(UTC)
    with task_session(settings.database_url) as session:
        waiting = service.sweep(session, now=now)
        fills = form_fill.sweep_fills(session, now=now)
    for version_id in waiting:
        generate_document.delay(version_id)
    for fill_id in fills:
        fill_form.delay(fill_id)
    return waiting


_PRODUCERS: dict[tuple[str, str], Celery] = {}


def _producer(settings: Settings) -> Celery:
    """One producer app per broker (and result store), made on first use."""
    key = (settings.broker_url, settings.result_backend)
    if key not in _PRODUCERS:
        _PRODUCERS[key] = create_celery(settings)
    return _PRODUCERS[key]


def enqueue_generation(settings: Settings, version_id: int) -> bool:
    """Wake a worker for version ``version_id`` on the broker of ``settings``; whether it was sent.

    A broker that cannot be reached loses nothing: the row stays queued and the beat sweep
    offers it again.
    """
    try:
        _producer(settings).send_task(GENERATE_TASK, args=[version_id])
    except Exception:  # noqa: BLE001 - any broker failure means the same: the sweep will do it
        return False
    return True


def enqueue_fill(settings: Settings, fill_id: int) -> bool:
    """Wake a worker to fill form ``fill_id``; whether it was sent (the sweep covers a failure)."""
    try:
        _producer(settings).send_task(FILL_TASK, args=[fill_id])
    except Exception:  # noqa: BLE001 - any broker failure means the same: the sweep will do it
        return False
    return True
