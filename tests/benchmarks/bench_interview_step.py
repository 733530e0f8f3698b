"""Benchmark: one interview step under load (wrk, 20 connections) against ``redress serve``.

Run: ``.venv/bin/python tests/benchmarks/bench_interview_step.py [--postgres URL] [--users N]``
(not collected by pytest; needs ``wrk`` on the PATH; about four minutes).

A step is what an advocate's "Save and continue" does with htmx: POST a date to
``/cases/{case}/applications/{application}/questions/incident.date`` with the session and CSRF
cookies, the ``X-CSRF-Token`` header and ``HX-Request: true``; the app checks the token,
resolves the session, loads and decrypts the case's facts, validates the answer, supersedes the
fact (encrypted, history kept), re-evaluates the application, writes the ``fact.changed`` audit
event, commits, and renders the next question's fragment. ``interview_step.lua`` alternates
each user's answer between two dates, so every request really changes the fact; after the run
the ``fact.changed`` events are counted to prove it.

The targets, each measured with ``wrk -t2 -c20 -d15s --latency`` (after a short warm-up):

- a bare FastAPI + Jinja2 page (``bare_app`` below: a sync route rendering a template of about
  the size of a question fragment), the machine's ceiling for "a page" (measured once);
- the interview step on SQLite, and on PostgreSQL (a fresh database on ``--postgres``'s server,
  dropped afterwards);
- on the same database and users, the yardstick ``step_floor_app``: only the work the issue's
  step requires, written the cheapest way, its statements run through SQLAlchemy Core
  ("core") and through the database driver itself ("dbapi"). No implementation can cost less;
  the floors are reported, not judged by the goals.

Each server is a subprocess started as ``redress serve`` starts it: the real ``redress serve``
command (``--no-worker``: the Celery worker is not on a request's path), with its defaults: one
web process per core (``REDRESS_WEB_PROCESSES``), two handler threads each
(``REDRESS_WEB_THREADS``), uvloop, httptools, access log on. The bare page and the floors run
on the same settings: the ``uvicorn`` command with as many ``--workers`` and the same handler
threads (``serve_settings``). CPU time is that of the server's whole process group. Data are
created through the services, with cheap Argon2 settings (hashing is not what is measured;
sign-in happens once per user, through the real sign-in form). By default there are 20
advocates, each signed in with their own session and working on their own case with
``uk.cica`` started, as 20 people would; ``--users 1`` puts all 20 connections on one session
and one case (mostly a test of concurrent changes to the same fact, which the app answers with
the question again and an error: counted as "not advanced").

Goals (issue 3): step throughput >= 25 % of the bare page's, and p99 < 150 ms, on both databases.
The exit status is 1 when a goal is missed or a request failed.

wrk, the server (and PostgreSQL) share the machine's cores (2 on the development machine), so
throughput is bounded by CPU time per request: the throughput ratio is about the bare page's
CPU time over the step's (0.37 ms over 3.9 ms on SQLite).

Figures, 2-core development machine, 7 December 2026, three runs between 20:00 and 20:45 UTC
on a quiet machine (ratio to the bare page in the same run; CPU ms is the server's CPU time per
request):

====================  =============  ===========  =========  =========
target                req/s          ratio        p99 ms     CPU ms
====================  =============  ===========  =========  =========
bare page             4,214-4,992    1            8-12       0.37-0.42
step, SQLite          440-454        9.1-10.4 %   68-73      3.95-4.12
floor core, SQLite    727-826        15-17 %      40-1,110   1.98-2.19
floor dbapi, SQLite   1,079-1,141    23-26 %      40-55      1.45-1.52
step, PostgreSQL      275-290        5.5-6.9 %    100-133    5.37-5.43
floor core, PG        464-481        10-11 %      60-82      2.74-2.86
floor dbapi, PG       574-595        12-14 %      50-56      2.08-2.13
====================  =============  ===========  =========  =========

p99 < 150 ms is met on both databases. The 25 % ratio is missed, and the floors show that it
cannot be met on this machine. Even the required work alone, through SQLAlchemy Core, reaches
only 15-17 % on SQLite and 10-11 % on PostgreSQL, whose server spends the same cores on the
statements. Going around SQLAlchemy altogether (which the stack, SQLModel, does not allow)
reaches 23-26 % on SQLite, with the small template and without the work the floor leaves out:
the real question template alone costs 0.3-0.4 ms against the bare one's 0.06 ms. On
PostgreSQL it reaches 12-14 %. The Core floor's p99 of 1,110 ms (one run out of three) was the
floor's own start: it loaded the workflow definitions on a process's first request (about 0.8 s).
It now loads them when it starts, as ``redress serve`` does; a later run had no such spike.

The history of the step's cost is in issue 3's closing notes: 12.3 ms of CPU a step at first,
and one web process per core since 7 December.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final
from uuid import uuid4

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import DictLoader, Environment, select_autoescape

if TYPE_CHECKING:
    import httpx

    from api.settings import Settings

ROOT: Final = Path(__file__).resolve().parents[2]
LUA_SCRIPT: Final = Path(__file__).with_name("interview_step.lua")
PASSWORD: Final = "benchmark-passphrase-1"
FACT: Final = "incident.date"
# Each user's answers alternate between two dates, so every POST changes the fact; each run
# (the check, the warm-up, the measured run) has dates of its own, so that its first answers
# change the fact too.
CHECK_DATES: Final = ("2024-03-21", "2024-03-22")
WARMUP_DATES: Final = ("2024-03-25", "2024-03-26")
DATES: Final = ("2024-03-27", "2024-03-28")
FLOOR_WARMUP_DATES: Final = ("2024-03-29", "2024-03-30")
FLOOR_DATES: Final = ("2024-03-31", "2024-04-01")
FLOOR_DRIVERS: Final = ("core", "dbapi")
WORKFLOW: Final = "uk.cica"
THREADS: Final = 2
CONNECTIONS: Final = 20
GOAL_RATIO: Final = 0.25
GOAL_P99_MS: Final = 150.0
DEFAULT_POSTGRES: Final = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
STARTUP_TIMEOUT_SECONDS: Final = 60.0
STOP_TIMEOUT_SECONDS: Final = 10.0


# --- the bare page (imported by uvicorn in its own process; keep this module's imports light) ---

_BARE_TEMPLATE: Final = """\
<div id="question" class="interview" hx-history="false">
  <a href="{{ back_url }}" class="back-link">Back</a>
  <p class="caption">{{ workflow_title }} &ndash; question {{ position }} of {{ applicable }}</p>
  <form method="post" action="{{ post_url }}" novalidate hx-post="{{ post_url }}" hx-target="#question">
    <input type="hidden" name="csrf_token" value="{{ csrf_token }}">
    <div class="form-group">
      <h1><label for="q-incident-violence-or-threat">{{ label }}</label></h1>
      <div class="hint" id="q-hint"><p>{{ help }}</p></div>
      <details class="why"><summary>Why we ask</summary><p>{{ why }}</p></details>
      <p class="who-sees">Who will see this: {{ who_sees }}</p>
      <div class="choices">
        {% for choice in choices %}
        <div class="choice">
          <input type="radio" id="{{ choice.id }}" name="answer" value="{{ choice.value }}"
            aria-describedby="q-hint"{% if choice.value == selected %} checked{% endif %}>
          <label for="{{ choice.id }}">{{ choice.label }}</label>
        </div>
        {% endfor %}
      </div>
    </div>
    <div class="button-group">
      <button type="submit" class="button">Save and continue</button>
      <button type="submit" name="then" value="later" class="button secondary">
        Save and come back later</button>
    </div>
  </form>
  <ul class="steps">
    {% for step in steps %}
    <li class="{{ 'current' if step.current else '' }}">{{ step.title }}</li>{% endfor %}
  </ul>
