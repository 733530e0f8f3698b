"""Alembic environment for Redress.

The database URL comes from ``Config.attributes`` when migrations run from code
(:func:`api.db.migrate.upgrade_to_head`) and from :func:`api.settings.get_settings` when they run
from the ``alembic`` command (``REDRESS_DATABASE_URL``). There is no ``alembic.ini``.
"""

from __future__ import annotations

import os
from logging.config import fileConfig
from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import pool

from api.db.engine import create_db_engine
from api.db.migrate import DATABASE_URL_ATTRIBUTE
from api.db.tables import metadata
from api.db.types import UtcDateTime
from api.settings import get_settings

config = context.config

# Without an ini file Alembic still reports a default name that doesn't exist; fileConfig
# would raise FileNotFoundError on it.
if config.config_file_name is not None and os.path.exists(config.config_file_name):
    fileConfig(config.config_file_name)

# Tables owned by Celery and kombu, should they ever share this database: never ours to
# create or drop.
FOREIGN_TABLE_PREFIXES = ("kombu_", "celery_")


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Keep Celery's and kombu's tables out of autogenerate's comparison."""
    return not (type_ == "table" and name is not None and name.startswith(FOREIGN_TABLE_PREFIXES))


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    """Render app column types as plain SQLAlchemy types, so migrations never import app code."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def database_url() -> str:
    url = config.attributes.get(DATABASE_URL_ATTRIBUTE)
    return str(url) if url else get_settings().database_url


def run_migrations_offline() -> None:
    """Emit SQL to stdout (``alembic upgrade head --sql``) without a connection."""
    url = database_url()
    context.configure(
        url=url,
        target_metadata=metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.startswith("sqlite"),
        include_name=include_name,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Apply migrations over a connection of their own."""
    engine = create_db_engine(database_url(), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=metadata,
                # SQLite can't ALTER most things; batch mode rebuilds the table instead.
                render_as_batch=connection.dialect.name == "sqlite",
                include_name=include_name,
                render_item=render_item,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
