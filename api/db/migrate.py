"""Alembic, driven from code: apply migrations and read revisions.

The configuration is built here rather than read from a file, so migrations run the same from any
working directory and from an installed package. It mirrors ``[tool.alembic]`` in
``pyproject.toml``, which the ``alembic`` command uses for authoring (``alembic revision``); the
scripts live in ``api/db/migrations`` either way. The database URL travels in
``Config.attributes`` rather than as an ini option, so a ``%`` in a password needs no escaping.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

MIGRATIONS_DIR: Final = Path(__file__).resolve().parent / "migrations"
DATABASE_URL_ATTRIBUTE: Final = "database_url"
FILE_TEMPLATE: Final = "%%(year)d-%%(month).2d-%%(day).2d_%%(slug)s"


def alembic_config(database_url: str) -> Config:
    """Return an Alembic configuration for ``database_url`` using Redress's migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("file_template", FILE_TEMPLATE)
    config.attributes[DATABASE_URL_ATTRIBUTE] = database_url
    return config


def upgrade_to_head(database_url: str) -> str | None:
    """Apply every pending migration to ``database_url``; return the revision now current."""
    command.upgrade(alembic_config(database_url), "head")
    return head_revision()


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    """The newest revision in the migration scripts (they don't change while running)."""
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def current_revision(connection: Connection) -> str | None:
    """The revision the database behind ``connection`` is at (None: never migrated)."""
    return MigrationContext.configure(connection).get_current_revision()
