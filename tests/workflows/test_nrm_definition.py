"""The ``uk.nrm`` definition against domain.md Parts A1 and A3 and the register of Part E.

Deadlines are worked examples with hand-computed dates (England and Wales bank holidays from
the GOV.UK list: Good Friday 3 April and Easter Monday 6 April 2026; Christmas Day Friday
25 December 2026, Boxing Day observed on Monday 28 December, New Year's Day 1 January 2027).
All people and cases are fictional.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

import pytest

from tests.workflows.engine_results import (
    TODAY,
    adult,
    assert_deadline_contract,
    checklist_ids,
    cica,
    deadline,
    deadline_ids,
    level_of,
    nrm,
    outcome,
    outcome_ids,
)
from workflows.catalogue import default_catalogue

NRM_REGISTER_IDS = {f"UK-NRM-D{n}" for n in range(1, 9)}
REGISTER_ID_PATTERN = re.compile(r"^UK-NRM-D\d+[a-z]?$")

# A fictional adult who has consented, with the referral not yet made.
ADULT_CASE: dict[str, object] = {
    "person.date_of_birth": "1995-04-12",
    "nrm.possibly_child": False,
    "person.nationality": "AL",
    "person.preferred_language": "sq",
    "exploitation.jurisdiction": "GB-ENG",
    "exploitation.types": ["labour"],
    "nrm.first_responder_org": True,
    "nrm.consent_given": True,
    "nrm.destitute": False,
    "nrm.prior_referral": False,
    "person.criminal_proceedings": False,
    "immigration.deportation_order": False,
    "immigration.asylum_claim_pending": False,
}


# --- helpers --------------------------------------------------------------------------------


def without(facts: Mapping[str, object], *keys: str) -> dict[str, object]:
    """``facts`` without the answers to ``keys`` (questions not asked yet)."""
    return {key: value for key, value in facts.items() if key not in keys}


def positive_rg(rg_date: str, **more: object) -> dict[str, object]:
    """A positive Reasonable Grounds decision on ``rg_date``."""
    facts: dict[str, object] = {"nrm.rg_decision": "positive", "nrm.rg_decision_date": rg_date}
    facts.update({k.replace("__", "."): v for k, v in more.items()})
    return facts


# --- UK-NRM-D1: RG decision target, 5 working days ------------------------------------------


def test_d1_five_working_days_skipping_easter() -> None:
    """Referral Thu 2 Apr 2026: Good Friday and Easter Monday skipped, so Mon 13 Apr 2026.

    Working days after the referral: Tue 7, Wed 8, Thu 9, Fri 10, Mon 13.
    """
    # Given a referral on the Thursday before Easter
    result = nrm({"nrm.referral_date": "2026-04-02"})
    # When
    d1 = deadline(result, "UK-NRM-D1")
    # Then
    assert d1["due"] == "2026-04-13"
    assert d1["kind"] == "target"
    assert d1["confidence"] == "S"
    assert d1["day_type"] == "business days"
    assert d1["holidays_skipped"] == [
        {"date": "2026-04-03", "name": "Good Friday"},
        {"date": "2026-04-06", "name": "Easter Monday"},
    ]
    assert "Statutory Guidance" in d1["basis"]
    assert "2026-04-02" in d1["explanation"]
    assert "5 business days after" in d1["explanation"]
    assert "Good Friday" in d1["explanation"]
    assert "Easter Monday" in d1["explanation"]


def test_d1_five_working_days_over_christmas() -> None:
    """Referral Wed 23 Dec 2026: Thu 24, Tue 29, Wed 30, Thu 31 Dec, Mon 4 Jan 2027."""
    # Given
    result = nrm({"nrm.referral_date": "2026-12-23"}, today=date(2027, 1, 10))
    # When
    d1 = deadline(result, "UK-NRM-D1")
    # Then
    assert d1["due"] == "2027-01-04"
    assert d1["holidays_skipped"] == [
        {"date": "2026-12-25", "name": "Christmas Day"},
        {"date": "2026-12-28", "name": "Boxing Day (observed)"},
        {"date": "2027-01-01", "name": "New Year's Day"},
    ]


def test_d1_without_holidays_names_none() -> None:
    """Referral Mon 15 June 2026: Mon 22 June 2026, no holiday in between."""
    d1 = deadline(nrm({"nrm.referral_date": "2026-06-15"}), "UK-NRM-D1")
    assert d1["due"] == "2026-06-22"
    assert d1["holidays_skipped"] == []
    assert "none fell in the period" in d1["explanation"]


# --- UK-NRM-D2: recovery period, 45 -> 30 days on 13 December 2022 ---------------------------


def test_d2_positive_rg_on_12_december_2022_has_45_days() -> None:
    """45 days beginning with 12 Dec 2022 (day 1) end on 25 Jan 2023."""
    # Given a positive RG the day before the ministerial statement
    d2 = deadline(nrm(positive_rg("2022-12-12")), "UK-NRM-D2")
    # Then
    assert d2["due"] == "2023-01-25"
    assert d2["kind"] == "period_end"
    assert d2["confidence"] == "V"
    assert "45 days" in d2["basis"]
    assert "2022-12-12" in d2["explanation"]
    assert "45 days beginning with" in d2["explanation"]
    assert "Rule in force for a trigger on 2022-12-12" in d2["explanation"]


def test_d2_positive_rg_on_13_december_2022_has_30_days() -> None:
    """30 days beginning with 13 Dec 2022 (day 1) end on 11 Jan 2023."""
    # Given a positive RG on the day of the ministerial statement
    d2 = deadline(nrm(positive_rg("2022-12-13")), "UK-NRM-D2")
    # Then the 30-day minimum applies and the explanation cites the statement in force
    assert d2["due"] == "2023-01-11"
    assert d2["kind"] == "period_end"
    assert "s.61" in d2["basis"]
    assert "Ministerial statement of 13 December 2022" in d2["basis"]
    assert "30 days beginning with" in d2["explanation"]
    assert "Rule in force for a trigger on 2022-12-13" in d2["explanation"]
    assert "Ministerial statement of 13 December 2022" in d2["explanation"]


@pytest.mark.parametrize(
    ("cg_facts", "expected_due", "fragments"),
    [
        # CG 15 June 2026, after the minimum period: the period runs on to the CG decision.
        pytest.param(
            {"nrm__cg_decision": "positive", "nrm__cg_decision_date": "2026-06-15"},
            "2026-06-15",
            ["2026-03-31", "2026-06-15"],
            id="runs_on_to_a_later_cg_decision",
        ),
        # CG 20 Mar 2026: the 30-day minimum (31 Mar 2026) still counts.
        pytest.param(
            {"nrm__cg_decision": "negative", "nrm__cg_decision_date": "2026-03-20"},
            "2026-03-31",
            ["minimum period counts"],
            id="stays_at_the_minimum_when_the_cg_decision_came_earlier",
        ),
        pytest.param({}, "2026-03-31", ["minimum"], id="without_a_cg_decision_is_the_minimum"),
    ],
)
def test_d2_after_a_positive_rg_on_2_march_2026(
    cg_facts: dict[str, object], expected_due: str, fragments: list[str]
) -> None:
    """RG 2 Mar 2026: the 30-day minimum ends on 31 Mar 2026, or later at a later CG decision."""
    # Given the CG decision, if any
    facts = positive_rg("2026-03-02", **cg_facts)
    # When
    d2 = deadline(nrm(facts), "UK-NRM-D2")
    # Then
    assert d2["due"] == expected_due
    for fragment in fragments:
        assert fragment in d2["explanation"]


@pytest.mark.parametrize("decision", ["negative", "pending"])
def test_d2_only_after_a_positive_rg(decision: str) -> None:
    result = nrm({"nrm.rg_decision": decision, "nrm.rg_decision_date": "2026-03-02"})
    assert "UK-NRM-D2" not in deadline_ids(result)


# --- D4 to D8 ---------------------------------------------------------------------------------


def test_d4_contact_the_support_provider_after_48_hours() -> None:
    """Consent to support on 3 Mar 2026: contact them directly from 5 Mar 2026."""
    facts = positive_rg("2026-03-02", nrm__msvcc_consent_date="2026-03-03")
    d4 = deadline(nrm(facts), "UK-NRM-D4")
    assert d4["due"] == "2026-03-05"
    assert d4["kind"] == "target"
    assert d4["confidence"] == "V"
    assert "48 hours" in d4["basis"]
    assert "2026-03-03" in d4["explanation"]
    assert "2 days after" in d4["explanation"]


def test_d5_move_on_support_45_days_after_a_positive_cg() -> None:
    """Positive CG 15 June 2026: move-on support until at least 30 July 2026."""
    facts = positive_rg("2026-03-02", nrm__cg_decision="positive", nrm__cg_decision_date="2026-06-15")
    result = nrm(facts)
    d5 = deadline(result, "UK-NRM-D5")
    assert d5["due"] == "2026-07-30"
    assert d5["kind"] == "period_end"
    assert d5["confidence"] == "V"
    assert "22 January 2026" in d5["basis"]
    assert "2026-06-15" in d5["explanation"]
    assert "45 days after" in d5["explanation"]
    assert "UK-NRM-D6" not in deadline_ids(result)


def test_d6_negative_cg_takes_the_earlier_of_14_days_and_9_working_days() -> None:
    """Negative CG Mon 15 June 2026: 14 days -> 29 June; 9 working days -> Fri 26 June."""
    # Given
    facts = positive_rg("2026-03-02", nrm__cg_decision="negative", nrm__cg_decision_date="2026-06-15")
    # When
    result = nrm(facts)
    d6 = deadline(result, "UK-NRM-D6")
    # Then the earlier one counts, unconfirmed, and both are shown
    assert d6["due"] == "2026-06-26"
    assert d6["kind"] == "period_end"
    assert d6["confidence"] == "U"
    assert d6["check"]
    assert "14 days" in d6["basis"]
    assert "2026-06-15" in d6["explanation"]
    assert "2026-06-29" in d6["explanation"]
    assert "2026-06-26" in d6["explanation"]
    assert "9 business days" in d6["explanation"]
    assert "earlier" in d6["explanation"]
    assert "UK-NRM-D5" not in deadline_ids(result)


def test_d6_14_days_wins_when_holidays_lengthen_the_working_days() -> None:
    """Negative CG Fri 18 Dec 2026: 14 days -> Fri 1 Jan 2027 (a holiday; it does not move);
    9 working days skip Christmas, Boxing Day (observed) and New Year's Day -> Tue 5 Jan 2027."""
    facts = positive_rg("2026-03-02", nrm__cg_decision="negative", nrm__cg_decision_date="2026-12-18")
    d6 = deadline(nrm(facts, today=date(2026, 12, 31)), "UK-NRM-D6")
    assert d6["due"] == "2027-01-01"
    assert "2027-01-05" in d6["explanation"]
    assert d6["confidence"] == "U"


