"""The SQLite write gate: writers queue on locks, a process's threads on one of the engine's and
the processes on a lock file, instead of sleeping in SQLite's busy handler."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from api.db.engine import WRITE_LOCK_SUFFIX, create_db_engine

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    created = create_db_engine(f"sqlite:///{tmp_path / 'gate.db'}")
    with created.begin() as connection:
        connection.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)"))
    yield created
    created.dispose()


def _insert_in_thread(engine: Engine, body: str, done: threading.Event) -> threading.Thread:
    def write() -> None:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO note (body) VALUES (:body)"), {"body": body})
        done.set()

    thread = threading.Thread(target=write)
    thread.start()
    return thread


def test_a_second_writer_waits_for_the_first_and_goes_on_at_its_commit(engine: Engine) -> None:
    first = engine.connect()
    first.begin()
    first.execute(text("INSERT INTO note (body) VALUES ('first')"))
    done = threading.Event()
    thread = _insert_in_thread(engine, "second", done)
    assert not done.wait(0.3), "the second writer did not wait for the first"
    started = time.monotonic()
    first.commit()
    assert done.wait(5), "the second writer never went on"
    assert time.monotonic() - started < 1.0
    thread.join()
    first.close()
    with engine.connect() as connection:
        bodies = connection.execute(text("SELECT body FROM note ORDER BY id")).scalars().all()
    assert bodies == ["first", "second"]


@pytest.mark.parametrize("end", ["rollback", "close"])
def test_a_writer_that_gives_up_lets_the_next_one_in(engine: Engine, end: str) -> None:
    first = engine.connect()
    first.begin()
    first.execute(text("INSERT INTO note (body) VALUES ('abandoned')"))
    getattr(first, end)()
    if end == "rollback":
        first.close()
    done = threading.Event()
    thread = _insert_in_thread(engine, "next", done)
    assert done.wait(2), f"the gate stayed shut after {end}"
    thread.join()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT body FROM note")).scalars().all() == ["next"]


def test_readers_do_not_queue_behind_a_writer(engine: Engine) -> None:
    writer = engine.connect()
    writer.begin()
    writer.execute(text("INSERT INTO note (body) VALUES ('pending')"))
    result: list[int] = []

    def read() -> None:
        with engine.connect() as connection:
            result.append(connection.execute(text("SELECT count(*) FROM note")).scalar_one())

    thread = threading.Thread(target=read)
    thread.start()
    thread.join(2)
    assert result == [0], "a reader waited for the writer (or saw its uncommitted row)"
    writer.rollback()
    writer.close()


# --- across processes: the lock file beside the database --------------------------------------------


def _lock_file_is_free(database: Path) -> bool:
    """Whether another open file could take the write lock now (as another process would)."""
    fd = os.open(database.with_name(database.name + WRITE_LOCK_SUFFIX), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # drops the lock if it was taken
    return True


@pytest.mark.parametrize("end", ["commit", "rollback", "close"])
def test_a_write_transaction_holds_the_lock_file_until_it_ends(
    engine: Engine, tmp_path: Path, end: str
) -> None:
    database = tmp_path / "gate.db"
    writer = engine.connect()
    writer.begin()
    assert _lock_file_is_free(database)  # a transaction that has not written holds nothing
    writer.execute(text("INSERT INTO note (body) VALUES ('held')"))

    assert not _lock_file_is_free(database)
    getattr(writer, end)()
    assert _lock_file_is_free(database)
    writer.close()


def test_a_writer_in_another_process_waits_for_the_lock_and_goes_on_at_the_commit(
    engine: Engine, tmp_path: Path
) -> None:
    database = tmp_path / "gate.db"
    first = engine.connect()
    first.begin()
    first.execute(text("INSERT INTO note (body) VALUES ('first')"))
    script = (
        "import sys, time; from sqlalchemy import text; from api.db.engine import create_db_engine\n"
        f"engine = create_db_engine('sqlite:///{database}')\n"
        "with engine.begin() as c: c.execute(text(\"INSERT INTO note (body) VALUES ('second')\"))\n"
        "print(time.time())"
    )
    other = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    time.sleep(1.0)  # the other process is started and waiting
    assert other.poll() is None, "the other process wrote while the first transaction was open"
    committed_at = time.time()
    first.commit()
    first.close()
    out, _ = other.communicate(timeout=20)

    assert other.returncode == 0
    assert float(out) - committed_at < 1.0  # went on at the commit, long before the busy timeout
    with engine.connect() as connection:
        bodies = connection.execute(text("SELECT body FROM note ORDER BY id")).scalars().all()
    assert bodies == ["first", "second"]


def test_a_writer_process_killed_mid_transaction_does_not_block_the_others(
    engine: Engine, tmp_path: Path
) -> None:
    """The kernel frees the lock of a process that dies; SQLite rolls its transaction back."""
    database = tmp_path / "gate.db"
    script = (
        "import os, sys; from sqlalchemy import text; from api.db.engine import create_db_engine\n"
        f"engine = create_db_engine('sqlite:///{database}')\n"
        "connection = engine.connect(); connection.begin()\n"
        "connection.execute(text(\"INSERT INTO note (body) VALUES ('lost')\"))\n"
        "print('holding', flush=True); sys.stdin.readline()\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        assert not _lock_file_is_free(database)
        holder.kill()  # mid-transaction, without a word
        holder.wait(10)

        done = threading.Event()
        thread = _insert_in_thread(engine, "after", done)
        assert done.wait(10), "a dead process's lock kept the writer waiting"
        thread.join()
    finally:
        if holder.poll() is None:
            holder.kill()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT body FROM note")).scalars().all() == ["after"]
