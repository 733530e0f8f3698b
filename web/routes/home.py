"""The start page: sends everyone to where they begin.

On an empty database that is first-run setup; then staff go to their cases, survivors to their
own simple view, and anyone else to sign in.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from api.deps import SessionDep
from api.orgs import service as orgs_service
from web.identity import OptionalIdentity

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(session: SessionDep, identity: OptionalIdentity) -> RedirectResponse:
    """Redirect to setup, the case list, the survivor's view or sign-in (see the module)."""
    if not orgs_service.is_set_up(session):
        return RedirectResponse("/setup", status_code=303)
    if identity is None:
        return RedirectResponse("/sign-in", status_code=303)
    return RedirectResponse("/survivor" if identity.is_survivor else "/cases", status_code=303)
