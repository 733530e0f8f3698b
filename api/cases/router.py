"""The cases JSON API: ``/api/v1/cases``, their applications, facts and evaluations.

Thin over :mod:`api.cases.service`, the same services the pages call: each route reads its
input, calls the service for the unit of work (after :func:`~api.cases.service.get_case`, which
checks access and records the ``case.viewed`` event) and shapes the answer with
:mod:`api.cases.api_schemas`. Nothing here queries the database or decides who may do what.

Callers authenticate with a personal API token (:mod:`api.api_auth`). Errors, all JSON:

- 401 no or invalid token; 403 a token without the needed scope, or an action the person may
  not take on a case they can see (a lawyer changing facts);
- 404 an unknown case or application, and equally one of another organisation or not shared
  with the caller: a 404 never confirms that an id exists elsewhere;
- 409 facts changed by someone else at the same moment; 422 invalid input, as
  ``{"detail": [{"field", "message"}]}``, with nothing saved.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlmodel import Session

from api.access import Actor
from api.api_auth import ReadingActor, WritingActor
from api.cases import service
from api.cases.api_schemas import (
    ApiError,
    ApplicationCreate,
    ApplicationList,
    ApplicationOut,
    CaseCreate,
    CaseList,
    CaseOut,
    ChangeReportOut,
    EvaluationOut,
    FactsOut,
    FactsPatch,
    FieldError,
    ValidationErrors,
)
from api.cases.checks import saved_id
from api.cases.errors import (
    AccessDenied,
    ApplicationError,
    ApplicationNotFound,
    CaseInputError,
    CaseNotFound,
    ConcurrentChange,
    FactInputError,
)
from api.cases.models import CaseStatus, LegalCase
from api.deps import SessionDep, SettingsDep

CASE_NOT_FOUND: Final = "There is no case with this id."
APPLICATION_NOT_FOUND: Final = "This case has no application with this id."
# Far beyond any real list, and small enough that the offset stays a 64-bit integer.
MAX_PAGE: Final = 1_000_000
# The parts of a validation error's location that say where, not what: dropped from ``field``.
_LOCATIONS: Final = frozenset({"body", "query", "path", "header", "cookie"})


def request_time() -> datetime:
    """The time of the request (UTC); a dependency, so that tests can fix the day."""
    return datetime.now(UTC)


Now = Annotated[datetime, Depends(request_time)]


# --- errors as JSON -------------------------------------------------------------------------------


def _detail(status_code: int, message: str) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status_code)


def _field_errors(errors: Sequence[FieldError]) -> JSONResponse:
    body = ValidationErrors(detail=list(errors))
    return JSONResponse(body.model_dump(), status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


def _validation_field(error: dict[str, Any]) -> FieldError:
    """One of FastAPI's validation errors as ``{field, message}``: ``field`` is the dotted path
    inside the body or the parameter's name (``facts``, ``page``), ``body`` for unreadable JSON."""
    location = [str(part) for part in error.get("loc", ())]
    if error.get("type") == "json_invalid":
        return FieldError(field="body", message="The body is not valid JSON.")
    inner = location[1:] if location and location[0] in _LOCATIONS else location
    field = ".".join(inner) if inner else (location[0] if location else "body")
    return FieldError(field=field, message=str(error.get("msg", "Invalid value.")))


class CasesApiRoute(APIRoute):
    """A route that answers the cases domain's errors with JSON (see the module docstring).

    Here rather than as app-wide exception handlers: the pages answer the same errors with HTML
    pages, and the API's answers must not depend on how the site composes them.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route's handler, wrapped to turn domain errors into responses."""
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                return _field_errors([_validation_field(error) for error in exc.errors()])
            except FactInputError as exc:
                return _field_errors([FieldError(field=k, message=m) for k, m in exc.errors.items()])
            except CaseInputError as exc:
                return _field_errors([FieldError(field=exc.field, message=exc.message)])
            except ApplicationError as exc:
                return _field_errors([FieldError(field="workflow_id", message=str(exc))])
            except CaseNotFound:
                return _detail(status.HTTP_404_NOT_FOUND, CASE_NOT_FOUND)
            except ApplicationNotFound:
                return _detail(status.HTTP_404_NOT_FOUND, APPLICATION_NOT_FOUND)
            except AccessDenied as exc:
                return _detail(status.HTTP_403_FORBIDDEN, exc.message)
            except ConcurrentChange as exc:
                return _detail(status.HTTP_409_CONFLICT, str(exc))

        return handle


