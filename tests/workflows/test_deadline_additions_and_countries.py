"""Engine extensions for the US, Council of Europe and EU sets: days added on a condition (3 days
when a USCIS decision is mailed), a period length taken from a national rule, ``calendar: none``
and the ``applies_in`` list of a multi-country instrument; each checked by ``redress check``."""

from __future__ import annotations

import textwrap
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from workflows.catalogue import default_catalogue
from workflows.check import check_paths
from workflows.engine import evaluate
from workflows.facts import default_fact_dictionary
from workflows.loader import load_definition
from workflows.model import Workflow
from workflows.problems import Problem

TODAY = date(2026, 11, 22)

SAMPLE = """\
id: coe.sample
version: "2026.1"
title: Sample
summary: A small multi-country definition for the tests.
jurisdiction: COE
calendar: none
applies_in:
  countries: [GB, "NO", DE]
  as_of: 2026-11-01
  basis: Treaty chart
  confidence: V
process_kind: reflection
effective_from: 2020-01-01
steps:
  - id: first
    title: First
    questions:
      - fact: coe.reasonable_grounds_date
        why: The period runs from it.
      - fact: coe.national_period_days
        required: false
        why: A national rule may be longer.
      - fact: us.t.decision_mailed
        required: false
        why: Mailing adds days.
deadlines:
  - id: COE-SAMPLE-D1
    label: End of the period
    kind: period_end
    trigger: coe.reasonable_grounds_date
    trigger_label: the identification
    offset: {amount: 30, unit: days}
    amount_override: {fact: coe.national_period_days, label: the national rule, confidence: S}
    additions:
      - when: us.t.decision_mailed
        days: 3
        label: the decision was served by mail
        basis: 8 CFR 103.8(b)
        confidence: V
    basis: Art. 13
    confidence: V
    consequence: Protection ends.
"""


def write(tmp_path: Path, text: str, folder: str = "coe", name: str = "sample.yaml") -> Path:
    path = tmp_path / "definitions" / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_for(tmp_path: Path, text: str, folder: str = "coe") -> list[Problem]:
    return check_paths([write(tmp_path, text, folder)], templates_root=None)


def load(tmp_path: Path, text: str = SAMPLE) -> Workflow:
    return load_definition(write(tmp_path, text), default_fact_dictionary(), None)


def test_the_sample_is_valid(tmp_path: Path) -> None:
    assert [p.format() for p in problems_for(tmp_path, SAMPLE)] == []


# --- additions: 3 days when mailed ---------------------------------------------------------------


def test_days_are_added_when_the_condition_holds_and_the_explanation_says_why(tmp_path: Path) -> None:
    workflow = load(tmp_path)
    facts = {"coe.reasonable_grounds_date": date(2026, 10, 1), "us.t.decision_mailed": True}

    (computed,) = evaluate(workflow, facts, TODAY).deadlines

    assert computed.due == date(2026, 11, 3)
    assert "Plus 3 days because the decision was served by mail (8 CFR 103.8(b)): 2026-11-03." in (
        computed.explanation
    )


def test_no_days_are_added_when_the_condition_is_false(tmp_path: Path) -> None:
    workflow = load(tmp_path)
    facts = {"coe.reasonable_grounds_date": date(2026, 10, 1), "us.t.decision_mailed": False}

    (computed,) = evaluate(workflow, facts, TODAY).deadlines

    assert computed.due == date(2026, 10, 31)
    assert "Plus" not in computed.explanation


def test_an_unknown_condition_keeps_the_earlier_date_and_says_what_would_change_it(tmp_path: Path) -> None:
    workflow = load(tmp_path)

    (computed,) = evaluate(workflow, {"coe.reasonable_grounds_date": date(2026, 10, 1)}, TODAY).deadlines

    assert computed.due == date(2026, 10, 31)
    assert "If the decision was served by mail, add 3 days (8 CFR 103.8(b))" in computed.explanation


# --- a period length from a national rule --------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "due"),
    [(Decimal(45), date(2026, 11, 15)), (Decimal(20), date(2026, 10, 21)), (Decimal(0), date(2026, 10, 1))],
)
def test_a_national_period_replaces_the_amount(tmp_path: Path, days: Decimal, due: date) -> None:
    workflow = load(tmp_path)
    facts = {"coe.reasonable_grounds_date": date(2026, 10, 1), "coe.national_period_days": days}

    (computed,) = evaluate(workflow, facts, TODAY).deadlines

    assert computed.due == due
    assert f"The national rule gives {days} days instead of the 30 days of the rule." in computed.explanation
    assert computed.confidence.value == "S"  # the weaker of the rule (V) and the national figure (S)


