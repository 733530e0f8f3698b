"""The I-914 worksheet rows (``workflows/forms/i914.py``): one per mapped item, answers written as
the form takes them, never a silent blank, and the home address only when home mail is safe."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Final

import pytest
from pydantic import ValidationError

from workflows.facts import default_fact_dictionary
from workflows.forms.i914 import MAP_PATH, WorksheetRow, load_form_map, worksheet_rows

TODAY: Final = date(2026, 11, 22)
HOME: Final = "Apt 3, 12 Imaginary Street, Springfield, ZZ 00000"
OFFICE: Final = "Harbour Light Trust"


def _rows(raw: dict[str, object]) -> dict[str, WorksheetRow]:
    dictionary = default_fact_dictionary()
    values = dictionary.parse_facts(raw, today=TODAY)
    rows = worksheet_rows(load_form_map(), dictionary, values, representative=OFFICE)
    return {row.place: row for row in rows}


def test_every_item_and_supplement_of_the_map_has_a_row_in_order() -> None:
    form_map = load_form_map()
    rows = worksheet_rows(form_map, default_fact_dictionary(), {}, representative=OFFICE)

    assert len(rows) == len(form_map.items) + len(form_map.supplements)
    assert [row.label for row in rows] == [e.label for e in (*form_map.items, *form_map.supplements)]
    assert rows[0].place == "Part 2, item 4"
    assert "Part 2, date of birth" in {row.place for row in rows}
    assert "Part 5, all items" in {row.place for row in rows}
    assert "I-914 Supplement B, Part 2" in {row.place for row in rows}


def test_with_no_answers_no_row_is_blank_each_says_what_to_write() -> None:
    rows = _rows({})

    unanswered = [row for row in rows.values() if row.answer is None]
    assert len(unanswered) == len(rows) - 1  # only the mailing address: the office by default
    for row in unanswered:
        assert row.if_unanswered.strip()
        context = row.as_context()
        assert context["answered"] is False
        assert context["if_unanswered"] == row.if_unanswered
    assert rows["Part 2, date of birth"].if_unanswered.startswith('"Unknown"')
    assert rows["Part 9, additional information"].if_unanswered.startswith('"N/A"')
    assert rows["Part 5, all items"].if_unanswered.startswith('"None" only if')
    assert "cannot be left blank" in rows["Part 3, item 4"].if_unanswered


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"person.address": HOME}, "has not said that letters may go home"),
        ({"person.address": HOME, "person.home_mail_safe": False}, "said letters must not go home"),
    ],
)
def test_the_safe_mailing_address_is_the_office_unless_home_mail_is_safe(
    answers: dict[str, object], expected: str
) -> None:
    row = _rows(answers)["Part 2, item 4"]

    assert row.answer is not None
    assert HOME not in row.answer
    assert "Imaginary" not in row.answer
    assert f"In care of {OFFICE}" in row.answer
    assert expected in row.answer


def test_the_home_address_is_given_when_the_person_says_home_mail_is_safe() -> None:
    safe = _rows({"person.address": HOME, "person.home_mail_safe": True})["Part 2, item 4"]
    no_address = _rows({"person.home_mail_safe": True})["Part 2, item 4"]

    assert safe.answer == HOME
    assert no_address.answer is None
    assert "ask for it" in no_address.if_unanswered


def test_answers_are_written_as_the_form_takes_them() -> None:
    rows = _rows(
        {
            "person.date_of_birth": "2007-06-12",
            "person.nationality": "RO",
            "person.preferred_language": "vi",
            "exploitation.start_date": "2024-03-11",
            "us.t.force_fraud_coercion": True,
            "us.t.purpose": "debt_bondage",
            "us.t.extreme_hardship": False,
            "us.lea.complied": False,
            "us.t.trauma_prevents_cooperation": True,
        }
    )

    assert rows["Part 2, date of birth"].answer == "06/12/2007"
    assert rows["Part 2, citizenship"].answer == "Romania (RO)"
    assert rows["Part 3, item 4"].answer == "No"
    victim = rows["Part 3, item 1"].answer or ""
    assert "coercion used, or was the person under 18 when made to sell sex? Yes" in victim
    assert "Debt bondage" in victim
    assert "When did the exploitation start? 03/11/2024" in victim
    assert "When did the exploitation end? not answered yet" in victim
    assert rows["Part 3, item 6"].answer == "Yes"  # 16 at the first act
    assert rows["Part 3, item 2.B"].answer == "Yes: under 18 at the first act of trafficking"
    assert rows["Part 3, item 7"].answer == "Yes: unable to comply because of trauma"
    assert "in Vietnamese" in (rows["Part 6, item 1"].answer or "")


def test_an_adult_who_complied_is_not_exempt_and_reads_english() -> None:
    rows = _rows(
        {
            "person.date_of_birth": "1990-01-01",
            "exploitation.start_date": "2024-03-11",
            "us.lea.complied": True,
            "us.t.trauma_prevents_cooperation": False,
            "person.preferred_language": "en",
        }
    )

    assert rows["Part 3, item 6"].answer == "No"
    assert rows["Part 3, item 2.B"].answer == "No"
    assert rows["Part 3, item 7"].answer == "Yes: complied with reasonable requests"
    assert rows["Part 6, item 1"].answer == "The applicant reads and understands English"


def test_a_map_entry_without_what_to_write_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "i914_map.yaml"
    broken.write_text(MAP_PATH.read_text(encoding="utf-8").replace("    if_unanswered:", "    if_blank:", 1))

    with pytest.raises(ValidationError):
        load_form_map(broken)