def test_d6_day_type_follows_the_rule_that_counts() -> None:
    facts = positive_rg("2026-03-02", nrm__cg_decision="negative", nrm__cg_decision_date="2026-06-15")
    d6 = deadline(nrm(facts), "UK-NRM-D6")
    assert d6["due"] == "2026-06-26"  # the 9-working-day reading
    assert d6["day_type"] == "business days"


def test_d7_d8_run_from_a_negative_cg_decision() -> None:
    """RG positive 2 Mar 2026, CG negative 15 June 2026: JR by 15 Sept, reconsideration by 15 July."""
    # Given
    facts = positive_rg("2026-03-02", nrm__cg_decision="negative", nrm__cg_decision_date="2026-06-15")
    # When
    result = nrm(facts)
    d7 = deadline(result, "UK-NRM-D7")
    d8 = deadline(result, "UK-NRM-D8")
    # Then the trigger is the CG decision, not the RG decision
    assert d7["due"] == "2026-09-15"
    assert d7["trigger_date"] == "2026-06-15"
    assert d7["kind"] == "limit"
    assert d7["confidence"] == "S"
    assert "CPR 54.5" in d7["basis"]
    assert "3 months after" in d7["explanation"]
    assert "2026-06-15" in d7["explanation"]
    assert d8["due"] == "2026-07-15"
    assert d8["trigger_date"] == "2026-06-15"
    assert d8["kind"] == "limit"
    assert d8["confidence"] == "V"
    assert "30 calendar days" in d8["basis"]
    assert "30 days after" in d8["explanation"]


