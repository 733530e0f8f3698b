"""Browser tests: the real site in Debian's headless Chromium, driven by Playwright.

Fixtures:
    ``live_server``: the base URL (``http://127.0.0.1:PORT``, no trailing slash) of
    ``web.app.create_app(migrated_settings)`` served by uvicorn in a background thread, one server
    and one migrated SQLite database per test. The test may also request ``migrated_settings`` or
    ``db_session`` (from ``tests/conftest.py``): they are the same database the server uses, so a
    test can seed data through the services before it opens a page.
    ``page`` / ``context`` (pytest-playwright): their ``base_url`` is ``live_server``, so
    ``page.goto("/")`` opens the start page. Tests that use them run as ``test_x[chromium]``.

The browser is ``/usr/bin/chromium`` (Debian's package; Playwright's own download is not
reachable here): ``.dev/system-packages`` installs it. Without it the tests skip with that hint,
and fail under CI. ``TEST_CHROMIUM`` points at another Chromium binary.

Accessibility: ``assert_no_serious_axe_violations(page, "what is on screen")`` runs axe-core (our
vendored copy, never a CDN) with the WCAG 2.2 AA rules and fails on every serious or critical
violation. Import it: ``from tests.browser.conftest import assert_no_serious_axe_violations``.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest

from tests.conftest import require_service

if TYPE_CHECKING:
    from fastapi import FastAPI
    from playwright.sync_api import Page

    from api.settings import Settings

CHROMIUM: Final = os.environ.get("TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_HINT: Final = (
    "Install chromium: .dev/system-packages (as root; it runs apt-get install chromium), "
    "or set TEST_CHROMIUM to a Chromium binary. Never 'playwright install': its download is blocked."
)
# The network is closed: these keep Chromium from trying to reach Google's services (updates,
# sync, safe browsing lists, QUIC probes), which would only slow it down and clutter the logs.
# --no-sandbox because the tests run as root on CI, where Chromium refuses to start sandboxed.
CHROMIUM_ARGS: Final = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)

AXE_JS: Final = Path(__file__).resolve().parents[2] / "web" / "static" / "vendor" / "axe.min.js"
AXE_URL_PATH: Final = "/static/vendor/axe.min.js"
# WCAG 2.2 level AA, which includes every A and AA rule of 2.0 and 2.1.
AXE_WCAG_TAGS: Final = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
AXE_FAILING_IMPACTS: Final = frozenset({"serious", "critical"})
AXE_TARGETS_SHOWN: Final = 3

SERVER_START_TIMEOUT_SECONDS: Final = 15.0
SERVER_STOP_TIMEOUT_SECONDS: Final = 10.0


@contextmanager
def serve_in_thread(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port in a daemon thread; yield its base URL.

    The socket is bound here, before uvicorn starts, so the port is known and cannot be taken by
    another process in between. Stops the server (lifespan shutdown included) on exit.
    """
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # log_config=None: leave the test process's logging alone (pytest captures uvicorn's records).
    config = uvicorn.Config(
        app, log_config=None, log_level="warning", access_log=False, timeout_graceful_shutdown=5
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"live-server-{port}", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
        while not server.started:
            if not thread.is_alive():
                # uvicorn exits its thread when the app's lifespan start-up fails; it logged why.
                raise RuntimeError("the live server stopped during start-up (see the captured log)")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the live server did not start within {SERVER_START_TIMEOUT_SECONDS} s")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(SERVER_STOP_TIMEOUT_SECONDS)
        sock.close()
    if thread.is_alive():
        raise RuntimeError(f"the live server did not stop within {SERVER_STOP_TIMEOUT_SECONDS} s")


@pytest.fixture
def live_server(migrated_settings: Settings) -> Iterator[str]:
    """Base URL of the whole site on the test's own migrated SQLite database."""
    from web.app import create_app

    with serve_in_thread(create_app(migrated_settings)) as url:
        yield url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch options, with Debian's Chromium and flags for a closed network."""

    def chromium_is_installed() -> None:
        if not os.access(CHROMIUM, os.X_OK):
            raise FileNotFoundError(f"no executable at {CHROMIUM}")

    require_service("Chromium", chromium_is_installed, CHROMIUM_HINT)
    return {
        # Headless unless the developer asked for --headed (the plugin then set headless=False).
        "headless": True,
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": list(CHROMIUM_ARGS),
    }


@pytest.fixture(scope="session")
def base_url() -> None:
    """Unused: each test's own live server is the base URL (see ``browser_context_args``)."""
    # Replaces pytest-playwright's --base-url fixture, which pytest 9 warns about (an instance-method
    # session fixture) and which could only name one server for the whole session anyway.


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any], live_server: str) -> dict[str, Any]:
    """Every page opens relative to the live server, in British English and London time."""
    # A fixed locale and time zone: dates and numbers render the same on every machine.
    return {
        **browser_context_args,
        "base_url": live_server,
        "locale": "en-GB",
        "timezone_id": "Europe/London",
    }


def assert_no_serious_axe_violations(page: Page, context: str) -> None:
    """Fail if axe-core finds a serious or critical WCAG 2.2 A/AA violation on ``page`` as it is now.

    ``context`` says what is on screen (for example "case list, filtered by deadline"); it heads
    the failure message, which lists each violation's rule, help text and first elements.
    """
    from playwright.sync_api import Error as PlaywrightError

    # Once per document: after an htmx swap the same document can be checked again without it.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        try:
            page.add_script_tag(path=str(AXE_JS))
        except PlaywrightError:
            # A Content-Security-Policy without 'unsafe-inline' blocks the inline copy that path=
            # injects; the same file served by the app is same-origin, which script-src 'self' allows.
            page.add_script_tag(url=AXE_URL_PATH)
    # resultTypes: only violations carry node details; passes and the rest are left as counts.
    results = page.evaluate(
        """async (tags) => await axe.run(document, {
            runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"],
        })""",
        list(AXE_WCAG_TAGS),
    )
    failing = [v for v in results["violations"] if v.get("impact") in AXE_FAILING_IMPACTS]
    if not failing:
        return
    lines = [
        f"axe-core: {len(failing)} serious or critical WCAG 2.2 AA violation(s) on {context} ({page.url}):"
    ]
    for violation in failing:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:AXE_TARGETS_SHOWN]]
        more = len(violation["nodes"]) - len(targets)
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}\n"
            f"    elements: {'; '.join(targets)}{f' (and {more} more)' if more > 0 else ''}\n"
            f"    {violation['helpUrl']}"
        )
    pytest.fail("\n".join(lines), pytrace=False)
