"""The cases migration: up, down and up again, matching the models, on SQLite and PostgreSQL.

Checked at its own revision (not only at head), so later migrations cannot hide a difference;
and the constraints the services rely on are exercised on the migrated schema itself.
"""

from __future__ import annotations

from typing import Final

import pytest
from alembic import command
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import IntegrityError

from api.db.engine import create_db_engine
from api.db.migrate import alembic_config, upgrade_to_head
from api.settings import Settings
from tests.api.migration_checks import check_round_trip, model_differences

REVISION: Final = "c1d2e3f4a5b6"
PREVIOUS: Final = "b1c2d3e4f5a6"
TABLES: Final = frozenset(
    {"legal_case", "application", "case_fact", "case_event", "case_share", "survivor_access_code"}
)


def _check_round_trip(database_url: str) -> None:
    check_round_trip(
        database_url, revision=REVISION, previous=PREVIOUS, tables=TABLES, kept_table="organisation"
    )


def _insert_case(connection: Connection) -> None:
    connection.execute(
        text(
            "INSERT INTO organisation (id, name, slug, timezone, require_staff_totp, created_at) "
            "VALUES (1, 'Harbour Light Trust', 'harbour', 'Europe/London', false, CURRENT_TIMESTAMP)"
        )
    )
    connection.execute(
        text(
            "INSERT INTO legal_case (id, public_id, organisation_id, reference, preferred_language, "
            "jurisdiction, status, wrapped_data_key, created_at, updated_at) VALUES (1, 'a1', 1, "
            "'Case Kestrel', 'en', 'GB-ENG', 'open', 'v1:k:x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        )
    )


def _add_fact(connection: Connection, superseded: bool) -> None:
    connection.execute(
        text(
            "INSERT INTO case_fact (case_id, key, value_plain, is_unknown, source, given_at, superseded_at) "
            "VALUES (1, 'person.preferred_language', '\"en\"', false, 'advocate', CURRENT_TIMESTAMP, "
            + ("CURRENT_TIMESTAMP" if superseded else "NULL")
            + ")"
        )
    )


def _check_constraints(database_url: str) -> None:
    upgrade_to_head(database_url)
    engine = create_db_engine(database_url)
    try:
        with engine.begin() as connection:
            _insert_case(connection)
            _add_fact(connection, superseded=True)
            _add_fact(connection, superseded=True)  # history: any number of superseded rows
            _add_fact(connection, superseded=False)
        # but one current value per fact
        with pytest.raises(IntegrityError), engine.begin() as connection:
            _add_fact(connection, superseded=False)
        # a reference is unique within the organisation
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO legal_case (public_id, organisation_id, reference, preferred_language, "
                    "jurisdiction, status, wrapped_data_key, created_at, updated_at) VALUES ('a2', 1, "
                    "'Case Kestrel', 'en', 'GB-ENG', 'open', 'v1:k:x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
        # erasing a case takes its facts with it and keeps its trail, detached
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO case_event (case_id, organisation_id, action, at) "
                    "VALUES (1, 1, 'case.created', CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(text("DELETE FROM legal_case WHERE id = 1"))
            assert connection.execute(text("SELECT count(*) FROM case_fact")).scalar_one() == 0
            assert connection.execute(text("SELECT case_id FROM case_event")).scalar_one() is None
    finally:
        engine.dispose()


def test_the_migration_round_trips_on_sqlite(settings: Settings) -> None:
    _check_round_trip(settings.database_url)


def test_the_schema_keeps_its_promises_on_sqlite(settings: Settings) -> None:
    _check_constraints(settings.database_url)


@pytest.mark.postgres
def test_the_migration_round_trips_on_postgresql(postgres_database: str) -> None:
    _check_round_trip(postgres_database)


@pytest.mark.postgres
def test_the_schema_keeps_its_promises_on_postgresql(postgres_database: str) -> None:
    _check_constraints(postgres_database)


CURRENT_INDEX_REVISION: Final = "fa1b2c3d4e5a"
BEFORE_CURRENT_INDEX: Final = "f9a1b2c3d4e9"


def _case_fact_indexes(database_url: str) -> set[str]:
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            return {str(index["name"]) for index in inspect(connection).get_indexes("case_fact")}
    finally:
        engine.dispose()


def _check_current_index_round_trip(database_url: str) -> None:
    """The (case_id, superseded_at) index replaces the case_id one, on facts already stored,
    and goes back on downgrade."""
    config = alembic_config(database_url)
    command.upgrade(config, BEFORE_CURRENT_INDEX)
    engine = create_db_engine(database_url)
    try:
        with engine.begin() as connection:
            _insert_case(connection)
            _add_fact(connection, superseded=True)
            _add_fact(connection, superseded=False)
    finally:
        engine.dispose()
    command.upgrade(config, CURRENT_INDEX_REVISION)
    indexes = _case_fact_indexes(database_url)
    assert "ix_case_fact_case_id_superseded_at" in indexes
    assert "ix_case_fact_case_id" not in indexes
    command.downgrade(config, BEFORE_CURRENT_INDEX)
    indexes = _case_fact_indexes(database_url)
    assert "ix_case_fact_case_id" in indexes
    assert "ix_case_fact_case_id_superseded_at" not in indexes
    upgrade_to_head(database_url)
    assert model_differences(database_url, {"case_fact"}) == []


def test_the_current_facts_index_round_trips_on_sqlite(settings: Settings) -> None:
    _check_current_index_round_trip(settings.database_url)


@pytest.mark.postgres
def test_the_current_facts_index_round_trips_on_postgresql(postgres_database: str) -> None:
    _check_current_index_round_trip(postgres_database)
