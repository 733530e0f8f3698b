"""Staff sign-in: email and passphrase, then the second factor when needed; sign-out; keep-alive.

Between a correct passphrase and a correct TOTP code nobody is signed in yet. The browser holds a
short-lived *pending sign-in* cookie instead: the user's id and the time, signed with the app's
secret key, good for :data:`PENDING_MINUTES`. It proves only that the passphrase was right a
moment ago, so it opens nothing but the second-factor pages (the code, or enrolling an
authenticator when the organisation requires one and the person has none). The session starts
(:func:`finish_sign_in`) once that step is done, with a fresh token.

Where to go afterwards travels as ``next`` (query or hidden field) and is only ever followed
through :func:`web.identity.safe_next`, so a link cannot send someone to another site.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from typing import Annotated, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from api.auth import service as auth_service
from api.deps import SessionDep, SettingsDep
from api.orgs import service as orgs_service
from api.orgs.models import User
from api.settings import Settings
from web.forms import CsrfProtected, FormDep, FormErrors, text_field
from web.identity import (
    OptionalIdentity,
    SignInRequired,
    clear_session_cookie,
    now_utc,
    safe_next,
    set_session_cookie,
)
from web.rendering import render

router = APIRouter(include_in_schema=False)

PENDING_COOKIE: Final = "redress_pending_sign_in"
PENDING_MINUTES: Final = 10
DEFAULT_NEXT: Final = "/cases"
NEXT_MAX_LENGTH: Final = 2000
EMAIL_MAX_LENGTH: Final = 400
PASSWORD_MAX_LENGTH: Final = 1000

NextQuery = Annotated[str | None, Query(max_length=NEXT_MAX_LENGTH)]


# --- the pending sign-in cookie -------------------------------------------------------------------


def _signature(settings: Settings, payload: str) -> str:
    key = settings.secret_key.get_secret_value().encode()
    return hmac.new(key, f"pending-sign-in:{payload}".encode(), hashlib.sha256).hexdigest()


def set_pending_sign_in(response: Response, settings: Settings, user_id: int, now: datetime) -> None:
    """Remember, for :data:`PENDING_MINUTES`, that ``user_id`` gave the right passphrase."""
    payload = f"{user_id}.{int(now.timestamp())}"
    response.set_cookie(
        PENDING_COOKIE,
        f"{payload}.{_signature(settings, payload)}",
        max_age=PENDING_MINUTES * 60,
        httponly=True,
        secure=settings.environment == "production",
        samesite="lax",
        path="/",
    )


def pending_user(request: Request, session: SessionDep, settings: Settings, now: datetime) -> User | None:
    """The active user whose passphrase this browser gave in the last minutes, or None."""
    user_id, _, rest = request.cookies.get(PENDING_COOKIE, "").partition(".")
    issued, _, signature = rest.partition(".")
    if not (user_id.isdigit() and issued.isdigit() and signature):
        return None
    if not hmac.compare_digest(signature, _signature(settings, f"{user_id}.{issued}")):
        return None
    age = now - datetime.fromtimestamp(int(issued), tz=now.tzinfo)
    if not timedelta(0) <= age <= timedelta(minutes=PENDING_MINUTES):
        return None
    user = session.get(User, int(user_id))
    return user if user is not None and user.is_active else None


def finish_sign_in(session: SessionDep, settings: Settings, user: User, next_path: str | None) -> Response:
    """Start the session (a new token), set its cookie, forget the pending sign-in, go on."""
    token = auth_service.start_session(session, settings, user, now_utc())
    response = RedirectResponse(safe_next(next_path, DEFAULT_NEXT), status_code=303)
    set_session_cookie(response, token, settings)
    response.delete_cookie(PENDING_COOKIE, path="/")
    return response


def with_next(path: str, next_path: str | None) -> str:
    """``path`` carrying ``next`` on to the following step, if there is one."""
    return f"{path}?{urlencode({'next': next_path})}" if next_path else path


# --- sign in --------------------------------------------------------------------------------------


@router.get("/sign-in")
def sign_in_form(
    request: Request,
    session: SessionDep,
    identity: OptionalIdentity,
    next: NextQuery = None,
    welcome: str | None = None,
) -> Response:
    """The sign-in form (or straight on, for someone already signed in); ``welcome=1`` after
    choosing a passphrase with a set-up code."""
    if identity is not None and not identity.is_survivor:
        return RedirectResponse(safe_next(next, DEFAULT_NEXT), status_code=303)
    if not orgs_service.is_set_up(session):
        return RedirectResponse("/setup", status_code=303)
    context = {"values": {}, "errors": FormErrors(), "next": next, "welcome": welcome == "1"}
    return render(request, "staff/sign_in.html", context)


@router.post("/sign-in", dependencies=[CsrfProtected])
def sign_in(request: Request, session: SessionDep, settings: SettingsDep, form: FormDep) -> Response:
    """Check the email and passphrase; then sign in, or go on to the second factor."""
    email = text_field(form, "email", max_length=EMAIL_MAX_LENGTH)
    password = text_field(form, "password", strip=False, max_length=PASSWORD_MAX_LENGTH)
    next_path = text_field(form, "next", max_length=NEXT_MAX_LENGTH) or None
    errors = FormErrors()
    if not email:
        errors.add("email", "Enter your email address.")
    if not password:
        errors.add("password", "Enter your passphrase.")
    if not errors:
        try:
            result = auth_service.authenticate(
                session, settings, email=email, password=password, now=now_utc()
            )
        except auth_service.AuthError as exc:  # ThrottledError included: its message says how long
            errors.add("email", exc.message)
    if errors:
        context = {"values": {"email": email}, "errors": errors, "next": next_path}
        return render(request, "staff/sign_in.html", context, status_code=422)
    if not result.needs_second_factor:
        return finish_sign_in(session, settings, result.user, next_path)
    path = "/sign-in/second-factor" if result.second_factor == "verify" else "/account/second-factor"
    response = RedirectResponse(with_next(path, next_path), status_code=303)
    set_pending_sign_in(response, settings, _user_id(result.user), now_utc())
    return response


@router.get("/sign-in/second-factor")
def second_factor_form(
    request: Request, session: SessionDep, settings: SettingsDep, next: NextQuery = None
) -> Response:
    """Ask for the code from the authenticator app."""
    user = pending_user(request, session, settings, now_utc())
    if user is None:
        return RedirectResponse(with_next("/sign-in", next), status_code=303)
    if not user.has_totp:
        return RedirectResponse(with_next("/account/second-factor", next), status_code=303)
    return render(request, "staff/second_factor.html", {"errors": FormErrors(), "next": next})


@router.post("/sign-in/second-factor", dependencies=[CsrfProtected])
def second_factor(request: Request, session: SessionDep, settings: SettingsDep, form: FormDep) -> Response:
    """Check the code; sign in when it is right."""
    next_path = text_field(form, "next", max_length=NEXT_MAX_LENGTH) or None
    now = now_utc()
    user = pending_user(request, session, settings, now)
    if user is None:  # too slow, or never gave the passphrase: start again
        return RedirectResponse(with_next("/sign-in", next_path), status_code=303)
    code = text_field(form, "code", max_length=20)
    errors = FormErrors()
    if not code:
        errors.add("code", "Enter the 6-digit code from your authenticator app.")
    else:
        try:
            auth_service.verify_second_factor(session, settings, user, code, now)
        except auth_service.AuthError as exc:
            errors.add("code", exc.message)
    if errors:
        return render(
            request, "staff/second_factor.html", {"errors": errors, "next": next_path}, status_code=422
        )
    return finish_sign_in(session, settings, user, next_path)


# --- sign out and keep-alive ----------------------------------------------------------------------


@router.post("/sign-out", dependencies=[CsrfProtected])
def sign_out(session: SessionDep, identity: OptionalIdentity) -> Response:
    """End this browser's session and go to the sign-in page."""
    if identity is not None:
        auth_service.end_session(session, identity.token, now_utc())
    response = RedirectResponse("/sign-in", status_code=303)
    clear_session_cookie(response)
    return response


@router.post("/session/keep-alive", dependencies=[CsrfProtected])
def keep_alive(identity: OptionalIdentity) -> Response:
    """The idle warning's "Stay signed in": this request is the activity that moves the timeout on.

    Resolving the session (``identify``) records it; nothing else to do. Someone whose session
    has already ended is sent to sign in.
    """
    if identity is None:
        raise SignInRequired(survivor=False, next_path="/")
    return Response(status_code=204)


def _user_id(user: User) -> int:
    if user.id is None:
        raise RuntimeError("a signed-in user has no id")
    return user.id
