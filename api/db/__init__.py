"""Persistence: the engine, sessions, column types, the table registry and migrations.

Importing any ``api.db`` module first applies the constraint naming convention to
``SQLModel.metadata`` (see :mod:`api.db.engine`). Table modules import ``api.db.types``, so the
convention is in place before any table defines a constraint.
"""

from api.db import engine as _engine  # noqa: F401  (applies the naming convention)
