"""Many more requests in flight than handler threads and pooled connections must all be answered:
no request may hold a database connection while it waits for a worker thread, or the threads
that need connections and the requests holding them wait on each other until the pool's
timeout (30 s), then fail with 500s.

A real uvicorn server with 2 handler threads (so 2 + 2 pooled connections) and 24 clients at
once, each on its own session, on pages that only read (the case list) and that write (the case
page records each view), signed in as staff and as a survivor."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Final

import httpx
from sqlmodel import Session

from api.cases.survivor_access import issue_access_code, redeem_access_code
from api.db.engine import create_db_engine
from api.settings import Settings
from tests.api.cases.builders import NOW, PASSPHRASE, PASSWORD, actor, make_world, new_case, start
from tests.browser.conftest import serve_in_thread
from tests.web.staff_pages import cheap, csrf_token, sign_in
from web.app import create_app

CLIENTS: Final = 24
REQUESTS_EACH: Final = 6
# Far below the pool's 30 s timeout, far above what 144 small pages take on two threads.
ALL_ANSWERED_WITHIN_SECONDS: Final = 20.0


def _survivor_sign_in(client: httpx.Client, sign_in_name: str) -> None:
    response = client.post(
        "/survivor/sign-in",
        data={"csrf_token": csrf_token(client, "/survivor/sign-in"), "sign_in_name": sign_in_name,
              "passphrase": PASSPHRASE},
    )  # fmt: skip
    assert response.status_code == 303, response.text


def test_more_requests_than_threads_and_connections_are_all_answered(migrated_settings: Settings) -> None:
    settings = cheap(migrated_settings).model_copy(update={"web_threads": 2})
    engine = create_db_engine(settings.database_url)
    with Session(engine) as session:
        world = make_world(session, settings)
        case = new_case(session, settings, world)
        start(session, settings, world, case, "uk.cica")
        code = issue_access_code(session, settings, actor(session, world.advocate), case, now=NOW)
        survivor = redeem_access_code(
            session, settings, code=code, passphrase=PASSPHRASE, display_name="Kes", now=NOW
        )
        case_page, sign_in_name = f"/cases/{case.public_id}", str(survivor.sign_in_name)
    engine.dispose()

    with serve_in_thread(create_app(settings)) as url:
        clients = [httpx.Client(base_url=url, follow_redirects=False, timeout=60) for _ in range(CLIENTS)]
        try:
            for number, client in enumerate(clients):
                if number % 3 == 2:
                    _survivor_sign_in(client, sign_in_name)
                else:
                    sign_in(client, "bea@harbour.example", PASSWORD)  # type: ignore[arg-type]
            pages = {0: "/cases", 1: case_page, 2: "/survivor"}

            def browse(number: int) -> list[int]:
                page = pages[number % 3]
                return [clients[number].get(page).status_code for _ in range(REQUESTS_EACH)]

            started = time.monotonic()
            with ThreadPoolExecutor(CLIENTS) as pool:
                statuses = [s for answers in pool.map(browse, range(CLIENTS)) for s in answers]
            took = time.monotonic() - started
        finally:
            for client in clients:
                client.close()
    assert statuses == [200] * (CLIENTS * REQUESTS_EACH)
    assert took < ALL_ANSWERED_WITHIN_SECONDS, f"{took:.1f} s: requests waited on each other"
