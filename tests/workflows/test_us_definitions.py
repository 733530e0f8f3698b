"""The ``us.*`` definitions against domain.md Part B and the register of Part E.

Each deadline row is a worked example with real dates, computed by hand from the rule and
written as a literal; the reasoning is in the comment beside it. All people are fictional.
"""

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

# The register ids each definition owns (domain.md Part B tables and Part E; the state rows
# split into a/b where one register row holds two limits).
REGISTER = {
    "us.t_visa": {"US-T-D2", "US-T-D3", "US-T-D4", "US-T-D5", "US-T-D6", "US-TAOS-D1", "US-TAOS-D2"},
    "us.u_visa": {"US-U-D1"},
    "us.continued_presence": {"US-CP-D1"},
    "us.restitution": {"US-REST-T1", "US-REST-D1"},
    "us.civil_1595": {"US-1595-D1"},
    "us.state_compensation": {
        "US-CA-D1",
        "US-CA-D1b",
        "US-NY-D1",
        "US-NY-D2",
        "US-TX-D1",
        "US-TX-D1a",
        "US-TX-D1b",
    },
}

T_FILED = {
    "person.date_of_birth": "1994-02-03",
    "exploitation.start_date": "2022-05-01",
    "us.t.force_fraud_coercion": True,
    "us.t.purpose": "involuntary_servitude",
    "us.t.present_on_account": True,
    "us.t.left_us_since": False,
    "us.lea.contacted": True,
    "us.lea.complied": True,
    "us.t.wants_supp_b": True,
    "us.t.extreme_hardship": True,
    "us.t.inadmissibility": False,
    "us.t.in_removal_proceedings": False,
    "us.t.family_members": False,
    "us.t.filing_date": "2025-03-03",
}


def t_visa(**facts: object) -> dict[str, Any]:
    return evaluate_raw("us.t_visa", {**T_FILED, **{k.replace("__", "."): v for k, v in facts.items()}})


def denied(decided: str, mailed: bool | None) -> dict[str, Any]:
    return t_visa(
        us__t__decision_date=decided, us__t__decision_outcome="denied", us__t__decision_mailed=mailed
    )


# --- every deadline carries the contract -----------------------------------------------------------


@pytest.mark.parametrize("workflow_id", sorted(REGISTER))
def test_every_deadline_has_a_register_id_basis_and_confidence(workflow_id: str) -> None:
    workflow = default_catalogue().get(workflow_id, TODAY)
    assert {rule.id for rule in workflow.deadlines} == REGISTER[workflow_id]
    assert workflow.calendar_id == "US"  # business days would skip US federal holidays
    for rule in (*workflow.deadlines, *workflow.outcomes, *workflow.evidence):
        assert rule.legal.basis
        assert rule.legal.confidence.value in {"V", "S", "U"}
        if rule.legal.confidence.value == "U":
            assert rule.legal.check, rule.id


# --- US-T-D3: the I-290B window, 30 days, 33 when mailed ----------------------------------------


def test_i290b_personal_service_is_30_calendar_days() -> None:
    # 2 Oct 2026 + 30 days = 1 Nov 2026, a Sunday: the date does not move.
    result = denied("2026-10-02", mailed=False)
    item = deadline(result, "US-T-D3")
    assert item["due"] == "2026-11-01"
    assert item["confidence"] == "V"
    assert "Counted in calendar days" in item["explanation"]
    assert "next business day" in item["extension"]


def test_i290b_mailed_decision_is_33_days() -> None:
    # 2 Oct 2026 + 30 = 1 Nov; + 3 for mailing = 4 Nov 2026.
    item = deadline(denied("2026-10-02", mailed=True), "US-T-D3")
    assert item["due"] == "2026-11-04"
    assert "Plus 3 days because the decision was served by mail" in item["explanation"]


def test_i290b_unknown_mailing_shows_the_earlier_date_and_says_so() -> None:
    item = deadline(denied("2026-10-02", mailed=None), "US-T-D3")
    assert item["due"] == "2026-11-01"
    assert "If the decision was served by mail, add 3 days" in item["explanation"]


