"""The ``uk.cica`` definition against domain.md Part A7 and the register of Part E.

Every deadline row is a worked example with real dates, computed by hand from the rule and
written as a literal. Outcomes, the interview flow and the JSON contract of DESIGN.md follow.
All people and cases are fictional.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

import pytest

from tests.workflows.engine_results import (
    TODAY,
    adult,
    assert_deadline_contract,
    checklist_ids,
    cica,
    deadline,
    deadline_ids,
    outcome,
    outcome_ids,
)
from workflows.catalogue import default_catalogue

# Register ids of domain.md for CICA (the A7 table, with D2 split into D2a/D2b as in Part E).
CICA_REGISTER_IDS = {
    "UK-CICA-D1",
    "UK-CICA-D2",
    "UK-CICA-D2a",
    "UK-CICA-D2b",
    "UK-CICA-D3",
    "UK-CICA-D4",
    "UK-CICA-D5",
    "UK-CICA-D6",
    "UK-CICA-D7",
    "UK-CICA-D8",
}
REGISTER_ID_PATTERN = re.compile(r"^UK-CICA-D\d+[a-z]?$")

# A complete, fictional adult case that is within time and not blocked.
ADULT_CASE: dict[str, object] = {
    "person.date_of_birth": "1995-04-12",
    "person.preferred_language": "ro",
    "person.british_citizen": True,
    "exploitation.types": ["labour"],
    "exploitation.jurisdiction": "GB-ENG",
    "incident.date": "2025-03-10",
    "incident.violence_or_threat": True,
    "police.reported": True,
    "police.first_report_date": "2025-04-01",
    "police.crime_reference": "FIC/0001/25",
    "police.cooperating": True,
    "cica.unspent_listed_conviction": False,
    "cica.injury_physical": True,
    "cica.injury_mental": False,
    "cica.loss_of_earnings": False,
    "cica.other_compensation": False,
}


# --- helpers --------------------------------------------------------------------------------


def facts_child() -> dict[str, object]:
    """A child injured at 12 and reported to the police (report date to add)."""
    return {
        "person.date_of_birth": "2008-05-01",
        "incident.date": "2020-06-01",
        "police.reported": True,
    }


def blocked(result: Mapping[str, Any]) -> bool:
    return any(o["level"] == "blocked" for o in result["outcomes"])


# --- UK-CICA-D1: adults, 2 years after the incident (para 87) --------------------------------


def test_d1_adult_two_years_after_the_incident() -> None:
    """An adult injured on 10 March 2025 must apply by 10 March 2027."""
    # Given an adult at the incident
    facts = {"person.date_of_birth": "1990-01-01", "incident.date": "2025-03-10"}
    # When the workflow is evaluated
    d1 = deadline(cica(facts), "UK-CICA-D1")
    # Then the limit is the corresponding date two years on
    assert d1["due"] == "2027-03-10"
    assert d1["kind"] == "limit"
    assert d1["confidence"] == "V"
    assert "para 87" in d1["basis"]
    assert "2025-03-10" in d1["explanation"]
    assert "2 years after" in d1["explanation"]
    assert d1["trigger_date"] == "2025-03-10"
    assert d1["day_type"] == "calendar days"


def test_d1_incident_on_29_february_ends_on_28_february() -> None:
    """29 Feb 2024 + 2 years has no corresponding date: the period ends on 28 Feb 2026."""
    # Given an incident on a leap day
    facts = {"person.date_of_birth": "1990-01-01", "incident.date": "2024-02-29"}
    # When
    d1 = deadline(cica(facts), "UK-CICA-D1")
    # Then the last day of February 2026 counts, and the explanation says so
    assert d1["due"] == "2026-02-28"
    assert "2024-02-29" in d1["explanation"]
    assert "2 years after" in d1["explanation"]
    assert "ends on its last day" in d1["explanation"]


def test_d1_adult_ness_is_judged_on_the_incident_date() -> None:
    """Injured on the 18th birthday: an adult, so D1 applies and D2a/D2b do not."""
    # Given someone born 10 March 2007, injured on their 18th birthday and reported the same day
    facts = {
        "person.date_of_birth": "2007-03-10",
        "incident.date": "2025-03-10",
        "police.reported": True,
        "police.first_report_date": "2025-03-10",
    }
    # When
    result = cica(facts)
    # Then the adult rule applies
    assert deadline_ids(result) == ["UK-CICA-D1"]
    assert deadline(result, "UK-CICA-D1")["due"] == "2027-03-10"


def test_d1_does_not_apply_to_a_child_at_the_incident_who_is_an_adult_today() -> None:
    """Injured the day before the 18th birthday: a child at the time, though 19 today."""
    # Given an incident on 9 March 2025 for someone born 10 March 2007, reported that day
    facts = {
        "person.date_of_birth": "2007-03-10",
        "incident.date": "2025-03-09",
        "police.reported": True,
        "police.first_report_date": "2025-03-09",
    }
    # When
    result = cica(facts)
    # Then the child rule applies: the day before the 20th birthday (10 March 2027)
    assert deadline_ids(result) == ["UK-CICA-D2a"]
    assert deadline(result, "UK-CICA-D2a")["due"] == "2027-03-09"
    assert "child_at_incident" in outcome_ids(result)


def test_d1_29_february_birth_is_an_adult_from_1_march_in_a_common_year() -> None:
    """Born 29 Feb 2008: the 18th birthday falls on 1 March 2026 (common year)."""
    # Given the same person injured on 28 Feb 2026 and on 1 Mar 2026
    born = {"person.date_of_birth": "2008-02-29"}
    # When
    on_28_feb = cica({**born, "incident.date": "2026-02-28"})
    on_1_mar = cica({**born, "incident.date": "2026-03-01"})
    # Then only the 1 March incident is an adult's
    assert "UK-CICA-D1" not in deadline_ids(on_28_feb)
    assert "child_at_incident" in outcome_ids(on_28_feb)
    assert deadline(on_1_mar, "UK-CICA-D1")["due"] == "2028-03-01"
    assert "child_at_incident" not in outcome_ids(on_1_mar)


# --- UK-CICA-D2a: child reported before 18, apply before the 20th birthday (para 88) ----------


def test_d2a_child_reported_before_18_applies_before_the_20th_birthday() -> None:
    """Born 1 May 2008 and reported at 12: the last day is 30 April 2028."""
    # Given a child injured at 12 and reported at 12
    facts = {
        "person.date_of_birth": "2008-05-01",
        "incident.date": "2020-06-01",
        "police.reported": True,
        "police.first_report_date": "2021-01-01",
    }
    # When
    d2a = deadline(cica(facts), "UK-CICA-D2a")
    # Then it is the day before the 20th birthday
    assert d2a["due"] == "2028-04-30"
    assert d2a["kind"] == "limit"
    assert d2a["confidence"] == "S"
    assert "para 88" in d2a["basis"]
    assert "2008-05-01" in d2a["explanation"]
    assert "20th birthday" in d2a["explanation"]


def test_d2a_29_february_birth_with_a_leap_20th_birthday() -> None:
    """Born 29 Feb 2008: the 20th birthday is 29 Feb 2028 (a leap year), so 28 Feb 2028."""
    # Given
    facts = {
        "person.date_of_birth": "2008-02-29",
        "incident.date": "2020-06-01",
        "police.reported": True,
        "police.first_report_date": "2021-01-01",
    }
    # When
    d2a = deadline(cica(facts), "UK-CICA-D2a")
    # Then
    assert d2a["due"] == "2028-02-28"
    assert "2008-02-29" in d2a["explanation"]


def test_d2a_29_february_birth_with_a_20th_birthday_in_a_common_year() -> None:
    """Born 29 Feb 2080: 2100 is not a leap year, the birthday is 1 March, so 28 Feb 2100.

    Twenty years after a leap year is a leap year except across a century that is not one,
    so 2100 is the first year in which this case can happen.
    """
    # Given a (future, fictional) child born 29 Feb 2080, evaluated in 2095
    facts = {
        "person.date_of_birth": "2080-02-29",
        "incident.date": "2090-01-01",
        "police.reported": True,
        "police.first_report_date": "2095-01-01",
    }
    # When
    d2a = deadline(cica(facts, today=date(2095, 6, 1)), "UK-CICA-D2a")
    # Then
    assert d2a["due"] == "2100-02-28"


# --- UK-CICA-D2b: child first reported at or after 18, 2 years after the report --------------


def test_d2b_child_first_reported_after_18_has_two_years_from_the_report() -> None:
    """Injured at 14, first reported at 19 (1 Sept 2024): apply by 1 Sept 2026."""
    # Given
    facts = {
        "person.date_of_birth": "2005-06-15",
        "incident.date": "2020-01-10",
        "police.reported": True,
        "police.first_report_date": "2024-09-01",
    }
    # When
    result = cica(facts)
    # Then
    assert deadline_ids(result) == ["UK-CICA-D2b"]
    d2b = deadline(result, "UK-CICA-D2b")
    assert d2b["due"] == "2026-09-01"
    assert d2b["kind"] == "limit"
    assert d2b["confidence"] == "S"
    assert "para 88" in d2b["basis"]
    assert "2024-09-01" in d2b["explanation"]
    assert "2 years after" in d2b["explanation"]


@pytest.mark.parametrize(
    ("born", "first_report", "expected_id", "expected_due"),
    [
        # Born 1 May 2008, injured at 12: the report date picks D2a or D2b.
        # The day before the 18th birthday (1 May 2026): still "reported before 18".
        ("2008-05-01", "2026-04-30", "UK-CICA-D2a", "2028-04-30"),
        # On the 18th birthday: not reported before 18, two years from the report.
        ("2008-05-01", "2026-05-01", "UK-CICA-D2b", "2028-05-01"),
        # Born 29 Feb 2008: the 18th birthday is 1 March 2026, so 28 Feb is still "before 18".
        ("2008-02-29", "2026-02-28", "UK-CICA-D2a", "2028-02-28"),
        ("2008-02-29", "2026-03-01", "UK-CICA-D2b", "2028-03-01"),
    ],
)
def test_d2_boundary_is_the_18th_birthday(
    born: str, first_report: str, expected_id: str, expected_due: str
) -> None:
    """Injured at 12: a report before the 18th birthday gives D2a, one on or after it D2b."""
    # Given
    facts = {
        "person.date_of_birth": born,
        "incident.date": "2020-06-01",
        "police.reported": True,
        "police.first_report_date": first_report,
    }
    # When
    result = cica(facts)
    # Then
    assert deadline_ids(result) == [expected_id]
    assert deadline(result, expected_id)["due"] == expected_due


# --- UK-CICA-D5 to D8: review, appeal, written reasons, acceptance ---------------------------


def test_d5_review_without_the_letter_date_counts_56_days_unconfirmed() -> None:
    """Decision 1 June 2026, no letter date: 27 July 2026 (56 days), not 30 Aug (90 days)."""
    # Given a decision date but not the deadline printed on the letter
    result = cica({"cica.decision_date": "2026-06-01"})
    # When
    d5 = deadline(result, "UK-CICA-D5")
    # Then the earlier of the conflicting periods counts, unconfirmed, and both are shown
    assert d5["due"] == "2026-07-27"
    assert d5["kind"] == "limit"
    assert d5["confidence"] == "U"
    assert d5["from_letter"] is False
    assert "para 117" in d5["basis"]
    explanation = d5["explanation"]
    assert "2026-06-01" in explanation
    assert "56 days" in explanation
    assert "90 days" in explanation
    assert "2026-08-30" in explanation
    assert "earlier" in explanation
    assert d5["check"]


def test_d5_the_date_on_the_letter_counts_and_is_verified() -> None:
    """The letter says 30 Aug 2026: that date counts over the computed 27 July."""
    # Given the review deadline printed on the decision letter
    facts = {"cica.decision_date": "2026-06-01", "cica.review_deadline_stated": "2026-08-30"}
    # When
    d5 = deadline(cica(facts), "UK-CICA-D5")
    # Then
    assert d5["due"] == "2026-08-30"
    assert d5["confidence"] == "V"
    assert d5["from_letter"] is True
    assert "para 117" in d5["basis"]
    assert "2026-08-30" in d5["explanation"]
    assert "2026-07-27" in d5["explanation"]  # the computed date stays visible


def test_d5_letter_explanation_has_no_double_spaces() -> None:
    # Given the letter date
    facts = {"cica.decision_date": "2026-06-01", "cica.review_deadline_stated": "2026-08-30"}
    # When
    d5 = deadline(cica(facts), "UK-CICA-D5")
    # Then the explanation reads cleanly
    assert "  " not in d5["explanation"]


def test_d6_appeal_90_days_after_the_review_decision() -> None:
    """Review decision 15 Sept 2026: appeal by 14 Dec 2026."""
    # Given
    facts = {"cica.decision_date": "2026-06-01", "cica.review_decision_date": "2026-09-15"}
    # When
    d6 = deadline(cica(facts), "UK-CICA-D6")
    # Then
    assert d6["due"] == "2026-12-14"
    assert d6["kind"] == "limit"
    assert d6["confidence"] == "V"
    assert "Rules 2008" in d6["basis"]
    assert "2026-09-15" in d6["explanation"]
    assert "90 days after" in d6["explanation"]


@pytest.mark.parametrize(
    ("ftt_decision", "expected_due"),
    [
        ("2026-03-15", "2026-04-15"),
        ("2026-01-31", "2026-02-28"),  # no 31 February: the last day of the month
        ("2024-01-31", "2024-02-29"),  # leap year
    ],
)
def test_d7_written_reasons_one_month_after_the_tribunal(ftt_decision: str, expected_due: str) -> None:
    # Given a Tribunal decision after a review
    facts = {
        "cica.decision_date": "2023-06-01",
        "cica.review_decision_date": "2023-09-01",
        "cica.ftt_decision_date": ftt_decision,
    }
    # When
    d7 = deadline(cica(facts), "UK-CICA-D7")
    # Then
    assert d7["due"] == expected_due
    assert d7["kind"] == "limit"
    assert d7["confidence"] == "V"
    assert "GOV.UK" in d7["basis"]
    assert ftt_decision in d7["explanation"]
    assert "1 month after" in d7["explanation"]


def test_d7_month_end_clamp_is_explained() -> None:
    facts = {
        "cica.decision_date": "2025-06-01",
        "cica.review_decision_date": "2025-09-01",
        "cica.ftt_decision_date": "2026-01-31",
    }
    assert "ends on its last day" in deadline(cica(facts), "UK-CICA-D7")["explanation"]


def test_d8_accept_the_award_only_after_an_award() -> None:
    """Award on 1 June 2026: accept by 30 Aug 2026 (90 days, unconfirmed for the 2012 Scheme)."""
    # Given an award, and a refusal
    award = cica({"cica.decision_date": "2026-06-01", "cica.decision_outcome": "award"})
    refusal = cica({"cica.decision_date": "2026-06-01", "cica.decision_outcome": "refusal"})
    unknown = cica({"cica.decision_date": "2026-06-01"})
    # Then only the award has an acceptance deadline
    d8 = deadline(award, "UK-CICA-D8")
    assert d8["due"] == "2026-08-30"
    assert d8["kind"] == "limit"
    assert d8["confidence"] == "U"
    assert d8["check"]
    assert "2008 scheme" in d8["basis"]
    assert "2026-06-01" in d8["explanation"]
    assert "90 days after" in d8["explanation"]
    assert "UK-CICA-D8" not in deadline_ids(refusal)
    assert "UK-CICA-D8" not in deadline_ids(unknown)


# --- Outcomes --------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["RO", "GB-NIR", "US-CA"])
def test_outside_great_britain_is_blocked(where: str) -> None:
    # Given exploitation outside England, Wales and Scotland
    result = cica({"exploitation.jurisdiction": where})
    # Then
    assert "outside_great_britain" in outcome_ids(result)
    assert blocked(result)


@pytest.mark.parametrize("where", ["GB", "GB-ENG", "GB-WLS", "GB-SCT"])
def test_great_britain_is_not_blocked(where: str) -> None:
    result = cica({"exploitation.jurisdiction": where})
    assert "outside_great_britain" not in outcome_ids(result)
    assert not blocked(result)


def test_labour_exploitation_without_violence_is_not_a_crime_of_violence() -> None:
    # Given labour exploitation with no violence or threat
    result = cica({"exploitation.types": ["labour"], "incident.violence_or_threat": False})
    # Then
    assert "no_crime_of_violence" in outcome_ids(result)
    assert outcome(result, "no_crime_of_violence")["level"] == "blocked"


def test_sexual_exploitation_without_violence_can_claim_as_sexual_assault() -> None:
    # Given sexual (and labour) exploitation with no other violence
    facts = {"exploitation.types": ["sexual", "labour"], "incident.violence_or_threat": False}
    # When
    result = cica(facts)
    # Then
    assert outcome(result, "sexual_assault_route")["level"] == "info"
    assert "no_crime_of_violence" not in outcome_ids(result)
    assert not blocked(result)


def test_labour_exploitation_with_violence_is_not_blocked() -> None:
    result = cica({"exploitation.types": ["labour"], "incident.violence_or_threat": True})
    assert not blocked(result)
    assert "sexual_assault_route" not in outcome_ids(result)


def test_not_reported_to_the_police_is_blocked() -> None:
    result = cica({"police.reported": False})
    assert outcome(result, "not_reported_to_police")["level"] == "blocked"
    assert outcome(result, "not_reported_to_police")["confidence"] == "V"


def test_unspent_listed_conviction_is_blocked() -> None:
    result = cica({"cica.unspent_listed_conviction": True})
    assert outcome(result, "unspent_conviction")["level"] == "blocked"
    assert "Annex D" in outcome(result, "unspent_conviction")["basis"]


def test_complete_adult_case_is_not_blocked() -> None:
    result = cica(ADULT_CASE)
    assert outcome_ids(result) == []
    assert result["missing"] == []


def test_out_of_time_warns_and_asks_about_the_delay() -> None:
    """Incident 29 Feb 2024: the limit passed on 28 Feb 2026, before today (22 Nov 2026)."""
    # Given a case that is out of time
    result = cica(adult(ADULT_CASE, incident__date="2024-02-29", police__first_report_date="2024-03-01"))
    # Then the warning, the questions and the evidence of para 89 appear
    assert outcome(result, "out_of_time")["level"] == "warning"
    assert "para 89" in outcome(result, "out_of_time")["basis"]
    assert "cica.delay_reasons" in result["missing"]
    assert "cica.evidence_available" in result["missing"]
    assert result["next_question"] == "cica.delay_reasons"
    delay = next(i for i in result["checklist"] if i["id"] == "delay_explanation")
    assert delay["required"] is True
    assert delay["applies"] == "yes"


def test_within_time_has_no_delay_questions() -> None:
    # Given an incident on 10 March 2025 (limit 10 March 2027)
    result = cica(ADULT_CASE)
    # Then
    assert "out_of_time" not in outcome_ids(result)
    assert "cica.delay_reasons" not in result["missing"]
    assert "cica.evidence_available" not in result["missing"]
    assert result["next_question"] == "cica.decision_date"


def test_within_time_has_no_delay_evidence() -> None:
    # Given a complete adult case within time
    result = cica(ADULT_CASE)
    # Then the delay explanation is not on the checklist, not even as "maybe"
    assert "delay_explanation" not in checklist_ids(result)


@pytest.mark.parametrize(
    ("today", "late"),
    [(date(2027, 3, 10), False), (date(2027, 3, 11), True)],
)
def test_out_of_time_starts_the_day_after_the_limit(today: date, late: bool) -> None:
    """The limit (10 March 2027) is the last day on which the application is in time."""
    result = cica(ADULT_CASE, today=today)
    assert ("out_of_time" in outcome_ids(result)) is late
    assert ("cica.delay_reasons" in result["missing"]) is late


def test_review_date_warning_when_the_letter_date_is_missing() -> None:
    # Given a decision date without the letter's deadline
    without_letter = cica({"cica.decision_date": "2026-06-01"})
    with_letter = cica({"cica.decision_date": "2026-06-01", "cica.review_deadline_stated": "2026-08-30"})
    # Then the warning asks for the letter date, and goes once it is entered
    assert outcome(without_letter, "review_date_from_letter")["level"] == "warning"
    assert "review_date_from_letter" not in outcome_ids(with_letter)
    assert "review_date_from_letter" not in outcome_ids(cica({}))


def test_unconfirmed_outcomes_say_what_to_check() -> None:
    """Every [U] outcome, deadline and checklist item shown carries a non-empty check."""
    # Given a case that triggers several unconfirmed findings
    facts = adult(
        ADULT_CASE,
        person__date_of_birth="2008-05-01",
        incident__date="2020-06-01",
        police__first_report_date="2021-01-01",
        person__british_citizen=False,
        cica__ordinarily_resident=False,
        nrm__referred=True,
        nrm__cg_decision="pending",
        cica__injury_mental=True,
        cica__mental_injury_diagnosed=False,
        cica__decision_date="2026-06-01",
        cica__decision_outcome="award",
    )
    # When
    result = cica(facts)
    # Then
    unconfirmed = [
        item
        for item in [*result["outcomes"], *result["deadlines"], *result["checklist"]]
        if item["confidence"] == "U"
    ]
    assert {o["id"] for o in unconfirmed} >= {
        "trafficking_residency_route",
        "scheme_changes_unconfirmed",
        "mental_injury_needs_diagnosis",
        "review_date_from_letter",
        "UK-CICA-D5",
        "UK-CICA-D8",
        "mental_injury_diagnosis",
    }
    for item in unconfirmed:
        assert isinstance(item["check"], str)
        assert item["check"].strip(), item["id"]


def test_every_unconfirmed_rule_of_the_definition_says_what_to_check() -> None:
    workflow = default_catalogue().get("uk.cica", TODAY)
    legal = [
        *((o.id, o.legal) for o in workflow.outcomes),
        *((e.id, e.legal) for e in workflow.evidence),
        *((d.id, d.legal) for d in workflow.deadlines),
    ]
    for rule_id, basis in legal:
        if basis.confidence.value == "U":
            assert basis.check, rule_id


# --- Interview flow --------------------------------------------------------------------------


def walk(answers: Mapping[str, object], *, today: date = TODAY) -> list[str]:
    """Answer each next_question from ``answers`` until none is left; the questions asked."""
    facts: dict[str, object] = {}
    asked: list[str] = []
    while (question := cica(facts, today=today)["next_question"]) is not None:
        assert question not in asked, f"{question} asked twice"
        asked.append(question)
        facts[question] = answers[question]
    return asked


FULL_ANSWERS: dict[str, object] = {
    **ADULT_CASE,
    "person.british_citizen": False,
    "cica.ordinarily_resident": False,
    "nrm.referred": True,
    "nrm.cg_decision": "positive",
    "immigration.asylum_claim_pending": False,
    "cica.injury_mental": True,
    "cica.mental_injury_diagnosed": True,
    "cica.loss_of_earnings": False,
    "cica.other_compensation": False,
    "cica.decision_date": None,
}


def test_interview_walks_the_steps_in_order_from_empty_facts() -> None:
    # Given a person who is not a British citizen, referred to the NRM
    # When every question is answered in turn
    asked = walk(FULL_ANSWERS)
    # Then the steps come in the definition's order, residency included
    assert asked == [
        "person.date_of_birth",
        "person.preferred_language",
        "person.british_citizen",
        "exploitation.types",
        "exploitation.jurisdiction",
        "incident.date",
        "incident.violence_or_threat",
        "police.reported",
        "police.first_report_date",
        "police.crime_reference",
        "police.cooperating",
        "cica.ordinarily_resident",
        "nrm.referred",
        "nrm.cg_decision",
        "cica.unspent_listed_conviction",
        "cica.injury_physical",
        "cica.injury_mental",
        "cica.mental_injury_diagnosed",
        "cica.loss_of_earnings",
        "cica.other_compensation",
        "cica.decision_date",
    ]


def test_british_citizens_skip_the_residency_step() -> None:
    # Given a British citizen
    asked = walk({**FULL_ANSWERS, "person.british_citizen": True})
    # Then no residency question is asked
    residency = {
        "cica.ordinarily_resident",
        "nrm.referred",
        "nrm.cg_decision",
        "immigration.asylum_claim_pending",
    }
    assert residency.isdisjoint(asked)
    assert asked.index("police.cooperating") + 1 == asked.index("cica.unspent_listed_conviction")


def test_asylum_question_only_without_ordinary_residence_or_referral() -> None:
    asked = walk({**FULL_ANSWERS, "nrm.referred": False})
    assert asked[11:14] == [
        "cica.ordinarily_resident",
        "nrm.referred",
        "immigration.asylum_claim_pending",
    ]


def test_dont_know_moves_on_but_stays_missing() -> None:
    """A fact present with JSON null was asked: the interview moves on, the gap stays."""
    # Given "don't know" for the date of birth
    result = cica({"person.date_of_birth": None})
    # Then
    assert result["next_question"] == "person.preferred_language"
    assert "person.date_of_birth" in result["missing"]


def test_dont_know_whether_reported_does_not_ask_the_report_date() -> None:
    # Given answers up to the police step, and "don't know" for police.reported
    facts = {key: value for key, value in ADULT_CASE.items() if not key.startswith(("police.", "cica."))}
    result = cica({**facts, "police.reported": None})
    # Then the next step starts, and the report date waits for the answer
    assert result["next_question"] == "cica.unspent_listed_conviction"
    assert "police.reported" in result["missing"]
    assert "police.first_report_date" not in result["missing"]


def test_changing_reported_to_false_keeps_the_answers_as_unused() -> None:
    # Given a complete case reported to the police
    reported = cica(ADULT_CASE)
    assert "police_report" in checklist_ids(reported)
    # When the answer changes to "not reported"
    facts = adult(ADULT_CASE, police__reported=False)
    before = dict(facts)
    result = cica(facts)
    # Then the police answers are unused, not deleted, and the police evidence goes
    assert result["unused"] == [
        "police.first_report_date",
        "police.crime_reference",
        "police.cooperating",
    ]
    assert facts == before
    assert "police_report" not in checklist_ids(result)
    assert "police.first_report_date" not in result["missing"]
    assert "cica_claim_pack" not in [d["id"] for d in result["documents"]]
    # And changing it back brings them into use again
    assert cica(adult(ADULT_CASE, police__reported=True))["unused"] == []


def test_unused_police_answers_no_longer_drive_deadlines_or_outcomes() -> None:
    # Given a child case whose report answers were given, then police.reported set to false
    facts = {
        "person.date_of_birth": "2008-05-01",
        "incident.date": "2020-06-01",
        "police.reported": False,
        "police.first_report_date": "2021-01-01",
        "police.cooperating": False,
    }
    # When
    result = cica(facts)
    # Then the stale answers are unused and do not count
    assert "police.first_report_date" in result["unused"]
    assert "UK-CICA-D2a" not in deadline_ids(result)
    assert "not_cooperating" not in outcome_ids(result)


def test_mental_injury_diagnosis_is_asked_only_for_a_mental_injury() -> None:
    # Given the same case with and without a mental injury
    without = cica(adult(ADULT_CASE, cica__injury_mental=False))
    with_injury = cica(adult(ADULT_CASE, cica__injury_mental=True))
    # Then only the mental injury brings the diagnosis question and its evidence
    assert with_injury["next_question"] == "cica.mental_injury_diagnosed"
    assert "cica.mental_injury_diagnosed" in with_injury["missing"]
    assert "mental_injury_diagnosis" in checklist_ids(with_injury)
    assert "cica.mental_injury_diagnosed" not in without["missing"]
    assert "mental_injury_diagnosis" not in checklist_ids(without)


# --- The JSON contract of DESIGN.md -----------------------------------------------------------


def test_result_has_every_contract_key_with_the_right_type() -> None:
    # Given a case with outcomes, evidence, deadlines and documents
    result = cica(adult(ADULT_CASE, cica__decision_date="2026-06-01"))
    # Then the top-level shape is DESIGN.md's
    assert result["workflow"] == {"id": "uk.cica", "version": "2026.1"}
    assert result["today"] == "2026-11-22"
    assert result["next_question"] is None or isinstance(result["next_question"], str)
    assert isinstance(result["missing"], list)
    assert all(isinstance(key, str) for key in result["missing"])
    for item in result["outcomes"]:
        assert item["level"] in {"blocked", "warning", "info"}
        assert isinstance(item["id"], str)
        assert isinstance(item["message"], str)
        assert isinstance(item["basis"], str)
    assert result["checklist"]
    for item in result["checklist"]:
        assert isinstance(item["id"], str)
        assert isinstance(item["label"], str)
        assert isinstance(item["required"], bool)
        assert isinstance(item["why"], str)
    assert result["documents"]
    for document in result["documents"]:
        assert isinstance(document["id"], str)
        assert isinstance(document["available"], bool)
    # And it is plain JSON
    assert json.loads(json.dumps(result)) == result


def test_every_deadline_has_the_contract_fields_and_a_register_id() -> None:
    # Given cases that produce every CICA deadline between them
    results = [
        cica(
            adult(
                ADULT_CASE,
                cica__decision_date="2023-06-01",
                cica__decision_outcome="award",
                cica__review_decision_date="2023-09-01",
                cica__ftt_decision_date="2024-01-31",
            )
        ),
        cica({**facts_child(), "police.first_report_date": "2021-01-01"}),
        cica({**facts_child(), "police.first_report_date": "2026-05-01"}),
    ]
    seen = set()
    for result in results:
        for item in result["deadlines"]:
            # Then each deadline carries the contract's fields and an id of the register of domain.md
            assert_deadline_contract(item, REGISTER_ID_PATTERN, CICA_REGISTER_IDS)
            seen.add(item["id"])
    rule_ids = {rule.id for rule in default_catalogue().get("uk.cica", TODAY).deadlines}
    assert seen == rule_ids


def test_every_rule_of_the_definition_has_a_register_id() -> None:
    workflow = default_catalogue().get("uk.cica", TODAY)
    for rule in workflow.deadlines:
        assert rule.id in CICA_REGISTER_IDS, rule.id


def test_progress_counts_only_answered_questions() -> None:
    # Given nothing answered yet
    result = cica({})
    # Then nothing counts as answered
    assert result["progress"]["answered"] == 0
