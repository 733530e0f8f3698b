"""A loaded workflow definition: immutable, with every condition compiled once.

The engine (:mod:`workflows.engine`) reads these objects and never the YAML; the loader
(:mod:`workflows.loader`) is the only place that builds them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from workflows.conditions import CompiledExpression
from workflows.schema import (
    Confidence,
    Counting,
    DeadlineKind,
    Level,
    ProcessKind,
    SourceDoc,
    Unit,
)


@dataclass(frozen=True, slots=True)
class Offset:
    """How far a deadline lies from its trigger."""

    amount: int
    unit: Unit
    counting: Counting

    def describe(self) -> str:
        """Plain English, e.g. "2 years after" or "30 days beginning with" ("on" for no offset)."""
        if self.amount == 0 and self.counting is Counting.AFTER:
            return "on"
        unit = self.unit.value.replace("_", " ")
        if self.amount == 1:
            unit = unit.removesuffix("s")
        if self.counting is Counting.BEFORE_BIRTHDAY:
            return f"the day before the {_ordinal(self.amount)} birthday after"
        if self.counting is Counting.BEGINNING_WITH:
            return f"the last day of {self.amount} {unit} beginning with"
        return f"{self.amount} {unit} after"


def _ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass(frozen=True, slots=True)
class Question:
    """One question of the interview."""

    fact: str
    step_id: str
    required: bool
    when: CompiledExpression | None
    why: str
    who_sees: str | None


@dataclass(frozen=True, slots=True)
class Step:
    """An ordered group of questions."""

    id: str
    title: str
    when: CompiledExpression | None
    questions: tuple[Question, ...]


@dataclass(frozen=True, slots=True)
class LegalBasis:
    """What a rule rests on, how sure the reference is, and what to check when unsure."""

    basis: str
    confidence: Confidence
    source_url: str | None
    check: str | None


@dataclass(frozen=True, slots=True)
class Outcome:
    """A finding: blocked, warning or info."""

    id: str
    level: Level
    when: CompiledExpression
    message: str
    legal: LegalBasis


@dataclass(frozen=True, slots=True)
class EvidenceRule:
    """An item of the evidence checklist and when it applies."""

    id: str
    label: str
    why: str
    provider: str
    required: bool
    when: CompiledExpression | None
    legal: LegalBasis


@dataclass(frozen=True, slots=True)
class RuleVersion:
    """The offset in force for triggers between ``from_date`` and ``until`` (inclusive)."""

    from_date: date | None
    until: date | None
    offset: Offset
    basis: str
    confidence: Confidence
    note: str | None

    def applies_to(self, trigger: date) -> bool:
        """Whether a trigger on ``trigger`` falls in this version's range."""
        if self.from_date is not None and trigger < self.from_date:
            return False
        return self.until is None or trigger <= self.until


@dataclass(frozen=True, slots=True)
class Alternative:
    """A conflicting reading of a rule; the earlier result counts."""

    offset: Offset
    basis: str
    confidence: Confidence


@dataclass(frozen=True, slots=True)
class Override:
    """A fact that replaces the computed date when answered."""

    fact: str
    label: str
    confidence: Confidence


@dataclass(frozen=True, slots=True)
class Until:
    """The later event a protected period lasts until."""

    fact: str
    label: str


@dataclass(frozen=True, slots=True)
class ClockStop:
    """An early-conciliation extension between two date facts (Day A and Day B)."""

    start_fact: str
    end_fact: str
    label: str
    legal: LegalBasis


@dataclass(frozen=True, slots=True)
class Addition:
    """Calendar days added to a deadline when ``when`` holds (a decision served by mail)."""

    when: CompiledExpression
    days: int
    label: str
    basis: str
    confidence: Confidence


@dataclass(frozen=True, slots=True)
class AmountOverride:
    """A number fact that replaces the offset's amount when answered (a national rule's period)."""

    fact: str
    label: str
    confidence: Confidence


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    """A deadline rule with its register id."""

    id: str
    label: str
    kind: DeadlineKind
    when: CompiledExpression | None
    trigger: CompiledExpression
    trigger_label: str
    versions: tuple[RuleVersion, ...]
    alternatives: tuple[Alternative, ...]
    override: Override | None
    until: Until | None
    consequence: str
    extension: str | None
    legal: LegalBasis
    clock_stop: ClockStop | None = None
    additions: tuple[Addition, ...] = ()
    amount_override: AmountOverride | None = None


@dataclass(frozen=True, slots=True)
class DocumentRule:
    """A document the process needs."""

    id: str
    title: str
    purpose: str
    when: CompiledExpression | None
    needs: tuple[str, ...]
    template: str | None


@dataclass(frozen=True)
class Workflow:
    """A validated, compiled workflow definition."""

    id: str
    version: str
    title: str
    summary: str
    jurisdiction: str
    calendar_id: str
    process_kind: ProcessKind
    effective_from: date
    effective_to: date | None
    sources: Mapping[str, SourceDoc]
    steps: tuple[Step, ...]
    outcomes: tuple[Outcome, ...]
    evidence: tuple[EvidenceRule, ...]
    deadlines: tuple[DeadlineRule, ...]
    documents: tuple[DocumentRule, ...]
    path: Path
    applies_in: frozenset[str] = frozenset()  # countries of a COE or EU instrument
    applies_in_legal: LegalBasis | None = None  # the source of that list

    def applies_to_country(self, country: str) -> bool:
        """Whether a case in ``country`` (ISO 3166-1 alpha-2, ``GB``; or a subdivision, ``US-CA``)
        may use this workflow: its own jurisdiction, or one of the countries it applies in."""
        code = country.strip().upper().split("-", 1)[0]
        return code == self.jurisdiction or code in self.applies_in

    @property
    def questions(self) -> tuple[Question, ...]:
        """Every question in interview order."""
        return tuple(q for step in self.steps for q in step.questions)

    def in_force_on(self, day: date) -> bool:
        """Whether this version of the definition applies on ``day``."""
        if day < self.effective_from:
            return False
        return self.effective_to is None or day < self.effective_to
