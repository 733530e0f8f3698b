"""The Form I-914 worksheet: the map of ``i914_map.yaml`` plus a case's facts → one row per item.

Each row says the part and item, what the form asks, the answer as a lawyer transcribes it
(dates as the form writes them, MM/DD/YYYY; Yes/No; the options' labels; country names), and,
where there is no answer yet, what to write instead of a blank: USCIS may reject an I-914 with a
required field left empty, so a field is answered "None", "Unknown" or "N/A", and a Yes/No
question is asked before filing (rates-and-forms.md 3.1).

Some rows are worked out rather than copied (``derive`` in the map): the safe mailing address
(Part 2 item 4) is the home address **only** when the person said letters may go there, and
otherwise the representative's office, so the home address can never reach that row by default;
"under 18 at an act of trafficking" comes from the date of birth and the first act; the
exemption and compliance questions combine the answers they rest on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Final, Literal

import yaml
from babel import Locale
from pydantic import BaseModel, ConfigDict, Field

from workflows.dates import age_on
from workflows.facts import FactDictionary
from workflows.types import FactType

MAP_PATH: Final = Path(__file__).resolve().parent / "i914_map.yaml"
HOME_MAIL_SAFE: Final = "person.home_mail_safe"
ADDRESS: Final = "person.address"
Derivation = Literal["safe_mailing_address", "under_18", "exempt", "complied_or_trauma", "language"]
CONFIDENCE_NAMES: Final = {"V": "verified", "S": "secondary source", "U": "unconfirmed"}


class FormItem(BaseModel):
    """One part and item of the form (or one part of a supplement) and the facts that answer it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    part: int
    item: str | None = None
    form: str | None = None  # a supplement's name; None for the I-914 itself
    label: str = Field(min_length=1)
    facts: tuple[str, ...] = Field(min_length=1)
    question: str | None = None
    note: str | None = None
    confidence: Literal["V", "S", "U"]
    if_unanswered: str = Field(min_length=1)
    derive: Derivation | None = None