def test_d7_d8_run_from_the_rg_decision_when_the_cg_is_not_negative() -> None:
    """Negative RG Sun 30 Nov 2025 (CG recorded as pending): JR by 28 Feb 2026 (no 30 Feb),
    reconsideration by 30 Dec 2025."""
    facts = {
        "nrm.rg_decision": "negative",
        "nrm.rg_decision_date": "2025-11-30",
        "nrm.cg_decision": "pending",
    }
    result = nrm(facts)
    assert deadline(result, "UK-NRM-D7")["due"] == "2026-02-28"
    assert deadline(result, "UK-NRM-D7")["trigger_date"] == "2025-11-30"
    assert "ends on its last day" in deadline(result, "UK-NRM-D7")["explanation"]
    assert deadline(result, "UK-NRM-D8")["due"] == "2025-12-30"


def test_negative_rg_alone_has_the_reconsideration_and_jr_deadlines() -> None:
    """Negative RG Sun 31 May 2026, as the interview records it: JR 31 Aug, reconsideration 30 June."""
    # Given a negative RG decision and no CG question asked
    result = nrm(
        {
            "nrm.referral_date": "2026-05-20",
            "nrm.rg_decision": "negative",
            "nrm.rg_decision_date": "2026-05-31",
        }
    )
    # Then both limits run from the RG decision
    assert deadline(result, "UK-NRM-D7")["due"] == "2026-08-31"
    assert deadline(result, "UK-NRM-D8")["due"] == "2026-06-30"


