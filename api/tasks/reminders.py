"""The reminder sweep task: beat runs it every interval; it only calls the sweep service."""

from __future__ import annotations

from celery import shared_task

from api.db.engine import create_db_engine
from api.reminders.sweep import sweep
from api.settings import get_settings


@shared_task(name="reminders.sweep", ignore_result=True)  # type: ignore[untyped-decorator]
def sweep_reminders() -> dict[str, int]:
    """Send the due reminders. Safe to lose, repeat or run on two workers at once: the rows are
    claimed one by one (see :mod:`api.reminders.sweep`)."""
    settings = get_settings()
    engine = create_db_engine(settings.database_url)
    try:
        report = sweep(engine, settings)
    finally:
        engine.dispose()
    return {"recovered": report.recovered, **report.outcomes}
