"""Benchmark: the reminder sweep's selection with 10,000 and 1,000,000 reminder rows, and one
worker's dispatch throughput to a real SMTP server on loopback.

Run: ``.venv/bin/python tests/benchmarks/bench_reminder_sweep.py [--large N] [--postgres URL]
[--dispatch N]``.

Selection: for each size, a fresh database gets N reminder rows, 10,000 of them due (pending,
``due_at`` in the past) and the rest what piles up in real life: sent ones in the past and
pending ones in the future. The sweep's own query (:func:`api.reminders.sweep.select_due`)
selects all 10,000 due rows (the sweep takes them ``BATCH_SIZE`` at a time through the same
index range); the median of five runs is reported. Goal (issue 5): the time at 1M within 1.5x
of the time at 10k. The query plan is printed, to show the ``(state, due_at)`` index at work.

Dispatch: ``--dispatch`` email reminders due now to a case's advocate, sent by one in-process
sweep (what one Celery worker runs) to aiosmtpd on loopback; reminders per second.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

from sqlalchemy import Engine, insert, text
from sqlmodel import Session, select

from api.db.engine import create_db_engine
from api.db.migrate import upgrade_to_head
from api.deadlines.models import CaseDeadline
from api.orgs.models import Organisation
from api.reminders.models import Reminder
from api.reminders.sweep import BATCH_SIZE, select_due, sweep
from api.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.api.cases.builders import make_world  # noqa: E402 - after the path is set
from tests.api.deadlines.helpers import cica_case, confirm_all, smtp_sink, with_mail  # noqa: E402

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
DUE = 10_000
CHUNK = 50_000


def build_settings(data_dir: Path, database_url: str | None) -> Settings:
    """Settings for one benchmark database (cheap argon2: hashing is not what is measured)."""
    return Settings(
        environment="test",
        data_dir=data_dir,
        database_url=database_url or "",
        argon2_time_cost=1,
        argon2_memory_cost_kib=8,
        argon2_parallelism=1,
    )


def _row(number: int, state: str, due_at: datetime) -> dict[str, object]:
    return {
        "public_id": uuid4().hex,
        "idempotency_key": f"bench:{number}",
        "organisation_id": 1,
        "purpose": "reminder",
        "recipient": "advocate",
        "channel": "email",
        "days_before": 0,
        "due_at": due_at,
        "state": state,
        "attempts": 0,
        "created_at": NOW,
    }


def populate(engine: Engine, total: int) -> None:
    """``total`` reminder rows, ``DUE`` of them due; the rest sent (past) or pending (future)."""
    with Session(engine) as session:
        session.add(Organisation(id=1, name="Bench Trust", slug="bench", created_at=NOW))
        session.commit()
    rows = []
    for number in range(total):
        if number < DUE:
            rows.append(_row(number, "pending", NOW - timedelta(minutes=1 + number % 600)))
        elif number % 2:
            rows.append(_row(number, "sent", NOW - timedelta(minutes=number % 500_000)))
        else:
            rows.append(_row(number, "pending", NOW + timedelta(minutes=1 + number % 500_000)))
        if len(rows) == CHUNK:
            _insert(engine, rows)
            rows = []
    if rows:
        _insert(engine, rows)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("ANALYZE reminder"))
        else:
            connection.execute(text("ANALYZE"))


def _insert(engine: Engine, rows: list[dict[str, object]]) -> None:
    with engine.begin() as connection:
        connection.execute(insert(Reminder), rows)


def time_selection(engine: Engine, runs: int = 5) -> float:
    """Median seconds for the sweep's query to select every due row (10,000) through the index."""
    times = []
    for _ in range(runs):
        with Session(engine) as session:
            started = time.perf_counter()
            ids = select_due(session, NOW, DUE)
            times.append(time.perf_counter() - started)
            session.rollback()
        assert len(ids) == DUE, len(ids)
    return statistics.median(times)


