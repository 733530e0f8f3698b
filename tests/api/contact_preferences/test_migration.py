"""The safe-times migration adds its three columns to ``contact_preference`` (matching the
model), removes them on the way down, and keeps the rows that were there, on SQLite and
PostgreSQL."""

from __future__ import annotations

from typing import Final

import pytest
from alembic import command
from sqlalchemy import inspect, text

from api.db.engine import create_db_engine
from api.db.migrate import alembic_config, upgrade_to_head
from api.settings import Settings
from tests.api.migration_checks import model_differences, seed_case

REVISION: Final = "f5a1b2c3d4e5"
PREVIOUS: Final = "e6a1b2c3d4e5"
COLUMNS: Final = {"safe_from_hour", "safe_until_hour", "weekdays_only"}


def _columns(database_url: str) -> set[str]:
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            return {c["name"] for c in inspect(connection).get_columns("contact_preference")}
    finally:
        engine.dispose()


def _check(database_url: str) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, PREVIOUS)
    engine = create_db_engine(database_url)
    try:
        with engine.begin() as connection:
            seed_case(connection, with_user=False)
            connection.execute(
                text(
                    "INSERT INTO contact_preference (case_id, reminders_opt_in, email_safe, in_app_safe, "
                    "org_name_allowed, language, updated_at) VALUES (1, true, false, true, false, 'ar', "
                    "CURRENT_TIMESTAMP)"
                )
            )
    finally:
        engine.dispose()

    command.upgrade(config, REVISION)
    assert _columns(database_url) >= COLUMNS
    assert model_differences(database_url, {"contact_preference"}) == []
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                text(
                    "SELECT language, safe_from_hour, safe_until_hour, weekdays_only FROM contact_preference"
                )
            ).one()
    finally:
        engine.dispose()
    # A person who chose before there were safe times keeps "any time".
    assert tuple(row) == ("ar", None, None, False)

    command.downgrade(config, PREVIOUS)
    assert not COLUMNS & _columns(database_url)
    upgrade_to_head(database_url)
    assert _columns(database_url) >= COLUMNS


def test_the_migration_round_trips_on_sqlite(settings: Settings) -> None:
    _check(settings.database_url)


@pytest.mark.postgres
def test_the_migration_round_trips_on_postgresql(postgres_database: str) -> None:
    _check(postgres_database)
