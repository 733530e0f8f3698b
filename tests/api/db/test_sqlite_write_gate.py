"""The SQLite write gate: one process's writers queue on a lock instead of SQLite's busy sleeps."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from api.db.engine import create_db_engine

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
