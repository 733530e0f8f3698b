"""The schema of a workflow definition file, as Pydantic models of the YAML.

These models check shape and field types (unknown fields are refused, so a typo such as
``wen:`` is caught); :mod:`workflows.loader` then checks meaning: fact keys, condition types,
duplicate ids, reachability, legal basis and templates. See ``workflows/definitions/README.md``
for the format with examples.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=80)]
WorkflowId = Annotated[str, Field(pattern=r"^[a-z]{2,3}(\.[a-z][a-z0-9_]*)+$")]
RegisterId = Annotated[str, Field(pattern=r"^[A-Z]{2,4}(-[A-Z0-9]+)+[a-z]?$")]
Expression = Annotated[str, Field(min_length=1, max_length=2000)]
Text = Annotated[str, Field(min_length=1)]


# Instruments that apply in many countries: a definition for one lists its countries (`applies_in`).
MULTI_COUNTRY_JURISDICTIONS = ("COE", "EU")
NO_CALENDAR = "none"  # `calendar: none`: the definition counts no business days


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProcessKind(StrEnum):
    """What a workflow is for (DESIGN.md)."""

    COMPENSATION = "compensation"
    REFLECTION = "reflection"
    IMMIGRATION = "immigration"
    SUPPORT = "support"
    LEGAL_AID = "legal_aid"


class Confidence(StrEnum):
    """How sure the legal reference is of a rule (domain.md 0.1)."""

    VERIFIED = "V"
    SECONDARY = "S"
    UNCONFIRMED = "U"


class Level(StrEnum):
    """How an outcome weighs on the application."""

    BLOCKED = "blocked"
    WARNING = "warning"
    INFO = "info"


class DeadlineKind(StrEnum):
    """A legal limit, an administrative target, or the end of a protected period."""

    LIMIT = "limit"
    TARGET = "target"
    PERIOD_END = "period_end"


class Unit(StrEnum):
    """The unit of a deadline offset."""

    DAYS = "days"
    BUSINESS_DAYS = "business_days"
    MONTHS = "months"
    YEARS = "years"


class Counting(StrEnum):
    """How an offset is counted from its trigger (DESIGN.md "Deadline arithmetic")."""

    AFTER = "after"  # N units after the trigger: the corresponding date
    BEGINNING_WITH = "beginning_with"  # a period of N units that includes the trigger day
    BEFORE_BIRTHDAY = "before_birthday"  # trigger is a birth date; the day before the Nth birthday


class SourceDoc(_Doc):
    """A legal or official source the definition relies on."""

    id: Identifier
    title: Text
    url: str | None = None


class QuestionDoc(_Doc):
    """One question: the fact it asks, when it applies, and why it is asked."""

    fact: Text
    required: bool = True
    when: Expression | None = None
    why: Text
    who_sees: str | None = None


class StepDoc(_Doc):
    """An ordered group of questions shown together (often one question per page)."""

    id: Identifier
    title: Text
    when: Expression | None = None
    questions: Annotated[list[QuestionDoc], Field(min_length=1)]


class Basis(_Doc):
    """Fields every legal rule carries: what it rests on and how sure we are."""

    basis: Text
    confidence: Confidence
    source: Identifier | None = None
    check: str | None = None  # what to verify, required when confidence is U

    @model_validator(mode="after")
    def _unconfirmed_says_what_to_check(self) -> Basis:
        if self.confidence is Confidence.UNCONFIRMED and not self.check:
            raise ValueError("an unconfirmed (U) rule must say what to `check`")
        return self


class OutcomeDoc(Basis):
    """A finding shown to the advocate: blocked, warning or info."""

    id: Identifier
    level: Level
    when: Expression
    message: Text


class EvidenceDoc(Basis):
    """An item of the evidence checklist."""

    id: Identifier
    label: Text
    why: Text
    provider: Text
    required: bool
    when: Expression | None = None


class OffsetDoc(_Doc):
    """How far a deadline lies from its trigger."""

    amount: Annotated[int, Field(ge=0, le=1200)]
    unit: Unit
    counting: Counting = Counting.AFTER

    @model_validator(mode="after")
    def _counting_fits_unit(self) -> OffsetDoc:
        if self.unit is Unit.BUSINESS_DAYS and self.counting is not Counting.AFTER:
            raise ValueError("business days are only counted `after` the trigger")
        if self.counting is Counting.BEFORE_BIRTHDAY and self.unit is not Unit.YEARS:
            raise ValueError("`before_birthday` counts an age in years")
        return self


class RuleVersionDoc(_Doc):
    """An effective-dated version of a deadline's offset, chosen by the trigger date."""

    from_date: date | None = Field(default=None, alias="from")
    until: date | None = None
    offset: OffsetDoc
    basis: Text
    confidence: Confidence
    note: str | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class AlternativeDoc(_Doc):
    """A conflicting reading of the same rule; the earlier date counts, and both are shown."""

    offset: OffsetDoc
    basis: Text
    confidence: Confidence


