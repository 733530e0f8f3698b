"""The ``coe.*`` and ``eu.*`` definitions against domain.md Part C and the register of Part E
(EU-D1, EU-D2). Dates are worked by hand in the comments. All people are fictional."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.workflows.engine_results import (
    checklist_ids,
    deadline,
    deadline_ids,
    due_of,
    evaluate_raw,
    level_of,
    outcome,
    outcome_ids,
)
from workflows.catalogue import default_catalogue

TODAY = date(2026, 11, 22)

COE = {
    "person.date_of_birth": "1999-08-20",
    "coe.reasonable_grounds": True,
    "coe.reasonable_grounds_date": "2026-11-01",
    "coe.support_conditional": False,
    "coe.residence_permit_sought": False,
    "coe.compensation_sought": False,
}


def coe(**facts: object) -> dict[str, Any]:
    return evaluate_raw(
        "coe.reflection_period", {**COE, **{k.replace("__", "."): v for k, v in facts.items()}}
    )


@pytest.mark.parametrize(
    "workflow_id", ["coe.reflection_period", "eu.residence_permit", "eu.cross_border_compensation"]
)
def test_each_rule_has_a_basis_and_the_list_of_countries_has_a_source(workflow_id: str) -> None:
    workflow = default_catalogue().get(workflow_id, TODAY)
    assert workflow.calendar_id == "none"  # no business days: national calendars vary
    assert workflow.applies_in
    assert workflow.applies_in_legal is not None
    assert workflow.applies_in_legal.basis
    for rule in (*workflow.deadlines, *workflow.outcomes, *workflow.evidence):
        assert rule.legal.basis
        if rule.legal.confidence.value == "U":
            assert rule.legal.check, rule.id


# --- EU-D1: the ECAT recovery and reflection period ---------------------------------------------


def test_reflection_period_is_at_least_30_days_from_reasonable_grounds() -> None:
    # 1 Nov 2026 + 30 days = 1 Dec 2026.
    result = coe()
    item = deadline(result, "EU-D1")
    assert item["due"] == "2026-12-01"
    assert item["kind"] == "period_end"
    assert item["confidence"] == "V"
    assert "reflection_period" in outcome_ids(result)
    assert "assistance_due" in outcome_ids(result)


def test_a_longer_national_period_overrides_the_minimum() -> None:
    # 1 Nov 2026 + 45 days = 16 Dec 2026.
    item = deadline(coe(coe__national_period_days="45"), "EU-D1")
    assert item["due"] == "2026-12-16"
    assert "The national rule gives 45 days instead of the 30 days of the rule." in item["explanation"]


def test_a_national_period_below_the_minimum_is_flagged() -> None:
    result = coe(coe__national_period_days="20")
    assert due_of(result, "EU-D1") == date(2026, 11, 21)
    assert level_of(result, "national_below_minimum") == "warning"


def test_the_decision_date_counts_over_the_computed_one() -> None:
    item = deadline(coe(coe__period_end_stated="2027-01-31"), "EU-D1")
    assert item["due"] == "2027-01-31"
    assert item["from_letter"] is True


def test_no_reasonable_grounds_no_period() -> None:
    result = evaluate_raw("coe.reflection_period", {"coe.reasonable_grounds": False})
    assert "EU-D1" not in deadline_ids(result)
    assert outcome(result, "identification_pending")["confidence"] == "U"


def test_support_conditional_on_cooperation_breaches_article_12() -> None:
    result = coe(coe__support_conditional=True)
    assert level_of(result, "assistance_not_conditional") == "warning"
    assert "conditional_support_record" in checklist_ids(result)


def test_residence_permit_and_compensation_articles() -> None:
    result = coe(coe__residence_permit_sought=True, coe__compensation_sought=True)
    assert {"residence_permit", "compensation"} <= set(outcome_ids(result))
    child = coe(person__date_of_birth="2010-01-01", coe__residence_permit_sought=True)
    assert "child_best_interests" in outcome_ids(child)


# --- Directive 2004/81/EC ------------------------------------------------------------------------

PERMIT = {
    "eu.third_country_national": True,
    "eu.presence_useful": True,
    "eu.intends_to_cooperate": True,
    "eu.ties_severed": True,
}


def test_reflection_period_length_comes_from_national_law() -> None:
    result = evaluate_raw("eu.residence_permit", {**PERMIT, "eu.reflection_start_date": "2026-10-01"})
    assert "EU-RP-D1" not in deadline_ids(result)  # no EU minimum: nothing to compute yet
    with_days = evaluate_raw(
        "eu.residence_permit",
        {**PERMIT, "eu.reflection_start_date": "2026-10-01", "eu.reflection_period_days": "60"},
    )
    # 1 Oct 2026 + 60 days = 30 Nov 2026.
    assert due_of(with_days, "EU-RP-D1") == date(2026, 11, 30)


def test_permit_lasts_at_least_six_months() -> None:
    result = evaluate_raw("eu.residence_permit", {**PERMIT, "eu.permit_issue_date": "2026-08-31"})
    assert due_of(result, "EU-RP-D2") == date(2027, 2, 28)  # no 31 Feb: the last day of February
    assert "permit_possible" in outcome_ids(result)


def test_permit_conditions_and_nationality() -> None:
    missing = evaluate_raw("eu.residence_permit", {**PERMIT, "eu.ties_severed": False})
    assert level_of(missing, "permit_conditions_missing") == "warning"
    eu_citizen = evaluate_raw("eu.residence_permit", {"eu.third_country_national": False})
    assert level_of(eu_citizen, "not_third_country_national") == "blocked"


def test_eu_d2_transposition_date_of_directive_2024_1712() -> None:
    before = evaluate_raw("eu.residence_permit", PERMIT, today=date(2026, 7, 14))
    assert "anti_trafficking_directive_pending" in outcome_ids(before)
    after = evaluate_raw("eu.residence_permit", PERMIT, today=date(2026, 7, 15))
    assert "anti_trafficking_directive_2024" in outcome_ids(after)
    assert "anti_trafficking_directive_pending" not in outcome_ids(after)


# --- Directive 2004/80/EC ------------------------------------------------------------------------

CROSS = {
    "eu.residence_country": "DE",
    "eu.crime_country": "ES",
    "eu.violent_intentional_crime": True,
    "eu.crime_date": "2026-01-31",
}


def test_cross_border_claim_goes_through_the_assisting_authority() -> None:
    result = evaluate_raw("eu.cross_border_compensation", CROSS)
    assert "how_it_works" in outcome_ids(result)
    assert level_of(result, "time_limit_unknown") == "warning"
    assert result["deadlines"] == []


def test_the_deciding_states_time_limit_gives_the_deadline() -> None:
    # 31 Jan 2026 + 12 months = 31 Jan 2027.
    result = evaluate_raw("eu.cross_border_compensation", {**CROSS, "eu.deciding_state_limit_months": "12"})
    assert due_of(result, "EU-CB-D1") == date(2027, 1, 31)
    assert "time_limit_unknown" not in outcome_ids(result)


def test_a_crime_outside_the_eu_or_at_home_is_not_cross_border() -> None:
    uk = evaluate_raw("eu.cross_border_compensation", {**CROSS, "eu.crime_country": "GB"})
    assert level_of(uk, "crime_outside_eu") == "blocked"
    home = evaluate_raw("eu.cross_border_compensation", {**CROSS, "eu.crime_country": "DE"})
    assert "not_cross_border" in outcome_ids(home)
    outside = evaluate_raw("eu.cross_border_compensation", {**CROSS, "eu.residence_country": "NO"})
    assert level_of(outside, "resident_outside_eu") == "warning"
    assert "standard_form" in checklist_ids(outside)
