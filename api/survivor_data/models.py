"""The ``deletion_request`` table: a survivor asked for their case's data to be deleted."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import Column, ForeignKey
from sqlmodel import Field, SQLModel

from api.db.types import UtcDateTime


class DeletionRequest(SQLModel, table=True):
    """One request; open until a caseworker records that it was handled."""

    __tablename__: ClassVar[str] = "deletion_request"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(
        sa_column=Column(ForeignKey("legal_case.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    requested_by_user_id: int = Field(foreign_key="app_user.id")
    requested_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    handled_by_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    handled_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
