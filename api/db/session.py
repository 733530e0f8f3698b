"""Database sessions for requests and for background tasks.

The web app owns one engine, created in its lifespan and kept on ``app.state.db_engine``;
:func:`get_session` hands each request a session on it. Celery tasks run outside any app and use
:func:`task_session`, which keeps one engine per database URL for the life of the worker process.
Services own their unit of work: they commit; callers only open and close sessions.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import lru_cache

from fastapi import Request
from sqlalchemy import Engine
from sqlmodel import Session

from api.db.engine import create_db_engine


async def get_session(request: Request) -> AsyncIterator[Session]:
    """FastAPI dependency: a session on the app's engine, closed after the response.

    An ``async`` dependency, although the routes using the session are plain ``def`` ones run in
    worker threads: making a session does no I/O (it connects at its first statement), and a
    session whose transaction has ended (committed, or never begun) closes without any either.
    A session still in a transaction is closed here too, on the event loop: its rollback is one
    short statement, and waiting for a worker thread to run it would hold the connection while
    waiting, so that finished requests could hold every pooled connection while every thread
    waits for one (until the pool's timeout). A sync dependency would also cost two hand-overs to
    a worker thread per request.
    """
    engine: Engine = request.app.state.db_engine
    # Objects stay loaded after a commit: a request commits once and then renders what it has;
    # expiring them would reload every row from the database just to draw the page.
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()


@lru_cache(maxsize=4)
def _engine_for(database_url: str) -> Engine:
    return create_db_engine(database_url)


def task_session(database_url: str) -> Session:
    """Open a session for background work on a per-process engine for ``database_url``."""
    return Session(_engine_for(database_url))
