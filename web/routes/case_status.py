"""Where an application stands, and whether the case is open (caseworkers), from the case page
(:mod:`api.cases.status`). A refused form shows the case page again with the error."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.cases import service as cases_service
from api.cases import status as status_service
from api.cases.errors import CaseInputError
from api.deps import SessionDep, SettingsDep
from web.forms import CsrfProtected, FormDep, FormErrors, text_field
from web.identity import StaffIdentity, now_utc
from web.routes.cases import render_case_page

router = APIRouter()


@router.post("/cases/{case_id}/applications/{application_id}/status", dependencies=[CsrfProtected])
def set_application_status(
    request: Request,
    case_id: str,
    application_id: str,
    session: SessionDep,
    settings: SettingsDep,
    identity: StaffIdentity,
    form: FormDep,
) -> Response:
    """Record where the application stands; back to it on the case page."""
    now = now_utc()
    case = cases_service.get_case(session, identity.actor, case_id, now=now)
    application = cases_service.get_application(session, identity.actor, case, application_id)
    chosen = text_field(form, "status", max_length=40)
    try:
        status_service.set_application_status(session, identity.actor, case, application, chosen, now=now)
    except CaseInputError as exc:
        errors = FormErrors.of(f"status-{application_id}", exc.message)
        return render_case_page(request, session, settings, identity, case_id, errors=errors, status_code=422)
    return RedirectResponse(f"/cases/{case_id}#application-{application_id}", status_code=303)


@router.post("/cases/{case_id}/status", dependencies=[CsrfProtected])
def set_case_status(
    request: Request,
    case_id: str,
    session: SessionDep,
    settings: SettingsDep,
    identity: StaffIdentity,
    form: FormDep,
) -> Response:
    """Close the case, or open it again."""
    now = now_utc()
    case = cases_service.get_case(session, identity.actor, case_id, now=now)
    try:
        status_service.set_case_status(
            session, settings, identity.actor, case, text_field(form, "case_status", max_length=20), now=now
        )
    except CaseInputError as exc:
        errors = FormErrors.of(exc.field, exc.message)
        return render_case_page(request, session, settings, identity, case_id, errors=errors, status_code=422)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)
