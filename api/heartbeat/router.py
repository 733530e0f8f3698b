"""The health endpoint: JSON, for people and for load balancers or uptime checks."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Response, status

from api.deps import SessionDep, SettingsDep
from api.heartbeat.schemas import HealthReport
from api.heartbeat.service import read_health

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    response_model=HealthReport,
    responses={status.HTTP_503_SERVICE_UNAVAILABLE: {"model": HealthReport}},
)
def health(session: SessionDep, settings: SettingsDep, response: Response) -> HealthReport:
    """Report on the database and the background worker.

    200 while the web process and the database work, even when the worker is late (``status``
    is then ``degraded``, with the reasons); 503 when the database does not answer.
    """
    report = read_health(session, datetime.now(UTC), beat_interval_seconds=settings.beat_interval_seconds)
    response.headers["Cache-Control"] = "no-store"
    if report.status == "unavailable":
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return report
