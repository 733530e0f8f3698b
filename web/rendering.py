"""Render pages and htmx fragments with what every template needs.

Every page gets ``csrf_token`` (for forms and the ``hx-headers`` on ``<body>``), ``identity``
(the signed-in person or None), ``idle_warning_seconds``, and the page's language
(:func:`web.i18n.template_functions`: ``_``, ``page_lang``, ``page_dir``, local date formats).
An htmx request (``HX-Request``, not a history restore) can be answered with one named block
of the page's template, so the page and its fragment can never drift apart; ``Vary: HX-Request``
keeps caches honest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session
from starlette.background import BackgroundTask

from api.auth import service as auth_service
from api.reminders import notifications
from web.csrf import csrf_token, set_csrf_cookie
from web.i18n import chosen_language, template_functions
from web.identity import Identity, now_utc
from web.templating import templates


def is_htmx(request: Request) -> bool:
    """Whether this is an htmx request that wants a fragment (not a history restore)."""
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    block: str | None = None,
    headers: Mapping[str, str] | None = None,
    background: BackgroundTask | None = None,
) -> HTMLResponse:
    """Render ``template`` (or only its ``block`` for htmx requests) with the common context.

    A block alone has no page header, so the bell's unread count (a query on a connection of
    its own) is counted only for whole pages.
    """
    settings = request.app.state.settings
    identity: Identity | None = getattr(request.state, "identity", None)
    fragment = block if block is not None and is_htmx(request) else None
    idle_warning = None
    unread = None
    if identity is not None and not identity.is_survivor and fragment is None:
        unread = _unread_notifications(request, identity)
    if identity is not None:
        idle_warning = auth_service.seconds_until_idle_timeout(
            settings, identity.user_session, now_utc(), survivor=identity.is_survivor
        )
    full_context = {
        "request": request,
        "csrf_token": csrf_token(request, settings.secret_key.get_secret_value()),
        "identity": identity,
        "idle_warning_seconds": idle_warning,
        "notifications_unread": unread,
        "exit_url": settings.survivor_exit_url,
        **template_functions(chosen_language(request)),
        **(context or {}),
    }
    if fragment is not None:
        compiled = templates.env.get_template(template)
        body = "".join(compiled.blocks[fragment](compiled.new_context(full_context)))
        response = HTMLResponse(body, status_code=status_code, headers=headers, background=background)
    else:
        response = templates.TemplateResponse(
            request, template, full_context, status_code=status_code, headers=headers, background=background
        )
    response.headers["Vary"] = "HX-Request"
    set_csrf_cookie(request, response, secure=settings.environment == "production")
    return response


def _unread_notifications(request: Request, identity: Identity) -> int:
    """The bell's count: one indexed, capped count on the app's engine."""
    with Session(request.app.state.db_engine) as session:
        return notifications.unread_count(session, identity.actor.user_id)