def test_no_decision_deadlines_without_a_negative_decision() -> None:
    result = nrm(positive_rg("2026-03-02", nrm__cg_decision="pending"))
    assert "UK-NRM-D7" not in deadline_ids(result)
    assert "UK-NRM-D8" not in deadline_ids(result)
    assert "UK-NRM-D6" not in deadline_ids(result)


# --- Outcomes and the interview ---------------------------------------------------------------


def test_adult_without_consent_is_blocked() -> None:
    # Given an adult who does not consent
    result = nrm(adult(ADULT_CASE, nrm__consent_given=False, nrm__public_authority=False))
    # Then no referral, and no Duty to Notify for a non-public body
    assert level_of(result, "no_consent_adult") == "blocked"
    assert "duty_to_notify" not in outcome_ids(result)


def test_public_authority_must_still_notify_without_consent() -> None:
    result = nrm(adult(ADULT_CASE, nrm__consent_given=False, nrm__public_authority=True))
    assert level_of(result, "no_consent_adult") == "blocked"
    assert level_of(result, "duty_to_notify") == "warning"
    assert "s.52" in outcome(result, "duty_to_notify")["basis"]


def test_public_authority_question_only_without_consent() -> None:
    with_consent = nrm(adult(ADULT_CASE))
    without = nrm(adult(ADULT_CASE, nrm__consent_given=False))
    assert "nrm.public_authority" not in with_consent["missing"]
    assert without["next_question"] == "nrm.public_authority"


def test_child_by_date_of_birth_gets_the_child_pathway_and_no_consent_question() -> None:
    """Born 23 Nov 2008: 17 on 22 Nov 2026, so a child; consent is never asked."""
    # Given a child and every other answer
    facts = without(
        adult(ADULT_CASE, person__date_of_birth="2008-11-23"), "nrm.possibly_child", "nrm.consent_given"
    )
    # When
    result = nrm(facts)
    # Then
    assert level_of(result, "child_pathway") == "info"
    assert "nrm.consent_given" not in result["missing"]
    assert "nrm.possibly_child" not in result["missing"]
    assert result["next_question"] == "nrm.referral_date"
    assert "age_evidence" in checklist_ids(result)