def test_amount_override_must_name_a_number_fact(tmp_path: Path) -> None:
    text = SAMPLE.replace("fact: coe.national_period_days, label", "fact: coe.reasonable_grounds_date, label")
    (problem,) = problems_for(tmp_path, text)
    assert "coe.reasonable_grounds_date is a date fact; a number fact is needed here" in problem.message


# --- calendar: none ------------------------------------------------------------------------------


def test_calendar_none_refuses_business_days(tmp_path: Path) -> None:
    text = SAMPLE.replace("offset: {amount: 30, unit: days}", "offset: {amount: 30, unit: business_days}")
    (problem,) = problems_for(tmp_path, text)
    assert "counts business days but the definition has `calendar: none`" in problem.message
    assert problem.line == next(i for i, line in enumerate(text.splitlines(), 1) if "business_days}" in line)


def test_calendar_none_refuses_add_business_days_in_an_expression(tmp_path: Path) -> None:
    text = SAMPLE.replace(
        "trigger: coe.reasonable_grounds_date", "trigger: add_business_days(coe.reasonable_grounds_date, 2)"
    )
    (problem,) = problems_for(tmp_path, text)
    assert "add_business_days needs a holiday calendar" in problem.message


# --- applies_in ----------------------------------------------------------------------------------


def test_a_multi_country_jurisdiction_needs_its_list_of_countries(tmp_path: Path) -> None:
    block = 'applies_in:\n  countries: [GB, "NO", DE]\n  as_of: 2026-11-01\n  basis: Treaty chart\n'
    text = SAMPLE.replace(block + "  confidence: V\n", "")
    (problem,) = problems_for(tmp_path, text)
    assert "jurisdiction COE spans countries: list them in `applies_in`" in problem.message


def test_a_single_country_definition_has_no_applies_in(tmp_path: Path) -> None:
    text = SAMPLE.replace("id: coe.sample", "id: us.sample").replace("jurisdiction: COE", "jurisdiction: US")
    problems = problems_for(tmp_path, text, folder="us")
    assert any("`applies_in` is only for a multi-country jurisdiction" in p.message for p in problems)


def test_an_unquoted_no_is_caught(tmp_path: Path) -> None:
    # YAML 1.1 reads a bare NO (Norway) as false: the schema refuses it rather than drop Norway.
    text = SAMPLE.replace('"NO"', "NO")
    (problem,) = problems_for(tmp_path, text)
    assert "applies_in.countries.1" in problem.message


def test_an_unconfirmed_list_says_what_to_check(tmp_path: Path) -> None:
    text = SAMPLE.replace("  confidence: V\nprocess_kind", "  confidence: U\nprocess_kind")
    (problem,) = problems_for(tmp_path, text)
    assert "must say what to `check`" in problem.message


def test_a_workflow_applies_to_its_countries_and_subdivisions(tmp_path: Path) -> None:
    workflow = load(tmp_path)
    assert workflow.applies_to_country("GB-ENG")
    assert workflow.applies_to_country("no")
    assert not workflow.applies_to_country("US-CA")
    assert not workflow.applies_to_country("FR")


UK_SET = {
    "uk.cica",
    "uk.nrm",
    "uk.vts",
    "uk.et_wages",
    "uk.civil_claim",
    "uk.stro",
    "uk.legal_aid",
    "coe.reflection_period",
}


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("GB-ENG", UK_SET),
        ("GB-SCT", UK_SET),
        ("DE", {"coe.reflection_period", "eu.residence_permit", "eu.cross_border_compensation"}),
        # Ireland and Denmark are not bound by Directive 2004/81/EC, but are by 2004/80/EC.
        ("IE", {"coe.reflection_period", "eu.cross_border_compensation"}),
        ("DK", {"coe.reflection_period", "eu.cross_border_compensation"}),
        ("NO", {"coe.reflection_period"}),
        (
            "US-CA",
            {
                "us.t_visa",
                "us.u_visa",
                "us.continued_presence",
                "us.restitution",
                "us.civil_1595",
                "us.state_compensation",
            },
        ),
        ("JP", set()),
    ],
)
def test_the_catalogue_offers_each_country_its_workflows(country: str, expected: set[str]) -> None:
    offered = {w.id for w in default_catalogue().for_country(TODAY, country)}
    assert offered == expected
