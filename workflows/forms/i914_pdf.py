"""Filling a user's copy of the fillable Form I-914 PDF: which field gets what, and what is left
for the person to complete by hand.

The official PDF cannot be bundled, so an advocate or lawyer uploads their copy of the blank form;
its field names (read by :mod:`api.documents.pdf_form`) are matched to the worksheet items through
the table ``i914_pdf_fields.yaml`` (field names recorded from a secondary source, confidence S).
Pure: this module decides the plan; writing the PDF is the api's.

Nothing is dropped silently: every worksheet item that is not filled (no field in the table, a
field the uploaded copy does not have, no answer yet, or a part Redress does not store, such as
the office's street address) comes back in ``by_hand`` with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Final, Literal

import yaml
from babel import Locale
from pydantic import BaseModel, ConfigDict, Field

from workflows.facts import FactDictionary
from workflows.forms.i914 import HOME_MAIL_SAFE, FormItem, FormMap, derived_yes_no, worksheet_rows

FIELDS_PATH: Final = Path(__file__).resolve().parent / "i914_pdf_fields.yaml"


class FieldKind(StrEnum):
    """What a field of the uploaded form is."""

    TEXT = "text"
    CHECKBOX = "checkbox"
    OTHER = "other"


class PdfField(BaseModel):
    """One worksheet item's field (a text box) or fields (a Yes and a No box) in the PDF."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    part: int
    item: str
    kind: Literal["text", "yes_no"]
    # text: "answer" (the worksheet's answer), "country_name", "in_care_of";
    # yes_no: a bool fact's key, or "derived" (worked out as the worksheet does)
    value: str
    field: str | None = None
    yes_box: tuple[str, str] | None = None  # (field name, "on" state the source records)
    no_box: tuple[str, str] | None = None
    by_hand: str | None = None  # what of the item stays for the person even when the field is filled


class PdfFieldTable(BaseModel):
    """The table of field names, with its edition, source and confidence."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    form: str
    edition: str
    confidence: Literal["V", "S", "U"]
    source: str = Field(min_length=1)
    check: str = Field(min_length=1)
    fields: tuple[PdfField, ...]


@cache
def load_pdf_fields(path: Path = FIELDS_PATH) -> PdfFieldTable:
    """The field-name table, validated."""
    with path.open(encoding="utf-8") as handle:
        return PdfFieldTable.model_validate(yaml.safe_load(handle))


@dataclass(frozen=True)
class Fill:
    """Put ``value`` in text field ``field``, or tick checkbox ``field`` (``value`` is True;
    ``on_hint`` is the "on" state the table records)."""

    field: str
    value: str | bool
    place: str
    on_hint: str | None = None


@dataclass(frozen=True)
class ByHand:
    """An item the person completes on the form themselves, and why."""

    place: str
    label: str
    reason: str


@dataclass(frozen=True)
class FillPlan:
    """What to write into the uploaded form, and what is left."""

    fills: tuple[Fill, ...]
    by_hand: tuple[ByHand, ...]


def fill_plan(
    form_map: FormMap,
    table: PdfFieldTable,
    dictionary: FactDictionary,
    values: Mapping[str, object],
    available: Mapping[str, FieldKind],
    *,
    representative: str,
) -> FillPlan:
    """The fills and the items left by hand, for the case's answers (``values``) and the fields
    of the uploaded copy (``available``: field name → kind)."""
    by_item = {(field.part, field.item): field for field in table.fields}
    entries = {(entry.part, entry.item or ""): entry for entry in form_map.items}
    fills: list[Fill] = []
    by_hand: list[ByHand] = []
    for row in worksheet_rows(form_map, dictionary, values, representative=representative):
        if row.form != form_map.form:  # supplements are separate forms
            continue
        spec = by_item.get((row.part, row.item))
        if spec is None:
            told = f"transcribe it from the worksheet: {row.answer}" if row.answer else row.if_unanswered
            by_hand.append(ByHand(row.place, row.label, f"Redress has no field name for this item; {told}"))
            continue
        entry = entries[(row.part, row.item)]
        if spec.kind == "text":
            text, reason = _text_value(spec, entry, row.answer, values, representative)
            if text is None:
                by_hand.append(ByHand(row.place, row.label, reason or row.if_unanswered))
            elif spec.field is None or available.get(spec.field) is not FieldKind.TEXT:
                by_hand.append(ByHand(row.place, row.label, _not_found(spec.field, text)))
            else:
                fills.append(Fill(spec.field, text, row.place))
        else:
            answer = _yes_no(spec, entry, values)
            if answer is None:
                by_hand.append(ByHand(row.place, row.label, row.if_unanswered))
            else:
                box = spec.yes_box if answer else spec.no_box
                if box is None or available.get(box[0]) is not FieldKind.CHECKBOX:
                    by_hand.append(
                        ByHand(
                            row.place,
                            row.label,
                            _not_found(box[0] if box else None, "Yes" if answer else "No"),
                        )
                    )
                else:
                    fills.append(Fill(box[0], True, row.place, on_hint=box[1]))
        if spec.by_hand:
            by_hand.append(ByHand(row.place, row.label, f"Complete by hand: {spec.by_hand}."))
    return FillPlan(tuple(fills), tuple(by_hand))


def _not_found(field: str | None, value: str) -> str:
    return (
        f"The field {field} is not in this copy of the form (another edition?); write {value!r} by hand."
        if field
        else f"Write {value!r} by hand."
    )


def _text_value(
    spec: PdfField, entry: FormItem, answer: str | None, values: Mapping[str, object], representative: str
) -> tuple[str | None, str | None]:
    """The text to write, or None with the reason (None: the item's own ``if_unanswered``)."""
    if spec.value == "in_care_of":
        if values.get(HOME_MAIL_SAFE) is True:
            return None, (
                "The person said letters may go home: write the home address by hand "
                "(Redress keeps it as one line of text, not in the form's boxes)."
            )
        return representative, None
    if spec.value == "country_name":
        code = values.get(entry.facts[0])
        if code is None:
            return None, None
        return Locale.parse("en").territories.get(str(code), str(code)), None
    return answer, None


def _yes_no(spec: PdfField, entry: FormItem, values: Mapping[str, object]) -> bool | None:
    if spec.value == "derived":
        return derived_yes_no(entry.derive, values)
    value = values.get(spec.value)
    return value if isinstance(value, bool) else None