</div>
"""

BARE_TEMPLATES: Final = Jinja2Templates(
    env=Environment(loader=DictLoader({"page.html": _BARE_TEMPLATE}), autoescape=select_autoescape())
)
BARE_CONTEXT: Final = {
    "back_url": "/cases/0123456789abcdef/applications/fedcba9876543210/questions/incident.date",
    "post_url": "/cases/0123456789abcdef/applications/fedcba9876543210/questions/incident.violence_or_threat",
    "workflow_title": "Criminal Injuries Compensation (CICA)",
    "position": 7,
    "applicable": 21,
    "csrf_token": "0" * 64,
    "label": "Was there violence, or a threat of violence?",
    "help": "This includes being threatened, held against your will, or made to fear for your safety.",
    "why": "The Scheme pays for injuries from a crime of violence; forced work on its own does not count.",
    "who_sees": "Your organisation's advocates, and anyone you share the case with",
    "selected": "yes",
    "choices": [
        {"id": f"q-incident-violence-or-threat{suffix}", "value": value, "label": label}
        for suffix, value, label in (
            ("", "yes", "Yes"),
            ("-2", "no", "No"),
            ("-3", "_unknown", "I don't know"),
        )
    ],
    "steps": [
        {"title": title, "current": title == "What happened"}
        for title in (
            "About the person",
            "What happened",
            "The police",
            "Residence",
            "Injuries and losses",
            "Other payments",
            "Time limits",
            "Evidence",
            "Check your answers",
        )
    ],
}

BARE_THREADS_VARIABLE: Final = "BENCH_BARE_WEB_THREADS"
FLOOR_DRIVER_VARIABLE: Final = "BENCH_FLOOR_DRIVER"  # step_floor_app's: "core" or "dbapi"


@contextlib.asynccontextmanager
async def _bare_lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # The same handler threads per process as Redress's (web.app sets its limiter likewise).
    from anyio import to_thread

    to_thread.current_default_thread_limiter().total_tokens = int(os.environ.get(BARE_THREADS_VARIABLE, "40"))
    yield


bare_app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None, lifespan=_bare_lifespan)


@bare_app.get("/", response_class=HTMLResponse)
def bare_page(request: Request) -> HTMLResponse:
    """A small page from a Jinja2 template: a sync route, as the app's routes are."""
    return BARE_TEMPLATES.TemplateResponse(request, "page.html", BARE_CONTEXT)


