"""A real Celery worker (a subprocess, the embedded SQLite broker) generates queued documents:
one task takes every queued version in one batch, and a repeated task changes nothing; and it
fills an uploaded copy of Form I-914."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import Session, select

from api.cases import service as cases_service
from api.db.engine import create_db_engine
from api.documents import form_fill, service
from api.documents.models import DocumentVersion, FormFill, GenerationStatus
from api.documents.pdf_form import field_values
from api.settings import Settings
from api.tasks.celery_app import create_celery, prepare_broker
from api.tasks.documents import FILL_TASK, GENERATE_TASK
from tests.api.cases.builders import NOW, TODAY, World, actor, new_case
from tests.api.documents.fillable_pdf import fillable_pdf
from tests.api.documents.fixtures import FACTS
from tests.api.documents.programs import require_libreoffice

pytestmark = [pytest.mark.slow]

WAIT_SECONDS = 90.0


def _statuses(database_url: str) -> list[str]:
    engine = create_db_engine(database_url)
    try:
        with Session(engine) as session:
            return [
                v.status for v in session.exec(select(DocumentVersion).order_by(DocumentVersion.id)).all()
            ]
    finally:
        engine.dispose()


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        process.wait()


def test_a_real_worker_generates_the_queued_versions_in_one_batch(
    db_session: Session, cheap_settings: Settings, world: World, tmp_path: Path
) -> None:
    require_libreoffice()
    case = new_case(db_session, cheap_settings, world)
    advocate = actor(db_session, world.advocate)
    cases_service.change_facts(
        db_session, cheap_settings, advocate, case, FACTS, source="advocate", now=NOW, today=TODAY
    )
    first = service.request_generation(db_session, cheap_settings, advocate, case, "cica_claim_pack", now=NOW)
    second = service.request_generation(
        db_session, cheap_settings, advocate, case, "witness_statement", now=NOW
    )
    app = create_celery(cheap_settings)
    prepare_broker(app)
    log_path = tmp_path / "worker.log"
    command = [
        *(sys.executable, "-m", "celery", "-A", "api.tasks.celery_app", "worker"),
        *("--pool=solo", "--loglevel=info", "--without-mingle", "--without-gossip", "--without-heartbeat"),
    ]
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            command,
            env={**os.environ, **cheap_settings.to_environment()},
            stdout=log,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
    try:
        app.send_task(GENERATE_TASK, args=[first.id])
        app.send_task(GENERATE_TASK, args=[second.id])  # finds it already done: harmless
        deadline = time.monotonic() + WAIT_SECONDS
        statuses = _statuses(cheap_settings.database_url)
        while statuses != [GenerationStatus.DONE.value] * 2 and time.monotonic() < deadline:
            if worker.poll() is not None:
                pytest.fail(f"the worker exited early:\n{log_path.read_text()}")
            time.sleep(0.5)
            statuses = _statuses(cheap_settings.database_url)
    finally:
        app.close()
        _stop_group(worker)

    assert statuses == ["done", "done"], log_path.read_text()
    db_session.expire_all()
    generated = db_session.exec(select(DocumentVersion).order_by(DocumentVersion.id)).all()
    assert all(v.pdf_encrypted is not None for v in generated), [v.pdf_note for v in generated]
    assert generated[0].started_at == generated[1].started_at  # claimed together: one batch
    assert all(v.attempts == 1 for v in generated)


def test_a_real_worker_fills_an_uploaded_form(
    db_session: Session, cheap_settings: Settings, world: World, tmp_path: Path
) -> None:
    case = new_case(db_session, cheap_settings, world, jurisdiction="US-TX")
    advocate = actor(db_session, world.advocate)
    cases_service.change_facts(
        db_session,
        cheap_settings,
        advocate,
        case,
        {"person.date_of_birth": "1994-06-12"},
        source="advocate",
        now=NOW,
        today=TODAY,
    )
    fill = form_fill.request_fill(db_session, cheap_settings, advocate, case, fillable_pdf(), now=NOW)
    app = create_celery(cheap_settings)
    prepare_broker(app)
    log_path = tmp_path / "worker.log"
    command = [
        *(sys.executable, "-m", "celery", "-A", "api.tasks.celery_app", "worker"),
        *("--pool=solo", "--loglevel=info", "--without-mingle", "--without-gossip", "--without-heartbeat"),
    ]
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            command,
            env={**os.environ, **cheap_settings.to_environment()},
            stdout=log,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
    try:
        app.send_task(FILL_TASK, args=[fill.id])
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            db_session.expire_all()
            if db_session.get_one(FormFill, fill.id).status in ("done", "failed"):
                break
            if worker.poll() is not None:
                pytest.fail(f"the worker exited early:\n{log_path.read_text()}")
            time.sleep(0.5)
    finally:
        app.close()
        _stop_group(worker)

    db_session.expire_all()
    done = db_session.get_one(FormFill, fill.id)
    assert done.status == "done", (done.error, log_path.read_text())
    filled = form_fill.download_filled(db_session, cheap_settings, advocate, case, done.public_id, now=NOW)
    assert filled is not None
    assert field_values(filled)["P1_Line2_DateOfBirth[0]"] == "06/12/1994"
