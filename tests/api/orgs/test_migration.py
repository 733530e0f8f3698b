"""The organisations-and-auth migration: up, down and up again, matching the models exactly.

Checked at its own revision (not only at head), so later migrations cannot hide a difference.
"""

from __future__ import annotations

from typing import Final

import pytest

from api.settings import Settings
from tests.api.migration_checks import check_round_trip

REVISION: Final = "b1c2d3e4f5a6"
PREVIOUS: Final = "a64a0edc500e"
TABLES: Final = frozenset(
    {"organisation", "app_user", "membership", "partner_link", "user_session", "login_attempt", "api_token"}
)


def _check_round_trip(database_url: str) -> None:
    check_round_trip(
        database_url, revision=REVISION, previous=PREVIOUS, tables=TABLES, kept_table="service_heartbeat"
    )


def test_the_migration_round_trips_on_sqlite(settings: Settings) -> None:
    _check_round_trip(settings.database_url)


@pytest.mark.postgres
def test_the_migration_round_trips_on_postgresql(postgres_database: str) -> None:
    _check_round_trip(postgres_database)
