"""Posting a comment from the case's task list, where the comments are shown.

Advocates and admins comment on anything of their organisation's cases; a lawyer on what is
shared with them (they change no answers, but say what they think). The service decides who may
(:mod:`api.cases.comments`): a survivor never reaches this staff route, and another
organisation's case is a 404. On success the browser goes back to the comments
(Post/Redirect/Get); a refused comment shows the task list again with the error summary and the
text as typed, so nothing written is lost.
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.cases import comments as comments_service
from api.cases import service as cases_service
from api.cases.errors import CaseInputError
from api.deps import SessionDep, SettingsDep
from web.forms import CsrfProtected, FormDep, FormErrors, text_field
from web.identity import StaffIdentity, now_utc
from web.routes.cases import WHOLE_CASE, render_case_page

router = APIRouter(include_in_schema=False)

# Read far past the limit, so that the error can say how long the text is instead of the form
# cutting it silently; the request size limit bounds it anyway.
BODY_READ_LIMIT: Final = 10 * comments_service.BODY_MAX_LENGTH
APPLICATION_ID_MAX_LENGTH: Final = 64


@router.post("/cases/{case_id}/comments", dependencies=[CsrfProtected])
def add_comment(
    request: Request,
    case_id: str,
    session: SessionDep,
    settings: SettingsDep,
    identity: StaffIdentity,
    form: FormDep,
) -> Response:
    """Add the comment and go back to the case's comments; on a problem, the page again."""
    values = {
        "body": text_field(form, "body", max_length=BODY_READ_LIMIT, strip=False),
        "application_id": text_field(form, "application_id", max_length=APPLICATION_ID_MAX_LENGTH),
    }
    application_id = values["application_id"]
    now = now_utc()
    case = cases_service.get_case(session, identity.actor, case_id, now=now)
    try:
        comments_service.add_comment(
            session,
            settings,
            identity.actor,
            case,
            body=values["body"],
            application_public_id=None if application_id == WHOLE_CASE else application_id,
            now=now,
        )
    except CaseInputError as exc:
        errors = FormErrors.of(exc.field, exc.message)
    else:
        return RedirectResponse(f"/cases/{case.public_id}#comments", status_code=303)
    return render_case_page(
        request, session, settings, identity, case_id, errors=errors, comment_values=values, status_code=422
    )
