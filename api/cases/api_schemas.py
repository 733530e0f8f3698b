"""The JSON shapes of the cases API (``/api/v1/cases``): request bodies and responses.

Pydantic models, so that FastAPI validates requests and OpenAPI documents every field. The
services return rows and the frozen dataclasses of :mod:`api.cases.schemas`; the ``from_*``
constructors here turn them into what API clients see. Cases and applications are known by
their ``public_id`` (as ``id``); internal integer ids of cases never leave the server.

The evaluation models mirror :meth:`workflows.engine.Evaluation.to_dict` field for field (a test
keeps them in step), so the API serves the engine's own JSON contract, documented.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Final, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from api.cases.comments import BODY_MAX_LENGTH, CommentView
from api.cases.facts_store import to_json_value
from api.cases.models import Application, ApplicationStatus, CaseStatus, FactSource, LegalCase
from api.cases.schemas import (
    ApplicationChanges,
    CasePage,
    ChangeReport,
    ChecklistChange,
    DeadlineChange,
    FactRecord,
    OutcomeChange,
)
from api.cases.service import REFERENCE_MAX_LENGTH
from workflows.engine import Evaluation
from workflows.schema import Confidence, DeadlineKind, Level

# Codes and ids are short; a longer value is refused before any service sees it.
CODE_MAX_LENGTH: Final = 64


class _Input(BaseModel):
    """A request body: unknown fields are refused rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


# --- errors ---------------------------------------------------------------------------------------


class ApiError(BaseModel):
    """An error that concerns the request as a whole (401, 403, 404, 409)."""

    detail: str


class FieldError(BaseModel):
    """One invalid input: ``field`` names it (a fact key, a body field or a query parameter)."""

    field: str
    message: str


class ValidationErrors(BaseModel):
    """Every invalid input of a refused request (422). Nothing was saved."""

    detail: list[FieldError]


# --- applications and cases -----------------------------------------------------------------------


class Progress(BaseModel):
    """How many of the questions that apply have an answer."""

    answered: int
    applicable: int