# --- servers --------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Served:
    """A running server: its URL and its process id."""

    base: str
    pid: int


def cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) the processes of group ``pgid`` have used so far, from ``/proc``:
    the server and the web processes it started.

    Unlike requests per second, this hardly changes with what else the machine is doing, so
    the CPU cost of a request is the steadier figure on a shared machine.
    """
    ticks = 0
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:  # it ended while we looked
            continue
        if int(fields[2]) == pgid:  # pgrp, field 5 of stat(5)
            ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return ticks / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def server(
    name: str, command: Sequence[str], env: dict[str, str], ready_path: str, log_dir: Path
) -> Iterator[Served]:
    """Run ``command`` (a server on a free port, given as ``{port}``) until the block ends; yield it.

    Its output (uvicorn's access log included) goes to a file, shown if it fails to start. It
    runs in a process group of its own, which is stopped (SIGINT, then SIGKILL) however the
    block ends.
    """
    import httpx

    port = _free_port()
    log_path = log_dir / f"{name}.log"
    base = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [part.format(port=port) for part in command],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            process_group=0,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{_tail(log_path)}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(base + ready_path, timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{name} did not answer within {STARTUP_TIMEOUT_SECONDS:.0f} s:\n{_tail(log_path)}"
                )
            time.sleep(0.1)
        yield Served(base, process.pid)
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGINT)  # uvicorn's graceful stop, as Ctrl-C
        try:
            process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


# --- the real app's data --------------------------------------------------------------------------


@dataclass(frozen=True)
class User:
    """A signed-in advocate and the question page of their case's application."""

    email: str
    path: str
    cookie: str = ""
    csrf_token: str = ""


def build_settings(data_dir: Path, database_url: str) -> Settings:
    """Settings for one run (cheap Argon2: hashing is not what is measured)."""
    from api.settings import Settings

    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        argon2_time_cost=1,
        argon2_memory_cost_kib=8,
        argon2_parallelism=1,
    )


