"""The ``uk.vts`` definition against domain.md A4 (UK-VTS-D1 to D3), the s.63 and pause flags.

All people and cases are fictional.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.workflows.engine_results import TODAY, checklist_ids, deadline, due_of, evaluate_raw, outcome_ids


def vts(facts: dict[str, object], today: date = TODAY) -> dict[str, Any]:
    return evaluate_raw("uk.vts", facts, today)


POSITIVE_CG = {
    "nrm.cg_decision": "positive",
    "nrm.cg_decision_date": "2026-06-01",
    "person.british_citizen": False,
    "vts.existing_leave": False,
    "immigration.asylum_claim_pending": False,
    "immigration.deportation_order": False,
    "vts.public_order_concern": False,
}


def test_without_a_positive_cg_vts_is_blocked_and_no_grounds_are_asked() -> None:
    result = vts({"nrm.cg_decision": "pending"})

    assert "no_positive_cg" in outcome_ids(result)
    assert any(o["level"] == "blocked" for o in result["outcomes"])
    assert "vts.recovery_need" not in result["missing"]


def test_d1_first_consideration_is_automatic_with_no_deadline() -> None:
    result = vts(POSITIVE_CG)

    assert "automatic_consideration" in outcome_ids(result)
    assert result["deadlines"] == []
    assert result["next_question"] == "vts.recovery_need"


def test_three_grounds_with_their_evidence() -> None:
    facts = POSITIVE_CG | {
        "vts.recovery_need": True,
        "vts.treatment_available_abroad": False,
        "vts.compensation_claim": True,
        "vts.compensation_from_abroad": False,
        "vts.cooperation_requested": True,
    }
    result = vts(facts)

    assert {"recovery_ground", "compensation_ground", "cooperation_ground"} <= set(outcome_ids(result))
    assert {
        "healthcare_report",
        "compensation_claim_evidence",
        "cooperation_letter",
        "positive_cg_letter",
    } <= set(checklist_ids(result))
    recovery = next(o for o in result["outcomes"] if o["id"] == "recovery_ground")
    assert recovery["confidence"] == "S"  # the v4.0 "should" comes from a secondary source


def test_section_65_4_not_necessary_flags() -> None:
    facts = POSITIVE_CG | {
        "vts.recovery_need": True,
        "vts.treatment_available_abroad": True,
        "vts.compensation_claim": True,
        "vts.compensation_from_abroad": True,
        "vts.cooperation_requested": False,
    }
    ids = outcome_ids(vts(facts))

    assert {"recovery_met_abroad", "compensation_from_abroad"} <= set(ids)
    assert "recovery_ground" not in ids


def test_no_ground_warns() -> None:
    facts = POSITIVE_CG | {
        "vts.recovery_need": False,
        "vts.compensation_claim": False,
        "vts.cooperation_requested": False,
    }
    assert "no_ground_yet" in outcome_ids(vts(facts))


def test_s63_public_order_flag() -> None:
    result = vts(POSITIVE_CG | {"vts.public_order_concern": True})

    flag = next(o for o in result["outcomes"] if o["id"] == "public_order_disqualification")
    assert flag["level"] == "warning"
    assert "s.63" in flag["basis"]


def test_deportation_order_pause_is_dated_6_february_2025() -> None:
    facts = POSITIVE_CG | {"immigration.deportation_order": True}

    assert "deportation_order_pause" in outcome_ids(vts(facts))
    before = vts(facts | {"nrm.cg_decision_date": "2024-12-01"}, today=date(2025, 2, 5))
    assert "deportation_order_pause" not in outcome_ids(before)


def test_recovery_pause_history_is_unconfirmed() -> None:
    facts = POSITIVE_CG | {"nrm.cg_decision_date": "2024-05-01", "vts.recovery_need": True}
    result = vts(facts)

    history = next(o for o in result["outcomes"] if o["id"] == "recovery_pause_history")
    assert history["confidence"] == "U"
    assert "27 August 2024" in history["message"]
    assert history["check"]
    # A decision after v4.0 came into use is not affected.
    assert "recovery_pause_history" not in outcome_ids(vts(POSITIVE_CG | {"vts.recovery_need": True}))


def test_d2_extension_before_the_permission_expires() -> None:
    facts = POSITIVE_CG | {
        "vts.recovery_need": True,
        "vts.treatment_available_abroad": False,
        "vts.compensation_claim": False,
        "vts.cooperation_requested": False,
        "vts.decision": "granted",
        "vts.expiry_date": "2027-05-31",
    }
    result = vts(facts)

    d2 = deadline(result, "UK-VTS-D2")
    assert d2["due"] == "2027-05-31"
    assert d2["confidence"] == "V"
    assert "FLR(HRO)" in d2["basis"] or "VTS 1.1" in d2["basis"]
    assert {"grant_length_from_letter", "in_time_extension_keeps_leave"} <= set(outcome_ids(result))
    s3c = next(o for o in result["outcomes"] if o["id"] == "in_time_extension_keeps_leave")
    assert s3c["confidence"] == "U"  # s.3C mechanics are unconfirmed in domain.md
    assert "flr_hro_form" in checklist_ids(result)


def test_d3_judicial_review_of_a_refusal_is_unconfirmed() -> None:
    facts = POSITIVE_CG | {
        "vts.recovery_need": False,
        "vts.compensation_claim": True,
        "vts.compensation_from_abroad": False,
        "vts.cooperation_requested": False,
        "vts.decision": "refused",
        "vts.decision_date": "2026-10-15",
    }
    result = vts(facts)

    d3 = deadline(result, "UK-VTS-D3")
    assert d3["due"] == "2027-01-15"
    assert d3["confidence"] == "U"
    assert d3["check"]
    assert due_of(result, "UK-VTS-D2") is None


def test_british_citizens_are_not_asked_about_grounds() -> None:
    result = vts(
        {"nrm.cg_decision": "positive", "nrm.cg_decision_date": "2026-06-01", "person.british_citizen": True}
    )

    assert "british_citizen" in outcome_ids(result)
    assert result["next_question"] is None
