"""The comments JSON API: ``/api/v1/cases/{case_id}/comments``.

Thin over :mod:`api.cases.comments`, as the case page is: each route finds the case with
:func:`~api.cases.service.get_case` (which checks that the caller sees it and records
``case.viewed``) and calls one service. Errors are the cases API's (:class:`CasesApiRoute`): 404
for a case the caller does not see, 403 for a survivor or a token without ``cases:write``, 422
naming ``body`` or ``application_id``.

Writing a comment needs a ``cases:write`` token, but not the right to change facts: a lawyer
reviewing a shared case may comment through the API exactly as on the page.
"""

from __future__ import annotations

from fastapi import APIRouter, status

from api.api_auth import ReadingActor, WritingActor
from api.cases import comments, service
from api.cases.api_schemas import CommentCreate, CommentList, CommentOut
from api.cases.router import AUTH_ERRORS, CASE_ERRORS, CasesApiRoute, Now
from api.deps import SessionDep, SettingsDep

router = APIRouter(prefix="/cases", tags=["cases"], route_class=CasesApiRoute, responses=AUTH_ERRORS)


@router.get(
    "/{case_id}/comments",
    response_model=CommentList,
    responses=CASE_ERRORS,
    summary="List comments",
    name="api_list_comments",
)
def list_comments(
    session: SessionDep, settings: SettingsDep, actor: ReadingActor, now: Now, case_id: str
) -> CommentList:
    """The case's comments you may read, oldest first: all of them for the organisation's
    advocates and admins; for a lawyer, those on what is shared with them."""
    case = service.get_case(session, actor, case_id, now=now)
    views = comments.list_comments(session, settings, actor, case)
    return CommentList(items=[CommentOut.from_view(view) for view in views])


@router.post(
    "/{case_id}/comments",
    response_model=CommentOut,
    status_code=status.HTTP_201_CREATED,
    responses=CASE_ERRORS,
    summary="Add a comment",
    name="api_add_comment",
)
def add_comment(
    session: SessionDep,
    settings: SettingsDep,
    actor: WritingActor,
    now: Now,
    case_id: str,
    body: CommentCreate,
) -> CommentOut:
    """Comment on the case, or on one of its applications (``application_id``). Advocates and
    admins may comment on anything of the case; a lawyer on what is shared with them."""
    case = service.get_case(session, actor, case_id, now=now)
    view = comments.add_comment(
        session,
        settings,
        actor,
        case,
        body=body.body,
        application_public_id=body.application_id,
        now=now,
    )
    return CommentOut.from_view(view)
