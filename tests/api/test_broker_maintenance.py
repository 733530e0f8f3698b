"""The embedded broker's delivered messages are purged; waiting ones are kept."""

from __future__ import annotations

from pathlib import Path

from kombu import Connection
from sqlalchemy import create_engine, text

from api.tasks.broker_maintenance import purge_delivered_messages


def count_messages(db: Path) -> tuple[int, int]:
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT visible, COUNT(*) FROM kombu_message GROUP BY visible")).all()
    engine.dispose()
    counts = {bool(visible): count for visible, count in rows}
    return counts.get(True, 0), counts.get(False, 0)


def test_purge_deletes_delivered_messages_and_keeps_waiting_ones(tmp_path: Path) -> None:
    # Given a real SQLite broker with three messages, two of them delivered and acknowledged
    db = tmp_path / "broker.db"
    url = f"sqla+sqlite:///{db}"
    with Connection(url) as connection:
        queue = connection.SimpleQueue("redress-test")
        for n in range(3):
            queue.put({"n": n})
        for _ in range(2):
            queue.get(timeout=5).ack()
        queue.close()
    assert count_messages(db) == (1, 2)
    # When the purge runs (twice: it must be safe to repeat)
    deleted = purge_delivered_messages(url)
    again = purge_delivered_messages(url)
    # Then only the delivered messages are gone
    assert (deleted, again) == (2, 0)
    assert count_messages(db) == (1, 0)


def test_purge_leaves_other_brokers_and_fresh_files_alone(tmp_path: Path) -> None:
    assert purge_delivered_messages("redis://127.0.0.1:6379/0") == 0
    assert purge_delivered_messages(f"sqla+sqlite:///{tmp_path / 'empty.db'}") == 0