def test_i290b_window_passed_warns_and_an_approval_has_no_appeal_window() -> None:
    result = denied("2026-09-01", mailed=True)  # due 4 Oct 2026, before today
    assert level_of(result, "appeal_window_passed") == "warning"
    approved = t_visa(us__t__decision_date="2026-09-01", us__t__decision_outcome="approved")
    assert "US-T-D3" not in deadline_ids(approved)


def test_i290b_brief_follows_within_30_days() -> None:
    result = t_visa(
        us__t__decision_date="2026-10-02",
        us__t__decision_outcome="denied",
        us__t__decision_mailed=True,
        us__t__i290b_filed_date="2026-10-20",
    )
    assert due_of(result, "US-T-D4") == date(2026, 11, 19)


# --- the other T deadlines -----------------------------------------------------------------------


def test_rfe_response_is_12_weeks_unless_the_notice_gives_a_date() -> None:
    # 1 Sep 2026 + 84 days = 24 Nov 2026.
    assert due_of(t_visa(us__t__rfe_date="2026-09-01"), "US-T-D2") == date(2026, 11, 24)
    stated = deadline(t_visa(us__t__rfe_date="2026-09-01", us__t__rfe_due_stated="2026-11-10"), "US-T-D2")
    assert stated["due"] == "2026-11-10"
    assert stated["from_letter"] is True
    assert stated["confidence"] == "V"


def test_status_lasts_four_years_and_adjustment_opens_after_three() -> None:
    result = t_visa(
        us__t__decision_date="2025-06-16",
        us__t__decision_outcome="approved",
        us__t__approval_date="2025-06-16",
    )
    assert due_of(result, "US-T-D5") == date(2029, 6, 16)
    assert due_of(result, "US-TAOS-D1") == date(2028, 6, 16)
    assert due_of(result, "US-TAOS-D2") == date(2029, 6, 16)
    stated = t_visa(
        us__t__decision_date="2025-06-16",
        us__t__decision_outcome="approved",
        us__t__approval_date="2025-06-16",
        us__t__status_expiry_stated="2029-06-15",
    )
    assert due_of(stated, "US-T-D5") == date(2029, 6, 15)
    assert due_of(stated, "US-TAOS-D2") == date(2029, 6, 15)


def test_c40_work_permit_goes_with_filings_from_28_august_2024() -> None:
    item = deadline(t_visa(us__t__filing_date="2024-08-28"), "US-T-D6")
    assert item["due"] == "2024-08-28"
    assert item["explanation"].startswith("on filing the I-914 (2024-08-28): 2024-08-28.")
    assert "US-T-D6" not in deadline_ids(t_visa(us__t__filing_date="2024-08-27"))


def test_no_filing_deadline_is_an_unconfirmed_finding_not_a_date() -> None:
    # US-T-D1: no filing deadline for the I-914.
    result = t_visa()
    found = outcome(result, "no_filing_deadline")
    assert found["confidence"] == "U"
    assert found["check"]
    assert not [d for d in result["deadlines"] if "filing" in d["label"].lower() and d["id"] != "US-T-D6"]


# --- T eligibility elements and their exceptions ----------------------------------------------


def test_under_18_at_the_first_act_is_exempt_from_cooperation() -> None:
    # Born 3 Feb 1994; first act 1 May 2011 at 17.
    result = t_visa(exploitation__start_date="2011-05-01", us__lea__contacted=False)
    assert "under_18_exception" in outcome_ids(result)
    assert "not_reported" not in outcome_ids(result)
    assert "proof_of_age" in checklist_ids(result)


def test_an_adult_who_never_reported_is_warned_unless_trauma_prevents_it() -> None:
    result = t_visa(us__lea__contacted=False, us__t__trauma_prevents_cooperation=False)
    assert level_of(result, "not_reported") == "warning"
    trauma = t_visa(us__lea__contacted=False, us__t__trauma_prevents_cooperation=True)
    assert "not_reported" not in outcome_ids(trauma)
    assert "trauma_exception" in outcome_ids(trauma)
    assert "trauma_evidence" in checklist_ids(trauma)


def test_no_force_fraud_or_coercion_points_to_the_u_visa() -> None:
    found = outcome(t_visa(us__t__force_fraud_coercion=False), "not_severe_form")
    assert "U visa" in found["message"]