class FormMap(BaseModel):
    """The whole map: the form's edition, how sure the item numbers are, and its items."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    form: str
    title: str
    edition: str
    confidence: Literal["V", "S", "U"]
    check: str
    source_url: str
    items: tuple[FormItem, ...]
    supplements: tuple[FormItem, ...] = ()


@cache
def load_form_map(path: Path = MAP_PATH) -> FormMap:
    """The I-914 map, validated (a malformed map is an error, not a shorter worksheet)."""
    with path.open(encoding="utf-8") as handle:
        return FormMap.model_validate(yaml.safe_load(handle))


@dataclass(frozen=True)
class WorksheetRow:
    """One line of the worksheet, ready to print."""

    form: str
    part: int
    item: str
    label: str
    answer: str | None  # None: not answered yet; ``if_unanswered`` says what to do
    if_unanswered: str
    question: str | None
    note: str | None
    confidence: str  # V, S or U
    fields: tuple[str, ...]  # the facts behind it

    @property
    def place(self) -> str:
        """ "Part 3, item 2.A" or "Supplement B, Part 1"."""
        if not self.item:
            where = f"Part {self.part}"
        elif self.item == "all":
            where = f"Part {self.part}, all items"
        elif any(character.isdigit() for character in self.item):
            where = f"Part {self.part}, item {self.item}"
        else:  # items the sources give no number: named by what they ask
            where = f"Part {self.part}, {self.item}"
        return where if self.form == "I-914" else f"{self.form}, {where}"

    def as_context(self) -> dict[str, object]:
        """The row as the Word template reads it (plain values, no methods)."""
        return {
            "place": self.place,
            "label": self.label,
            "answer": self.answer or "",
            "answered": self.answer is not None,
            "if_unanswered": self.if_unanswered,
            "question": self.question or "",
            "note": self.note or "",
            "confidence": CONFIDENCE_NAMES[self.confidence],
        }


def form_date(value: date) -> str:
    """A date as the I-914 asks for it: MM/DD/YYYY."""
    return f"{value:%m/%d/%Y}"


def form_value(dictionary: FactDictionary, key: str, value: object) -> str:
    """One answer as a lawyer writes it on the form."""
    spec = dictionary.get(key)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return form_date(value)
    if spec.type is FactType.ENUM:
        return spec.options.get(str(value), str(value))
    if isinstance(value, tuple | list):
        return ", ".join(spec.options.get(str(item), str(item)) for item in value) or "None"
    if spec.type is FactType.COUNTRY:
        name = Locale.parse("en").territories.get(str(value))
        return f"{name} ({value})" if name else str(value)
    return " ".join(str(value).split())


def worksheet_rows(
    form_map: FormMap,
    dictionary: FactDictionary,
    values: Mapping[str, object],
    *,
    representative: str,
) -> tuple[WorksheetRow, ...]:
    """Every item of the map, then every supplement part, with the case's answers.

    ``values`` are typed facts (absent or None: not known); ``representative`` names the office
    that receives the mail when home is not safe (the organisation).
    """
    rows = []
    for entry in (*form_map.items, *form_map.supplements):
        answer = _answer(entry, dictionary, values, representative)
        rows.append(
            WorksheetRow(
                form=entry.form or form_map.form,
                part=entry.part,
                item=entry.item or "",
                label=entry.label,
                answer=answer,
                if_unanswered=entry.if_unanswered,
                question=entry.question,
                note=entry.note,
                confidence=entry.confidence,
                fields=entry.facts,
            )
        )
    return tuple(rows)


def _answer(
    entry: FormItem, dictionary: FactDictionary, values: Mapping[str, object], representative: str
) -> str | None:
    if entry.derive == "safe_mailing_address":
        return _safe_mailing_address(dictionary, values, representative)
    if entry.derive == "under_18":
        under = _under_18(values)
        return None if under is None else ("Yes" if under else "No")
    if entry.derive == "exempt":
        return _exempt(values)
    if entry.derive == "complied_or_trauma":
        return _complied_or_trauma(values)
    if entry.derive == "language":
        return _language(dictionary, values)
    answered = [key for key in entry.facts if values.get(key) is not None]
    if not answered:
        return None
    if len(entry.facts) == 1 and entry.form is None:
        return form_value(dictionary, entry.facts[0], values[entry.facts[0]])
    return "; ".join(
        _labelled(dictionary.get(key).label, form_value(dictionary, key, values[key]))
        if key in answered
        else _labelled(dictionary.get(key).label, "not answered yet")
        for key in entry.facts
    )


def _labelled(label: str, value: str) -> str:
    return f"{label} {value}" if label.endswith("?") else f"{label}: {value}"


def _safe_mailing_address(
    dictionary: FactDictionary, values: Mapping[str, object], representative: str
) -> str | None:
    """The home address only on the person's word that home mail is safe; else the office."""
    if values.get(HOME_MAIL_SAFE) is True:
        address = values.get(ADDRESS)
        return None if address is None else form_value(dictionary, ADDRESS, address)
    why = (
        "the person said letters must not go home"
        if values.get(HOME_MAIL_SAFE) is False
        else "the person has not said that letters may go home"
    )
    return (
        f"In care of {representative}: the representative's office address ({why}). "
        "Do not write the home address here."
    )


def _under_18(values: Mapping[str, object]) -> bool | None:
    birth, first_act = values.get("person.date_of_birth"), values.get("exploitation.start_date")
    if not isinstance(birth, date) or not isinstance(first_act, date) or first_act < birth:
        return None
    return age_on(birth, first_act) < 18


def derived_yes_no(derive: str | None, values: Mapping[str, object]) -> bool | None:
    """The Yes/No of a worked-out item (``exempt``, ``under_18``, ``complied_or_trauma``), None if
    not known yet: what a checkbox of the form takes."""
    if derive == "under_18":
        return _under_18(values)
    answer = (
        _exempt(values)
        if derive == "exempt"
        else _complied_or_trauma(values)
        if derive == "complied_or_trauma"
        else None
    )
    return None if answer is None else answer.startswith("Yes")


def _exempt(values: Mapping[str, object]) -> str | None:
    under, trauma = _under_18(values), values.get("us.t.trauma_prevents_cooperation")
    if under:
        return "Yes: under 18 at the first act of trafficking"
    if trauma is True:
        return "Yes: physical or psychological trauma"
    if under is False and trauma is False:
        return "No"
    return None


def _complied_or_trauma(values: Mapping[str, object]) -> str | None:
    complied, trauma = values.get("us.lea.complied"), values.get("us.t.trauma_prevents_cooperation")
    if complied is True:
        return "Yes: complied with reasonable requests"
    if trauma is True:
        return "Yes: unable to comply because of trauma"
    if complied is False and trauma is False:
        return "No"
    return None


def _language(dictionary: FactDictionary, values: Mapping[str, object]) -> str | None:
    language = values.get("person.preferred_language")
    if language is None:
        return None
    if language == "en":
        return "The applicant reads and understands English"
    name = form_value(dictionary, "person.preferred_language", language)
    return f"An interpreter read the form to the applicant in {name} (the interpreter completes Part 7)"
