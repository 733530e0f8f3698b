"""Helpers shared by the engine tests: evaluate a workflow from raw facts, then read the result.

Facts go in as raw JSON-style values (ISO date strings, lists, ``None`` for "don't know"), as
the API and the CLI receive them; results come back as the JSON-shaped dictionary of DESIGN.md's
engine contract, and the readers below pick deadlines and outcomes out of it by id.
Not a test module: pytest does not collect it (tests/conftest.py has its asserts rewritten).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from workflows.catalogue import default_catalogue
from workflows.engine import evaluate
from workflows.facts import default_fact_dictionary

TODAY = date(2026, 11, 22)


# --- evaluation -------------------------------------------------------------------------------


def evaluate_raw(workflow_id: str, facts: Mapping[str, object], today: date = TODAY) -> dict[str, Any]:
    """Evaluate ``workflow_id`` for raw JSON-style ``facts`` on ``today``; the JSON-shaped result."""
    workflow = default_catalogue().get(workflow_id, today)
    values = default_fact_dictionary().parse_facts(dict(facts), today=today)
    return evaluate(workflow, values, today).to_dict()


def cica(facts: Mapping[str, object] | None = None, *, today: date = TODAY) -> dict[str, Any]:
    """Evaluate uk.cica for raw ``facts`` (none by default) on ``today``."""
    return evaluate_raw("uk.cica", facts or {}, today)


def nrm(facts: Mapping[str, object] | None = None, *, today: date = TODAY) -> dict[str, Any]:
    """Evaluate uk.nrm for raw ``facts`` (none by default) on ``today``."""
    return evaluate_raw("uk.nrm", facts or {}, today)


def adult(case: Mapping[str, object], **overrides: object) -> dict[str, object]:
    """The adult ``case`` with some facts changed (keyword keys with ``__`` for ``.``)."""
    return {**case, **{key.replace("__", "."): value for key, value in overrides.items()}}


# --- reading the result -----------------------------------------------------------------------


def deadline(result: Mapping[str, Any], register_id: str) -> dict[str, Any]:
    """The deadline with ``register_id``; fails the test if it is absent."""
    found = [d for d in result["deadlines"] if d["id"] == register_id]
    assert found, f"{register_id} not in {deadline_ids(result)}"
    return dict(found[0])


def deadline_ids(result: Mapping[str, Any]) -> list[str]:
    """The register ids of the result's deadlines, in order."""
    return [d["id"] for d in result["deadlines"]]


def due_of(result: Mapping[str, Any], register_id: str) -> date | None:
    """The due date of the deadline with ``register_id``, or ``None`` if it does not apply."""
    for item in result["deadlines"]:
        if item["id"] == register_id:
            return date.fromisoformat(item["due"])
    return None


def due_dates(result: Mapping[str, Any]) -> dict[str, str]:
    """Each deadline's due date (ISO text) by register id."""
    return {item["id"]: item["due"] for item in result["deadlines"]}


def outcome_ids(result: Mapping[str, Any]) -> list[str]:
    """The ids of the result's outcomes, in order."""
    return [o["id"] for o in result["outcomes"]]


def outcome(result: Mapping[str, Any], outcome_id: str) -> dict[str, Any]:
    """The outcome with ``outcome_id``; fails the test if it is absent."""
    found = [o for o in result["outcomes"] if o["id"] == outcome_id]
    assert found, f"{outcome_id} not in {outcome_ids(result)}"
    return dict(found[0])


def level_of(result: Mapping[str, Any], outcome_id: str) -> str:
    """The level (blocked, warning, info) of the outcome with ``outcome_id``; fails if absent."""
    return str(outcome(result, outcome_id)["level"])


def checklist_ids(result: Mapping[str, Any]) -> list[str]:
    """The ids of the result's checklist items, in order."""
    return [item["id"] for item in result["checklist"]]


def assert_deadline_contract(
    item: Mapping[str, Any], register_pattern: re.Pattern[str], register_ids: Collection[str]
) -> None:
    """Fail unless ``item`` has the contract's deadline fields and an id of the register."""
    assert isinstance(item["id"], str)
    assert date.fromisoformat(item["due"])
    assert item["kind"] in {"limit", "target", "period_end"}
    assert isinstance(item["basis"], str)
    assert item["basis"]
    assert item["confidence"] in {"V", "S", "U"}
    assert isinstance(item["explanation"], str)
    assert item["explanation"]
    assert register_pattern.fullmatch(item["id"]), item["id"]
    assert item["id"] in register_ids