def test_security_grounds_block_and_other_grounds_need_form_i192() -> None:
    blocked = t_visa(us__t__inadmissibility=True, us__t__security_ground=True)
    assert level_of(blocked, "security_not_waivable") == "blocked"
    waiver = t_visa(us__t__inadmissibility=True, us__t__security_ground=False)
    assert "waiver_needed" in outcome_ids(waiver)
    assert "form_i192" in checklist_ids(waiver)


def test_family_members_need_supplement_a() -> None:
    result = t_visa(us__t__family_members=True, us__t__family_in_danger=True)
    assert {"family_supplement_a", "family_danger"} <= set(outcome_ids(result))
    assert "supplement_a_relationship" in checklist_ids(result)


def test_supplement_b_is_optional_evidence() -> None:
    item = next(i for i in t_visa()["checklist"] if i["id"] == "supplement_b")
    assert item["required"] is False
    assert item["confidence"] == "V"


# --- US-U-D1: Supplement B is valid for six months ------------------------------------------------

U_CASE = {
    "person.date_of_birth": "1990-07-07",
    "us.u.qualifying_crime": True,
    "us.u.substantial_abuse": True,
    "us.u.helpful": True,
    "us.u.supp_b_obtained": True,
}


def u_visa(**facts: object) -> dict[str, Any]:
    return evaluate_raw("us.u_visa", {**U_CASE, **{k.replace("__", "."): v for k, v in facts.items()}})


def test_supplement_b_must_be_filed_by_the_day_before_the_six_month_anniversary() -> None:
    # Signed 15 Mar 2026: six-month anniversary 15 Sep 2026; last filing day 14 Sep 2026.
    item = deadline(u_visa(us__u__supp_b_signed_date="2026-03-15"), "US-U-D1")
    assert item["due"] == "2026-09-14"
    assert item["confidence"] == "S"


def test_filing_on_the_last_day_is_valid_and_one_day_later_is_blocked() -> None:
    on_time = u_visa(us__u__supp_b_signed_date="2026-03-15", us__u__filing_date="2026-09-14")
    assert "certification_expired_at_filing" not in outcome_ids(on_time)
    late = u_visa(us__u__supp_b_signed_date="2026-03-15", us__u__filing_date="2026-09-15")
    assert level_of(late, "certification_expired_at_filing") == "blocked"


def test_supplement_b_signed_on_31_august_runs_to_the_end_of_february() -> None:
    # No 31 Feb: the six months "immediately preceding" a 28 Feb 2027 filing start on 28 Aug 2026,
    # so a 31 Aug signature is still inside them; on 1 Mar they start on 1 Sep and it is not.
    assert due_of(u_visa(us__u__supp_b_signed_date="2026-08-31"), "US-U-D1") == date(2027, 2, 28)


def test_an_old_certification_without_a_filing_date_warns() -> None:
    result = u_visa(us__u__supp_b_signed_date="2026-01-10")  # valid to 9 Jul 2026
    assert level_of(result, "certification_expired") == "warning"


def test_no_certification_blocks_the_u_visa() -> None:
    assert level_of(u_visa(us__u__supp_b_obtained=False), "no_certification") == "blocked"


# --- US-CP-D1: Continued Presence ---------------------------------------------------------------


def test_continued_presence_lasts_two_years_unless_the_document_says_otherwise() -> None:
    base = {"us.cp.lea_involved": True, "us.cp.civil_action_filed": False, "us.cp.requested": True}
    result = evaluate_raw("us.continued_presence", {**base, "us.cp.grant_date": "2025-01-10"})
    item = deadline(result, "US-CP-D1")
    assert item["due"] == "2027-01-10"
    assert item["kind"] == "period_end"
    assert "duration_conflict" in outcome_ids(result)
    stated = evaluate_raw(
        "us.continued_presence",
        {**base, "us.cp.grant_date": "2025-01-10", "us.cp.expiry_stated": "2026-01-09"},
    )
    assert due_of(stated, "US-CP-D1") == date(2026, 1, 9)
    assert "duration_conflict" not in outcome_ids(stated)


def test_only_law_enforcement_can_request_continued_presence() -> None:
    result = evaluate_raw(
        "us.continued_presence", {"us.cp.lea_involved": False, "us.cp.civil_action_filed": False}
    )
    assert "only_law_enforcement_requests" in outcome_ids(result)
    assert level_of(result, "no_investigation") == "warning"


# --- restitution --------------------------------------------------------------------------------

