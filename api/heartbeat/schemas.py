"""The health report, as served by ``/health`` and ``/api/v1/health``."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

HealthStatus = Literal["ok", "degraded", "unavailable"]


class DatabaseHealth(BaseModel):
    """Whether the database answers, and whether its schema is the one this code expects."""

    reachable: bool
    revision: str | None = Field(description="The migration the database is at.")
    head: str | None = Field(description="The newest migration this code ships.")
    up_to_date: bool
    error: str | None = None


class WorkerHealth(BaseModel):
    """Whether the Celery worker and beat are alive, judged by the beat-driven heartbeat."""

    ok: bool
    last_seen_at: datetime | None
    age_seconds: float | None
    stale_after_seconds: float = Field(description="Older heartbeats count as a dead worker.")
    detail: str | None = None
    reason: str | None = Field(default=None, description="Why the worker is not ok.")


class HealthReport(BaseModel):
    """``ok``: everything works. ``degraded``: pages work but reminders may not run, or the
    schema is behind. ``unavailable``: the database does not answer."""

    status: HealthStatus
    reasons: list[str]
    database: DatabaseHealth
    worker: WorkerHealth
    version: str
