"""The deadlines and reminders migration: up, down and up again, matching the models, on SQLite
and PostgreSQL; and the reminder's idempotency key really is unique in the migrated schema."""

from __future__ import annotations

from typing import Final

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from api.db.engine import create_db_engine
from api.db.migrate import upgrade_to_head
from api.settings import Settings
from tests.api.migration_checks import check_round_trip

REVISION: Final = "e5a1b2c3d4e5"
PREVIOUS: Final = "d1e2f3a4b5c6"
TABLES: Final = frozenset(
    {
        "case_deadline",
        "reminder",
        "reminder_policy",
        "notification",
        "calendar_feed",
        "org_webhook",
        "staff_reminder_setting",
        "contact_preference",
    }
)
_REMINDER: Final = (
    "INSERT INTO reminder (public_id, idempotency_key, organisation_id, purpose, recipient, channel, "
    "due_at, state, attempts, created_at) VALUES (:public_id, 'r:1:2027-03-10:0:advocate:1:email', 1, "
    "'reminder', 'advocate', 'email', CURRENT_TIMESTAMP, 'pending', 0, CURRENT_TIMESTAMP)"
)


def _check(database_url: str) -> None:
    check_round_trip(
        database_url, revision=REVISION, previous=PREVIOUS, tables=TABLES, kept_table="case_comment"
    )
    upgrade_to_head(database_url)
    engine = create_db_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO organisation (id, name, slug, timezone, require_staff_totp, created_at) "
                    "VALUES (1, 'Harbour Light Trust', 'harbour', 'Europe/London', false, CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(text(_REMINDER), {"public_id": "a1"})
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(text(_REMINDER), {"public_id": "a2"})
    finally:
        engine.dispose()


def test_the_migration_round_trips_on_sqlite(settings: Settings) -> None:
    _check(settings.database_url)


@pytest.mark.postgres
def test_the_migration_round_trips_on_postgresql(postgres_database: str) -> None:
    _check(postgres_database)