def query_plan(engine: Engine) -> str:
    """The database's plan for the sweep's selection."""
    with Session(engine) as session:
        compiled = (
            select(Reminder.id)
            .where(Reminder.state == "pending", Reminder.due_at <= NOW)
            .order_by(Reminder.state, Reminder.due_at)
            .limit(BATCH_SIZE)
            .compile(engine, compile_kwargs={"literal_binds": True})
        )
        prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
        rows = session.connection().execute(text(prefix + str(compiled))).all()
        return "\n".join(" ".join(str(part) for part in row) for row in rows)


def selection(sizes: list[int], postgres: str | None) -> dict[int, float]:
    """Selection time per size, each in a fresh database."""
    results = {}
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            settings = build_settings(Path(tmp), _fresh_pg(postgres) if postgres else None)
            upgrade_to_head(settings.database_url)
            engine = create_db_engine(settings.database_url)
            try:
                started = time.perf_counter()
                populate(engine, size)
                print(f"{size:>9,} rows: populated in {time.perf_counter() - started:.1f} s")
                results[size] = time_selection(engine)
                took = results[size] * 1000
                print(f"{size:>9,} rows: selecting {DUE:,} due rows took {took:.1f} ms (median of 5)")
                print("  plan:", query_plan(engine).replace("\n", "\n        "))
            finally:
                engine.dispose()
    return results


def _fresh_pg(server_url: str) -> str:
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"redress_bench_{uuid4().hex[:12]}"
    admin = make_url(server_url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return make_url(server_url).set(database=name).render_as_string(False)


def dispatch(count: int) -> float:
    """Reminders per second sent by one in-process sweep to aiosmtpd on loopback."""
    with tempfile.TemporaryDirectory() as tmp, smtp_sink() as (sink, port):
        settings = with_mail(build_settings(Path(tmp), None), port)
        upgrade_to_head(settings.database_url)
        engine = create_db_engine(settings.database_url)
        try:
            with Session(engine) as session:
                world = make_world(session, settings)
                case = cica_case(session, settings, world)
                deadline = confirm_all(session, settings, world, case)[0]
                session.execute(text("DELETE FROM reminder"))
                session.commit()
                template = {
                    "organisation_id": case.organisation_id,
                    "case_id": case.id,
                    "deadline_id": deadline.id,
                    "purpose": "reminder",
                    "recipient": "advocate",
                    "user_id": world.advocate.id,
                    "channel": "email",
                    "days_before": 0,
                    "due_at": NOW,
                    "state": "pending",
                    "attempts": 0,
                    "created_at": NOW,
                }
                due_key = f":{deadline.due_on.isoformat()}:"
                rows = [
                    {**template, "public_id": uuid4().hex, "idempotency_key": f"r:{deadline.id}{due_key}{n}"}
                    for n in range(count)
                ]
                session.connection().execute(insert(Reminder), rows)
                session.commit()
                assert session.exec(select(CaseDeadline)).first() is not None
            started = time.perf_counter()
            report = sweep(engine, settings, now=lambda: NOW + timedelta(minutes=1), time_budget_seconds=600)
            elapsed = time.perf_counter() - started
        finally:
            engine.dispose()
        assert report.outcomes.get("sent") == count, report
        assert len(sink.messages) == count
        return count / elapsed


def main() -> None:
    """Run both measurements and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--postgres", help="a PostgreSQL server URL (a database is made per size)")
    parser.add_argument("--dispatch", type=int, default=1000)
    args = parser.parse_args()
    results = selection([DUE, args.large], args.postgres)
    ratio = results[args.large] / results[DUE]
    print(f"ratio {args.large:,} / {DUE:,}: {ratio:.2f}x (goal: within 1.5x)")
    rate = dispatch(args.dispatch)
    print(
        f"dispatch: {args.dispatch:,} email reminders by one worker to loopback SMTP: {rate:.0f} reminders/s"
    )


if __name__ == "__main__":
    main()
