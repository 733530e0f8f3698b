"""The ``uk.stro`` definition against domain.md A8 (MSA 2015 ss.8-10). All data fictional."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.workflows.engine_results import TODAY, checklist_ids, deadline, evaluate_raw, outcome_ids


def stro(facts: dict[str, object], today: date = TODAY) -> dict[str, Any]:
    return evaluate_raw("uk.stro", facts, today)


def test_an_stro_needs_an_msa_conviction_and_a_confiscation_order() -> None:
    possible = stro(
        {"stro.prosecution_stage": "convicted", "stro.msa_offence": True, "stro.confiscation": True}
    )
    no_confiscation = stro(
        {"stro.prosecution_stage": "convicted", "stro.msa_offence": True, "stro.confiscation": False}
    )

    item = next(o for o in possible["outcomes"] if o["id"] == "stro_possible")
    assert item["confidence"] == "V"
    assert "must consider" in item["message"]
    assert {"no_confiscation", "compensation_order_route"} <= set(outcome_ids(no_confiscation))
    assert "compensation_order_route" not in outcome_ids(possible)
    assert "not_both_orders" in outcome_ids(possible)


def test_without_an_msa_offence_a_compensation_order_is_the_route() -> None:
    result = stro({"stro.prosecution_stage": "charged", "stro.msa_offence": False})

    assert {"compensation_order_route", "nobody_convicted_yet"} <= set(outcome_ids(result))
    route = next(o for o in result["outcomes"] if o["id"] == "compensation_order_route")
    assert route["confidence"] == "U"
    assert "stro.confiscation" not in result["missing"]


def test_timing_relative_to_sentencing() -> None:
    facts = {
        "stro.prosecution_stage": "convicted",
        "stro.msa_offence": True,
        "stro.confiscation": True,
        "stro.sentence_date": "2026-12-15",
    }
    result = stro(facts)

    d1 = deadline(result, "UK-STRO-D1")
    assert d1["due"] == "2026-12-15"
    assert d1["kind"] == "target"
    assert "losses_before_sentence" in outcome_ids(result)
    # After the hearing the prompt goes.
    assert "losses_before_sentence" not in outcome_ids(stro(facts, today=date(2026, 12, 16)))


def test_losses_drive_the_checklist_and_the_wage_figure_is_asked() -> None:
    result = stro(
        {
            "stro.prosecution_stage": "investigation",
            "stro.msa_offence": True,
            "stro.confiscation": None,
            "stro.loss_types": ["unpaid_wages", "deductions_debts"],
        }
    )

    assert {"loss_schedule", "wage_working", "debt_records"} <= set(checklist_ids(result))
    assert result["next_question"] == "wages.nmw_arrears_total"


def test_an_order_made_after_sentence_notes_the_appeal_date() -> None:
    facts = {
        "stro.prosecution_stage": "sentenced",
        "stro.msa_offence": True,
        "stro.confiscation": True,
        "stro.sentence_date": "2026-09-01",
        "stro.order_date": "2026-10-01",
    }
    result = stro(facts)

    appeal = next(o for o in result["outcomes"] if o["id"] == "order_after_sentence_appeal")
    assert "s.10(2)" in appeal["basis"]
