"""Benchmark: the survivor's status page (``GET /survivor``) at 20 concurrent users, on SQLite.

Run: ``.venv/bin/python tests/benchmarks/bench_survivor_status.py [--duration 15s]``
(not collected by pytest; needs ``wrk`` on the PATH; about a minute).

20 survivors, each with their own case (``uk.nrm`` and ``uk.cica`` started, a few answers, so
there are dates and evidence to show), sign in through the real survivor sign-in form; then
``wrk -t2 -c20 --latency`` asks for ``/survivor`` with each survivor's session in turn
(``survivor_status.lua``). Each request resolves the session (three statements), reads the
latest notifications, reads the survivor's case with everything the page needs in one statement
and records the ``case.viewed`` audit event (a Core insert, committed), and renders the page in
the survivor's language. What the engine and the survivor-visible answers give the page is kept
per process until the case's facts, its applications or the day change
(``api.cases.survivor_status``), so these repeat views neither decrypt nor evaluate (a first
view does both, and costs two statements more). Half the survivors have chosen Arabic, so
translated pages are part of the mix.

The server is the real ``redress serve --no-worker`` with its defaults (one web process per
core, two handler threads each). The baseline, measured in the same run, is the bare FastAPI +
Jinja2 page of ``bench_interview_step.py`` on the same server settings: the machine's ceiling
for "a page". Besides wrk's figures the run reports the server's CPU time per request (its whole
process group, from ``/proc``) and the SQL statements one view costs (counted in process after
the run, on the same database).

Goal (issue 6): p99 < 100 ms on SQLite. The exit status is 1 when it is missed, when a request
failed, or when an answer was not the status page.
wrk and the server share the machine's cores: the figures are a floor.

Measured 2026-12-07 15:25 UTC on the 2-core development machine shared with three other agents
(load average 1.2 to 1.9 during the runs), before and after the page's rework, one run each:

====================  =======  ======  ======  ==========  ==========
status page           req/s    p50 ms  p99 ms  CPU ms/req  statements
====================  =======  ======  ======  ==========  ==========
before (da4200e)         89.7   217.9   361.5       12.17          12
after                   176.9   111.0   176.7        6.23           6
====================  =======  ======  ======  ==========  ==========

(bare page: about 2,400 req/s, p99 about 26 ms, 0.4 CPU ms/req; no failures, every answer the
status page.) The goal is still missed. With 20 connections and no think time p50 is about 20
queued requests times one page's cost, and the server is one Python process (one core at a
time): p99 < 100 ms needs about 3 to 4 CPU ms per page. Of the page's synchronous work (about
3 ms in process, single-threaded) the session resolution is about 1.4 ms, reading the case and
recording the view 0.8 ms, rendering 0.8 ms and the notifications 0.2 ms; the rest of the CPU
time is uvicorn, the middleware, the thread-pool hops (one per synchronous dependency) and the
threads' contention for the GIL (CPU ms/req rises when the machine is idle: the handler threads
then contend in parallel). The figures vary from run to run: at load average 2.4 (14:45 UTC) the
same code did 227 req/s, p50 84 ms, p99 187 ms, 4.28 CPU ms/req; the last run (15:43 UTC, load
average 0.9) 146 req/s, p50 135 ms, p99 225 ms, 7.57 CPU ms/req, 6 statements, no failures.

Then (7 December 2026, 16:50-17:45 UTC, quiet machine): ``redress serve`` runs one web process
per core with two handler threads each instead of one process with eight; the question counts
are read by the statement that reads the case (4 statements a view, was 7); the survivor's
routes are matched right after the interview's instead of behind 72 others. The bare page runs
on the same settings:

=========================================  =======  ======  ======  ==========  ==========
status page                                req/s    p50 ms  p99 ms  CPU ms/req  statements
=========================================  =======  ======  ======  ==========  ==========
one process, 8 threads (17ac0d7)             148.9   132.5   194.3        7.36           7
a process per core, 2 threads (a3d183e)      488.1    38.9    69.0        3.93           7
... and the processes' write lock polling    350.1    55.9   101.5        5.38           7
... blocking in ``flock`` instead            433.5    44.5    80.9        4.40           7
... counts with the case, routes first       559.8    32.7    77.2        3.38           4
same code, next run                          524.7    38.6    64.9        3.61           4
=========================================  =======  ======  ======  ==========  ==========

(bare page on the same settings: 3,900-5,300 req/s, p99 8-11 ms, 0.38-0.46 CPU ms/req; no
failures, every answer the status page.) The goal is met. The second row ran while another
agent's tests loaded the machine, which lowers CPU per request (see above). The lock file's
first version polled for the lock every fraction of a millisecond, and every wake-up took the
GIL from the thread doing the work: a quarter of the throughput lost until it blocked instead.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

ROOT: Final = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script: make the project's packages importable
    sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_interview_step import (  # noqa: E402 - after the path is set
    CONNECTIONS,
    THREADS,
    Result,
    _parse_wrk,
    _tail,
    bench_bare,
    build_settings,
    cpu_seconds,
    server,
)

if TYPE_CHECKING:
    from api.settings import Settings

LUA_SCRIPT: Final = Path(__file__).with_name("survivor_status.lua")
PASSPHRASE: Final = "benchmark passphrase one"
GOAL_P99_MS: Final = 100.0
FACTS: Final = {
    "person.date_of_birth": "1991-04-02",
    "person.nationality": "AL",
    "exploitation.jurisdiction": "GB-ENG",
    "exploitation.types": ["labour"],
    "incident.date": "2025-09-14",
    "police.reported": True,
}


def populate(settings: Settings, users: int) -> list[str]:
    """Migrate; an organisation, an advocate, and ``users`` cases with their survivors' sign-in names."""
    from sqlmodel import Session

    from api.access import actor_for
    from api.cases import service as cases_service
    from api.cases.survivor_access import issue_access_code, redeem_access_code
    from api.db.engine import create_db_engine
    from api.db.migrate import upgrade_to_head
    from api.orgs import service as orgs_service
    from api.orgs.models import Role
    from web.routes.cases import today_for

    upgrade_to_head(settings.database_url)
    engine = create_db_engine(settings.database_url)
    now = datetime.now(UTC)
    names = []
    try:
        with Session(engine) as session:
            organisation, _admin = orgs_service.create_first_organisation(
                session, settings, org_name="Benchmark Org", admin_email="admin@bench.example",
                admin_name="Admin", password=PASSPHRASE, now=now,
            )  # fmt: skip
            assert organisation.id is not None
            today = today_for(session, organisation.id, now)
            advocate = orgs_service.create_user(
                session, settings, organisation_id=organisation.id, email="advocate@bench.example",
                display_name="Ana Advocate", role=Role.ADVOCATE, password=PASSPHRASE, now=now,
            )  # fmt: skip
            actor = actor_for(session, advocate)
            for n in range(users):
                case = cases_service.create_case(
                    session, settings, actor, reference=f"BENCH-{n:03d}", preferred_language="en",
                    jurisdiction="GB-ENG", now=now,
                )  # fmt: skip
                for workflow in ("uk.nrm", "uk.cica"):
                    cases_service.start_application(
                        session, settings, actor, case, workflow, now=now, today=today
                    )
                cases_service.change_facts(
                    session, settings, actor, case, FACTS, source="advocate", now=now, today=today
                )
                code = issue_access_code(session, settings, actor, case, now=now)
                user = redeem_access_code(
                    session, settings, code=code, passphrase=PASSPHRASE, display_name=f"Survivor {n}", now=now
                )
                assert user.sign_in_name
                names.append(user.sign_in_name)
    finally:
        engine.dispose()
    return names


