"""What the engine gives a document (``doc.findings``): the deadlines with whether the claim is in
time, the rules with their basis and confidence, and a stated problem rather than a crash when
the workflow cannot be evaluated."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Final

from api.documents.findings import workflow_findings
from api.documents.service import template_catalogue
from workflows.facts import default_fact_dictionary

TODAY: Final = date(2026, 11, 22)


def _values(raw: dict[str, object]) -> dict[str, object]:
    return default_fact_dictionary().parse_facts(raw, today=TODAY)


def test_a_texas_claim_in_time_and_one_out_of_time() -> None:
    manifest = template_catalogue()["state_compensation_summary"]
    base = {"us.state": "US-TX", "person.date_of_birth": "1990-01-01", "police.reported": False}

    recent = workflow_findings(manifest, _values({**base, "us.comp.crime_date": "2025-11-22"}), TODAY)
    old = workflow_findings(manifest, _values({**base, "us.comp.crime_date": "2023-11-20"}), TODAY)

    (in_time,) = recent["deadlines"]  # type: ignore[misc]
    assert in_time["label"] == "Apply to Texas Crime Victims' Compensation (3 years)"
    assert in_time["due"] == "November 22, 2028"
    assert in_time["in_time"] is True
    assert in_time["standing"] == "in time: 731 days left"
    assert in_time["confidence"] == "Verified"
    (late,) = old["deadlines"]  # type: ignore[misc]
    assert late["in_time"] is False
    assert str(late["standing"]).startswith("passed 2 days ago: The claim is late")
    (warning,) = recent["warnings"]  # type: ignore[misc]
    assert "Texas requires a report to law enforcement" in str(warning["message"])
    assert warning["basis"] == "1 TAC 61.203; 61.302"
    assert recent["problem"] == ""


def test_an_unknown_workflow_is_a_stated_problem_not_a_crash() -> None:
    manifest = dataclasses.replace(
        template_catalogue()["state_compensation_summary"], workflows=("us.nowhere",)
    )

    findings = workflow_findings(manifest, {}, TODAY)

    assert findings["deadlines"] == []
    assert "unknown workflow 'us.nowhere'" in str(findings["problem"])
