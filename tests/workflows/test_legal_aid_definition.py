"""The ``uk.legal_aid`` definition against domain.md A11 (LASPO Sch.1 para 32).

Nothing domain.md marks as not in force (the NABA 2022 s.66 add-on, the "7 free hours") is
offered as available. All data fictional.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from tests.workflows.engine_results import TODAY, checklist_ids, evaluate_raw, outcome_ids
from workflows.catalogue import default_catalogue

ALL_MATTERS = ["immigration", "nrm_decision", "employment", "damages", "cica", "other"]


def legal_aid(facts: dict[str, object]) -> dict[str, Any]:
    return evaluate_raw("uk.legal_aid", facts)


def test_rg_positive_victim_in_scope_for_immigration_employment_and_damages_not_cica() -> None:
    result = legal_aid(
        {"nrm.rg_decision": "positive", "nrm.cg_decision": "pending", "legal_aid.matters": ALL_MATTERS}
    )

    by_id = {o["id"]: o for o in result["outcomes"]}
    assert by_id["immigration_in_scope"]["confidence"] == "V"
    assert by_id["employment_in_scope"]["confidence"] == "S"
    assert by_id["damages_in_scope"]["confidence"] == "S"
    assert by_id["cica_out_of_scope"]["level"] == "warning"
    assert by_id["means_and_merits"]["confidence"] == "U"
    assert "nrm_decision_letter" in checklist_ids(result)


def test_a_negative_cg_ends_paragraph_32() -> None:
    result = legal_aid(
        {"nrm.rg_decision": "positive", "nrm.cg_decision": "negative", "legal_aid.matters": ALL_MATTERS}
    )

    ids = outcome_ids(result)
    assert "negative_cg" in ids
    assert not {"immigration_in_scope", "employment_in_scope", "damages_in_scope"} & set(ids)


def test_without_a_positive_decision_nothing_is_in_scope_under_para_32() -> None:
    result = legal_aid({"nrm.rg_decision": "pending", "legal_aid.matters": ["employment", "damages"]})

    assert "no_positive_decision" in outcome_ids(result)
    assert "employment_in_scope" not in outcome_ids(result)


_SEVEN_HOURS = re.compile(r"\b(7|seven)\s+(free\s+)?hours\b", re.IGNORECASE)


def test_nothing_not_in_force_is_presented_as_available() -> None:
    """Across every decision and matter combination, no outcome offers the uncommenced advice."""
    for rg, cg in itertools.product(["positive", "negative", "pending"], ["positive", "negative", "pending"]):
        result = legal_aid({"nrm.rg_decision": rg, "nrm.cg_decision": cg, "legal_aid.matters": ALL_MATTERS})
        for item in result["outcomes"]:
            assert not _SEVEN_HOURS.search(item["message"]), item["id"]
        ids = outcome_ids(result)
        assert "nrm_advice_add_on_not_in_force" in ids
    warning = next(o for o in result["outcomes"] if o["id"] == "nrm_advice_add_on_not_in_force")
    assert "not in force" in warning["message"]
    assert "Do not tell the person it is available" in warning["message"]
    # And nowhere in the definition's text either.
    workflow = default_catalogue().get("uk.legal_aid", TODAY)
    assert not _SEVEN_HOURS.search(workflow.path.read_text(encoding="utf-8"))
