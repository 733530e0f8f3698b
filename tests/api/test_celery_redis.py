"""A real Celery worker on the local Redis broker runs the heartbeat task into the database.

The worker is a subprocess (as in production) consuming a queue private to this test, so other
test runs sharing the Redis server can neither take its task nor hand it theirs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlmodel import Session

from api.db.engine import create_db_engine
from api.heartbeat.models import ServiceHeartbeat
from api.heartbeat.service import WORKER_HEARTBEAT
from api.settings import Settings
from api.tasks.celery_app import HEARTBEAT_TASK, create_celery

pytestmark = [pytest.mark.redis, pytest.mark.slow]

WAIT_SECONDS = 20.0


@pytest.fixture
def redis_settings(migrated_settings: Settings, redis_url: str) -> Settings:
    return migrated_settings.model_copy(update={"broker_url": redis_url})


@pytest.fixture
def private_queue(redis_url: str) -> Iterator[str]:
    name = f"redress-test-{uuid.uuid4().hex}"
    yield name
    client = redis.Redis.from_url(redis_url)
    try:
        # The queue's list and kombu's binding keys all carry the queue's name.
        stale_keys = list(client.scan_iter(match=f"*{name}*"))
        if stale_keys:
            client.delete(*stale_keys)
    finally:
        client.close()


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        process.wait()


def _heartbeat(database_url: str) -> ServiceHeartbeat | None:
    engine = create_db_engine(database_url)
    try:
        with Session(engine) as session:
            return session.get(ServiceHeartbeat, WORKER_HEARTBEAT)
    finally:
        engine.dispose()


def test_worker_on_redis_records_the_heartbeat(
    redis_settings: Settings, private_queue: str, tmp_path: Path
) -> None:
    log_path = tmp_path / "worker.log"
    command = [
        *(sys.executable, "-m", "celery", "-A", "api.tasks.celery_app", "worker"),
        *("--pool=solo", "--loglevel=info", f"--queues={private_queue}"),
        *("--without-mingle", "--without-gossip", "--without-heartbeat"),
    ]
    environment = {**os.environ, **redis_settings.to_environment()}
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            command, env=environment, stdout=log, stderr=subprocess.STDOUT, process_group=0
        )
    producer = create_celery(redis_settings)
    try:
        producer.send_task(HEARTBEAT_TASK, queue=private_queue)
        deadline = time.monotonic() + WAIT_SECONDS
        heartbeat = _heartbeat(redis_settings.database_url)
        while heartbeat is None and time.monotonic() < deadline:
            if worker.poll() is not None:
                pytest.fail(f"the worker exited early:\n{log_path.read_text()}")
            time.sleep(0.2)
            heartbeat = _heartbeat(redis_settings.database_url)
    finally:
        producer.close()
        _stop_group(worker)

    assert heartbeat is not None, f"no heartbeat within {WAIT_SECONDS} s:\n{log_path.read_text()}"
    assert "pid" in heartbeat.detail
    assert worker.returncode == 0
