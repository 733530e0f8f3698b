"""Who is using a page: the session cookie, the signed-in user, and the guards pages use.

Only pages use the cookie; the JSON API authenticates with bearer tokens (see api routers).
A guard that finds nobody signed in raises :class:`SignInRequired`, which the app turns into a
redirect to the right sign-in page (staff or survivor) carrying where to come back to; htmx
requests get an ``HX-Redirect`` instead, so a partial swap never renders a sign-in form inside
a fragment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Final
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from api.access import Actor
from api.auth import service as auth_service
from api.auth.models import UserSession
from api.deps import SessionDep, SettingsDep
from api.orgs.models import User
from api.settings import Settings

SESSION_COOKIE: Final = "redress_session"


@dataclass(frozen=True)
class Identity:
    """The signed-in person on this request."""

    user: User
    user_session: UserSession
    actor: Actor
    token: str

    @property
    def is_survivor(self) -> bool:
        """Whether this is a survivor (their pages are the survivor's simple view)."""
        return self.actor.is_survivor


class SignInRequired(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised by a guard when nobody (or the wrong kind of person) is signed in."""

    def __init__(self, *, survivor: bool, next_path: str, home: str | None = None) -> None:
        self.survivor = survivor
        self.next_path = next_path
        self.home = home  # where to send someone signed in, but into the other area
        super().__init__(next_path)


def now_utc() -> datetime:
    """The current instant (one place, so tests and pages agree on where time comes from)."""
    return datetime.now(UTC)


def identify(request: Request, session: Session, settings: Settings) -> Identity | None:
    """The person signed in with this request's cookie, or None; cached on the request."""
    if hasattr(request.state, "identity"):
        cached: Identity | None = request.state.identity
        return cached
    token = request.cookies.get(SESSION_COOKIE, "")
    found = auth_service.resolve_signed_in(session, settings, token, now_utc()) if token else None
    identity = None
    if found is not None and found.user.id is not None:  # a stored user always has an id
        actor = Actor.of(found.user.id, found.memberships)
        identity = Identity(found.user, found.user_session, actor, token)
    request.state.identity = identity
    return identity


def _next_path(request: Request) -> str:
    path = request.url.path
    return path + (f"?{request.url.query}" if request.url.query else "")


def _release_connection(session: Session) -> None:
    """End the read transaction of the identity look-up, so the connection goes back to the pool.

    A dependency runs in a worker thread of its own and the page in another: between the two the
    request waits for a free thread. Holding a connection while waiting would let requests that
    wait for threads hold every pooled connection while every thread waits for one, until the
    pool's timeout. The objects read stay loaded (the session does not expire them on commit).
    """
    if session.in_transaction():
        session.commit()


def optional_identity(request: Request, session: SessionDep, settings: SettingsDep) -> Identity | None:
    """Dependency: the signed-in person, if any."""
    try:
        return identify(request, session, settings)
    finally:
        _release_connection(session)


def staff_identity(request: Request, session: SessionDep, settings: SettingsDep) -> Identity:
    """Dependency: a signed-in member of staff (admin, advocate or lawyer), or sign in."""
    try:
        return require_staff(request, session, settings)
    finally:
        _release_connection(session)


def require_staff(request: Request, session: Session, settings: Settings) -> Identity:
    """:func:`staff_identity` as a plain call, for a route that resolves the person itself.

    FastAPI runs each plain ``def`` dependency in a worker thread of its own, a hand-over that
    costs about as much as reading the session; the interview's answer, the busiest page,
    resolves the person in its own thread instead.
    """
    identity = identify(request, session, settings)
    if identity is None or identity.is_survivor:
        # A survivor who follows a staff link goes back to their own page, not a staff sign-in.
        home = "/survivor" if identity is not None else None
        raise SignInRequired(survivor=False, next_path=_next_path(request), home=home)
    return identity


def survivor_identity(request: Request, session: SessionDep, settings: SettingsDep) -> Identity:
    """Dependency: a signed-in survivor, or the survivor sign-in page."""
    try:
        identity = identify(request, session, settings)
    finally:
        _release_connection(session)
    if identity is None or not identity.is_survivor:
        home = "/cases" if identity is not None else None
        raise SignInRequired(survivor=True, next_path=_next_path(request), home=home)
    return identity


OptionalIdentity = Annotated[Identity | None, Depends(optional_identity)]
StaffIdentity = Annotated[Identity, Depends(staff_identity)]
SurvivorIdentity = Annotated[Identity, Depends(survivor_identity)]


def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    """Give the browser its session token: HttpOnly, SameSite=Lax, Secure outside development."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        secure=settings.environment == "production",
        samesite="lax",
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    """Remove the session cookie."""
    response.delete_cookie(SESSION_COOKIE, path="/")


def sign_in_redirect(request: Request, exc: SignInRequired) -> Response:
    """The response for :class:`SignInRequired`: a redirect (or HX-Redirect) to sign in."""
    if exc.home is not None:
        location = exc.home
    else:
        target = "/survivor/sign-in" if exc.survivor else "/sign-in"
        location = f"{target}?next={quote(exc.next_path, safe='/')}"
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": location})
    return RedirectResponse(location, status_code=303)


def safe_next(next_path: str | None, default: str) -> str:
    """A local path to return to after sign-in; anything else (another site) becomes ``default``."""
    if next_path and next_path.startswith("/") and not next_path.startswith("//") and "\\" not in next_path:
        return next_path
    return default
