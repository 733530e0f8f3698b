"""The Form I-914 worksheet map (``workflows/forms/i914_map.yaml``) against the fact dictionary
and the T visa definition: every fact it names exists, and every fact the worksheet needs is mapped."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml

from workflows.catalogue import default_catalogue
from workflows.facts import default_fact_dictionary

MAP_PATH = Path(__file__).resolve().parents[2] / "workflows" / "forms" / "i914_map.yaml"


def load_map() -> dict[str, Any]:
    with MAP_PATH.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    assert isinstance(data, dict)
    return data


def test_every_mapped_fact_is_in_the_dictionary() -> None:
    dictionary = default_fact_dictionary()
    data = load_map()
    entries = [*data["items"], *data["supplements"]]
    unknown = sorted({key for entry in entries for key in entry["facts"] if key not in dictionary})
    assert unknown == []


def test_every_item_names_its_part_and_confidence_and_the_map_says_what_to_check() -> None:
    data = load_map()
    assert data["form"] == "I-914"
    assert data["check"]
    for entry in data["items"]:
        assert 1 <= entry["part"] <= 9, entry
        assert str(entry["item"]).strip(), entry
        assert entry["label"], entry
        assert entry["confidence"] in {"V", "S", "U"}, entry
        assert entry["facts"], entry


def test_the_worksheet_needs_only_mapped_facts_and_the_safe_address_is_part_2_item_4() -> None:
    data = load_map()
    mapped = {key for entry in data["items"] for key in entry["facts"]}
    workflow = default_catalogue().get("us.t_visa", date(2026, 11, 22))
    (worksheet,) = [d for d in workflow.documents if d.id == "i914_worksheet"]
    assert set(worksheet.needs) <= mapped
    (safe,) = [e for e in data["items"] if e["part"] == 2 and e["item"] == "4"]
    assert safe["facts"] == ["person.home_mail_safe", "person.address"]
    assert safe["derive"] == "safe_mailing_address"
    assert "Safety-critical" in safe["note"]


def test_every_entry_says_what_to_write_when_there_is_no_answer() -> None:
    data = load_map()
    for entry in [*data["items"], *data["supplements"]]:
        assert str(entry.get("if_unanswered", "")).strip(), entry
