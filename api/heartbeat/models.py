"""The ``service_heartbeat`` table: when each background service last reported in."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from api.db.types import UtcDateTime


class ServiceHeartbeat(SQLModel, table=True):
    """One row per service (``worker``, …), overwritten at every heartbeat."""

    __tablename__: ClassVar[str] = "service_heartbeat"

    name: str = Field(primary_key=True, max_length=64)
    last_seen_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    detail: str = Field(default="", max_length=200)
