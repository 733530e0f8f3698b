"""The ``survivor_question`` migration: up to its own revision matching the model, down, up to
head again; a case's questions go with the case (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Final

import pytest
from sqlalchemy import text

from api.db.engine import create_db_engine
from api.settings import Settings
from tests.api.migration_checks import check_round_trip, seed_case

REVISION: Final = "f6a1b2c3d4e6"
PREVIOUS: Final = "f8a1b2c3d4e8"


def _check_round_trip_and_cascade(database_url: str) -> None:
    check_round_trip(
        database_url,
        revision=REVISION,
        previous=PREVIOUS,
        tables={"survivor_question"},
        kept_table="case_message",
    )
    engine = create_db_engine(database_url)
    try:
        with engine.begin() as connection:
            seed_case(connection)
            connection.execute(text(
                "INSERT INTO survivor_question (public_id, case_id, fact_key, asked_by_user_id, asked_at) "
                "VALUES ('q1', 1, 'police.reported', 1, CURRENT_TIMESTAMP)"
            ))  # fmt: skip
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM legal_case WHERE id = 1"))
            assert connection.execute(text("SELECT count(*) FROM survivor_question")).scalar_one() == 0
    finally:
        engine.dispose()


def test_the_migration_round_trips_and_questions_go_with_their_case_on_sqlite(settings: Settings) -> None:
    _check_round_trip_and_cascade(settings.database_url)


@pytest.mark.postgres
def test_the_migration_round_trips_and_questions_go_with_their_case_on_postgresql(
    postgres_database: str,
) -> None:
    _check_round_trip_and_cascade(postgres_database)
