"""Erasing a case (organisation admins): a page that says what would go and asks for the case's
reference, then the erasure itself (:mod:`api.cases.erasure`), then the case list."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from api.cases import erasure
from api.cases import service as cases_service
from api.cases.errors import CaseInputError
from api.cases.models import LegalCase
from api.deps import SessionDep
from api.survivor_data import service as data_service
from web.forms import CsrfProtected, FormDep, FormErrors, text_field
from web.identity import Identity, StaffIdentity, now_utc
from web.rendering import render
from web.routes.cases import timezone_of, today_for

router = APIRouter()


def _erase_page(
    request: Request,
    session: Session,
    identity: Identity,
    case: LegalCase,
    *,
    errors: FormErrors | None = None,
    typed: str = "",
) -> Response:
    today = today_for(session, case.organisation_id, now_utc())
    context = {
        "case": case,
        "summary": erasure.erasure_summary(session, identity.actor, case, today=today),
        "deletion_request": data_service.pending_for_staff(session, identity.actor, case),
        "confirm_field": erasure.CONFIRM_FIELD,
        "typed": typed,
        "timezone": timezone_of(session, case.organisation_id),
        "errors": errors or FormErrors(),
    }
    return render(request, "cases/erase.html", context, status_code=422 if errors else 200)


@router.get("/cases/{case_id}/erase")
def erase_page(request: Request, case_id: str, session: SessionDep, identity: StaffIdentity) -> Response:
    """What erasing the case would remove, and the confirmation form (admins only)."""
    case = cases_service.get_case(session, identity.actor, case_id, now=now_utc())
    return _erase_page(request, session, identity, case)


@router.post("/cases/{case_id}/erase", dependencies=[CsrfProtected])
def erase(
    request: Request, case_id: str, session: SessionDep, identity: StaffIdentity, form: FormDep
) -> Response:
    """Erase the case once its reference was typed; otherwise the page again, saying why."""
    case = cases_service.get_case(session, identity.actor, case_id, now=now_utc())
    typed = text_field(form, erasure.CONFIRM_FIELD, max_length=200)
    try:
        erasure.erase_case(session, identity.actor, case, confirm_reference=typed, now=now_utc())
    except CaseInputError as exc:
        errors = FormErrors.of(exc.field, exc.message)
        return _erase_page(request, session, identity, case, errors=errors, typed=typed)
    return RedirectResponse("/cases?erased=1", status_code=303)
