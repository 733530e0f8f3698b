"""The deadlines JSON API: ``/api/v1/cases/{case_id}/deadlines``.

Thin over :mod:`api.deadlines.service`, as the deadlines page is. Errors are the cases API's
(:class:`~api.cases.router.CasesApiRoute`: 401, 403, 404 for a case the caller does not see), plus
404 ``{"detail": "This case has no deadline with this id."}`` and 422 naming ``due``/``reason``.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import date, datetime
from typing import Any, Final

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.api_auth import ReadingActor, WritingActor
from api.cases import service
from api.cases.router import AUTH_ERRORS, CASE_ERRORS, CasesApiRoute, Now
from api.deadlines import service as deadlines
from api.deadlines.errors import DeadlineInputError, DeadlineNotFound
from api.deadlines.service import REASON_MAX_LENGTH, DeadlineView
from api.deps import SessionDep, SettingsDep

DEADLINE_NOT_FOUND: Final = "This case has no deadline with this id."


class DeadlinesApiRoute(CasesApiRoute):
    """The cases API's error answers, and the deadlines domain's."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route's handler, wrapped to turn deadline errors into responses too."""
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except DeadlineNotFound:
                return JSONResponse({"detail": DEADLINE_NOT_FOUND}, status_code=status.HTTP_404_NOT_FOUND)
            except DeadlineInputError as exc:
                return JSONResponse(
                    {"detail": [{"field": exc.field, "message": exc.message}]},
                    status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
                )

        return handle


class HolidayOut(BaseModel):
    """A public holiday skipped while counting business days."""

    date: date
    name: str


class CaseDeadlineOut(BaseModel):
    """A deadline of the case: the date that counts and how it was reached."""

    id: str
    rule_id: str
    label: str
    kind: str
    state: str = Field(description="unconfirmed, confirmed or moved (confirm it again)")
    due: date = Field(description="The date that counts: from a letter if entered, else computed")
    computed_due: date | None
    previous_due: date | None = Field(description="The computed date before the last move, if it moved")
    override_due: date | None
    override_reason: str | None
    basis: str
    confidence: str
    explanation: str
    trigger: str
    trigger_date: date | None
    day_type: str
    holidays_skipped: list[HolidayOut]
    confirmed_at: datetime | None
    acknowledged_at: datetime | None

    @classmethod
    def from_view(cls, view: DeadlineView) -> CaseDeadlineOut:
        """The API shape of a deadline row."""
        row = view.row
        return cls(
            id=row.public_id,
            rule_id=row.rule_id,
            label=row.label,
            kind=row.kind,
            state=row.state,
            due=row.due_on,
            computed_due=row.computed_due,
            previous_due=row.previous_due,
            override_due=row.override_due,
            override_reason=view.override_reason,
            basis=row.basis,
            confidence=row.confidence,
            explanation=row.explanation,
            trigger=row.trigger_label,
            trigger_date=row.trigger_date,
            day_type=row.day_type,
            holidays_skipped=[HolidayOut(date=date.fromisoformat(d), name=n) for d, n in view.holidays],
            confirmed_at=row.confirmed_at,
            acknowledged_at=row.acknowledged_at,
        )


class CaseDeadlineList(BaseModel):
    """The case's live deadlines, soonest first."""

    items: list[CaseDeadlineOut]


class DeadlineOverride(BaseModel):
    """A date taken from a letter, and where it comes from."""

    due: date
    reason: str = Field(min_length=1, max_length=REASON_MAX_LENGTH)


router = APIRouter(prefix="/cases", tags=["deadlines"], route_class=DeadlinesApiRoute, responses=AUTH_ERRORS)


def _one(
    session: SessionDep, settings: SettingsDep, actor: Any, case: Any, public_id: str
) -> CaseDeadlineOut:
    views = deadlines.list_deadlines(session, settings, actor, case)
    view = next((v for v in views if v.row.public_id == public_id), None)
    if view is None:
        raise DeadlineNotFound(public_id)
    return CaseDeadlineOut.from_view(view)


@router.get(
    "/{case_id}/deadlines", response_model=CaseDeadlineList, responses=CASE_ERRORS, summary="List deadlines"
)
def list_deadlines(
    session: SessionDep, settings: SettingsDep, actor: ReadingActor, now: Now, case_id: str
) -> CaseDeadlineList:
    """The case's live deadlines you may see, soonest first, with their explanation."""
    case = service.get_case(session, actor, case_id, now=now)
    return CaseDeadlineList(
        items=[CaseDeadlineOut.from_view(v) for v in deadlines.list_deadlines(session, settings, actor, case)]
    )


@router.post(
    "/{case_id}/deadlines/{deadline_id}/confirm",
    response_model=CaseDeadlineOut,
    responses=CASE_ERRORS,
    summary="Confirm a deadline",
)
def confirm_deadline(
    session: SessionDep, settings: SettingsDep, actor: WritingActor, now: Now, case_id: str, deadline_id: str
) -> CaseDeadlineOut:
    """Confirm the deadline's date after checking it: from now on it counts and reminds."""
    case = service.get_case(session, actor, case_id, now=now)
    deadlines.confirm_deadline(session, settings, actor, case, deadline_id, now=now)
    return _one(session, settings, actor, case, deadline_id)


@router.post(
    "/{case_id}/deadlines/{deadline_id}/override",
    response_model=CaseDeadlineOut,
    responses=CASE_ERRORS,
    summary="Enter a deadline's date from a letter",
)
def override_deadline(
    session: SessionDep,
    settings: SettingsDep,
    actor: WritingActor,
    now: Now,
    case_id: str,
    deadline_id: str,
    body: DeadlineOverride,
) -> CaseDeadlineOut:
    """Set the date from a letter, with where it comes from; it wins over the computed date."""
    case = service.get_case(session, actor, case_id, now=now)
    deadlines.override_deadline(
        session, settings, actor, case, deadline_id, due=body.due, reason=body.reason, now=now
    )
    return _one(session, settings, actor, case, deadline_id)
