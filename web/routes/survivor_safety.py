"""The survivor's safety pages and choices (reference/anchors.md §7).

- ``GET /survivor/exit``: "Exit this page" without script: ends this browser's session on the
  server, asks the browser to forget the site's cookies, cache and storage
  (``Clear-Site-Data``), and sends it on to the neutral site (``settings.survivor_exit_url``).
- ``POST /survivor/exit``: the same for the script (``navigator.sendBeacon``), which replaces the
  page with the neutral site at once (``location.replace``) instead of waiting; answers 204.
  The link needs no CSRF token (all it can do is sign this browser out, and that must work
  without script); the beacon sends the page's token, as every POST must.
- ``GET /survivor/before-you-continue`` + ``POST``: the interruption page shown once, at the
  first use (after the access code): what the button does and what clearing cannot do.
- ``GET /survivor/safety-advice``: using a safe device, private browsing, clearing history.
- ``POST /survivor/language``: remember the language in a cookie and go back to the page.
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.auth import service as auth_service
from api.deps import SessionDep, SettingsDep
from web.forms import CsrfProtected, FormDep, text_field
from web.i18n import LANGUAGE_COOKIE, LANGUAGE_COOKIE_MAX_AGE, LANGUAGES
from web.identity import OptionalIdentity, SurvivorIdentity, clear_session_cookie, now_utc, safe_next
from web.rendering import render

router = APIRouter(include_in_schema=False)

HOME: Final = "/survivor"
BEFORE_YOU_CONTINUE: Final = "/survivor/before-you-continue"
# Everything the site stored in this browser: the session and CSRF cookies, any cached page.
CLEAR_SITE_DATA: Final = '"cache", "cookies", "storage"'
BACK_MAX_LENGTH: Final = 2000


def _end_this_session(session: SessionDep, identity: OptionalIdentity) -> None:
    if identity is not None:
        auth_service.end_session(session, identity.token, now_utc())


@router.get("/survivor/exit")
def exit_now(session: SessionDep, settings: SettingsDep, identity: OptionalIdentity) -> Response:
    """End the session and go to the neutral site (the link works without script)."""
    _end_this_session(session, identity)
    response = RedirectResponse(settings.survivor_exit_url, status_code=303)
    clear_session_cookie(response)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.post("/survivor/exit", dependencies=[CsrfProtected])
def exit_beacon(session: SessionDep, identity: OptionalIdentity) -> Response:
    """End the session (sent by the page's script as it leaves); nothing to show."""
    _end_this_session(session, identity)
    response = Response(status_code=204)
    clear_session_cookie(response)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


@router.get("/survivor/before-you-continue")
def before_you_continue(request: Request, identity: SurvivorIdentity) -> Response:
    """The interruption page: how to leave quickly, and what that cannot hide."""
    return render(request, "survivor/before_you_continue.html")


@router.post("/survivor/before-you-continue", dependencies=[CsrfProtected])
def continue_after_interruption(identity: SurvivorIdentity) -> Response:
    """On to the survivor's view."""
    return RedirectResponse(HOME, status_code=303)


@router.get("/survivor/safety-advice")
def safety_advice(request: Request, identity: OptionalIdentity) -> Response:
    """Advice on staying safe online, for anyone (signed in or not)."""
    return render(request, "survivor/safety_advice.html")


@router.post("/survivor/language", dependencies=[CsrfProtected])
def choose_language(settings: SettingsDep, form: FormDep) -> Response:
    """Remember the chosen language (an unknown one is ignored) and go back to the page."""
    language = text_field(form, "language", max_length=10)
    back = safe_next(text_field(form, "back", max_length=BACK_MAX_LENGTH) or None, HOME)
    if not (back == HOME or back.startswith(HOME + "/")) or back.startswith("/survivor/exit"):
        back = HOME
    response = RedirectResponse(back, status_code=303)
    if language in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            max_age=LANGUAGE_COOKIE_MAX_AGE,
            httponly=True,
            secure=settings.environment == "production",
            samesite="lax",
            path="/",
        )
    return response
