"""The SQLAlchemy engine, and the constraint naming convention of ``SQLModel.metadata``.

SQLite connections get WAL (readers don't block the writer, which matters with a web process
and a worker on one file), enforced foreign keys (off by default in SQLite) and a busy timeout
(wait for a lock instead of failing at once with "database is locked").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

# Deterministic constraint names, so migrations can alter and drop constraints by name on
# every database (SQLite batch mode needs names; PostgreSQL would otherwise invent them).
NAMING_CONVENTION: Final = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION

SQLITE_BUSY_TIMEOUT_MS: Final = 10_000


def sqlite_file(url: str) -> Path | None:
    """Return the file of a SQLite URL, or None for other databases and in-memory SQLite.

    Accepts Celery's prefixed forms too (``sqla+sqlite:///…`` broker, ``db+sqlite:///…`` results).
    """
    scheme, separator, rest = url.partition("://")
    if not separator:
        return None
    scheme = scheme.removeprefix("sqla+").removeprefix("db+")
    parsed = make_url(f"{scheme}://{rest}")
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    if parsed.database.startswith("file:"):  # URI filenames are left to SQLite
        return None
    return Path(parsed.database)


def ensure_sqlite_directory(url: str) -> None:
    """Create the directory of a SQLite file URL; SQLite creates files but not directories."""
    path = sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite_connection(dbapi_connection: Any, _connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, and much faster than FULL
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def create_db_engine(database_url: str, **engine_options: Any) -> Engine:
    """Create an engine for ``database_url`` (SQLite or PostgreSQL).

    For a SQLite file, its directory is created and every connection is configured as described
    in the module docstring. ``engine_options`` go to :func:`sqlalchemy.create_engine`.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **engine_options)
    ensure_sqlite_directory(database_url)
    # FastAPI runs sync endpoints in a thread pool, so a pooled connection may be used by a
    # thread other than the one that opened it; the pool hands each one to one thread at a time.
    engine = create_engine(url, connect_args={"check_same_thread": False}, **engine_options)
    event.listen(engine, "connect", _configure_sqlite_connection)
    return engine