AUTH_ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    status.HTTP_401_UNAUTHORIZED: {"model": ApiError, "description": "No token, or not a valid one."},
    status.HTTP_403_FORBIDDEN: {"model": ApiError, "description": "The token or its owner may not do this."},
    status.HTTP_422_UNPROCESSABLE_CONTENT: {"model": ValidationErrors, "description": "Invalid input."},
}
CASE_ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    **AUTH_ERRORS,
    status.HTTP_404_NOT_FOUND: {"model": ApiError, "description": "No such case (or application) for you."},
}

router = APIRouter(prefix="/cases", tags=["cases"], route_class=CasesApiRoute, responses=AUTH_ERRORS)


def _case_out(session: Session, actor: Actor, case: LegalCase) -> CaseOut:
    return CaseOut.from_case(case, service.list_applications(session, actor, case))


# --- cases ----------------------------------------------------------------------------------------


@router.get("", response_model=CaseList, summary="List cases", name="api_list_cases")
def list_cases(
    session: SessionDep,
    actor: ReadingActor,
    now: Now,
    q: Annotated[str | None, Query(max_length=200, description="Part of the reference.")] = None,
    case_status: Annotated[CaseStatus | None, Query(alias="status")] = None,
    deadline_within_days: Annotated[
        int | None, Query(ge=0, le=3660, description="Next deadline between today and today + N days.")
    ] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    per_page: Annotated[int, Query(ge=1, le=service.MAX_PER_PAGE)] = 25,
) -> CaseList:
    """The cases you may see, most recently updated first, with their applications."""
    result = service.list_cases(
        session,
        actor,
        today=now.date(),
        search=q,
        status=None if case_status is None else case_status.value,
        deadline_within_days=deadline_within_days,
        page=page,
        per_page=per_page,
    )
    # One query for the whole page's applications, not one per case.
    applications = service.applications_of_cases(session, actor, result.items)
    return CaseList.from_page(
        result, [CaseOut.from_case(case, applications[saved_id(case)]) for case in result.items]
    )


@router.post(
    "",
    response_model=CaseOut,
    status_code=status.HTTP_201_CREATED,
    summary="Open a case",
    name="api_create_case",
)
def create_case(
    session: SessionDep,
    settings: SettingsDep,
    actor: WritingActor,
    now: Now,
    body: CaseCreate,
    request: Request,
    response: Response,
) -> CaseOut:
    """Open a case in your organisation (advocates and admins; ``cases:write``)."""
    case = service.create_case(
        session,
        settings,
        actor,
        reference=body.reference,
        preferred_language=body.preferred_language,
        jurisdiction=body.jurisdiction,
        now=now,
    )
    response.headers["Location"] = str(request.url_for("api_read_case", case_id=case.public_id))
    return CaseOut.from_case(case, [])


@router.get(
    "/{case_id}", response_model=CaseOut, responses=CASE_ERRORS, summary="Read a case", name="api_read_case"
)
def read_case(session: SessionDep, actor: ReadingActor, now: Now, case_id: str) -> CaseOut:
    """One case with the applications you may see."""
    case = service.get_case(session, actor, case_id, now=now)
    return _case_out(session, actor, case)


# --- applications ---------------------------------------------------------------------------------


