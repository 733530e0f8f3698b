"""Every table module, imported so that ``SQLModel.metadata`` is complete.

Alembic's ``env.py`` (autogenerate, ``alembic check``) and tests that compare models with
migrations import this module. A new domain's ``models.py`` is added here.
"""

from sqlmodel import SQLModel

from api.heartbeat import models as heartbeat_models

metadata = SQLModel.metadata

__all__ = ["heartbeat_models", "metadata"]
