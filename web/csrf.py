"""CSRF protection for the pages: a per-browser token checked on every unsafe request.

The token is an HMAC of a random per-browser value (kept in its own HttpOnly cookie) under the
app's secret key. Forms carry it in a hidden ``csrf_token`` field and htmx sends it in the
``X-CSRF-Token`` header (set once on ``<body hx-headers>``). A forged cross-site request has
the cookie but cannot read it to build the matching token. The JSON API is exempt: it
authenticates with bearer tokens, which a browser never attaches by itself.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Final

from fastapi import HTTPException, Request, Response

COOKIE_NAME: Final = "redress_csrf"
FORM_FIELD: Final = "csrf_token"
HEADER_NAME: Final = "x-csrf-token"
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


def _sign(secret_key: str, browser_value: str) -> str:
    return hmac.new(secret_key.encode(), f"csrf:{browser_value}".encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request, secret_key: str) -> str:
    """The token for this browser, creating its random value if it has none yet."""
    value = request.cookies.get(COOKIE_NAME) or getattr(request.state, "csrf_new_value", None)
    if value is None:
        value = secrets.token_urlsafe(32)
        request.state.csrf_new_value = value  # set as a cookie on the way out
    return _sign(secret_key, value)


def set_csrf_cookie(request: Request, response: Response, *, secure: bool) -> None:
    """Store a newly created browser value; call for every page response."""
    value = getattr(request.state, "csrf_new_value", None)
    if value is not None:
        response.set_cookie(COOKIE_NAME, value, httponly=True, secure=secure, samesite="strict", path="/")


async def verify_csrf(request: Request, secret_key: str) -> None:
    """Raise 403 unless an unsafe request carries this browser's token."""
    if request.method in SAFE_METHODS:
        return
    value = request.cookies.get(COOKIE_NAME)
    sent = request.headers.get(HEADER_NAME)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        field = form.get(FORM_FIELD)
        sent = field if isinstance(field, str) else None
    if not value or not sent or not hmac.compare_digest(sent, _sign(secret_key, value)):
        raise HTTPException(
            status_code=403, detail="This form has expired. Go back, reload the page and try again."
        )