def sign_in(base: str, sign_in_name: str, language: str) -> str:
    """Sign in through the survivor's form (after choosing ``language``); the Cookie header."""
    import httpx

    with httpx.Client(base_url=base, follow_redirects=True, timeout=30) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/survivor/sign-in").text)
        if token is None:
            raise RuntimeError("the sign-in page has no CSRF token field")
        client.post("/survivor/language", data={"language": language, "back": "/survivor/sign-in",
                                                 "csrf_token": token.group(1)})  # fmt: skip
        page = client.post(
            "/survivor/sign-in",
            data={"sign_in_name": sign_in_name, "passphrase": PASSPHRASE, "csrf_token": token.group(1)},
        )
        if "data-status-page" not in page.text or f'lang="{language}"' not in page.text:
            raise RuntimeError(f"sign-in failed for {sign_in_name}: ended at {page.url}")
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def run_wrk(url: str, duration: str, cookies: list[str], *, server_pid: int | None = None) -> Result:
    """wrk with ``survivor_status.lua``; with ``server_pid``, the server's CPU time per request."""
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration}", "--latency", "--timeout", "10s",
               "-s", str(LUA_SCRIPT), url, "--", *cookies]  # fmt: skip
    cpu_before = cpu_seconds(server_pid) if server_pid is not None else 0.0
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    cpu_used = cpu_seconds(server_pid) - cpu_before if server_pid is not None else 0.0
    if finished.returncode != 0:
        raise RuntimeError(f"wrk failed ({finished.returncode}):\n{finished.stdout}\n{finished.stderr}")
    result = _parse_wrk(finished.stdout, finished.stderr)
    if server_pid is None or not result.requests:
        return result
    return dataclasses.replace(result, cpu_ms_per_request=cpu_used * 1000 / result.requests)


