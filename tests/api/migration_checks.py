"""Checks every migration test uses: up to its own revision, down, and up to head again.

A migration is checked at its own revision (not only at head), so later migrations cannot hide
a difference between it and the models. Only the migration's own tables are compared, on both
sides: other tables belong to other migrations' tests.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Final

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text

from api.db.engine import create_db_engine
from api.db.migrate import alembic_config, upgrade_to_head
from api.db.tables import metadata


def table_names(database_url: str) -> set[str]:
    """The tables the database holds now."""
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


# Indexes that a later migration adds to an earlier migration's table: that earlier migration,
# checked at its own revision, cannot have them yet (they are checked at head).
ADDED_LATER: Final = frozenset({"ix_legal_case_survivor_user_id", "ix_case_fact_case_id_superseded_at"})
# Indexes that a later migration drops from an earlier migration's table (the earlier migration
# still creates them; the models no longer have them).
DROPPED_LATER: Final = frozenset({"ix_case_fact_case_id"})
# Columns that a later migration adds to an earlier migration's table, as (table, column).
COLUMNS_ADDED_LATER: Final = frozenset(
    {
        ("contact_preference", "safe_from_hour"),
        ("contact_preference", "safe_until_hour"),
        ("contact_preference", "weekdays_only"),
    }
)


def model_differences(database_url: str, tables: Collection[str], *, at_head: bool = True) -> list[Any]:
    """Differences between the models and the database, for ``tables`` only (before head,
    without the indexes of :data:`ADDED_LATER` and :data:`DROPPED_LATER` and the columns of
    :data:`COLUMNS_ADDED_LATER`)."""

    def table_of(obj: Any, name: str | None, type_: str) -> str | None:
        return name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)

    def reflected_name(name: str | None, type_: str, parent_names: Any) -> bool:
        return type_ != "table" or name in tables

    def model_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        if not at_head and type_ == "index" and name in ADDED_LATER | DROPPED_LATER:
            return False
        if not at_head and type_ == "column" and (table_of(obj, name, type_), name) in COLUMNS_ADDED_LATER:
            return False
        return table_of(obj, name, type_) in tables

    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={"include_name": reflected_name, "include_object": model_object, "compare_type": True},
            )
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def check_round_trip(
    database_url: str, *, revision: str, previous: str, tables: Collection[str], kept_table: str
) -> None:
    """Upgrade to ``revision`` (tables created, matching the models), downgrade to ``previous``
    (tables gone, ``kept_table`` of the earlier migration still there), then upgrade to head."""
    config = alembic_config(database_url)

    command.upgrade(config, revision)
    assert table_names(database_url) >= set(tables)
    assert model_differences(database_url, tables, at_head=False) == []

    command.downgrade(config, previous)
    assert not set(tables) & table_names(database_url)
    assert kept_table in table_names(database_url)

    upgrade_to_head(database_url)
    assert table_names(database_url) >= set(tables)
    assert model_differences(database_url, tables) == []


def seed_case(connection: Connection, *, with_user: bool = True) -> None:
    """One organisation (id 1), optionally one staff user (id 1), and one case (id 1) in it,
    written with plain SQL: a migration's test may run before the models' tables all exist."""
    connection.execute(
        text(
            "INSERT INTO organisation (id, name, slug, timezone, require_staff_totp, created_at) "
            "VALUES (1, 'Harbour Light Trust', 'harbour', 'Europe/London', false, CURRENT_TIMESTAMP)"
        )
    )
    if with_user:
        connection.execute(
            text(
                "INSERT INTO app_user (id, email, display_name, password_hash, is_active, created_at) "
                "VALUES (1, 'bea@harbour.example', 'Bea Advocate', 'x', true, CURRENT_TIMESTAMP)"
            )
        )
    connection.execute(
        text(
            "INSERT INTO legal_case (id, public_id, organisation_id, reference, preferred_language, "
            "jurisdiction, status, wrapped_data_key, created_at, updated_at) VALUES (1, 'a1', 1, "
            "'Case Kestrel', 'en', 'GB-ENG', 'open', 'v1:k:x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        )
    )
