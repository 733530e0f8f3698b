"""The ``uk.et_wages`` definition against domain.md A9 (UK-ET-D1 to D5) and rates-and-forms 1.4.

Every deadline row is a worked example with real dates computed by hand; the *Haque* example
(UK-ET-D5) runs through the whole engine. All people and cases are fictional.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.workflows.engine_results import TODAY, checklist_ids, deadline, due_of, evaluate_raw, outcome_ids
from workflows.engine import EvaluationError


def et(facts: dict[str, object], today: date = TODAY) -> dict[str, Any]:
    return evaluate_raw("uk.et_wages", facts, today)


WAGES = {"employment.claim_types": ["unpaid_wages"], "employment.ended": True}


def test_d1_three_months_beginning_with_the_last_underpayment() -> None:
    """Last underpayment 15 Sep 2026: the limit is 14 Dec 2026 ("3 months less one day")."""
    result = et(
        WAGES | {"employment.termination_date": "2026-09-30", "employment.last_payment_date": "2026-09-15"}
    )

    d1 = deadline(result, "UK-ET-D1")
    assert d1["due"] == "2026-12-14"
    assert d1["confidence"] == "S"
    assert "ERA 1996 s.23" in d1["basis"]
    assert "3 months beginning with" in d1["explanation"]
    assert "No ACAS early conciliation recorded" in d1["explanation"]


def test_d1_never_paid_counts_from_the_day_the_work_ended() -> None:
    result = et(WAGES | {"employment.termination_date": "2026-10-10", "employment.last_payment_date": None})

    assert due_of(result, "UK-ET-D1") == date(2027, 1, 9)
    assert "never_paid" in outcome_ids(result)


def test_d5_haque_worked_example_through_the_engine() -> None:
    """Domain.md UK-ET-D5: 20 Jun 2016 -> 19 Sep 2016; Day A 22 Jul, Day B 22 Aug -> 20 Oct 2016."""
    facts = WAGES | {
        "employment.termination_date": "2016-06-20",
        "employment.last_payment_date": "2016-06-20",
        "acas.contacted": True,
        "acas.day_a": "2016-07-22",
        "acas.day_b": "2016-08-22",
    }
    d1 = deadline(et(facts, today=date(2016, 9, 1)), "UK-ET-D1")

    assert d1["due"] == "2016-10-20"
    assert "2016-09-19" in d1["explanation"]  # the primary limit is shown
    assert "31 day(s)" in d1["explanation"]
    assert "ACAS early conciliation: Day A 2016-07-22, Day B 2016-08-22." in d1["explanation"]
    assert "s.207B(3)-(4)" in d1["basis"]
    assert "Haque" in d1["basis"]


def test_d4_subsection_4_applied_through_the_engine() -> None:
    """Limit 31 Mar 2026; ACAS 30-31 Mar: the limit becomes one month after Day B, 30 Apr 2026."""
    facts = WAGES | {
        "employment.termination_date": "2026-01-01",
        "employment.last_payment_date": "2026-01-01",
        "acas.contacted": True,
        "acas.day_a": "2026-03-30",
        "acas.day_b": "2026-03-31",
    }
    d1 = deadline(et(facts), "UK-ET-D1")

    assert d1["due"] == "2026-04-30"
    assert "s.207B(4)" in d1["explanation"]


def test_d4_only_day_a_known_keeps_the_unextended_date() -> None:
    facts = WAGES | {
        "employment.termination_date": "2026-09-15",
        "employment.last_payment_date": "2026-09-15",
        "acas.contacted": True,
        "acas.day_a": "2026-10-01",
    }
    d1 = deadline(et(facts), "UK-ET-D1")

    assert d1["due"] == "2026-12-14"
    assert "once the certificate's date (Day B) is entered" in d1["explanation"]


def test_d4_late_acas_contact_does_not_revive_the_limit() -> None:
    facts = WAGES | {
        "employment.termination_date": "2026-01-01",
        "employment.last_payment_date": "2026-01-01",
        "acas.contacted": True,
        "acas.day_a": "2026-04-05",
        "acas.day_b": "2026-04-20",
    }
    result = et(facts)

    d1 = deadline(result, "UK-ET-D1")
    assert d1["due"] == "2026-03-31"
    assert "does not extend" in d1["explanation"]
    assert "late_acas_contact" in outcome_ids(result)


def test_day_b_before_day_a_is_an_evaluation_error() -> None:
    from workflows.catalogue import default_catalogue
    from workflows.engine import evaluate

    workflow = default_catalogue().get("uk.et_wages", TODAY)
    facts = {
        "employment.claim_types": ("unpaid_wages",),
        "employment.ended": True,
        "employment.termination_date": date(2026, 1, 1),
        "acas.contacted": True,
        "acas.day_a": date(2026, 3, 10),
        "acas.day_b": date(2026, 3, 1),
    }
    with pytest.raises(EvaluationError, match="Day B"):
        evaluate(workflow, facts, TODAY)


def test_d2_breach_of_contract_is_unconfirmed_and_says_what_to_check() -> None:
    facts = {
        "employment.claim_types": ["breach_of_contract"],
        "employment.ended": True,
        "employment.termination_date": "2026-09-30",
    }
    d2 = deadline(et(facts), "UK-ET-D2")

    assert d2["due"] == "2026-12-29"
    assert d2["confidence"] == "U"
    assert "art.7" in d2["check"]
    assert "Unconfirmed rule" in d2["explanation"]


def test_d3_discrimination_with_early_conciliation() -> None:
    """Last act 31 Aug 2026 -> 30 Nov 2026 (no 31 Nov); ACAS 1-15 Oct: +14 days -> 14 Dec 2026."""
    facts = {
        "employment.claim_types": ["discrimination"],
        "employment.ended": False,
        "employment.discrimination_last_act_date": "2026-08-31",
        "acas.contacted": True,
        "acas.day_a": "2026-10-01",
        "acas.day_b": "2026-10-15",
    }
    d3 = deadline(et(facts), "UK-ET-D3")

    assert d3["due"] == "2026-12-14"
    assert "Equality Act 2010 s.123" in d3["basis"]
    assert "s.140B" in d3["basis"]
    assert d3["confidence"] == "S"
    taiwo = next(o for o in et(facts)["outcomes"] if o["id"] == "immigration_status_not_race")
    assert taiwo["confidence"] == "U"  # domain.md A9 tags Taiwo v Olaigbe [U]
    assert taiwo["check"]


def test_outcomes_acas_first_illegality_and_the_2025_act() -> None:
    facts = WAGES | {
        "employment.termination_date": "2026-09-30",
        "employment.right_to_work": False,
        "acas.contacted": False,
    }
    result = et(facts)

    ids = outcome_ids(result)
    assert {"acas_first", "illegality", "two_year_backstop", "era_2025_six_months"} <= set(ids)
    era = next(o for o in result["outcomes"] if o["id"] == "era_2025_six_months")
    assert era["confidence"] == "U"
    assert "still counts 3 months" in era["message"]
    # Before October 2026 the expected change is not mentioned.
    early = et(WAGES | {"employment.termination_date": "2026-06-30"}, today=date(2026, 9, 1))
    assert "era_2025_six_months" not in outcome_ids(early)


def test_checklist_and_calculator_prompt() -> None:
    result = et(WAGES | {"employment.termination_date": "2026-09-30", "acas.contacted": True})

    ids = checklist_ids(result)
    assert {"acas_certificate", "pay_records", "hours_records"} <= set(ids)
    assert "use_wage_calculator" in outcome_ids(result)
    with_total = et(
        WAGES
        | {
            "employment.termination_date": "2026-09-30",
            "wages.nmw_arrears_total": {"amount": "1234.56", "currency": "GBP"},
        }
    )
    assert "use_wage_calculator" not in outcome_ids(with_total)
