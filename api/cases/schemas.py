"""What the cases services return: pages of cases, catalogue entries, facts, change reports.

Plain frozen dataclasses: the JSON routers and the pages each shape them for their audience.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from api.cases.models import LegalCase
from workflows.engine import Evaluation
from workflows.schema import Level, ProcessKind


@dataclass(frozen=True)
class CasePage:
    """One page of a case list. ``total`` stops at a cap (see ``total_is_exact``)."""

    items: list[LegalCase]
    total: int
    page: int
    pages: int
    total_is_exact: bool = True


@dataclass(frozen=True)
class CatalogueEntry:
    """A workflow a case may start, with one line on what it is for."""

    id: str
    title: str
    summary: str
    process_kind: ProcessKind


@dataclass(frozen=True)
class FactRecord:
    """The current value of one fact of a case, and where it came from.

    ``value`` is typed as the fact dictionary says (``date``, ``bool``, ``str``, ``Decimal``,
    ``Money``, ``tuple[str, ...]``); it is None when ``is_unknown`` ("don't know").
    """

    value: object
    is_unknown: bool
    source: str
    given_by_user_id: int | None
    given_at: datetime


@dataclass(frozen=True)
class OutcomeChange:
    """An outcome that now applies, or no longer applies."""

    id: str
    level: Level
    message: str


@dataclass(frozen=True)
class DeadlineChange:
    """A deadline that appeared (``old_due`` None), went (``new_due`` None) or moved."""

    id: str
    label: str
    old_due: date | None
    new_due: date | None


@dataclass(frozen=True)
class ChecklistChange:
    """An evidence item that joined or left the checklist."""

    id: str
    label: str


@dataclass(frozen=True)
class ApplicationChanges:
    """What one change of facts did to one application."""

    application_public_id: str
    workflow_id: str
    title: str
    outcomes_added: tuple[OutcomeChange, ...]
    outcomes_removed: tuple[OutcomeChange, ...]
    deadlines_added: tuple[DeadlineChange, ...]
    deadlines_removed: tuple[DeadlineChange, ...]
    deadlines_moved: tuple[DeadlineChange, ...]
    checklist_added: tuple[ChecklistChange, ...]
    checklist_removed: tuple[ChecklistChange, ...]
    became_unused: tuple[str, ...]  # answers kept, but on a branch this application no longer takes
    unused: tuple[str, ...]  # every kept answer this application does not use now
    next_question: str | None
    evaluation: Evaluation  # the application's evaluation after the change

    @property
    def changed(self) -> bool:
        """Whether anything a person should be told about changed."""
        return any(
            (
                self.outcomes_added,
                self.outcomes_removed,
                self.deadlines_added,
                self.deadlines_removed,
                self.deadlines_moved,
                self.checklist_added,
                self.checklist_removed,
                self.became_unused,
            )
        )


@dataclass(frozen=True)
class ChangeReport:
    """The result of :func:`api.cases.service.change_facts`."""

    changed_keys: tuple[str, ...]  # keys whose value actually changed (re-sent equal values are not)
    applications: tuple[ApplicationChanges, ...]
