"""What the engine decides for a document's workflows, and the I-914 worksheet rows, as the Word
templates read them (``doc.findings``, ``doc.i914``).

A document that states deadlines or rules must state the ones the engine computes for the case
on the day the document is made, each with its legal basis and how sure that basis is; copying
them into the template's wording would let the two drift apart. So the service evaluates the
manifest's workflows with the case's facts and hands the template plain values.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Final

from api.documents.rendering import format_date
from workflows.catalogue import UnknownWorkflowError, default_catalogue
from workflows.deadline_rules import ComputedDeadline
from workflows.engine import EvaluationError, evaluate
from workflows.facts import FactDictionary
from workflows.forms.i914 import load_form_map, worksheet_rows
from workflows.manifests import TemplateManifest
from workflows.model import LegalBasis

CONFIDENCE: Final = {"V": "Verified", "S": "Secondary source", "U": "Unconfirmed"}


def confidence_note(legal: LegalBasis) -> str:
    """ "Verified", "Secondary source", or "Unconfirmed: check …" (what to check, when known)."""
    return _confidence(legal.confidence.value, legal.check)


def _confidence(tag: str, check: str | None) -> str:
    name = CONFIDENCE[tag]
    return f"{name}: {check}" if check and tag != "V" else name


def _deadline(deadline: ComputedDeadline, today: date, jurisdiction: str) -> dict[str, object]:
    days = (deadline.due - today).days
    if days < 0:
        standing = f"passed {-days} days ago: {deadline.consequence}"
        if deadline.extension:
            standing += f" Extension: {deadline.extension}"
    elif days == 0:
        standing = "due today"
    else:
        standing = f"in time: {days} days left"
    return {
        "label": deadline.label,
        "due": format_date(deadline.due, jurisdiction),
        "in_time": days >= 0,
        "standing": standing.rstrip("."),  # the template ends the sentence
        "trigger": f"{deadline.trigger_label} ({format_date(deadline.trigger_date, jurisdiction)})",
        "basis": deadline.basis,
        "confidence": _confidence(deadline.confidence.value, deadline.check),
    }


def workflow_findings(
    manifest: TemplateManifest, values: Mapping[str, object], today: date
) -> dict[str, object]:
    """The deadlines, findings (outcomes; ``warnings`` are those above ``info``) and evidence
    checklist of the manifest's workflows for these facts on ``today``; ``problem`` says why there
    are none when the facts cannot be evaluated together (a contradiction the interview reports too)."""
    deadlines: list[dict[str, object]] = []
    rules: list[dict[str, object]] = []
    checklist: list[dict[str, object]] = []
    problems: list[str] = []
    catalogue = default_catalogue()
    for workflow_id in manifest.workflows:
        try:
            evaluation = evaluate(catalogue.get(workflow_id, today), values, today)
        except (EvaluationError, UnknownWorkflowError) as exc:
            problems.append(str(exc))
            continue
        deadlines.extend(_deadline(d, today, manifest.jurisdiction) for d in evaluation.deadlines)
        rules.extend(
            {
                "level": outcome.level.value,
                "message": " ".join(outcome.message.split()),
                "basis": outcome.legal.basis,
                "confidence": confidence_note(outcome.legal),
            }
            for outcome in evaluation.outcomes
        )
        checklist.extend(
            {
                "label": rule.label,
                "required": rule.required and certain,
                "why": rule.why,
                "basis": rule.legal.basis,
                "confidence": confidence_note(rule.legal),
            }
            for rule, certain in evaluation.checklist
        )
    return {
        "deadlines": deadlines,
        "rules": rules,
        "warnings": [rule for rule in rules if rule["level"] != "info"],
        "checklist": checklist,
        "problem": "; ".join(problems),
    }


def i914_worksheet(
    dictionary: FactDictionary, values: Mapping[str, object], representative: str
) -> dict[str, object]:
    """The I-914 map's edition and warning, and one row per item with the case's answers."""
    form_map = load_form_map()
    rows = worksheet_rows(form_map, dictionary, values, representative=representative)
    return {
        "edition": form_map.edition,
        "confidence": CONFIDENCE[form_map.confidence],
        "check": form_map.check,
        "source_url": form_map.source_url,
        "rows": [row.as_context() for row in rows],
        "unanswered": sum(1 for row in rows if row.answer is None),
    }