RESTITUTION = {
    "us.criminal.case_status": "convicted",
    "us.criminal.federal": True,
    "us.criminal.sentencing_date": "2027-03-15",
    "us.restitution.unpaid_work": True,
    "us.restitution.other_losses": False,
}


def test_loss_statement_goes_to_the_prosecutor_60_days_before_sentencing() -> None:
    # 15 Mar 2027 - 60 days = 14 Jan 2027.
    result = evaluate_raw("us.restitution", {**RESTITUTION, "us.state": "US-CA"})
    assert due_of(result, "US-REST-T1") == date(2027, 1, 14)
    assert deadline(result, "US-REST-T1")["confidence"] == "U"
    assert due_of(result, "US-REST-D1") == date(2027, 3, 15)
    assert "restitution_mandatory" in outcome_ids(result)
    assert "wage_formula" in outcome_ids(result)


def test_liquidated_damages_bind_in_the_fourth_circuit_and_persuade_elsewhere() -> None:
    virginia = evaluate_raw("us.restitution", {**RESTITUTION, "us.state": "US-VA"})
    assert "liquidated_damages_binding" in outcome_ids(virginia)
    assert "liquidated_damages_persuasive" not in outcome_ids(virginia)
    texas = evaluate_raw("us.restitution", {**RESTITUTION, "us.state": "US-TX"})
    assert level_of(texas, "liquidated_damages_persuasive") == "warning"
    assert "liquidated_damages_binding" not in outcome_ids(texas)


def test_the_loss_statement_needs_the_wage_calculator_results() -> None:
    result = evaluate_raw("us.restitution", {**RESTITUTION, "us.state": "US-CA"})
    (document,) = [d for d in result["documents"] if d["id"] == "restitution_loss_statement"]
    assert document["missing"] == ["us.wages.flsa_value", "us.wages.value_to_defendant"]
    filled = evaluate_raw(
        "us.restitution",
        {
            **RESTITUTION,
            "us.state": "US-CA",
            "us.wages.flsa_value": {"amount": "1234.50", "currency": "USD"},
            "us.wages.value_to_defendant": {"amount": "900.00", "currency": "USD"},
        },
    )
    (document,) = [d for d in filled["documents"] if d["id"] == "restitution_loss_statement"]
    assert document["available"] is True


# --- US-1595-D1 and US-2255-D1: civil claims ----------------------------------------------------


def test_1595_adult_ten_years_from_the_cause_of_action() -> None:
    result = evaluate_raw(
        "us.civil_1595",
        {"person.date_of_birth": "1985-09-09", "us.civil.cause_of_action_date": "2020-06-30"},
    )
    assert due_of(result, "US-1595-D1") == date(2030, 6, 30)
    assert "minor_2255_no_limit" not in outcome_ids(result)


def test_1595_minor_ten_years_after_turning_18() -> None:
    # Born 1 Mar 2008, trafficked until 30 Jun 2020 (aged 12): 18 on 1 Mar 2026; + 10 years.
    result = evaluate_raw(
        "us.civil_1595",
        {"person.date_of_birth": "2008-03-01", "us.civil.cause_of_action_date": "2020-06-30"},
    )
    assert due_of(result, "US-1595-D1") == date(2036, 3, 1)
    found = outcome(result, "minor_2255_no_limit")  # US-2255-D1: no limit for minors under 2255
    assert "no time limit" in found["message"]
    assert found["confidence"] == "V"


def test_1595_minor_whose_cause_of_action_arose_after_18_runs_from_it() -> None:
    # Born 1 Mar 2008 (18 on 1 Mar 2026); the cause of action arose on 5 May 2026: the later.
    result = evaluate_raw(
        "us.civil_1595",
        {"person.date_of_birth": "2008-03-01", "us.civil.cause_of_action_date": "2026-05-05"},
        today=date(2026, 11, 22),
    )
    assert due_of(result, "US-1595-D1") == date(2036, 5, 5)


def test_1595_passed_warns() -> None:
    result = evaluate_raw(
        "us.civil_1595",
        {"person.date_of_birth": "1970-01-01", "us.civil.cause_of_action_date": "2012-01-01"},
    )
    assert level_of(result, "limit_passed") == "warning"


# --- state compensation: CA, NY, TX, and states not covered --------------------------------------


