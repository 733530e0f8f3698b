"""The organisations-and-auth migration: up, down and up again, matching the models exactly.

Checked at its own revision (not only at head), so later migrations cannot hide a difference.
"""

from __future__ import annotations

from typing import Any, Final

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from api.db.engine import create_db_engine
from api.db.migrate import alembic_config, upgrade_to_head
from api.db.tables import metadata
from api.settings import Settings

REVISION: Final = "b1c2d3e4f5a6"
PREVIOUS: Final = "a64a0edc500e"
TABLES: Final = frozenset(
    {"organisation", "app_user", "membership", "partner_link", "user_session", "login_attempt", "api_token"}
)


def _tables(database_url: str) -> set[str]:
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def _differences(database_url: str) -> list[Any]:
    # include_name filters what is reflected from the database, include_object what the models
    # hold: other migrations' tables are theirs to check.
    def only_these_tables(name: str | None, type_: str, parent_names: Any) -> bool:
        return type_ != "table" or name in TABLES

    def only_these_objects(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        return type_ != "table" or name in TABLES

    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "include_name": only_these_tables,
                    "include_object": only_these_objects,
                    "compare_type": True,
                },
            )
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def _check_round_trip(database_url: str) -> None:
    config = alembic_config(database_url)

    command.upgrade(config, REVISION)
    assert _tables(database_url) >= TABLES
    assert _differences(database_url) == []

    command.downgrade(config, PREVIOUS)
    assert not TABLES & _tables(database_url)
    assert "service_heartbeat" in _tables(database_url)

    upgrade_to_head(database_url)
    assert _tables(database_url) >= TABLES
    assert _differences(database_url) == []


def test_the_migration_round_trips_on_sqlite(settings: Settings) -> None:
    _check_round_trip(settings.database_url)


@pytest.mark.postgres
def test_the_migration_round_trips_on_postgresql(postgres_database: str) -> None:
    _check_round_trip(postgres_database)