def test_the_same_person_is_an_adult_on_their_18th_birthday() -> None:
    """On 23 Nov 2026 the person above turns 18: the possibly-child and consent questions come."""
    facts = {"person.date_of_birth": "2008-11-23"}
    on_birthday = nrm(facts, today=date(2026, 11, 23))
    assert "child_pathway" not in outcome_ids(on_birthday)
    assert on_birthday["next_question"] == "nrm.possibly_child"
    answered = nrm({**facts, "nrm.possibly_child": False}, today=date(2026, 11, 23))
    assert "nrm.consent_given" in answered["missing"]


def test_possibly_a_child_gets_the_child_pathway_and_no_consent_question() -> None:
    # Given an adult date of birth that is disputed
    facts = without(adult(ADULT_CASE, nrm__possibly_child=True), "nrm.consent_given")
    # When
    result = nrm(facts)
    # Then
    assert level_of(result, "child_pathway") == "info"
    assert "nrm.consent_given" not in result["missing"]
    assert "no_consent_adult" not in outcome_ids(result)


def test_a_childs_earlier_consent_answer_is_unused() -> None:
    """A consent answer given before the age was known does not block a child."""
    result = nrm(adult(ADULT_CASE, nrm__possibly_child=True, nrm__consent_given=False))
    assert "nrm.consent_given" in result["unused"]
    assert "child_pathway" in outcome_ids(result)


def test_adult_with_unknown_birth_date_is_asked_for_consent() -> None:
    # Given an unknown birth date and a person who cannot be a child
    facts = without(adult(ADULT_CASE, person__date_of_birth=None), "nrm.consent_given")
    # When
    result = nrm(facts)
    # Then consent is asked
    assert result["next_question"] == "nrm.consent_given"


def test_not_a_first_responder_warns() -> None:
    result = nrm({"nrm.first_responder_org": False})
    assert level_of(result, "not_first_responder") == "warning"
    assert "not_first_responder" not in outcome_ids(nrm({"nrm.first_responder_org": True}))


@pytest.mark.parametrize("where", ["GB-SCT", "GB-NIR"])
def test_scotland_and_northern_ireland_warn(where: str) -> None:
    result = nrm({"exploitation.jurisdiction": where})
    assert level_of(result, "outside_england_wales") == "warning"
    assert "exploited_abroad" not in outcome_ids(result)


@pytest.mark.parametrize("where", ["GB", "GB-ENG", "GB-WLS"])
def test_england_and_wales_have_no_jurisdiction_outcome(where: str) -> None:
    result = nrm({"exploitation.jurisdiction": where})
    assert "outside_england_wales" not in outcome_ids(result)
    assert "exploited_abroad" not in outcome_ids(result)


@pytest.mark.parametrize("where", ["VN", "RO", "US-CA"])
def test_exploitation_abroad_is_information(where: str) -> None:
    result = nrm({"exploitation.jurisdiction": where})
    assert level_of(result, "exploited_abroad") == "info"


@pytest.mark.parametrize(
    "facts",
    [
        {"person.criminal_proceedings": True},
        {"immigration.deportation_order": True},
        {"person.criminal_proceedings": True, "immigration.deportation_order": False},
    ],
)
def test_convictions_or_deportation_order_warn_about_public_order(
    facts: dict[str, object],
) -> None:
    result = nrm(facts)
    assert level_of(result, "public_order_risk") == "warning"


def test_no_public_order_warning_without_either() -> None:
    result = nrm({"person.criminal_proceedings": False, "immigration.deportation_order": False})
    assert "public_order_risk" not in outcome_ids(result)


@pytest.mark.parametrize(
    "facts",
    [
        {"nrm.rg_decision": "negative", "nrm.rg_decision_date": "2026-05-31"},
        positive_rg("2026-03-02", nrm__cg_decision="negative", nrm__cg_decision_date="2026-06-15"),
    ],
)
def test_negative_decision_warns_about_reconsideration(facts: dict[str, object]) -> None:
    # Given a negative RG or CG decision
    result = nrm(facts)
    # Then
    assert level_of(result, "negative_decision_options") == "warning"
    assert level_of(result, "who_may_request_reconsideration") == "info"
    assert "decision_letter" in checklist_ids(result)
    assert result["next_question"] is not None
    assert "reconsideration_restricted" not in outcome_ids(result)