def populate(settings: Settings, users: int) -> list[User]:
    """Migrate; create an organisation and ``users`` advocates, each with a case and uk.cica."""
    from sqlmodel import Session

    from api.access import actor_for
    from api.cases import service as cases_service
    from api.db.engine import create_db_engine
    from api.db.migrate import upgrade_to_head
    from api.orgs import service as orgs_service
    from api.orgs.models import Role
    from web.routes.cases import today_for

    upgrade_to_head(settings.database_url)
    engine = create_db_engine(settings.database_url)
    now = datetime.now(UTC)
    created = []
    try:
        with Session(engine) as session:
            organisation, _admin = orgs_service.create_first_organisation(
                session, settings, org_name="Benchmark Org", admin_email="admin@bench.example",
                admin_name="Admin", password=PASSWORD, now=now,
            )  # fmt: skip
            assert organisation.id is not None
            today = today_for(session, organisation.id, now)
            for n in range(users):
                email = f"advocate{n}@bench.example"
                user = orgs_service.create_user(
                    session, settings, organisation_id=organisation.id, email=email,
                    display_name=f"Advocate {n}", role=Role.ADVOCATE, password=PASSWORD, now=now,
                )  # fmt: skip
                actor = actor_for(session, user)
                case = cases_service.create_case(
                    session, settings, actor, reference=f"BENCH-{n:03d}", preferred_language="en",
                    jurisdiction="GB-ENG", now=now,
                )  # fmt: skip
                application = cases_service.start_application(
                    session, settings, actor, case, WORKFLOW, now=now, today=today
                )
                path = f"/cases/{case.public_id}/applications/{application.public_id}/questions/{FACT}"
                created.append(User(email, path))
    finally:
        engine.dispose()
    return created


def sign_in(base: str, user: User) -> User:
    """Sign in through the real sign-in form; the user with their cookies and CSRF token."""
    import httpx

    with httpx.Client(base_url=base, follow_redirects=True, timeout=30) as client:
        form = client.get("/sign-in").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        if token is None:
            raise RuntimeError("the sign-in page has no CSRF token field")
        response = client.post(
            "/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token.group(1)}
        )
        if "/cases" not in str(response.url):
            raise RuntimeError(f"sign-in failed for {user.email}: ended at {response.url}")
        cookies = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    return User(user.email, user.path, cookies, token.group(1))


def post_step(base: str, user: User, answer: str) -> httpx.Response:
    """One interview step, as the Lua script sends it."""
    import httpx

    return httpx.post(
        base + user.path,
        content=f"answer={answer}",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": user.cookie,
            "X-CSRF-Token": user.csrf_token,
            "HX-Request": "true",
        },
        timeout=30,
    )


def check_step(base: str, user: User) -> int:
    """Post both dates once; each must answer 200 with the next question's fragment. Its size."""
    from web.question_widgets import input_id_of

    size = 0
    for answer in CHECK_DATES:
        response = post_step(base, user, answer)
        pushed = response.headers.get("HX-Push-Url", "")
        next_fact = pushed.rsplit("/questions/", 1)[-1] if "/questions/" in pushed else ""
        problems = [
            f"status {response.status_code}" if response.status_code != 200 else "",
            f"HX-Push-Url {pushed!r} is not a next question" if not next_fact or next_fact == FACT else "",
            "a whole page instead of a fragment" if "<html" in response.text.lower() else "",
            f"no input {input_id_of(next_fact)!r}"
            if f'id="{input_id_of(next_fact)}"' not in response.text
            else "",
        ]
        if any(problems):
            details = "; ".join(problem for problem in problems if problem)
            raise RuntimeError(f"the interview step does not work: {details}\n{response.text[:2000]}")
        size = len(response.content)
    return size