class OverrideDoc(_Doc):
    """A fact that, when answered, replaces the computed date (a date printed on a letter)."""

    fact: Text
    label: Text
    confidence: Confidence


class UntilDoc(_Doc):
    """A later event a protected period lasts until, if it comes after the minimum."""

    fact: Text
    label: Text


class ClockStopDoc(Basis):
    """A statutory stop-the-clock extension (ACAS early conciliation, ERA s.207B / EqA s.140B).

    ``start`` and ``end`` are date facts (Day A, Day B); the extension applies once both are
    answered (see :mod:`workflows.early_conciliation`).
    """

    start: Text
    end: Text
    label: Text


class AdditionDoc(_Doc):
    """Extra calendar days added when a condition holds (3 days when a USCIS decision is mailed)."""

    when: Expression
    days: Annotated[int, Field(ge=1, le=60)]
    label: Text  # completes "because ...", e.g. "the decision was served by mail"
    basis: Text
    confidence: Confidence


class AmountOverrideDoc(_Doc):
    """A number fact that, when answered, replaces the offset's amount (a national rule's period)."""

    fact: Text
    label: Text
    confidence: Confidence


class DeadlineDoc(Basis):
    """A deadline rule, with its register id from domain.md."""

    id: RegisterId
    label: Text
    kind: DeadlineKind
    when: Expression | None = None
    trigger: Expression
    trigger_label: Text
    offset: OffsetDoc | None = None
    versions: list[RuleVersionDoc] = Field(default_factory=list)
    alternatives: list[AlternativeDoc] = Field(default_factory=list)
    override: OverrideDoc | None = None
    until: UntilDoc | None = None  # period_end: runs at least to the computed date, and until this
    clock_stop: ClockStopDoc | None = None  # early conciliation: extends the computed limit
    additions: list[AdditionDoc] = Field(default_factory=list)
    amount_override: AmountOverrideDoc | None = None
    consequence: Text
    extension: str | None = None

    @model_validator(mode="after")
    def _one_offset_source(self) -> DeadlineDoc:
        if (self.offset is None) == (not self.versions):
            raise ValueError("give either `offset` or effective-dated `versions`, not both")
        return self


class DocumentDoc(_Doc):
    """A document the process needs; ``template`` names a folder in claim_templates/."""

    id: Identifier
    title: Text
    purpose: Text
    when: Expression | None = None
    needs: list[str] = Field(default_factory=list)
    template: Identifier | None = None


class AppliesInDoc(_Doc):
    """The countries a multi-country instrument (a treaty, a directive) applies in, with its source."""

    countries: Annotated[list[Annotated[str, Field(pattern=r"^[A-Z]{2}$")]], Field(min_length=1)]
    as_of: date
    basis: Text
    confidence: Confidence
    source: Identifier | None = None
    check: str | None = None

    @model_validator(mode="after")
    def _unconfirmed_says_what_to_check(self) -> AppliesInDoc:
        if self.confidence is Confidence.UNCONFIRMED and not self.check:
            raise ValueError("an unconfirmed (U) list of countries must say what to `check`")
        if len(set(self.countries)) != len(self.countries):
            raise ValueError("a country is listed twice in `applies_in.countries`")
        return self


class DefinitionDoc(_Doc):
    """A whole workflow definition file."""

    id: WorkflowId
    version: Annotated[str, Field(pattern=r"^\d{4}\.\d+$")]
    title: Text
    summary: Text
    jurisdiction: Annotated[str, Field(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$|^[A-Z]{2,3}$")]
    calendar: Text  # a calendar id, or "none" when no deadline counts business days
    applies_in: AppliesInDoc | None = None  # for a multi-country jurisdiction (COE, EU)
    process_kind: ProcessKind
    effective_from: date
    effective_to: date | None = None
    sources: list[SourceDoc] = Field(default_factory=list)
    steps: Annotated[list[StepDoc], Field(min_length=1)]
    outcomes: list[OutcomeDoc] = Field(default_factory=list)
    evidence: list[EvidenceDoc] = Field(default_factory=list)
    deadlines: list[DeadlineDoc] = Field(default_factory=list)
    documents: list[DocumentDoc] = Field(default_factory=list)

    @model_validator(mode="after")
    def _effective_range(self) -> DefinitionDoc:
        if self.effective_to is not None and self.effective_to <= self.effective_from:
            raise ValueError("`effective_to` must be after `effective_from`")
        multi_country = self.jurisdiction in MULTI_COUNTRY_JURISDICTIONS
        if multi_country and self.applies_in is None:
            raise ValueError(f"jurisdiction {self.jurisdiction} spans countries: list them in `applies_in`")
        if not multi_country and self.applies_in is not None:
            raise ValueError("`applies_in` is only for a multi-country jurisdiction such as COE or EU")
        return self
