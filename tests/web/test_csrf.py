"""CSRF: an unsafe page request needs the token that matches the browser's cookie."""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request, Response
from fastapi.testclient import TestClient

from web.csrf import COOKIE_NAME, csrf_token, set_csrf_cookie, verify_csrf

SECRET = "test-secret-key-for-csrf-checks-0123456789"


async def checked(request: Request) -> None:
    await verify_csrf(request, SECRET)


def small_app() -> FastAPI:
    app = FastAPI()

    @app.get("/form")
    def form(request: Request, response: Response) -> dict[str, str]:
        token = csrf_token(request, SECRET)
        set_csrf_cookie(request, response, secure=False)
        return {"token": token}

    @app.post("/submit", dependencies=[Depends(checked)])
    def submit() -> dict[str, bool]:
        return {"saved": True}

    return app


def test_a_form_post_with_the_matching_token_passes() -> None:
    client = TestClient(small_app())
    token = client.get("/form").json()["token"]
    assert client.post("/submit", data={"csrf_token": token}).status_code == 200


def test_htmx_header_token_passes() -> None:
    client = TestClient(small_app())
    token = client.get("/form").json()["token"]
    assert client.post("/submit", headers={"X-CSRF-Token": token}).status_code == 200


def test_a_missing_or_wrong_token_gets_403() -> None:
    client = TestClient(small_app())
    client.get("/form")
    assert client.post("/submit", data={"x": "1"}).status_code == 403
    assert client.post("/submit", data={"csrf_token": "forged"}).status_code == 403


def test_another_browsers_token_does_not_pass() -> None:
    first, second = TestClient(small_app()), TestClient(small_app())
    token = first.get("/form").json()["token"]
    second.get("/form")
    response = second.post("/submit", data={"csrf_token": token})
    assert response.status_code == 403
    assert COOKIE_NAME in second.cookies
