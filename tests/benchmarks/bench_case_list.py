"""Benchmark: the advocate's case list (GET /cases) with 10,000 and with 100,000 cases.

Run: ``.venv/bin/python tests/benchmarks/bench_case_list.py [--postgres URL] [--requests N]``.

For each size, a fresh database gets one organisation's advocate plus N generated cases, half
of them in another organisation (data the list must not pay for), each with an application.
The real app is served by uvicorn in this process and asked for the first page, a filtered
page and a search, by a client signed in through the sign-in page. Goal (issue 3): p95 at
100k within 1.5x of p95 at 10k, measured in the same run. GET /health on the same server is
reported beside it as a baseline for the machine's noise.
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import httpx
import uvicorn
from sqlalchemy import insert
from sqlmodel import Session

from api.cases.models import Application, LegalCase
from api.db.engine import create_db_engine
from api.db.migrate import upgrade_to_head
from api.orgs import service as orgs_service
from api.orgs.models import Role
from api.security.crypto import KeyRing, new_data_key, wrap_data_key
from api.settings import Settings
from web.app import create_app

PASSWORD = "benchmark-passphrase-1"
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


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


def populate(settings: Settings, total: int) -> str:
    """Create the organisations, the advocate and ``total`` cases; return the advocate's email."""
    upgrade_to_head(settings.database_url)
    engine = create_db_engine(settings.database_url)
    with Session(engine) as session:
        ours, _admin = orgs_service.create_first_organisation(
            session, settings, org_name="Benchmark Org", admin_email="admin@bench.example",
            admin_name="Admin", password=PASSWORD, now=NOW,
        )  # fmt: skip
        theirs = orgs_service.create_organisation(session, name="Unrelated Org", now=NOW)
        orgs_service.create_user(
            session, settings, organisation_id=_id(ours.id), email="advocate@bench.example",
            display_name="Advocate", role=Role.ADVOCATE, password=PASSWORD, now=NOW,
        )  # fmt: skip
        ring = KeyRing.from_settings(settings)
        wrapped = wrap_data_key(ring, new_data_key(), case_public_id="benchmark")  # not decrypted here
        batch = 5000
        for start in range(0, total, batch):
            cases, apps = [], []
            for n in range(start, min(total, start + batch)):
                public_id = uuid4().hex
                cases.append({
                    "public_id": public_id, "organisation_id": _id(ours.id) if n % 2 else _id(theirs.id),
                    "reference": f"BENCH-{n:07d}", "preferred_language": "en", "jurisdiction": "GB-ENG",
                    "status": "open", "wrapped_data_key": wrapped,
                    "next_deadline_on": date(2026, 11, 22) + timedelta(days=n % 400),
                    "created_at": NOW, "updated_at": NOW - timedelta(minutes=n),
                })  # fmt: skip
            result = session.execute(insert(LegalCase).returning(LegalCase.id), cases)  # type: ignore[arg-type]
            for case_id in result.scalars():
                apps.append({
                    "public_id": uuid4().hex, "case_id": case_id, "workflow_id": "uk.cica",
                    "workflow_version": "2026.1", "status": "in_progress", "progress_answered": 5,
                    "progress_applicable": 20, "created_at": NOW, "updated_at": NOW,
                })  # fmt: skip
            session.execute(insert(Application), apps)
            session.commit()
    engine.dispose()
    return "advocate@bench.example"


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """Serve the app with uvicorn in a thread; yield its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def signed_in_client(base: str, email: str) -> httpx.Client:
    """A client signed in through the real sign-in form."""
    client = httpx.Client(base_url=base, follow_redirects=True, timeout=30)
    form = client.get("/sign-in").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    if token is None:
        raise RuntimeError("the sign-in page has no CSRF token field")
    response = client.post(
        "/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    if "/cases" not in str(response.url):
        raise RuntimeError(f"sign-in failed: ended at {response.url}")
    return client


def p95_ms(client: httpx.Client, path: str, requests: int) -> float:
    """p95 latency of ``requests`` sequential GETs of ``path``, in milliseconds."""
    for _ in range(10):
        client.get(path)
    samples = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
    return statistics.quantiles(samples, n=20)[-1]


def main() -> int:
    """Run both sizes and print p95s and the ratio."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="a PostgreSQL server URL whose database may be emptied")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--sizes", type=int, nargs=2, default=[10_000, 100_000])
    args = parser.parse_args()
    results: dict[int, dict[str, float]] = {}
    paths = {
        "first page": "/cases",
        "deadline filter": "/cases?deadline_within=30",
        "search": "/cases?q=BENCH-00123",
    }
    for total in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            url = args.postgres and _fresh_postgres(args.postgres)
            try:
                settings = build_settings(Path(tmp), url)
                begun = time.perf_counter()
                email = populate(settings, total)
                print(f"{total:>7} cases generated in {time.perf_counter() - begun:.1f} s")
                with serving(settings) as base:
                    client = signed_in_client(base, email)
                    try:
                        results[total] = {
                            name: p95_ms(client, path, args.requests) for name, path in paths.items()
                        }
                        results[total]["health (baseline)"] = p95_ms(client, "/health", args.requests)
                    finally:
                        client.close()
            finally:
                if url:
                    _drop_postgres(args.postgres, url)
    small_n, large_n = args.sizes
    print(f"{'p95 ms':20} {small_n:>8} {large_n:>8} {'ratio':>6}")
    worst = 0.0
    for name in results[small_n]:
        small, large = results[small_n][name], results[large_n][name]
        ratio = large / small
        if name in ("first page", "deadline filter"):  # the list itself; search is reported
            worst = max(worst, ratio)
        print(f"{name:20} {small:8.1f} {large:8.1f} {ratio:6.2f}")
    print(f"goal: 100k within 1.5x of 10k -> {'met' if worst <= 1.5 else 'MISSED'} (worst {worst:.2f})")
    return 0 if worst <= 1.5 else 1


def _fresh_postgres(server_url: str) -> str:
    from sqlalchemy import create_engine, text

    name = f"redress_bench_{uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def _drop_postgres(server_url: str, database_url: str) -> None:
    from sqlalchemy import create_engine, text

    name = database_url.rsplit("/", 1)[1]
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _id(value: int | None) -> int:
    assert value is not None
    return value


if __name__ == "__main__":
    raise SystemExit(main())
