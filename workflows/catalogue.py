"""The catalogue of workflow definitions: every file under ``workflows/definitions``.

A workflow id may have several effective-dated versions (one file each); the catalogue picks
the one in force on a given day. Loading validates everything, so a catalogue that loads is
a catalogue the engine can run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from workflows.facts import FactDictionary, default_fact_dictionary, suggest
from workflows.loader import load_definition
from workflows.model import Workflow
from workflows.problems import DefinitionError, Problem

DEFINITIONS_ROOT = Path(__file__).with_name("definitions")
# claim_templates/ is data beside the packages, at the top of the repository.
TEMPLATES_ROOT = Path(__file__).resolve().parent.parent / "claim_templates"


class UnknownWorkflowError(LookupError):
    """No definition has that id, or none is in force on the day asked."""


def definition_files(root: Path = DEFINITIONS_ROOT) -> list[Path]:
    """Every definition file under ``root``, in a stable order."""
    return sorted(root.rglob("*.yaml"))


@dataclass(frozen=True)
class Catalogue:
    """All loaded definitions, grouped by id."""

    workflows: tuple[Workflow, ...]

    def __iter__(self) -> Iterator[Workflow]:
        return iter(self.workflows)

    @property
    def ids(self) -> list[str]:
        """The distinct workflow ids, sorted."""
        return sorted({w.id for w in self.workflows})

    def get(self, workflow_id: str, on: date) -> Workflow:
        """The version of ``workflow_id`` in force on ``on``."""
        versions = [w for w in self.workflows if w.id == workflow_id]
        if not versions:
            close = suggest(workflow_id, self.ids)
            hint = f"did you mean {close}?" if close else f"known: {', '.join(self.ids)}"
            raise UnknownWorkflowError(f"unknown workflow {workflow_id!r}; {hint}")
        for workflow in versions:
            if workflow.in_force_on(on):
                return workflow
        ranges = ", ".join(
            f"{w.version} from {w.effective_from}" + (f" until {w.effective_to}" if w.effective_to else "")
            for w in versions
        )
        raise UnknownWorkflowError(f"no version of {workflow_id} is in force on {on.isoformat()} ({ranges})")

    def in_force(self, on: date, jurisdiction_prefix: str | None = None) -> list[Workflow]:
        """The definitions in force on ``on``, optionally for ids starting with a prefix."""
        return [
            w
            for w in self.workflows
            if w.in_force_on(on) and (jurisdiction_prefix is None or w.id.startswith(jurisdiction_prefix))
        ]

    def for_country(self, on: date, country: str) -> list[Workflow]:
        """The definitions in force on ``on`` that a case in ``country`` may use (``GB-ENG``:
        the GB workflows plus the Council of Europe ones; ``DE``: the COE and EU ones)."""
        return [w for w in self.in_force(on) if w.applies_to_country(country)]


def load_catalogue(
    root: Path = DEFINITIONS_ROOT,
    facts: FactDictionary | None = None,
    templates_root: Path | None = TEMPLATES_ROOT,
) -> Catalogue:
    """Load and validate every definition under ``root``; :class:`DefinitionError` on problems."""
    facts = facts or default_fact_dictionary()
    workflows: list[Workflow] = []
    problems: list[Problem] = []
    for path in definition_files(root):
        try:
            workflows.append(load_definition(path, facts, templates_root))
        except DefinitionError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DefinitionError(problems)
    return Catalogue(tuple(workflows))


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    """The packaged definitions, loaded and compiled once per process."""
    return load_catalogue()
