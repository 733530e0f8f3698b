"""Sharing a case, or one of its applications, with a lawyer for review; revoking a share.

Only the case's advocates and admins manage shares (:func:`api.access.can_share`); anyone else
who can see the case gets 403, anyone who cannot gets 404. The lawyers offered are those of the
case's organisation and of its partner organisations (:func:`api.orgs.service.shareable_lawyers`).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from api import access
from api.cases import service as cases_service
from api.cases import sharing as sharing_service
from api.cases.errors import AccessDenied, ShareError
from api.cases.models import Application, CaseShare, LegalCase
from api.deps import SessionDep
from api.orgs import service as orgs_service
from api.orgs.models import User
from web.forms import CsrfProtected, FormDep, FormErrors, text_field
from web.identity import Identity, StaffIdentity, now_utc
from web.rendering import render
from web.routes.cases import workflow_titles

router = APIRouter(include_in_schema=False)

WHOLE_CASE = "case"


@dataclass(frozen=True)
class ShareView:
    """An active share as the page lists it."""

    share: CaseShare
    lawyer: User | None
    what: str  # "The whole case" or the application's title


def _shareable_case(session: Session, identity: Identity, case_id: str) -> LegalCase:
    """The case, if the person may share it (else 404 or 403 through the error handlers)."""
    case = cases_service.get_case(session, identity.actor, case_id, now=now_utc())
    if not access.can_share(session, identity.actor, case):
        raise AccessDenied("Only the case's advocates and administrators can share it.")
    return case


def _sharing_page(
    request: Request,
    session: Session,
    identity: Identity,
    case: LegalCase,
    *,
    errors: FormErrors | None = None,
    values: dict[str, str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    applications = cases_service.list_applications(session, identity.actor, case)
    titles = workflow_titles()
    by_id: dict[int | None, Application] = {a.id: a for a in applications}
    shares = [
        ShareView(
            share,
            session.get(User, share.lawyer_user_id),
            "The whole case"
            if share.application_id is None or share.application_id not in by_id
            else titles.get(by_id[share.application_id].workflow_id, "One application"),
        )
        for share in sharing_service.shares_of(session, case)
    ]
    context = {
        "case": case,
        "shares": shares,
        "lawyers": orgs_service.shareable_lawyers(session, case.organisation_id),
        "scopes": [(WHOLE_CASE, "The whole case")]
        + [(a.public_id, titles.get(a.workflow_id, a.workflow_id)) for a in applications],
        "errors": errors or FormErrors(),
        "values": values or {"scope": WHOLE_CASE},
        "notice": notice,
    }
    return render(request, "cases/sharing.html", context, status_code=status_code)


@router.get("/cases/{case_id}/sharing")
def sharing_page(
    request: Request, case_id: str, session: SessionDep, identity: StaffIdentity, done: str | None = None
) -> Response:
    """Who the case is shared with, and the form to share it."""
    case = _shareable_case(session, identity, case_id)
    notices = {
        "shared": "The case is shared.",
        "revoked": "The share has ended: the lawyer no longer sees it.",
    }
    return _sharing_page(request, session, identity, case, notice=notices.get(done or ""))


@router.post("/cases/{case_id}/sharing", dependencies=[CsrfProtected])
def share(
    request: Request, case_id: str, session: SessionDep, identity: StaffIdentity, form: FormDep
) -> Response:
    """Share the case (or one application) with the chosen lawyer."""
    case = _shareable_case(session, identity, case_id)
    values = {
        "lawyer": text_field(form, "lawyer", max_length=20),
        "scope": text_field(form, "scope", max_length=40) or WHOLE_CASE,
    }
    errors = FormErrors()
    if not values["lawyer"].isdigit():
        errors.add("lawyer", "Choose the lawyer to share the case with.")
    else:
        try:
            sharing_service.share_case(
                session,
                identity.actor,
                case,
                lawyer_user_id=int(values["lawyer"]),
                now=now_utc(),
                application_public_id=None if values["scope"] == WHOLE_CASE else values["scope"],
            )
        except ShareError as exc:
            errors.add("lawyer" if str(exc) == sharing_service.NOT_A_LAWYER else "scope", str(exc))
        else:
            return RedirectResponse(f"/cases/{case_id}/sharing?done=shared", status_code=303)
    return _sharing_page(request, session, identity, case, errors=errors, values=values, status_code=422)


@router.post("/cases/{case_id}/sharing/{share_id}/revoke", dependencies=[CsrfProtected])
def revoke(case_id: str, share_id: int, session: SessionDep, identity: StaffIdentity) -> Response:
    """End a share: the lawyer loses access at once."""
    case = _shareable_case(session, identity, case_id)
    try:
        sharing_service.revoke_share(session, identity.actor, case, share_id=share_id, now=now_utc())
    except ShareError:
        raise HTTPException(status_code=404) from None
    return RedirectResponse(f"/cases/{case_id}/sharing?done=revoked", status_code=303)