class ApplicationOut(BaseModel):
    """One application of a case: a workflow version being worked through."""

    id: str = Field(description="The application's public id.")
    workflow_id: str
    workflow_version: str
    status: ApplicationStatus
    progress: Progress
    next_deadline_on: date | None = Field(description="The earliest deadline due today or later.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_application(cls, application: Application) -> ApplicationOut:
        """The API view of an application row."""
        return cls(
            id=application.public_id,
            workflow_id=application.workflow_id,
            workflow_version=application.workflow_version,
            status=ApplicationStatus(application.status),
            progress=Progress(
                answered=application.progress_answered, applicable=application.progress_applicable
            ),
            next_deadline_on=application.next_deadline_on,
            created_at=application.created_at,
            updated_at=application.updated_at,
        )


class ApplicationList(BaseModel):
    """The applications of a case the caller may see (a lawyer: those shared), oldest first."""

    items: list[ApplicationOut]


class CaseOut(BaseModel):
    """A case, with the applications the caller may see."""

    id: str = Field(description="The case's public id, used in every URL of the case.")
    reference: str = Field(description="The organisation's reference or a pseudonym, never a name.")
    preferred_language: str
    jurisdiction: str = Field(description="ISO 3166-2, e.g. GB-ENG.")
    status: CaseStatus
    next_deadline_on: date | None = Field(description="The earliest upcoming deadline of its applications.")
    created_at: datetime
    updated_at: datetime
    applications: list[ApplicationOut]

    @classmethod
    def from_case(cls, case: LegalCase, applications: Sequence[Application]) -> CaseOut:
        """The API view of a case row and the applications the caller may see."""
        return cls(
            id=case.public_id,
            reference=case.reference,
            preferred_language=case.preferred_language,
            jurisdiction=case.jurisdiction,
            status=CaseStatus(case.status),
            next_deadline_on=case.next_deadline_on,
            created_at=case.created_at,
            updated_at=case.updated_at,
            applications=[ApplicationOut.from_application(a) for a in applications],
        )


class CaseList(BaseModel):
    """One page of the cases the caller may see, most recently updated first."""

    items: list[CaseOut]
    total: int = Field(description="Matching cases, counted up to 10,000 (see total_is_exact).")
    page: int
    pages: int
    total_is_exact: bool = Field(description="False when there are more matches than total says.")

    @classmethod
    def from_page(cls, page: CasePage, items: list[CaseOut]) -> CaseList:
        """A page of the case list, with its cases already shaped."""
        return cls(
            items=items,
            total=page.total,
            page=page.page,
            pages=page.pages,
            total_is_exact=page.total_is_exact,
        )


class CaseCreate(_Input):
    """A new case. The survivor is never named: use a reference or a pseudonym."""

    # Checked by the service, which counts characters once spaces are tidied.
    reference: str = Field(
        description=f"At most {REFERENCE_MAX_LENGTH} characters, unique in the organisation."
    )
    preferred_language: str = Field(
        max_length=CODE_MAX_LENGTH, description="A code of the fact dictionary's languages, e.g. 'ro'."
    )
    jurisdiction: str = Field(max_length=CODE_MAX_LENGTH, description="ISO 3166-2, e.g. GB-ENG.")


class ApplicationCreate(_Input):
    """An application to start: a workflow of the case's jurisdiction, in force today."""

    workflow_id: str = Field(max_length=CODE_MAX_LENGTH, examples=["uk.cica"])


# --- facts ----------------------------------------------------------------------------------------


class FactOut(BaseModel):
    """The current value of one fact, and who gave it when."""

    value: JsonValue = Field(
        description="As the fact dictionary types it: dates ISO, money {amount, currency}, "
        "numbers as strings, lists; null when unknown."
    )
    unknown: bool = Field(description='The question was answered "don\'t know".')
    source: FactSource
    given_at: datetime
    given_by: int | None = Field(description="The user id of the person who recorded it.")

    @classmethod
    def from_record(cls, record: FactRecord) -> FactOut:
        """The API view of a decrypted fact."""
        return cls(
            value=cast("JsonValue", to_json_value(record.value)),  # JSON values only, by construction
            unknown=record.is_unknown,
            source=FactSource(record.source),
            given_at=record.given_at,
            given_by=record.given_by_user_id,
        )


class FactsOut(BaseModel):
    """The case's current facts as the caller may see them, by key."""

    facts: dict[str, FactOut]

    @classmethod
    def from_records(cls, records: dict[str, FactRecord]) -> FactsOut:
        """Every decrypted fact, in key order."""
        return cls(facts={key: FactOut.from_record(records[key]) for key in sorted(records)})


class FactsPatch(_Input):
    """Facts to set, all or nothing: ``null`` records "don't know"; keys not sent are unchanged."""

    facts: dict[str, JsonValue] = Field(
        min_length=1,
        examples=[{"incident.date": "2025-03-10", "police.reported": True, "police.crime_reference": None}],
    )
    source: FactSource = Field(
        default=FactSource.ADVOCATE,
        description="Who the values come from: the survivor, an advocate, a document.",
    )


class OutcomeChangeOut(BaseModel):
    """An outcome that now applies, or no longer does."""

    id: str
    level: Level
    message: str

    @classmethod
    def from_change(cls, change: OutcomeChange) -> OutcomeChangeOut:
        """The API view of an outcome change."""
        return cls(id=change.id, level=change.level, message=change.message)


class DeadlineChangeOut(BaseModel):
    """A deadline that appeared (``old_due`` null), went (``new_due`` null) or moved."""

    id: str
    label: str
    old_due: date | None
    new_due: date | None

    @classmethod
    def from_change(cls, change: DeadlineChange) -> DeadlineChangeOut:
        """The API view of a deadline change."""
        return cls(id=change.id, label=change.label, old_due=change.old_due, new_due=change.new_due)


class ChecklistChangeOut(BaseModel):
    """An evidence item that joined or left the checklist."""

    id: str
    label: str

    @classmethod
    def from_change(cls, change: ChecklistChange) -> ChecklistChangeOut:
        """The API view of a checklist change."""
        return cls(id=change.id, label=change.label)


class ApplicationChangesOut(BaseModel):
    """What a change of facts did to one application of the case."""

    application_id: str = Field(description="The application's public id.")
    workflow_id: str
    title: str
    changed: bool = Field(description="Whether anything below is worth telling a person.")
    outcomes_added: list[OutcomeChangeOut]
    outcomes_removed: list[OutcomeChangeOut]
    deadlines_added: list[DeadlineChangeOut]
    deadlines_removed: list[DeadlineChangeOut]
    deadlines_moved: list[DeadlineChangeOut]
    checklist_added: list[ChecklistChangeOut]
    checklist_removed: list[ChecklistChangeOut]
    became_unused: list[str] = Field(description="Answers kept, but on a branch no longer taken.")
    unused: list[str] = Field(description="Every kept answer this application does not use now.")
    next_question: str | None = Field(description="The fact key asked next; null when none is left.")
    progress: Progress

    @classmethod
    def from_changes(cls, changes: ApplicationChanges) -> ApplicationChangesOut:
        """The API view of one application's changes."""
        return cls(
            application_id=changes.application_public_id,
            workflow_id=changes.workflow_id,
            title=changes.title,
            changed=changes.changed,
            outcomes_added=[OutcomeChangeOut.from_change(c) for c in changes.outcomes_added],
            outcomes_removed=[OutcomeChangeOut.from_change(c) for c in changes.outcomes_removed],
            deadlines_added=[DeadlineChangeOut.from_change(c) for c in changes.deadlines_added],
            deadlines_removed=[DeadlineChangeOut.from_change(c) for c in changes.deadlines_removed],
            deadlines_moved=[DeadlineChangeOut.from_change(c) for c in changes.deadlines_moved],
            checklist_added=[ChecklistChangeOut.from_change(c) for c in changes.checklist_added],
            checklist_removed=[ChecklistChangeOut.from_change(c) for c in changes.checklist_removed],
            became_unused=list(changes.became_unused),
            unused=list(changes.unused),
            next_question=changes.next_question,
            progress=Progress(
                answered=changes.evaluation.answered, applicable=len(changes.evaluation.applicable)
            ),
        )


class ChangeReportOut(BaseModel):
    """The result of a change of facts: which values changed, and what that did to each
    application of the case (every one is re-evaluated)."""

    changed_keys: list[str] = Field(description="Keys whose value changed; equal values are not changes.")
    applications: list[ApplicationChangesOut]

    @classmethod
    def from_report(cls, report: ChangeReport) -> ChangeReportOut:
        """The API view of a change report."""
        return cls(
            changed_keys=list(report.changed_keys),
            applications=[ApplicationChangesOut.from_changes(a) for a in report.applications],
        )


# --- the engine's evaluation ----------------------------------------------------------------------


class WorkflowRef(BaseModel):
    """The workflow definition (and its version) an evaluation used."""

    id: str
    version: str


class LegalBasisFields(BaseModel):
    """What a rule rests on and how sure the reference is (V verified, S secondary, U unconfirmed)."""

    basis: str
    confidence: Confidence
    source_url: str | None
    check: str | None = Field(description="What to check when the reference is not verified.")


class OutcomeOut(LegalBasisFields):
    """A finding on the application: blocked, warning or info."""

    id: str
    level: Level
    message: str


class ChecklistItemOut(LegalBasisFields):
    """An evidence item; ``applies`` is ``maybe`` while unanswered questions could rule it out."""

    id: str
    label: str
    required: bool
    applies: Literal["yes", "maybe"]
    why: str
    provider: str


class HolidayOut(BaseModel):
    """A holiday skipped when counting a deadline."""

    date: date
    name: str


class DeadlineOut(BaseModel):
    """A computed deadline, with the explanation a person can check."""

    id: str
    label: str
    due: date
    kind: DeadlineKind
    basis: str
    confidence: Confidence
    explanation: str
    trigger: str
    trigger_date: date
    day_type: str
    holidays_skipped: list[HolidayOut]
    consequence: str
    extension: str | None
    source_url: str | None
    check: str | None
    from_letter: bool
    status: Literal["passed", "today", "upcoming", "continuing"]
    days_remaining: int


class DocumentOut(BaseModel):
    """A document of the workflow; ``missing`` lists the facts it still needs."""

    id: str
    available: bool
    missing: list[str]
    template: str | None


class EvaluationOut(BaseModel):
    """The engine's result for one application with the case's current facts, on ``today``."""

    workflow: WorkflowRef
    today: date
    next_question: str | None
    missing: list[str] = Field(description="Required facts still unanswered.")
    outcomes: list[OutcomeOut]
    checklist: list[ChecklistItemOut]
    deadlines: list[DeadlineOut]
    documents: list[DocumentOut]
    unused: list[str] = Field(description="Kept answers on branches this application no longer takes.")
    progress: Progress

    @classmethod
    def from_evaluation(cls, evaluation: Evaluation) -> EvaluationOut:
        """The engine's own JSON (:meth:`Evaluation.to_dict`), validated into this shape."""
        return cls.model_validate(evaluation.to_dict())


# --- comments -------------------------------------------------------------------------------------


class CommentCreate(_Input):
    """A comment on the case, or on one of its applications."""

    # Checked by the service, which counts characters once surrounding spaces are dropped.
    body: str = Field(description=f"The text: 1 to {BODY_MAX_LENGTH} characters; line breaks are kept.")
    application_id: str | None = Field(
        default=None,
        max_length=CODE_MAX_LENGTH,
        description="The public id of the application it is about; null or absent: the whole case.",
    )


class CommentOut(BaseModel):
    """A comment, with who wrote it and when."""

    id: str = Field(description="The comment's public id.")
    body: str
    author: str = Field(description="The display name of the person who wrote it.")
    author_id: int = Field(description="The user id of the person who wrote it.")
    application_id: str | None = Field(description="The application it is about; null: the whole case.")
    created_at: datetime

    @classmethod
    def from_view(cls, comment: CommentView) -> CommentOut:
        """The API view of a decrypted comment."""
        return cls(
            id=comment.public_id,
            body=comment.body,
            author=comment.author_name,
            author_id=comment.author_user_id,
            application_id=comment.application_public_id,
            created_at=comment.created_at,
        )


class CommentList(BaseModel):
    """The comments of a case you may read, oldest first (a lawyer: on what is shared)."""

    items: list[CommentOut]
