"""``redress serve``: the web server and the Celery worker (with beat), started and stopped together.

Process model:

- **Web**: uvicorn serves a socket bound here first, so a port already in use is reported
  before anything starts. With one web process (``REDRESS_WEB_PROCESSES=1``) it runs in this
  process (``uvicorn.Server``). With more (the default: one per CPU core), uvicorn's supervisor
  (``uvicorn.supervisors.Multiprocess``) starts them as spawned children sharing the socket,
  replaces one that dies, and stops them all on Ctrl-C. Each child builds its app from the
  settings this process resolved (:func:`create_served_app`). Python runs one thread at a time
  in a process, so this is what puts the second core to work: on two cores the interview step
  serves 2.5 times as many requests and the survivor's status page 3.5 times, each at half to
  a third of the p99 (``tests/benchmarks``).
- **Worker**: ``python -m celery -A api.tasks.celery_app worker --beat --pool=solo`` as a
  subprocess in a process group of its own. Beat runs as a child process of the worker and
  survives the worker's death, so the worker is always stopped by signalling its whole group.
  The own group also keeps a terminal's Ctrl-C away from it, so the shutdown order is ours.
- A watcher thread announces the URL once uvicorn is up, and stops uvicorn when a stop was
  requested or the worker died (reminders must never silently stop).

Shutdown, on Ctrl-C (SIGINT) or SIGTERM: uvicorn finishes its open requests and stops; the
worker's group gets SIGTERM (a warm shutdown: the running task finishes), and whatever is left of
the group after ``WORKER_STOP_TIMEOUT_SECONDS`` gets SIGKILL. A second Ctrl-C kills at once.
Exit status 0, or 1 if the worker died on its own.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.client import HTTPConnection, HTTPException
from pathlib import Path
from types import FrameType
from typing import Any, Final

import typer
import uvicorn
from fastapi import FastAPI
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from api.settings import Settings, get_settings
from api.tasks.celery_app import create_celery, prepare_broker
from web.app import create_app
from workflows.catalogue import default_catalogue
from workflows.facts import default_fact_dictionary

WORKER_STOP_TIMEOUT_SECONDS: Final = 10.0
WATCH_INTERVAL_SECONDS: Final = 0.2
# Open requests get this long to finish once a stop is requested.
WEB_GRACEFUL_SHUTDOWN_SECONDS: Final = 5


class ServeError(Exception):
    """``redress serve`` cannot start; the message says why and what to do."""


def _group_is_alive(pgid: int) -> bool:
    """Whether any process of group ``pgid`` is still running (zombies don't count)."""
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux: ask the kernel, zombies included
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    for stat_file in proc.glob("[0-9]*/stat"):
        try:
            stat = stat_file.read_text()
        except OSError:  # the process ended while we looked
            continue
        # "pid (command) state ppid pgrp ...": the command may hold spaces and parentheses.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


def _signal_group(pgid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # the whole group is gone already
        os.killpg(pgid, signum)


class WorkerProcess:
    """The Celery worker with embedded beat, in a process group of its own."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the worker; its output goes to this process's stdout and stderr."""
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "api.tasks.celery_app",
            "worker",
            "--beat",
            "--pool=solo",
            "--loglevel=info",
            "--hostname=redress@%h",
            # Mingle, gossip and worker heartbeats are for clusters of workers; one worker on
            # the embedded broker only pays their start-up and polling cost.
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ]
        prepare_broker(create_celery(self._settings))
        # The worker must see exactly the settings this process resolved.
        environment = {**os.environ, **self._settings.to_environment()}
        self._process = subprocess.Popen(command, env=environment, stdin=subprocess.DEVNULL, process_group=0)

    def exit_code(self) -> int | None:
        """The worker's exit code, or None while it runs."""
        return None if self._process is None else self._process.poll()

    def stop(self, timeout: float = WORKER_STOP_TIMEOUT_SECONDS) -> None:
        """SIGTERM the worker's group, wait up to ``timeout`` seconds, then SIGKILL what is left."""
        if self._process is None:
            return
        pgid = self._process.pid  # the group leader: process_group=0 made pgid == pid
        _signal_group(pgid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=timeout)
        # Beat can outlive the worker by a moment while it saves its schedule.
        while _group_is_alive(pgid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _group_is_alive(pgid):
            self.kill()
        self._process.wait()

    def kill(self) -> None:
        """SIGKILL the worker's whole group now (safe in a signal handler: it never waits)."""
        if self._process is not None:
            _signal_group(self._process.pid, signal.SIGKILL)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ServeError(
            f"cannot listen on {host}:{port} ({exc.strerror}). "
            "Is Redress already running? Choose another port with --port."
        ) from exc
    return sock


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def freeze_startup_objects() -> None:
    """Load what every request uses, then exempt every object alive from the cycle collector.

    A full collection otherwise walks the ~200,000 objects of the loaded app (workflow
    definitions, the fact dictionary, routes, templates): about 100 ms during which no thread
    runs, so under load every request in flight waits that long, every few seconds. Frozen
    objects are still freed as soon as nothing refers to them; only a cycle among them would
    never be, and none is left from startup (a collection runs first).
    """
    default_catalogue()
    default_fact_dictionary()
    gc.collect()
    gc.freeze()


def create_served_app() -> FastAPI:
    """The app of one web process of a multi-process ``redress serve`` (a uvicorn app factory).

    The settings come from the environment, which :func:`run_server` filled with the ones it
    resolved before starting the processes.
    """
    app = create_app(get_settings())
    freeze_startup_objects()
    return app


def _answers_http(host: str, port: int) -> bool:
    """Whether a web process answers on ``host:port`` (any HTTP status will do)."""
    # A wildcard address is not one to connect to: ask on loopback instead.
    target = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)
    connection = HTTPConnection(target, port, timeout=2)
    try:
        connection.request("GET", "/health")
        connection.getresponse().read()
    except (OSError, HTTPException):  # not listening yet, or cut off while it starts
        return False
    finally:
        connection.close()
    return True


class _InProcessWeb:
    """One web process: uvicorn in this process."""

    def __init__(self, settings: Settings, config: dict[str, Any], sock: socket.socket) -> None:
        self._server = uvicorn.Server(uvicorn.Config(create_app(settings), **config))
        self._sock = sock
        freeze_startup_objects()

    def run(self) -> None:
        self._server.run(sockets=[self._sock])

    def stop(self) -> None:
        self._server.should_exit = True

    def started(self) -> bool:
        return self._server.started

    def failed(self) -> bool:
        return False  # uvicorn raises or exits this process itself


class _SpawnedWeb:
    """Several web processes, spawned and watched by uvicorn's supervisor."""

    def __init__(
        self, settings: Settings, config: dict[str, Any], sock: socket.socket, processes: int
    ) -> None:
        # The children import the factory and read these settings back from the environment.
        os.environ.update(settings.to_environment())
        web_config = uvicorn.Config("web.serve:create_served_app", factory=True, workers=processes, **config)
        self._supervisor = Multiprocess(web_config, sockets=[sock])  # installs its own signal handlers
        self._host, self._port = config["host"], config["port"]

    def run(self) -> None:
        self._supervisor.run()

    def stop(self) -> None:
        self._supervisor.should_exit.set()

    def started(self) -> bool:
        return _answers_http(self._host, self._port)

    def failed(self) -> bool:
        """Whether a web process could not start (a broken app would fail the same way again)."""
        return any(process.exitcode == STARTUP_FAILURE for process in self._supervisor.processes)


def run_server(settings: Settings, *, host: str, port: int, with_worker: bool) -> int:
    """Serve Redress until Ctrl-C or SIGTERM; return the process exit status."""
    sock = _bind(host, port)
    stop_requested = threading.Event()
    worker = WorkerProcess(settings) if with_worker else None

    def on_stop_signal(signum: int, _frame: FrameType | None) -> None:
        if stop_requested.is_set() and worker is not None:
            worker.kill()  # a second Ctrl-C: no more waiting
        stop_requested.set()

    # uvicorn replaces these while it serves and calls them again when it is done.
    previous_handlers = {
        signum: signal.signal(signum, on_stop_signal) for signum in (signal.SIGINT, signal.SIGTERM)
    }

    processes = settings.web_process_count()
    config: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "info",
        "timeout_graceful_shutdown": WEB_GRACEFUL_SHUTDOWN_SECONDS,
    }
    web = (
        _InProcessWeb(settings, config, sock)
        if processes == 1
        else _SpawnedWeb(settings, config, sock, processes)
    )
    serving_finished = threading.Event()
    worker_failure: list[int] = []

    def watch() -> None:
        announced = False
        while not serving_finished.wait(WATCH_INTERVAL_SECONDS):
            if stop_requested.is_set():
                web.stop()
            if worker is not None and not stop_requested.is_set():
                code = worker.exit_code()
                if code is not None and not worker_failure:
                    worker_failure.append(code)
                    typer.echo(
                        f"redress: the Celery worker stopped unexpectedly (exit status {code}); "
                        "stopping Redress, because reminders cannot run without it.",
                        err=True,
                    )
                    web.stop()
            if not announced and not stop_requested.is_set() and not worker_failure and web.started():
                announced = True
                where = f"{processes} web processes" if processes > 1 else "one web process"
                typer.echo(f"Redress is running at {_url(host, port)}  ({where}; press Ctrl-C to stop)")

    watcher = threading.Thread(target=watch, name="redress-serve-watcher", daemon=True)
    try:
        if worker is None:
            typer.echo(
                "redress: running without the Celery worker (--no-worker): no reminders or "
                "background jobs will run.",
                err=True,
            )
        else:
            worker.start()
        watcher.start()
        web.run()
    finally:
        serving_finished.set()
        # The supervisor leaves its own handlers behind: a second Ctrl-C must still reach ours.
        for signum in previous_handlers:
            signal.signal(signum, on_stop_signal)
        if watcher.is_alive():
            watcher.join()
        if worker is not None:
            typer.echo("Stopping the Celery worker and beat ...", err=True)
            worker.stop()
        sock.close()
        for signum, handler in previous_handlers.items():
            signal.signal(signum, handler)
    if web.failed():
        typer.echo("redress: a web process could not start (see the error above); Redress stopped.", err=True)
    return 1 if worker_failure or web.failed() else 0
