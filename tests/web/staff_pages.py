"""Helpers for tests of the staff pages: cheap settings, a browser-like client, forms, sign-in.

Tests build their data with the services (``tests.api.cases.builders``: the fictional Harbour
Light Trust and its neighbours) and then use the pages as a person would: read the CSRF token
from a page, post the form, follow the redirect.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Final

from fastapi.testclient import TestClient

from api.settings import Settings
from web.app import create_app

if TYPE_CHECKING:
    from httpx2 import Response  # what Starlette's TestClient returns

_CSRF: Final = re.compile(r'name="csrf_token" value="([^"]+)"')
_SUMMARY_LINK: Final = re.compile(r'<li><a href="#([^"]+)">([^<]+)</a></li>')

FormValue = str | Sequence[str]


def cheap(settings: Settings) -> Settings:
    """``settings`` with Argon2 at its cheapest: milliseconds per hash instead of ~0.1 s."""
    return settings.model_copy(
        update={"argon2_time_cost": 1, "argon2_memory_cost_kib": 8, "argon2_parallelism": 1}
    )


@contextmanager
def browser(settings: Settings) -> Iterator[TestClient]:
    """A client on the whole site that keeps cookies and does not follow redirects by itself."""
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client


def csrf_token(client: TestClient, page: str = "/sign-in") -> str:
    """This browser's CSRF token, read from the hidden field of a page."""
    response = client.get(page, follow_redirects=True)
    found = _CSRF.search(response.text)
    assert found is not None, f"no CSRF field on {page}"
    return found.group(1)


def post_form(
    client: TestClient, url: str, fields: Mapping[str, FormValue], *, token_page: str = "/sign-in"
) -> Response:
    """Post ``fields`` to ``url`` as the page's form would, with this browser's CSRF token."""
    data = {"csrf_token": csrf_token(client, token_page), **fields}
    return client.post(url, data=data)


def sign_in(client: TestClient, email: str, password: str) -> None:
    """Sign in through the sign-in page (no second factor); fail the test if it does not work."""
    response = client.post(
        "/sign-in", data={"csrf_token": csrf_token(client), "email": email, "password": password}
    )
    assert response.status_code == 303, response.text
    assert "redress_session" in client.cookies


def error_summary(html: str) -> list[tuple[str, str]]:
    """The error summary's links: (id of the field, message) pairs, in order."""
    return [(field, message) for field, message in _SUMMARY_LINK.findall(html)]


def location(response: Response) -> str:
    """The redirect target of a response."""
    return str(response.headers["location"])
