"""ASGI middleware that protects every response: security headers and a request-size limit.

Pure ASGI rather than Starlette's BaseHTTPMiddleware: it adds no task or copy per request.

Headers. A strict Content-Security-Policy (scripts and styles only from this site: htmx and
axe are vendored, so nothing needs a CDN, which a survivor's or an NGO's locked-down network
could not reach anyway); no framing; no referrer (a URL must never tell another site that
someone used Redress); and ``Cache-Control: no-store`` on everything but static files, so that
after a quick exit the browser's back button and history cannot bring a case back from cache.

Size. A body larger than ``max_bytes`` gets 413 before the application reads it: by its
Content-Length when given, and by counting when the body is streamed without one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY: Final = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS: Final = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
NO_STORE: Final = (b"cache-control", b"no-store")


class SecurityHeadersMiddleware:
    """Add the security headers to every HTTP response; ``no-store`` except under static paths."""

    def __init__(self, app: ASGIApp, *, cacheable_prefixes: Iterable[str] = ("/static/",)) -> None:
        self.app = app
        self.cacheable_prefixes = tuple(cacheable_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = str(scope.get("path", "")).startswith(self.cacheable_prefixes)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() != b"cache-control" or cacheable
                ]
                present = {k.lower() for k, _ in headers}
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
                if not cacheable:
                    headers.append(NO_STORE)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestSizeLimitMiddleware:
    """Refuse request bodies over ``max_bytes`` with 413, declared or streamed.

    ``larger_limits`` gives single paths (file uploads) a limit of their own; ``suffix_limits``
    does the same for the paths that end a certain way (an upload under each case's pages).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        larger_limits: Mapping[str, int] | None = None,
        suffix_limits: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger_limits = dict(larger_limits or {})
        self.suffix_limits = dict(suffix_limits or {})

    def _limit(self, path: str) -> int:
        if path in self.larger_limits:
            return self.larger_limits[path]
        for suffix, limit in self.suffix_limits.items():
            if path.endswith(suffix):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope.get("path", ""))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large(send, limit)
            return
        received = 0
        responded = False

        async def counting_receive() -> Message:
            nonlocal received, responded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit and not responded:
                    responded = True
                    await _too_large(send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            # Once the 413 went out, the application's own response must not follow it.
            if not responded:
                await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except ClientDisconnect:
            # The application saw the disconnect this middleware fed it after sending the 413.
            if not responded:
                raise


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _too_large(send: Send, limit: int) -> None:
    body = (f'{{"detail": "The request is too large: the limit is {limit // 1000} kB."}}').encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