def test_september_2025_restriction_when_removal_to_an_ecat_state_is_intended() -> None:
    # Given a negative decision and an intended removal to France
    facts = {
        "nrm.rg_decision": "negative",
        "nrm.rg_decision_date": "2026-05-31",
        "nrm.removal_to_ecat_state_intended": True,
    }
    # When
    result = nrm(facts)
    # Then
    assert level_of(result, "reconsideration_restricted") == "warning"
    basis = outcome(result, "reconsideration_restricted")["basis"]
    assert "September 2025" in basis


def test_ecat_question_only_after_a_negative_decision() -> None:
    positive = nrm(
        adult(
            ADULT_CASE,
            nrm__referral_date="2026-02-25",
            **positive_rg("2026-03-02", nrm__cg_decision="pending"),
        )
    )
    negative = nrm(
        adult(
            ADULT_CASE,
            nrm__referral_date="2026-05-20",
            nrm__rg_decision="negative",
            nrm__rg_decision_date="2026-05-31",
        )
    )
    assert positive["next_question"] == "nrm.msvcc_consent_date"
    assert negative["next_question"] == "nrm.removal_to_ecat_state_intended"


def test_positive_cg_is_information() -> None:
    facts = positive_rg("2026-03-02", nrm__cg_decision="positive", nrm__cg_decision_date="2026-06-15")
    result = nrm(facts)
    assert level_of(result, "positive_cg_next_steps") == "info"
    assert "negative_decision_options" not in outcome_ids(result)


def test_waiting_for_the_cg_decision_says_there_is_no_deadline() -> None:
    result = nrm(positive_rg("2026-03-02", nrm__cg_decision="pending"))
    assert level_of(result, "cg_not_before_day_30") == "info"


def test_interview_walks_the_steps_in_order_for_an_adult() -> None:
    # Given answers for a whole adult case with a negative CG
    answers = {
        **ADULT_CASE,
        "nrm.referral_date": "2026-03-02",
        "nrm.rg_decision": "positive",
        "nrm.rg_decision_date": "2026-03-06",
        "nrm.msvcc_consent_date": "2026-03-06",
        "nrm.cg_decision": "negative",
        "nrm.cg_decision_date": "2026-09-01",
        "nrm.removal_to_ecat_state_intended": False,
    }
    facts: dict[str, object] = {}
    asked: list[str] = []
    # When each next question is answered in turn
    while (question := nrm(facts)["next_question"]) is not None:
        asked.append(question)
        facts[question] = answers[question]
    # Then
    assert asked == [
        "person.date_of_birth",
        "nrm.possibly_child",
        "person.nationality",
        "person.preferred_language",
        "exploitation.jurisdiction",
        "exploitation.types",
        "nrm.first_responder_org",
        "nrm.consent_given",
        "nrm.destitute",
        "nrm.prior_referral",
        "person.criminal_proceedings",
        "immigration.deportation_order",
        "immigration.asylum_claim_pending",
        "nrm.referral_date",
        "nrm.rg_decision",
        "nrm.rg_decision_date",
        "nrm.msvcc_consent_date",
        "nrm.cg_decision",
        "nrm.cg_decision_date",
        "nrm.removal_to_ecat_state_intended",
    ]
    final = nrm(facts)
    assert final["missing"] == []
    assert deadline_ids(final) == [
        "UK-NRM-D1",
        "UK-NRM-D2",
        "UK-NRM-D4",
        "UK-NRM-D6",
        "UK-NRM-D7",
        "UK-NRM-D8",
    ]


# --- Tell your story once ---------------------------------------------------------------------

SHARED_FACTS = (
    "person.date_of_birth",
    "exploitation.types",
    "exploitation.jurisdiction",
    "person.preferred_language",
)


