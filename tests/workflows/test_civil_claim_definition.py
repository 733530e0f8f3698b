"""The ``uk.civil_claim`` definition against domain.md A10 (UK-CIV-D1 to D8).

Every deadline row is a worked example with dates computed by hand. All data fictional.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.workflows.engine_results import TODAY, deadline, deadline_ids, due_of, evaluate_raw, outcome_ids


def civil(facts: dict[str, object], today: date = TODAY) -> dict[str, Any]:
    return evaluate_raw("uk.civil_claim", facts, today)


ADULT = {"person.date_of_birth": "1990-01-01"}


def test_d1_personal_injury_three_years_from_the_injury() -> None:
    result = civil(ADULT | {"civil.claim_types": ["personal_injury"], "civil.accrual_date": "2024-05-10"})

    d1 = deadline(result, "UK-CIV-D1")
    assert d1["due"] == "2027-05-10"
    assert d1["confidence"] == "V"
    assert "s.14" in d1["basis"]
    assert "s.33" in d1["extension"]


def test_d1_runs_from_a_later_date_of_knowledge() -> None:
    facts = ADULT | {
        "civil.claim_types": ["personal_injury"],
        "civil.accrual_date": "2024-05-10",
        "civil.date_of_knowledge": "2025-02-01",
    }
    assert due_of(civil(facts), "UK-CIV-D1") == date(2028, 2, 1)
    # A date of knowledge before the injury changes nothing: the later date counts.
    earlier = facts | {"civil.date_of_knowledge": "2024-01-01"}
    assert due_of(civil(earlier), "UK-CIV-D1") == date(2027, 5, 10)


@pytest.mark.parametrize(
    ("claim", "register_id", "basis"),
    [
        ("other_tort", "UK-CIV-D3", "s.2"),
        ("contract", "UK-CIV-D4", "s.5"),
        ("harassment", "UK-CIV-D5", "s.11(1A)"),
    ],
)
def test_d3_d4_d5_six_years(claim: str, register_id: str, basis: str) -> None:
    result = civil(ADULT | {"civil.claim_types": [claim], "civil.accrual_date": "2021-03-15"})

    item = deadline(result, register_id)
    assert item["due"] == "2027-03-15"
    assert item["confidence"] == "S"
    assert basis in item["basis"]


def test_d6_a_child_at_the_time_has_until_the_day_before_the_21st_birthday_for_injury() -> None:
    """Born 20 Jul 2008, injured at 13: time runs from 18 -> day before 21st birthday, 19 Jul 2029."""
    facts = {
        "person.date_of_birth": "2008-07-20",
        "civil.claim_types": ["personal_injury", "other_tort"],
        "civil.accrual_date": "2022-01-01",
    }
    result = civil(facts)

    assert due_of(result, "UK-CIV-D6a") == date(2029, 7, 19)
    assert due_of(result, "UK-CIV-D6b") == date(2032, 7, 19)
    assert "UK-CIV-D1" not in deadline_ids(result)
    assert "UK-CIV-D3" not in deadline_ids(result)
    assert "minor_at_accrual" in outcome_ids(result)


def test_d6_a_29_february_birthday() -> None:
    """Born 29 Feb 2008: the 21st birthday falls on 1 Mar 2029, so the limit is 28 Feb 2029."""
    facts = {
        "person.date_of_birth": "2008-02-29",
        "civil.claim_types": ["personal_injury"],
        "civil.accrual_date": "2020-05-01",
    }
    assert due_of(civil(facts), "UK-CIV-D6a") == date(2029, 2, 28)


def test_d6_a_child_who_learns_of_the_injury_after_18_gets_three_years_from_knowledge() -> None:
    facts = {
        "person.date_of_birth": "2005-03-01",
        "civil.claim_types": ["personal_injury"],
        "civil.accrual_date": "2020-01-01",
        "civil.date_of_knowledge": "2024-06-01",
    }
    result = civil(facts)

    assert due_of(result, "UK-CIV-D1") == date(2027, 6, 1)
    assert "UK-CIV-D6a" not in deadline_ids(result)


def test_with_no_date_of_birth_the_adult_limit_shows() -> None:
    facts = {
        "person.date_of_birth": None,
        "civil.claim_types": ["contract"],
        "civil.accrual_date": "2021-03-15",
    }

    assert due_of(civil(facts), "UK-CIV-D4") == date(2027, 3, 15)


def test_d7_human_rights_act_one_year_beginning_with_the_act() -> None:
    result = civil(ADULT | {"civil.claim_types": ["human_rights"], "civil.hra_act_date": "2026-02-10"})

    d7 = deadline(result, "UK-CIV-D7")
    assert d7["due"] == "2027-02-09"
    assert "s.7(5)" in d7["basis"]
    assert "civil.accrual_date" not in result["missing"]


def test_d2_discretion_and_d8_concealment_are_shown_not_computed() -> None:
    facts = ADULT | {
        "civil.claim_types": ["personal_injury"],
        "civil.accrual_date": "2019-05-10",
        "civil.concealment": True,
    }
    result = civil(facts)

    ids = outcome_ids(result)
    assert {"pi_discretion", "concealment", "out_of_time"} <= set(ids)
    concealment = next(o for o in result["outcomes"] if o["id"] == "concealment")
    assert concealment["confidence"] == "U"
    assert due_of(result, "UK-CIV-D1") == date(2022, 5, 10)