def changes_recorded(database_url: str) -> int:
    """How many ``fact.changed`` events of the benchmarked fact the database holds."""
    from sqlalchemy import text

    from api.db.engine import create_db_engine

    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            query = text("SELECT count(*) FROM case_event WHERE action = 'fact.changed' AND subject = :fact")
            return int(connection.execute(query, {"fact": FACT}).scalar_one())
    finally:
        engine.dispose()


def settled_changes(database_url: str, timeout: float = 30.0) -> int:
    """:func:`changes_recorded` once the requests still open when wrk stopped have finished
    (the count holds still for a second): the next run must not overlap them."""
    deadline = time.monotonic() + timeout
    count = changes_recorded(database_url)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        count, previous = changes_recorded(database_url), count
        if count == previous:
            break
    return count


@contextlib.contextmanager
def fresh_postgres(server_url: str) -> Iterator[str]:
    """A new, empty database on ``server_url``'s server; dropped when the block ends."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"redress_bench_{uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


# --- wrk ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """What wrk measured."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    failed: int  # non-2xx/3xx responses and socket errors
    not_advanced: int | None  # 2xx answers that were not the next question (interview only)
    output: str
    errors: str  # wrk's stderr: the Lua script shows the first answer that did not advance there
    cpu_ms_per_request: float = 0.0  # the server process's CPU time over the run, per request
    changes_recorded: int | None = None  # fact.changed events written during the run (steps only)


_UNITS_MS: Final = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def run_wrk(
    url: str, duration: str, script_args: Sequence[str] | None = None, *, server_pid: int | None = None
) -> Result:
    """``wrk -t2 -c20 -d<duration> --latency`` (with the Lua script when given arguments); with
    ``server_pid``, the server's CPU time per request as well."""
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration}", "--latency", "--timeout", "10s"]
    if script_args is not None:
        command += ["-s", str(LUA_SCRIPT), url, "--", *script_args]
    else:
        command.append(url)
    env = {**os.environ, "WRK_THREADS": str(THREADS)}
    cpu_before = cpu_seconds(server_pid) if server_pid is not None else 0.0
    finished = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    cpu_used = cpu_seconds(server_pid) - cpu_before if server_pid is not None else 0.0
    if finished.returncode != 0:
        raise RuntimeError(f"wrk failed ({finished.returncode}):\n{finished.stdout}\n{finished.stderr}")
    result = _parse_wrk(finished.stdout, finished.stderr)
    if server_pid is None or not result.requests:
        return result
    return dataclasses.replace(result, cpu_ms_per_request=cpu_used * 1000 / result.requests)


def _parse_wrk(output: str, errors: str = "") -> Result:
    def number(pattern: str, default: str | None = None) -> str:
        found = re.search(pattern, output, re.MULTILINE)
        if found is None:
            if default is not None:
                return default
            raise RuntimeError(f"unexpected wrk output (no match for {pattern!r}):\n{output}")
        return found.group(1)

    def latency(percent: int) -> float:
        found = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m|h)\s*$", output, re.MULTILINE)
        if found is None:
            raise RuntimeError(f"unexpected wrk output (no {percent}% latency):\n{output}")
        return float(found.group(1)) * _UNITS_MS[found.group(2)]

    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    not_advanced = re.search(r"^NOT_ADVANCED (\d+)$", output, re.MULTILINE)
    return Result(
        requests_per_second=float(number(r"^Requests/sec:\s+([\d.]+)")),
        p50_ms=latency(50),
        p99_ms=latency(99),
        requests=int(number(r"^\s+(\d+) requests in ")),
        failed=int(number(r"Non-2xx or 3xx responses: (\d+)", "0"))
        + (sum(int(n) for n in socket_errors.groups()) if socket_errors else 0),
        not_advanced=int(not_advanced.group(1)) if not_advanced else None,
        output=output,
        errors=errors,
    )


# --- the run --------------------------------------------------------------------------------------


def serve_settings() -> tuple[int, int]:
    """The web processes and handler threads per process ``redress serve`` runs with here."""
    from api.settings import Settings

    configured = Settings()  # the environment's REDRESS_* variables, as redress serve reads them
    return configured.web_process_count(), configured.web_threads