def state(code: str, **facts: object) -> dict[str, Any]:
    base = {
        "us.state": code,
        "person.date_of_birth": "1990-01-15",
        "us.comp.crime_date": "2024-05-10",
        "us.comp.trafficking_offence": True,
        "police.reported": False,
    }
    return evaluate_raw(
        "us.state_compensation", {**base, **{k.replace("__", "."): v for k, v in facts.items()}}
    )


def test_california_adult_seven_years_from_the_crime() -> None:
    result = state("US-CA")
    assert due_of(result, "US-CA-D1") == date(2031, 5, 10)
    assert "US-CA-D1b" not in deadline_ids(result)
    assert {"ca_no_police_report_needed", "ca_income_loss"} <= set(outcome_ids(result))
    assert "ca_alternative_proof" in checklist_ids(result)


def test_california_discovery_later_than_the_crime_counts() -> None:
    assert due_of(state("US-CA", us__comp__discovery_date="2026-01-15"), "US-CA-D1") == date(2033, 1, 15)


def test_california_minor_from_the_21st_birthday_and_before_the_28th() -> None:
    # Born 1 Feb 2010, crime at 14: 21st birthday 1 Feb 2031 + 7 years = 1 Feb 2038; the
    # day before the 28th birthday is 31 Jan 2038 (the earlier of the two).
    result = state("US-CA", person__date_of_birth="2010-02-01")
    assert due_of(result, "US-CA-D1") == date(2038, 2, 1)
    assert due_of(result, "US-CA-D1b") == date(2038, 1, 31)


def test_new_york_one_year_for_an_old_window_three_years_after_the_2023_law() -> None:
    old = state("US-NY", us__comp__crime_date="2024-06-01", us__comp__physical_injury=True)
    item = deadline(old, "US-NY-D1")
    assert item["due"] == "2025-06-01"
    assert item["confidence"] == "V"
    new = deadline(
        state("US-NY", us__comp__crime_date="2025-03-01", us__comp__physical_injury=True), "US-NY-D1"
    )
    assert new["due"] == "2028-03-01"
    assert new["confidence"] == "U"
    assert "Unconfirmed rule" in new["explanation"]


def test_new_york_one_week_report_except_for_trafficking() -> None:
    other = state(
        "US-NY",
        us__comp__crime_date="2026-11-01",
        us__comp__trafficking_offence=False,
        us__comp__physical_injury=True,
    )
    assert due_of(other, "US-NY-D2") == date(2026, 11, 8)
    trafficking = state("US-NY", us__comp__crime_date="2026-11-01", us__comp__physical_injury=True)
    assert "US-NY-D2" not in deadline_ids(trafficking)
    assert "ny_trafficking_report" in outcome_ids(trafficking)


def test_new_york_without_physical_injury_warns_unconfirmed() -> None:
    found = outcome(state("US-NY", us__comp__physical_injury=False), "ny_physical_injury")
    assert found["level"] == "warning"
    assert found["confidence"] == "U"


def test_texas_adult_three_years_and_a_report_is_required() -> None:
    result = state("US-TX")
    assert due_of(result, "US-TX-D1") == date(2027, 5, 10)
    assert level_of(result, "tx_report_required") == "warning"


def test_texas_child_three_years_from_awareness_but_not_after_21() -> None:
    # Born 1 Apr 2012, crime at 12 on 10 May 2024, aware 1 Jan 2025: + 3 years = 1 Jan 2028;
    # the day before the 21st birthday is 31 Mar 2033.
    result = state("US-TX", person__date_of_birth="2012-04-01", us__comp__discovery_date="2025-01-01")
    assert due_of(result, "US-TX-D1a") == date(2028, 1, 1)
    assert due_of(result, "US-TX-D1b") == date(2033, 3, 31)
    assert "US-TX-D1" not in deadline_ids(result)
    assert "tx_child_exempt" in outcome_ids(result)
    assert "tx_report_required" not in outcome_ids(result)


def test_a_state_not_covered_says_so_plainly_and_computes_nothing() -> None:
    result = evaluate_raw("us.state_compensation", {"us.state": "US-FL"})
    found = outcome(result, "state_not_covered")
    assert "does not cover this state's compensation programme yet" in found["message"]
    assert result["deadlines"] == []
    assert result["next_question"] is None