def statements_per_view(settings: Settings, cookie: str, views: int = 10) -> float:
    """SQL statements one status page costs, counted in process (the app on the same database)."""
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from web.app import create_app

    app = create_app(settings)
    statements = 0

    def count(*_args: object) -> None:
        nonlocal statements
        statements += 1

    with TestClient(app, base_url="http://127.0.0.1", headers={"Cookie": cookie}) as client:
        client.get("/survivor")  # the first view derives and keeps; the wrk run's views were repeats
        event.listen(app.state.db_engine, "before_cursor_execute", count)
        for _ in range(views):
            if "data-status-page" not in client.get("/survivor").text:
                raise RuntimeError("the in-process view is not the status page")
    return statements / views


def main() -> int:
    """Measure the bare page and the status page; print the table and the goal."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--users", type=int, default=CONNECTIONS, help="survivors, each with a case")
    parser.add_argument("--duration", default="15s", help="wrk's -d for each measured run")
    parser.add_argument("--warmup", default="3s", help="wrk's -d for the unmeasured warm-up")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="redress-bench-") as tmp:
        log_dir = Path(tmp)
        bare, _size = bench_bare(args.duration, args.warmup, log_dir)
        data_dir = log_dir / "sqlite"
        settings = build_settings(data_dir, f"sqlite:///{data_dir / 'redress.db'}")
        names = populate(settings, args.users)
        env = {**os.environ, **settings.to_environment()}
        command = [str(Path(sys.executable).with_name("redress")), "serve", "--no-worker",
                   "--host", "127.0.0.1", "--port", "{port}"]  # fmt: skip
        with server("status", command, env, "/health", log_dir) as served:
            cookies = [sign_in(served.base, name, "ar" if n % 2 else "en") for n, name in enumerate(names)]
            run_wrk(served.base, args.warmup, cookies)
            status = run_wrk(served.base, args.duration, cookies, server_pid=served.pid)
            not_status = re.search(r"^NOT_STATUS (\d+)$", status.output, re.MULTILINE)
            wrong = int(not_status.group(1)) if not_status else -1
            if wrong:
                print(_tail(log_dir / "status.log"), file=sys.stderr)
        statements = statements_per_view(settings, cookies[0])

    print(f"\nwrk -t{THREADS} -c{CONNECTIONS} -d{args.duration}, {args.users} survivors, SQLite")
    print(f"{'':28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>6} {'failed':>7} {'CPU ms/req':>10}")
    for name, result in (("bare FastAPI + Jinja2 page", bare), ("survivor status page", status)):
        ratio = result.requests_per_second / bare.requests_per_second
        print(
            f"{name:28} {result.requests_per_second:8.1f} {result.p50_ms:8.1f} {result.p99_ms:8.1f} "
            f"{ratio:6.2f} {result.failed:7d} {result.cpu_ms_per_request:10.2f}"
        )
    print(f"answers that were not the status page: {wrong}")
    print(f"SQL statements per status page (counted in process): {statements:.1f}")
    print(f"load average at the end: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    met = status.p99_ms < GOAL_P99_MS
    print(f"goal, survivor status page: p99 < {GOAL_P99_MS:.0f} ms: {'met' if met else 'MISSED'} "
          f"({status.p99_ms:.1f} ms)")  # fmt: skip
    print("wrk and the server share this machine's cores: the figures are a floor. CPU ms/req is the")
    print("server's CPU time per request, all its web processes: the steadiest figure on a busy machine.")
    return 0 if met and status.failed == 0 and wrong == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