def test_answers_given_for_the_nrm_are_not_asked_again_for_cica() -> None:
    """Facts answered in uk.nrm are reused by uk.cica: the next question is a CICA-only one."""
    # Given a case answered for the NRM, up to a positive CG decision
    nrm_facts = adult(
        ADULT_CASE,
        nrm__referral_date="2026-03-02",
        **positive_rg("2026-03-06", nrm__cg_decision="positive", nrm__cg_decision_date="2026-09-01"),
    )
    assert nrm(nrm_facts)["next_question"] == "nrm.msvcc_consent_date"  # under way
    # When the same facts are evaluated for CICA
    result = cica(nrm_facts)
    # Then no shared fact is asked again or missing, and CICA asks its own question
    assert result["next_question"] == "person.british_citizen"
    cica_questions = {q.fact for q in default_catalogue().get("uk.cica", TODAY).questions}
    nrm_questions = {q.fact for q in default_catalogue().get("uk.nrm", TODAY).questions}
    assert result["next_question"] in cica_questions - nrm_questions
    for key in SHARED_FACTS:
        assert key in cica_questions
        assert key in nrm_questions
        assert key not in result["missing"]


def test_the_cg_decision_from_the_nrm_serves_the_cica_residency_route() -> None:
    # Given the NRM case, and the CICA residency answers up to the NRM referral
    facts = {
        **adult(
            ADULT_CASE,
            **positive_rg("2026-03-06", nrm__cg_decision="positive", nrm__cg_decision_date="2026-09-01"),
        ),
        "person.british_citizen": False,
        "exploitation.types": ["sexual"],
        "incident.date": "2025-06-01",
        "incident.violence_or_threat": True,
        "police.reported": True,
        "police.first_report_date": "2025-07-01",
        "police.crime_reference": "FIC/0002/25",
        "police.cooperating": True,
        "cica.ordinarily_resident": False,
        "nrm.referred": True,
    }
    # When
    result = cica(facts)
    # Then nrm.cg_decision is not asked again, and its letter is on the checklist
    assert result["next_question"] == "cica.unspent_listed_conviction"
    assert "positive_cg_letter" in checklist_ids(result)


# --- The JSON contract ------------------------------------------------------------------------


def test_every_nrm_deadline_has_the_contract_fields_and_a_register_id() -> None:
    # Given two cases that together produce every NRM deadline
    results = [
        nrm(
            {
                "nrm.referral_date": "2026-02-25",
                **positive_rg(
                    "2026-03-02",
                    nrm__msvcc_consent_date="2026-03-03",
                    nrm__cg_decision="negative",
                    nrm__cg_decision_date="2026-06-15",
                ),
            }
        ),
        nrm(positive_rg("2026-03-02", nrm__cg_decision="positive", nrm__cg_decision_date="2026-06-15")),
    ]
    seen = set()
    for result in results:
        assert set(result) >= {
            "workflow",
            "today",
            "next_question",
            "missing",
            "outcomes",
            "checklist",
            "deadlines",
            "documents",
        }
        assert result["workflow"] == {"id": "uk.nrm", "version": "2026.1"}
        for item in result["deadlines"]:
            # Then
            assert_deadline_contract(item, REGISTER_ID_PATTERN, NRM_REGISTER_IDS)
            seen.add(item["id"])
    assert seen == {rule.id for rule in default_catalogue().get("uk.nrm", TODAY).deadlines}


def test_a_recovery_period_past_its_minimum_but_awaiting_the_cg_decision_is_continuing() -> None:
    """Day 30 has passed, but with the CG decision still pending the period has not ended."""
    # Given a positive RG decision 40 days ago and no CG decision yet
    facts = {
        "nrm.rg_decision": "positive",
        "nrm.rg_decision_date": "2026-10-13",
        "nrm.cg_decision": "pending",
    }
    # When
    d2 = deadline(nrm(facts, today=date(2026, 11, 22)), "UK-NRM-D2")
    # Then the minimum date is shown, and the status says it continues rather than "passed"
    assert d2["due"] == "2026-11-11"
    assert d2["status"] == "continuing"