def uvicorn_on_serve_settings(app: str, env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """The ``uvicorn`` command and environment that serve ``app`` (``module:attribute``) with the
    web processes and handler threads of ``redress serve`` here."""
    processes, threads = serve_settings()
    command = [
        sys.executable, "-m", "uvicorn", app,
        "--host", "127.0.0.1", "--port", "{port}", "--log-level", "info", "--timeout-graceful-shutdown", "5",
        "--workers", str(processes),
    ]  # fmt: skip
    return command, {**env, BARE_THREADS_VARIABLE: str(threads)}


def bench_bare(duration: str, warmup: str, log_dir: Path) -> tuple[Result, int]:
    """The bare page, on the server settings of ``redress serve``: its wrk result and size in bytes."""
    import httpx

    bare = "tests.benchmarks.bench_interview_step:bare_app"
    command, env = uvicorn_on_serve_settings(bare, dict(os.environ))
    with server("bare", command, env, "/", log_dir) as served:
        size = len(httpx.get(served.base + "/").content)
        run_wrk(served.base + "/", warmup)
        return run_wrk(served.base + "/", duration, server_pid=served.pid), size


def bench_step(
    label: str, data_dir: Path, database_url: str, users: int, duration: str, warmup: str, log_dir: Path
) -> tuple[Result, dict[str, Result], int]:
    """The interview step on one database, and the floors on the same data: their wrk results
    with the changes the database recorded during each measured run, and the fragment's size."""
    settings = build_settings(data_dir, database_url)
    accounts = populate(settings, users)
    env = {**os.environ, **settings.to_environment()}
    command = [
        str(Path(sys.executable).with_name("redress")),
        "serve",
        "--no-worker",
        "--host",
        "127.0.0.1",
        "--port",
        "{port}",
    ]
    with server(label, command, env, "/health", log_dir) as served:
        base = served.base
        signed_in = [sign_in(base, account) for account in accounts]
        size = check_step(base, signed_in[0])
        users_args = []
        for account in signed_in:
            users_args += [account.path, account.cookie, account.csrf_token]
        warm = run_wrk(base, warmup, [*WARMUP_DATES, *users_args])
        if warm.failed:
            raise RuntimeError(
                f"{label}: the warm-up had failed requests:\n{warm.output}\n{_tail(log_dir / f'{label}.log')}"
            )
        result = measure_changes(
            database_url, lambda: run_wrk(base, duration, [*DATES, *users_args], server_pid=served.pid)
        )
    floors = {
        driver: bench_floor(label, driver, env, database_url, users_args, duration, warmup, log_dir)
        for driver in FLOOR_DRIVERS
    }
    return result, floors, size


def measure_changes(database_url: str, run: Callable[[], Result]) -> Result:
    """``run``'s result with the ``fact.changed`` events the database recorded meanwhile."""
    before = settled_changes(database_url)
    result = run()
    return dataclasses.replace(result, changes_recorded=settled_changes(database_url) - before)


def bench_floor(
    label: str,
    driver: str,
    env: dict[str, str],
    database_url: str,
    users_args: list[str],
    duration: str,
    warmup: str,
    log_dir: Path,
) -> Result:
    """``step_floor_app`` on the same database, users and server settings, its statements run
    through ``driver`` ("core" or "dbapi"): the least a step costs on this stack (see that
    module)."""
    command, floor_env = uvicorn_on_serve_settings(
        "tests.benchmarks.step_floor_app:floor_app", {**env, FLOOR_DRIVER_VARIABLE: driver}
    )
    with server(f"floor-{driver}-{label}", command, floor_env, "/ready", log_dir) as served:
        run_wrk(served.base, warmup, [*FLOOR_WARMUP_DATES, *users_args])
        return measure_changes(
            database_url,
            lambda: run_wrk(served.base, duration, [*FLOOR_DATES, *users_args], server_pid=served.pid),
        )


def main() -> int:
    """Run the targets, print the table and the goals."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="a PostgreSQL server URL")
    parser.add_argument("--users", type=int, default=CONNECTIONS, help="advocates, each with a case")
    parser.add_argument("--duration", default="15s", help="wrk's -d for each measured run")
    parser.add_argument("--warmup", default="3s", help="wrk's -d for the unmeasured warm-up before it")
    args = parser.parse_args()
    if args.users < 1:
        parser.error("--users must be at least 1")
    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian: apt-get install wrk)", file=sys.stderr)
        return 2

    results: dict[str, Result] = {}
    floors: dict[str, Result] = {}  # the yardstick: reported, not judged by the goals
    notes: list[str] = []
    ok = True
    with tempfile.TemporaryDirectory(prefix="redress-bench-") as tmp:
        log_dir = Path(tmp)
        bare, bare_size = bench_bare(args.duration, args.warmup, log_dir)
        results["bare FastAPI + Jinja2 page"] = bare
        notes.append(f"bare page: {bare_size:,} bytes")
        for label in ("sqlite", "postgresql"):
            data_dir = log_dir / label
            with contextlib.ExitStack() as stack:
                if label == "sqlite":
                    url = f"sqlite:///{data_dir / 'redress.db'}"
                else:
                    url = stack.enter_context(fresh_postgres(args.postgres))
                result, floor, size = bench_step(
                    label, data_dir, url, args.users, args.duration, args.warmup, log_dir
                )
            results[f"interview step, {label}"] = result
            for driver, floor_result in floor.items():
                floors[f"floor ({driver}), {label}"] = floor_result
            notes.append(f"{label}: fragment {size:,} bytes")

    print(f"\nwrk -t{THREADS} -c{CONNECTIONS} -d{args.duration}, {args.users} users")
    print(
        f"{'':30} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>6} {'failed':>7} {'not adv.':>8}"
        f" {'CPU ms/req':>10} {'CPU x bare':>10}"
    )
    for name, result in {**results, **floors}.items():
        ratio = result.requests_per_second / bare.requests_per_second
        not_advanced = "" if result.not_advanced is None else str(result.not_advanced)
        cpu_ratio = result.cpu_ms_per_request / bare.cpu_ms_per_request if bare.cpu_ms_per_request else 0.0
        print(
            f"{name:30} {result.requests_per_second:8.1f} {result.p50_ms:8.1f} {result.p99_ms:8.1f} "
            f"{ratio:6.2f} {result.failed:7d} {not_advanced:>8} {result.cpu_ms_per_request:10.2f}"
            f" {cpu_ratio:10.1f}"
        )
        ok = ok and result.failed == 0 and not result.not_advanced
        if result.not_advanced:
            notes.append(f"{name}, the first step that did not advance:\n{result.errors.strip()[:1500]}")
    for name, result in {**results, **floors}.items():
        if result.changes_recorded is None:
            continue
        advanced = result.requests - (result.not_advanced or 0)
        notes.append(
            f"{name}: {advanced} steps advanced in wrk's count, {result.changes_recorded} fact changes"
            " recorded (requests still open when wrk stopped included)"
        )
        if result.changes_recorded < advanced:
            notes.append(f"{name}: FEWER fact changes recorded than steps: not every POST changed the fact")
            ok = False
    print("\n".join(notes))
    for name, result in results.items():
        if result is bare:
            continue
        ratio = result.requests_per_second / bare.requests_per_second
        ratio_met, p99_met = ratio >= GOAL_RATIO, result.p99_ms < GOAL_P99_MS
        ok = ok and ratio_met and p99_met
        print(
            f"goal, {name}: throughput >= {GOAL_RATIO:.0%} of the bare page's: "
            f"{'met' if ratio_met else 'MISSED'} ({ratio:.1%})"
        )
        print(
            f"goal, {name}: p99 < {GOAL_P99_MS:.0f} ms: "
            f"{'met' if p99_met else 'MISSED'} ({result.p99_ms:.1f} ms)"
        )
    print("wrk and the servers share this machine's cores: the figures are a floor.")
    print(
        "CPU ms/req is the server's CPU time per request, all its web processes (PostgreSQL's backends not"
        " included): the steadiest figure when the machine is busy with other work."
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
