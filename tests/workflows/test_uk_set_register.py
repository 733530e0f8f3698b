"""The UK set (issue 7) as a whole: every deadline row of domain.md Part A for VTS, ET and civil
claims carries the register id and the confidence domain.md gives it; the s.207B `clock_stop`
field is checked by `redress check` like any other date rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.workflows.engine_results import TODAY
from tests.workflows.test_check import VALID, line_of, only, problems_for
from workflows.catalogue import default_catalogue

# (workflow, register id) -> confidence, as tagged in domain.md A4, A9, A10 (and Part E).
REGISTER = {
    ("uk.vts", "UK-VTS-D2"): "V",
    ("uk.vts", "UK-VTS-D3"): "U",
    ("uk.et_wages", "UK-ET-D1"): "S",
    ("uk.et_wages", "UK-ET-D2"): "U",
    ("uk.et_wages", "UK-ET-D3"): "S",
    ("uk.civil_claim", "UK-CIV-D1"): "V",
    ("uk.civil_claim", "UK-CIV-D3"): "S",
    ("uk.civil_claim", "UK-CIV-D4"): "S",
    ("uk.civil_claim", "UK-CIV-D5"): "S",
    ("uk.civil_claim", "UK-CIV-D6a"): "S",
    ("uk.civil_claim", "UK-CIV-D6b"): "S",
    ("uk.civil_claim", "UK-CIV-D7"): "S",
    # Not in domain.md's register: the sentencing hearing itself, as a target (see the report).
    ("uk.stro", "UK-STRO-D1"): "V",
}
NEW = ("uk.vts", "uk.et_wages", "uk.civil_claim", "uk.stro", "uk.legal_aid")


def test_every_deadline_has_its_register_id_and_confidence() -> None:
    found = {}
    for workflow_id in NEW:
        workflow = default_catalogue().get(workflow_id, TODAY)
        for rule in workflow.deadlines:
            found[(workflow_id, rule.id)] = rule.legal.confidence.value
    assert found == REGISTER


@pytest.mark.parametrize("workflow_id", NEW)
def test_every_rule_has_a_basis_and_unconfirmed_ones_say_what_to_check(workflow_id: str) -> None:
    workflow = default_catalogue().get(workflow_id, TODAY)
    rules = [*workflow.outcomes, *workflow.evidence, *workflow.deadlines]
    assert rules
    for rule in rules:
        assert rule.legal.basis.strip()
        if rule.legal.confidence.value == "U":
            assert rule.legal.check, rule.id
    for question in workflow.questions:
        assert question.why.strip()


def test_uk_set_is_offered_for_cases_in_england() -> None:
    ids = {w.id for w in default_catalogue().in_force(TODAY, "uk.")}
    assert set(NEW) <= ids


CLOCK_STOP = """\
    clock_stop:
      start: acas.day_a
      end: acas.day_b
      label: ACAS early conciliation
      basis: ERA 1996 s.207B
      confidence: S
"""


def test_a_clock_stop_is_valid_with_two_date_facts(tmp_path: Path) -> None:
    text = VALID.replace(
        "    consequence: Refused as out of time.\n",
        CLOCK_STOP + "    consequence: Refused as out of time.\n",
    )
    assert problems_for(tmp_path, text) == []


def test_a_clock_stop_on_a_non_date_fact_is_reported_at_its_line(tmp_path: Path) -> None:
    text = VALID.replace(
        "    consequence: Refused as out of time.\n",
        CLOCK_STOP.replace("end: acas.day_b", "end: acas.contacted")
        + "    consequence: Refused as out of time.\n",
    )
    problem = only(problems_for(tmp_path, text))
    assert problem.line == line_of(text, "end: acas.contacted")
    assert re.search(r"acas.contacted is a bool fact; a date fact is needed", problem.message)


def test_an_unconfirmed_clock_stop_must_say_what_to_check(tmp_path: Path) -> None:
    text = VALID.replace(
        "    consequence: Refused as out of time.\n",
        CLOCK_STOP.replace("confidence: S", "confidence: U") + "    consequence: Refused as out of time.\n",
    )
    problem = only(problems_for(tmp_path, text))
    assert "check" in problem.message
