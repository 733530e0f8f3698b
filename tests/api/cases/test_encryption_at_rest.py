"""The database holds no plaintext of a sensitive answer: not in SQLite's files, not in PostgreSQL.

Distinctive fictional values are written through the services (a crime reference, a narrative,
an address, a date of birth, and a superseded earlier value), then the raw storage is searched
for them. A positive control (the case reference, stored plain on purpose) proves the search
would have found them.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Final

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from api.cases import service
from api.db.engine import create_db_engine, sqlite_file
from api.db.migrate import upgrade_to_head
from api.settings import Settings
from tests.api.cases.builders import NOW, TODAY, actor, make_world, new_case, start
from tests.conftest import require_service

REFERENCE: Final = "Case Kestrel"
SECRETS: Final = (
    "ZEBRA-4471-QUOKKA",  # the crime reference, later corrected: the superseded row must not leak
    "ZEBRA-9902-WOMBAT",  # the corrected crime reference
    "Marigold the quokka kept my passport in the blue lighthouse",  # a narrative
    "17 Wombat Crescent, Lowestoft",  # where the survivor lives
    "1987-06-23",  # a date of birth
)


def _write_sensitive_case(session: Session, settings: Settings) -> None:
    world = make_world(session, settings)
    case = new_case(session, settings, world, REFERENCE)
    start(session, settings, world, case, "uk.cica")
    advocate = actor(session, world.advocate)
    answers: dict[str, object] = {
        "person.date_of_birth": SECRETS[4],
        "person.address": SECRETS[3],
        "incident.date": "2019-03-10",
        "police.reported": True,
        "police.first_report_date": "2019-04-01",
        "police.crime_reference": SECRETS[0],
        "cica.delay_reasons": SECRETS[2],
    }
    service.change_facts(session, settings, advocate, case, answers, source="advocate", now=NOW, today=TODAY)
    service.change_facts(
        session,
        settings,
        advocate,
        case,
        {"police.crime_reference": SECRETS[1]},
        source="advocate",
        now=NOW,
        today=TODAY,
    )
    # The services read it all back: the values are there, only not in the clear
    facts = service.read_facts(session, settings, case)
    assert facts["cica.delay_reasons"].value == SECRETS[2]
    assert facts["police.crime_reference"].value == SECRETS[1]


def _assert_no_plaintext(raw: bytes) -> None:
    assert REFERENCE.encode() in raw, "positive control: the search must find plain values"
    for secret in SECRETS:
        assert secret.encode() not in raw, f"{secret!r} is stored in the clear"
        assert secret.encode().hex().encode() not in raw.lower(), f"{secret!r} is stored as hex"


@pytest.mark.sqlite_only
def test_the_sqlite_files_hold_no_sensitive_plaintext(db_session: Session, cheap_settings: Settings) -> None:
    _write_sensitive_case(db_session, cheap_settings)
    db_session.close()
    database = sqlite_file(cheap_settings.database_url)
    assert database is not None
    # Move everything from the write-ahead log into the main file, then read both as bytes
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    files = [path for path in (database, Path(f"{database}-wal")) if path.exists()]
    _assert_no_plaintext(b"".join(path.read_bytes() for path in files))


@pytest.mark.postgres
def test_postgresql_rows_hold_no_sensitive_plaintext(
    postgres_database: str, cheap_settings: Settings
) -> None:
    upgrade_to_head(postgres_database)
    engine = create_db_engine(postgres_database)
    try:
        with Session(engine) as session:
            _write_sensitive_case(session, cheap_settings)
            # Every row of every table, as PostgreSQL renders it (bytea as hex escapes)
            tables = session.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
            ).scalars()
            dump = []
            for table in tables:
                rows = session.execute(text(f'SELECT t::text FROM "{table}" AS t')).scalars()
                dump.extend(str(row) for row in rows)
            # and the encrypted column's raw bytes, which ::text shows only as hex
            blobs = session.execute(
                text("SELECT value_encrypted FROM case_fact WHERE value_encrypted IS NOT NULL")
            ).scalars()
            raw = "\n".join(dump).encode() + b"".join(bytes(blob) for blob in blobs)
    finally:
        engine.dispose()
    _assert_no_plaintext(raw)


@pytest.mark.postgres
def test_a_pg_dump_holds_no_sensitive_plaintext(postgres_database: str, cheap_settings: Settings) -> None:
    require_service(
        "pg_dump", lambda: shutil.which("pg_dump") or _missing("pg_dump"), "apt-get install postgresql-client"
    )
    upgrade_to_head(postgres_database)
    engine = create_db_engine(postgres_database)
    try:
        with Session(engine) as session:
            _write_sensitive_case(session, cheap_settings)
    finally:
        engine.dispose()
    libpq_url = make_url(postgres_database).set(drivername="postgresql").render_as_string(False)
    dump = subprocess.run(
        ["pg_dump", "--data-only", "--no-owner", libpq_url], check=True, capture_output=True, timeout=60
    ).stdout
    _assert_no_plaintext(dump)


def _missing(name: str) -> str:
    raise FileNotFoundError(f"{name} is not on PATH")
