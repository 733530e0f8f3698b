"""The pages that exist, in a real browser: start page, health report, keyboard access, axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import ConsoleMessage, Page, Route, expect

from tests.browser.conftest import assert_no_serious_axe_violations


def test_start_page_loads_with_title_language_and_our_own_htmx(page: Page, live_server: str) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    console_errors: list[str] = []
    page.on("console", lambda message: _keep_errors(message, console_errors))
    page.on("pageerror", lambda error: console_errors.append(str(error)))

    response = page.goto("/")

    assert response is not None
    assert response.status == 200
    expect(page).to_have_title(re.compile(r"Redress$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_be_visible()
    # htmx comes from our vendored copy (users' networks often block CDNs), pinned to 2.x.
    expect(page.locator("script[src='/static/vendor/htmx.min.js']")).to_have_attribute("defer", "")
    page.wait_for_function("() => typeof window.htmx === 'object'")
    assert page.evaluate("() => htmx.version").startswith("2.")
    # Nothing leaves the server's origin: no CDN, font service or analytics.
    assert f"{live_server}/static/vendor/htmx.min.js" in requested
    foreign = [url for url in requested if not url.startswith(f"{live_server}/")]
    assert foreign == []
    assert console_errors == []
    assert_no_serious_axe_violations(page, "the start page")


def test_health_is_json_in_the_browser(page: Page) -> None:
    response = page.goto("/health")

    assert response is not None
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["database"]["reachable"] is True
    # No worker runs beside the live server, so the report may say "degraded"; it still answers.
    assert body["status"] in {"ok", "degraded"}


def test_keyboard_user_reaches_the_skip_link_first_and_it_moves_focus_to_main(page: Page) -> None:
    page.goto("/")

    page.keyboard.press("Tab")

    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_the_axe_helper_reports_a_serious_violation(page: Page, live_server: str) -> None:
    # A page the app never serves, answered by the browser itself at the live server's origin: an
    # image without alternative text (serious) must fail the check, or the check proves nothing.
    _serve_in_browser(page, f"{live_server}/axe-probe", '<img src="/static/none.png">', csp=None)
    page.goto("/axe-probe")

    with pytest.raises(pytest.fail.Exception, match=r"image-alt \(critical\)") as failure:
        assert_no_serious_axe_violations(page, "a page with an unlabelled image")

    assert "on a page with an unlabelled image" in str(failure.value)
    assert "img" in str(failure.value)


def test_the_axe_helper_works_under_a_strict_content_security_policy(page: Page, live_server: str) -> None:
    # script-src 'self' blocks inline scripts, so the helper must fall back to the served copy.
    _serve_in_browser(page, f"{live_server}/csp-probe", "<p>Nothing to see.</p>", csp="script-src 'self'")
    page.goto("/csp-probe")

    assert_no_serious_axe_violations(page, "a page under a strict CSP")

    assert page.evaluate("() => typeof window.axe") == "object"


def _keep_errors(message: ConsoleMessage, errors: list[str]) -> None:
    # Chromium asks for /favicon.ico by itself, and the site has no icon yet; any other error counts.
    if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
        errors.append(f"{message.text} ({message.location.get('url')})")


def _serve_in_browser(page: Page, url: str, body: str, csp: str | None) -> None:
    """Answer ``url`` in the browser with a minimal, otherwise valid English page holding ``body``."""
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Probe</title></head>'
        f"<body><main><h1>Probe</h1>{body}</main></body></html>"
    )
    headers = {"content-type": "text/html; charset=utf-8"}
    if csp is not None:
        headers["content-security-policy"] = csp

    def fulfil(route: Route) -> None:
        route.fulfill(status=200, headers=headers, body=html)

    page.route(url, fulfil)


def test_api_documentation_renders_from_our_own_files_under_the_csp(page: Page, live_server: str) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    console_errors: list[str] = []
    page.on("console", lambda message: _keep_errors(message, console_errors))

    response = page.goto("/api/v1/docs")

    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # Swagger UI rendered the OpenAPI document: the health operation is listed.
    expect(page.get_by_text("/api/v1/health").first).to_be_visible()
    foreign = [url for url in requested if not url.startswith(f"{live_server}/")]
    assert foreign == []
    assert [error for error in console_errors if "Content Security Policy" in error] == []
