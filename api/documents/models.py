"""Tables of generated documents: ``document_version``, ``document_comment``, ``document_filing``,
and ``form_fill`` (a user's copy of an official PDF form filled with the case's answers).

A *version* is one generation of one template for one case: the row is created ``queued`` by
the web request and filled in by a Celery worker (``running`` → ``done`` or ``failed``). It
records what it was built from (the template version, the keys of the facts it used with the
time each was given) but never the values: the outputs (DOCX, PDF, the HTML preview's blocks)
are stored encrypted under the case's data key. A version is never regenerated in place: a new
generation is a new row, and an approved one is frozen with its SHA-256.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from sqlalchemy import Column, ForeignKey, Index, LargeBinary, Text
from sqlmodel import Field, SQLModel

from api.cases.models import new_public_id
from api.db.types import UtcDateTime


class GenerationStatus(StrEnum):
    """Where a generation stands."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ReviewStatus(StrEnum):
    """What the reviewing lawyer decided about a version."""

    NOT_REVIEWED = "not_reviewed"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"


class FilingMethod(StrEnum):
    """How a filing was sent."""

    ONLINE = "online"
    EMAIL = "email"
    POST = "post"
    BY_HAND = "by_hand"


class DocumentVersion(SQLModel, table=True):
    """One generation of one template for one case."""

    __tablename__: ClassVar[str] = "document_version"
    __table_args__: ClassVar[tuple[object, ...]] = (
        # A case's documents, newest version of each template first.
        Index("ix_document_version_case_id_template", "case_id", "template", "number"),
        # The worker's sweep: queued or stuck rows, oldest first.
        Index("ix_document_version_status_requested_at", "status", "requested_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, max_length=32, unique=True)
    case_id: int = Field(sa_column=Column(ForeignKey("legal_case.id", ondelete="CASCADE"), nullable=False))
    template: str = Field(max_length=64)
    template_version: str = Field(max_length=16)
    number: int  # 1, 2, … per (case, template)
    status: str = Field(default=GenerationStatus.QUEUED.value, max_length=16)
    # Why it failed, in words for the advocate (fact labels, never values).
    error: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    attempts: int = Field(default=0)
    claim_token: str | None = Field(default=None, max_length=32)
    # JSON {fact key: ISO time the value was given, or null if unanswered}: what it was built from.
    facts_used: str = Field(default="{}", sa_column=Column(Text(), nullable=False))
    stale_facts: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))  # JSON list
    docx_encrypted: bytes | None = Field(default=None, sa_column=Column(LargeBinary(), nullable=True))
    pdf_encrypted: bytes | None = Field(default=None, sa_column=Column(LargeBinary(), nullable=True))
    preview_encrypted: bytes | None = Field(default=None, sa_column=Column(LargeBinary(), nullable=True))
    docx_sha256: str | None = Field(default=None, max_length=64)
    pdf_sha256: str | None = Field(default=None, max_length=64)
    pdf_note: str | None = Field(default=None, max_length=300)
    review_status: str = Field(default=ReviewStatus.NOT_REVIEWED.value, max_length=24)
    reviewed_by_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    reviewed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    approved_sha256: str | None = Field(default=None, max_length=64)
    requested_by_user_id: int = Field(foreign_key="app_user.id")
    requested_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    started_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))


class DocumentComment(SQLModel, table=True):
    """A comment on a version, or on one of its paragraphs; the text encrypted like a case comment."""

    __tablename__: ClassVar[str] = "document_comment"

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, max_length=32, unique=True)
    version_id: int = Field(
        sa_column=Column(ForeignKey("document_version.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    paragraph: int | None = Field(default=None)  # the preview block's number; None: the whole document
    author_user_id: int = Field(foreign_key="app_user.id")
    body_encrypted: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class DocumentFiling(SQLModel, table=True):
    """The advocate's record that an approved version was filed: when, how and with whom."""

    __tablename__: ClassVar[str] = "document_filing"

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(
        sa_column=Column(ForeignKey("document_version.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    filed_on: date
    method: str = Field(max_length=16)
    recipient: str = Field(max_length=200)
    recorded_by_user_id: int = Field(foreign_key="app_user.id")
    recorded_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class FormFill(SQLModel, table=True):
    """One filling of a user's copy of an official fillable form (Form I-914) with a case's
    answers: the web request stores the uploaded blank form (encrypted) and queues the row; the
    worker fills it (``queued`` → ``running`` → ``done`` or ``failed``). ``report`` lists what was
    filled and what is left by hand (places, field names and reasons, never the answers)."""

    __tablename__: ClassVar[str] = "form_fill"
    __table_args__: ClassVar[tuple[object, ...]] = (
        Index("ix_form_fill_status_requested_at", "status", "requested_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, max_length=32, unique=True)
    case_id: int = Field(
        sa_column=Column(ForeignKey("legal_case.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    form: str = Field(max_length=32)  # "I-914"
    status: str = Field(default=GenerationStatus.QUEUED.value, max_length=16)
    error: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    attempts: int = Field(default=0)
    claim_token: str | None = Field(default=None, max_length=32)
    blank_encrypted: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    blank_sha256: str = Field(max_length=64)
    filled_encrypted: bytes | None = Field(default=None, sa_column=Column(LargeBinary(), nullable=True))
    filled_sha256: str | None = Field(default=None, max_length=64)
    report: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))  # JSON
    requested_by_user_id: int = Field(foreign_key="app_user.id")
    requested_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    started_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
