"""The survivor's own data: a copy to download, and a request to delete it.

- ``GET /survivor/my-data``: what the copy holds, the download button, and the deletion request
  (with what happens next).
- ``POST /survivor/my-data/copy``: the zip (:func:`api.survivor_data.service.case_file`); a POST,
  so the file is never fetched again from the history or a cache.
- ``POST /survivor/my-data/deletion``: ask for the data to be deleted.
- ``POST /cases/{case_id}/deletion-request/handled``: a caseworker records that the request was
  acted on; the case page shows an open request (:func:`deletion_context`).
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from api.cases import service as cases_service
from api.cases.erasure import may_erase
from api.cases.models import LegalCase
from api.cases.survivor_access import own_case_public_id
from api.deps import SessionDep, SettingsDep
from api.settings import Settings
from api.survivor_data import service as data_service
from web.forms import CsrfProtected
from web.identity import Identity, StaffIdentity, SurvivorIdentity, now_utc
from web.rendering import render

router = APIRouter(include_in_schema=False)

MY_DATA: Final = "/survivor/my-data"


def _own_case(session: Session, identity: Identity) -> LegalCase | None:
    public_id = own_case_public_id(session, identity.actor)
    if public_id is None:
        return None
    return cases_service.get_case(session, identity.actor, public_id, now=now_utc())


@router.get(MY_DATA)
def my_data(
    request: Request, session: SessionDep, identity: SurvivorIdentity, asked: bool = False
) -> Response:
    """The copy and the deletion request."""
    case = _own_case(session, identity)
    pending = data_service.open_request(session, case) if case is not None else None
    context = {"has_case": case is not None, "pending": pending, "asked": asked}
    return render(request, "survivor/my_data.html", context)


@router.post(MY_DATA + "/copy", dependencies=[CsrfProtected])
def copy(session: SessionDep, settings: SettingsDep, identity: SurvivorIdentity) -> Response:
    """The zip of the survivor's own data."""
    case = _own_case(session, identity)
    if case is None:
        return RedirectResponse(MY_DATA, status_code=303)
    # Imported here: the case page module imports this one for its deletion notice.
    from web.routes.cases import today_for

    now = now_utc()
    content = data_service.case_file(
        session, settings, identity.actor, case, now=now, today=today_for(session, case.organisation_id, now)
    )
    return Response(
        content,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{data_service.CASE_FILE_NAME}"'},
    )


@router.post(MY_DATA + "/deletion", dependencies=[CsrfProtected])
def ask_for_deletion(session: SessionDep, identity: SurvivorIdentity) -> Response:
    """Record the request; back to the page, which says what happens next."""
    case = _own_case(session, identity)
    if case is not None:
        data_service.request_deletion(session, identity.actor, case, now=now_utc())
    return RedirectResponse(MY_DATA + "?asked=1", status_code=303)


@router.post("/cases/{case_id}/deletion-request/handled", dependencies=[CsrfProtected])
def handled(case_id: str, session: SessionDep, identity: StaffIdentity) -> Response:
    """A caseworker records that the survivor's request was acted on."""
    case = cases_service.get_case(session, identity.actor, case_id, now=now_utc())
    data_service.mark_handled(session, identity.actor, case, now=now_utc())
    return RedirectResponse(f"/cases/{case_id}#deletion-request", status_code=303)


def deletion_context(
    session: Session, settings: Settings, identity: Identity, case: LegalCase
) -> dict[str, object]:
    """The case page's notice of an open deletion request (caseworkers only), and whether the
    person may erase the case (admins)."""
    return {
        "deletion_request": data_service.pending_for_staff(session, identity.actor, case),
        "may_erase": may_erase(identity.actor, case),
    }