@router.get(
    "/{case_id}/applications",
    response_model=ApplicationList,
    responses=CASE_ERRORS,
    summary="List applications",
    name="api_list_applications",
)
def list_applications(session: SessionDep, actor: ReadingActor, now: Now, case_id: str) -> ApplicationList:
    """The case's applications you may see (a lawyer: those shared), oldest first."""
    case = service.get_case(session, actor, case_id, now=now)
    applications = service.list_applications(session, actor, case)
    return ApplicationList(items=[ApplicationOut.from_application(a) for a in applications])


@router.post(
    "/{case_id}/applications",
    response_model=ApplicationOut,
    status_code=status.HTTP_201_CREATED,
    responses=CASE_ERRORS,
    summary="Start an application",
    name="api_start_application",
)
def start_application(
    session: SessionDep,
    settings: SettingsDep,
    actor: WritingActor,
    now: Now,
    case_id: str,
    body: ApplicationCreate,
    request: Request,
    response: Response,
) -> ApplicationOut:
    """Start a workflow of the case's jurisdiction, once per case (advocates and admins)."""
    case = service.get_case(session, actor, case_id, now=now)
    application = service.start_application(
        session, settings, actor, case, body.workflow_id, now=now, today=now.date()
    )
    response.headers["Location"] = str(
        request.url_for("api_read_application", case_id=case.public_id, application_id=application.public_id)
    )
    return ApplicationOut.from_application(application)


@router.get(
    "/{case_id}/applications/{application_id}",
    response_model=ApplicationOut,
    responses=CASE_ERRORS,
    summary="Read an application",
    name="api_read_application",
)
def read_application(
    session: SessionDep, actor: ReadingActor, now: Now, case_id: str, application_id: str
) -> ApplicationOut:
    """One application of the case."""
    case = service.get_case(session, actor, case_id, now=now)
    return ApplicationOut.from_application(service.get_application(session, actor, case, application_id))


@router.get(
    "/{case_id}/applications/{application_id}/evaluation",
    response_model=EvaluationOut,
    responses=CASE_ERRORS,
    summary="Evaluate an application",
    name="api_evaluate_application",
)
def evaluate_application(
    session: SessionDep,
    settings: SettingsDep,
    actor: ReadingActor,
    now: Now,
    case_id: str,
    application_id: str,
) -> EvaluationOut:
    """The engine's result today for the case's current facts: outcomes, evidence checklist,
    deadlines, documents, the next question, what is missing and what is unused."""
    case = service.get_case(session, actor, case_id, now=now)
    application = service.get_application(session, actor, case, application_id)
    evaluation = service.evaluate_application(session, settings, case, application, today=now.date())
    return EvaluationOut.from_evaluation(evaluation)


# --- facts ----------------------------------------------------------------------------------------


@router.get(
    "/{case_id}/facts",
    response_model=FactsOut,
    responses=CASE_ERRORS,
    summary="Read facts",
    name="api_read_facts",
)
def read_facts(
    session: SessionDep, settings: SettingsDep, actor: ReadingActor, now: Now, case_id: str
) -> FactsOut:
    """The case's current facts, decrypted, with who gave each and when."""
    case = service.get_case(session, actor, case_id, now=now)
    return FactsOut.from_records(service.read_facts_for(session, settings, actor, case))


@router.patch(
    "/{case_id}/facts",
    response_model=ChangeReportOut,
    responses={
        **CASE_ERRORS,
        status.HTTP_409_CONFLICT: {"model": ApiError, "description": "Changed by someone else meanwhile."},
    },
    summary="Change facts",
    name="api_change_facts",
)
def change_facts(
    session: SessionDep, settings: SettingsDep, actor: WritingActor, now: Now, case_id: str, body: FactsPatch
) -> ChangeReportOut:
    """Set facts, all or nothing (``null``: "don't know"); every application is re-evaluated.

    Answers that the change leaves on branches no longer taken are kept and listed as unused.
    Invalid values give 422 naming every bad key, and nothing is saved.
    """
    case = service.get_case(session, actor, case_id, now=now)
    report = service.change_facts(
        session, settings, actor, case, body.facts, source=body.source.value, now=now, today=now.date()
    )
    return ChangeReportOut.from_report(report)
