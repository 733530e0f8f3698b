"""The staff set-up codes migration (issue 3): up, down and up again, matching the models
exactly, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Final

import pytest

from api.settings import Settings
from tests.api.migration_checks import check_round_trip

REVISION: Final = "f9a1b2c3d4e9"
PREVIOUS: Final = "f6a1b2c3d4e6"
TABLES: Final = frozenset({"staff_setup_code"})


def _check_round_trip(database_url: str) -> None:
    check_round_trip(database_url, revision=REVISION, previous=PREVIOUS, tables=TABLES, kept_table="app_user")


def test_the_migration_round_trips_on_sqlite(settings: Settings) -> None:
    _check_round_trip(settings.database_url)


@pytest.mark.postgres
def test_the_migration_round_trips_on_postgresql(postgres_database: str) -> None:
    _check_round_trip(postgres_database)
