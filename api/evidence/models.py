"""The ``evidence_file`` table: one uploaded file, its name and content encrypted with the case's
data key (AES-256-GCM, bound to the case and the file by the associated data)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import Column, ForeignKey, LargeBinary
from sqlmodel import Field, SQLModel

from api.cases.models import new_public_id
from api.db.types import UtcDateTime


class EvidenceFile(SQLModel, table=True):
    """One uploaded file of a case."""

    __tablename__: ClassVar[str] = "evidence_file"

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, max_length=32, unique=True)
    # Files go with their case when it is erased.
    case_id: int = Field(
        sa_column=Column(ForeignKey("legal_case.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    uploaded_by_user_id: int = Field(foreign_key="app_user.id")
    content_type: str = Field(max_length=40)
    size_bytes: int
    # The file's name can say what it is ("police statement.pdf"): encrypted like its content.
    name_encrypted: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    content_encrypted: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    # Whether hidden details (location, camera, dates) were removed: images yes, PDFs no.
    metadata_removed: bool
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
