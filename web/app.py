"""The composition root: the FastAPI app that serves the pages and mounts the JSON API.

Run with ``redress serve``, or ``uvicorn --factory web.app:create_app``. There is no module-level
app: settings are read when the app is created, not when this module is imported.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Final

from anyio import to_thread
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.app import API_PREFIX, create_api_router
from api.db.engine import create_db_engine, pool_options
from api.heartbeat.router import router as health_router
from api.reminders.mail import warn_if_misconfigured
from api.settings import Settings, get_settings
from api.version import app_version
from web.errors import install_error_handlers
from web.protection import RequestSizeLimitMiddleware, SecurityHeadersMiddleware
from web.routes.account import router as account_router
from web.routes.api_docs import router as api_docs_router
from web.routes.case_erasure import router as case_erasure_router
from web.routes.case_status import router as case_status_router
from web.routes.cases import router as cases_router
from web.routes.comments import router as comments_router
from web.routes.deadlines import router as deadlines_router
from web.routes.documents import router as documents_router
from web.routes.flsa_wages import router as flsa_wages_router
from web.routes.form_fill import FORM_UPLOAD_SUFFIX
from web.routes.form_fill import router as form_fill_router
from web.routes.home import router as home_router
from web.routes.interview import router as interview_router
from web.routes.messages import router as messages_router
from web.routes.people import router as people_router
from web.routes.reminders import router as reminders_router
from web.routes.setup import router as setup_router
from web.routes.sharing import router as sharing_router
from web.routes.sign_in import router as sign_in_router
from web.routes.survivor import router as survivor_router
from web.routes.survivor_data import router as survivor_data_router
from web.routes.survivor_evidence import SURVIVOR_FILES
from web.routes.survivor_evidence import router as survivor_evidence_router
from web.routes.survivor_questions import router as survivor_questions_router
from web.routes.survivor_safety import router as survivor_safety_router
from web.routes.wages import router as wages_router

# Served by the app itself (htmx, styles): users' networks often cannot reach a CDN.
STATIC_DIR: Final = Path(__file__).resolve().parent / "static"


# Included before every other router, in this order: the busiest pages (see create_app).
FIRST_ROUTERS: Final = (interview_router, survivor_router)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the web app for ``settings`` (default: :func:`api.settings.get_settings`)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The engine lives exactly as long as the served app; disposing closes its connections.
        # A database connection for each handler thread: a thread never waits for a connection.
        to_thread.current_default_thread_limiter().total_tokens = settings.web_threads
        engine = create_db_engine(settings.database_url, **pool_options(settings))
        app.state.db_engine = engine
        warn_if_misconfigured(settings)  # email reminders off; everything else still works
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(
        title="Redress",
        version=app_version(),
        lifespan=lifespan,
        debug=False,  # debug pages would show tracebacks to anyone
        docs_url=None,  # web.routes.api_docs serves it with vendored assets (no CDN)
        redoc_url=None,
        openapi_url=f"{API_PREFIX}/openapi.json",
    )
    app.state.settings = settings
    # First: the interview's answers and the survivor's status page are the busiest requests,
    # and routes are tried in order (matching the status page took about a tenth of its time
    # while 72 routes came first). None of their paths is the path of another route
    # (tests/web/test_interview_pages.py checks it).
    for router in FIRST_ROUTERS:
        app.include_router(router)
    app.include_router(create_api_router())
    # The same report at the conventional path for load balancers and uptime checks.
    app.include_router(health_router, include_in_schema=False)
    app.include_router(home_router)
    app.include_router(api_docs_router)
    app.include_router(setup_router)
    app.include_router(sign_in_router)
    app.include_router(account_router)
    app.include_router(cases_router)
    app.include_router(comments_router)
    app.include_router(form_fill_router)
    app.include_router(documents_router)
    app.include_router(sharing_router)
    app.include_router(wages_router)
    app.include_router(flsa_wages_router)
    app.include_router(deadlines_router)
    app.include_router(reminders_router)
    app.include_router(people_router)
    app.include_router(survivor_safety_router)
    app.include_router(survivor_evidence_router)
    app.include_router(messages_router)
    app.include_router(survivor_data_router)
    app.include_router(case_erasure_router)
    app.include_router(case_status_router)
    app.include_router(survivor_questions_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_error_handlers(app)
    # Outermost last: the size limit runs before anything reads a body.
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(
        RequestSizeLimitMiddleware,
        max_bytes=settings.max_request_bytes,
        # A survivor's upload: room above the evidence limit, so a file just over it gets the
        # page's own clear message rather than a bare 413 (the page checks the size first, too).
        larger_limits={SURVIVOR_FILES: 2 * settings.evidence_max_bytes + 100_000},
        # An advocate's or lawyer's copy of the blank Form I-914, likewise.
        suffix_limits={FORM_UPLOAD_SUFFIX: 2 * settings.evidence_max_bytes + 100_000},
    )
    return app
