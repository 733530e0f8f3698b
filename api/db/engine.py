"""The SQLAlchemy engine, and the constraint naming convention of ``SQLModel.metadata``.

SQLite connections get WAL (readers don't block the writer, which matters with a web process
and a worker on one file), enforced foreign keys (off by default in SQLite) and a busy timeout
(wait for a lock instead of failing at once with "database is locked").

SQLite allows one writer at a time. Left to itself, a second writer waits in SQLite's busy
handler, which polls with sleeps growing to 100 ms: under a burst of interview steps most of the
time goes to sleeping and the slowest requests take seconds. So writers queue in front of SQLite
instead (:class:`SqliteWriteGate`): the threads of one process on a lock of the engine's, which
wakes a waiting thread the moment the writer before it commits, and the processes (the web
processes of ``redress serve`` and the Celery worker) on an advisory lock of a file beside the
database (``<database>.write-lock``). Without the second, one busy process handing SQLite's lock
from thread to thread keeps another's writer asleep in the busy handler, its sleeps growing, up
to the busy timeout and "database is locked". The busy handler remains for writers that bypass
the gate (a ``sqlite3`` shell, say).
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from api.settings import Settings

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
# Beside the database file: the lock its writers of every process take (ProcessWriteLock).
WRITE_LOCK_SUFFIX: Final = ".write-lock"


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
        # Deleted rows (an erased case) are overwritten, not left readable in free pages.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


class ProcessWriteLock:
    """An advisory lock on ``<database>.write-lock`` that the writers of every process take.

    ``flock`` locks belong to an open file, and each holder opens the file for its transaction
    (a few microseconds), so holders exclude each other whatever process they are in and no
    file stays open when an engine is disposed. A waiter blocks in ``flock`` without the
    interpreter lock, so it costs the threads still working nothing, and the kernel wakes it
    when the lock is let go: polling instead cost the status page a quarter of its throughput.
    The wait has no timeout: the holder is a write transaction, which ends in its request or
    task (and the engine's thread lock means one waiter per process); the kernel frees the lock
    of a process that dies mid-transaction.
    """

    def __init__(self, database: Path) -> None:
        self.path = database.with_name(database.name + WRITE_LOCK_SUFFIX)

    def acquire(self) -> int:
        """Take the lock, waiting for it: the open file that holds it."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        return fd

    @staticmethod
    def release(fd: int) -> None:
        """Let the next writer in: closing the file drops its lock."""
        os.close(fd)


class SqliteWriteGate:
    """One engine's queue of write transactions on a SQLite file (see the module docstring).

    Python's sqlite3 starts a transaction at the first INSERT, UPDATE or DELETE (reads run
    outside one), so that statement is where a connection joins the queue: first the threads'
    lock, then (with ``process_lock``) the processes' one. Its commit or rollback (or the pool's
    reset of a connection returned mid-transaction) lets the next one in. A plain lock rather
    than an RLock: a session may be closed by another thread of the pool than the one that
    wrote. A thread that already holds the gate through another connection would wait forever,
    so waiting for the threads' lock is bounded by the busy timeout; after it the statement runs
    anyway (without taking the file's lock, which its own first connection holds) and SQLite's
    own locking decides, as it would without the gate.
    """

    _HELD: Final = "redress_sqlite_write_gate"
    _WRITES: Final = ("INSERT", "UPDATE", "DELETE", "REPLACE")

    def __init__(self, timeout_seconds: float, process_lock: ProcessWriteLock | None = None) -> None:
        self._lock = threading.Lock()
        self._process_lock = process_lock
        self._timeout = timeout_seconds

    def install(self, engine: Engine) -> None:
        """Listen to ``engine``'s statements and transaction ends."""
        event.listen(engine, "before_cursor_execute", self._before_execute)
        event.listen(engine, "commit", self._after_end, insert=False)
        event.listen(engine, "rollback", self._after_end, insert=False)
        event.listen(engine.pool, "reset", self._after_reset)
        event.listen(engine.pool, "close", self._after_close)

    def _before_execute(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        info = conn.info
        if self._HELD in info or not statement.lstrip()[:7].upper().startswith(self._WRITES):
            return
        threads = self._lock.acquire(timeout=self._timeout)
        # Only the thread holding the engine's lock waits for the file's: never its holder.
        held_file = self._process_lock.acquire() if threads and self._process_lock is not None else None
        info[self._HELD] = (threads, held_file)

    def _after_end(self, conn: Any) -> None:
        self._release(conn.info)

    def _after_reset(self, dbapi_connection: Any, connection_record: Any, reset_state: Any) -> None:
        self._release(connection_record.info)

    def _after_close(self, dbapi_connection: Any, connection_record: Any) -> None:
        self._release(connection_record.info)

    def _release(self, info: dict[Any, Any]) -> None:
        threads, held_file = info.pop(self._HELD, (False, None))
        if held_file is not None:
            ProcessWriteLock.release(held_file)
        if threads:
            self._lock.release()


def pool_options(settings: Settings) -> dict[str, Any]:
    """Connection pool options for a web process: a connection per handler thread, and as many
    again for the rare request that needs two (error pages open a session of their own)."""
    return {"pool_size": settings.web_threads, "max_overflow": settings.web_threads, "pool_timeout": 30}


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
    database = sqlite_file(database_url)
    process_lock = ProcessWriteLock(database) if database is not None else None
    SqliteWriteGate(SQLITE_BUSY_TIMEOUT_MS / 1000, process_lock).install(engine)
    return engine
