"""Security headers on every response, and the request-size limit (declared and streamed)."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from web.protection import CONTENT_SECURITY_POLICY, RequestSizeLimitMiddleware, SecurityHeadersMiddleware


def small_app() -> FastAPI:
    app = FastAPI()

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    @app.get("/page")
    async def page() -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/static/app.css")
    async def static() -> dict[str, str]:
        return {"css": "yes"}

    app.add_middleware(RequestSizeLimitMiddleware, max_bytes=1000)
    app.add_middleware(SecurityHeadersMiddleware)
    return app


def test_pages_get_security_headers_and_no_store() -> None:
    response = TestClient(small_app()).get("/page")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


def test_static_files_may_be_cached() -> None:
    response = TestClient(small_app()).get("/static/app.css")
    assert "cache-control" not in response.headers
    assert response.headers["x-frame-options"] == "DENY"


def test_a_body_within_the_limit_reaches_the_app() -> None:
    response = TestClient(small_app()).post("/echo", content=b"x" * 1000)
    assert response.status_code == 200
    assert response.json() == {"size": 1000}


def test_a_declared_oversized_body_is_refused_with_413() -> None:
    response = TestClient(small_app()).post("/echo", content=b"x" * 1001)
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


def test_a_streamed_oversized_body_without_length_is_refused_with_413() -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(5):
            yield b"y" * 400

    response = TestClient(small_app()).post("/echo", content=chunks())
    assert response.status_code == 413
