"""The I-914 PDF field table and the fill plan (``workflows/forms/i914_pdf.py``): every field
belongs to a worksheet item, Yes/No answers come from yes/no facts, and nothing is dropped:
what cannot be filled is listed with its reason."""

from __future__ import annotations

from datetime import date
from typing import Final

from workflows.facts import default_fact_dictionary
from workflows.forms.i914 import load_form_map, worksheet_rows
from workflows.forms.i914_pdf import FieldKind, fill_plan, load_pdf_fields
from workflows.types import FactType

TODAY: Final = date(2026, 11, 22)
OFFICE: Final = "Harbour Light Trust"
AVAILABLE: Final = {
    "P1_Line2_DateOfBirth[0]": FieldKind.TEXT,
    "P1_Line8_InCareofName[0]": FieldKind.TEXT,
    "P3_Line11_CountryOfCitizenshipOrNationality[0]": FieldKind.TEXT,
    "Q1_yes[0]": FieldKind.CHECKBOX,
    "Q1_no[0]": FieldKind.CHECKBOX,
    "Q4_yes[0]": FieldKind.CHECKBOX,
    "Q4_no[0]": FieldKind.CHECKBOX,
    "Q6_yes[0]": FieldKind.CHECKBOX,
    "Q6_no[0]": FieldKind.CHECKBOX,
}


def test_every_field_belongs_to_a_mapped_item_and_yes_no_values_are_yes_no_facts() -> None:
    table = load_pdf_fields()
    items = {(entry.part, entry.item): entry for entry in load_form_map().items}
    dictionary = default_fact_dictionary()
    assert table.confidence == "S"
    assert "briefcaddy" in table.source
    for spec in table.fields:
        entry = items[(spec.part, spec.item)]
        if spec.kind == "text":
            assert spec.field, spec
        else:
            assert spec.yes_box, spec
            assert spec.no_box, spec
            if spec.value == "derived":
                assert entry.derive in {"exempt", "under_18", "complied_or_trauma"}, spec
            else:
                assert dictionary.get(spec.value).type is FactType.BOOL, spec
                assert spec.value in entry.facts, spec


def _plan(raw: dict[str, object]):  # type: ignore[no-untyped-def]
    dictionary = default_fact_dictionary()
    values = dictionary.parse_facts(raw, today=TODAY)
    return fill_plan(load_form_map(), load_pdf_fields(), dictionary, values, AVAILABLE, representative=OFFICE)


def test_answers_go_to_their_fields_and_everything_else_is_listed_with_a_reason() -> None:
    plan = _plan(
        {
            "person.date_of_birth": "1994-06-12",
            "person.nationality": "RO",
            "exploitation.start_date": "2024-03-11",
            "us.t.force_fraud_coercion": True,
            "us.t.extreme_hardship": False,
            "us.lea.complied": True,
        }
    )

    fills = {fill.field: fill.value for fill in plan.fills}
    assert fills == {
        "P1_Line2_DateOfBirth[0]": "06/12/1994",
        "P1_Line8_InCareofName[0]": OFFICE,
        "P3_Line11_CountryOfCitizenshipOrNationality[0]": "Romania",
        "Q1_yes[0]": True,
        "Q4_no[0]": True,
        "Q6_no[0]": True,  # 29 at the first act
    }
    reasons = {
        place: reason for place, _label, reason in ((b.place, b.label, b.reason) for b in plan.by_hand)
    }
    assert "Q2_yes[0] is not in this copy" in reasons["Part 3, item 2.A"]
    assert "no field name" in reasons["Part 4, item 1.A-21.C"]
    assert "cannot be left blank" in reasons["Part 3, item 3"]  # no answer yet
    street = [b.reason for b in plan.by_hand if b.place == "Part 2, item 4"]
    assert street == [
        "Complete by hand: the office's street, unit, city, state and ZIP code (P1_Line8_*) "
        "are not stored in Redress."
    ]
    rows = worksheet_rows(load_form_map(), default_fact_dictionary(), {}, representative=OFFICE)
    accounted = {fill.place for fill in plan.fills} | {b.place for b in plan.by_hand}
    assert {row.place for row in rows if row.form == "I-914"} == accounted  # none dropped


def test_the_home_address_is_never_filled_in_and_safe_home_mail_is_left_to_the_person() -> None:
    safe = _plan({"person.home_mail_safe": True, "person.address": "77 Imaginary Avenue"})

    assert "P1_Line8_InCareofName[0]" not in {fill.field for fill in safe.fills}
    assert all("Imaginary" not in str(fill.value) for fill in safe.fills)
    (home,) = [b for b in safe.by_hand if b.place == "Part 2, item 4" and "home address" in b.reason]
    assert "write the home address by hand" in home.reason
