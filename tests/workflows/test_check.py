"""`redress check` finds each kind of problem and points at its line, with a hint."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from workflows.check import check_paths
from workflows.facts import default_fact_dictionary
from workflows.loader import load_definition
from workflows.problems import DefinitionError, Problem

VALID = """\
id: uk.sample
version: "2026.1"
title: Sample
summary: A small definition used by the checker's tests.
jurisdiction: GB
calendar: GB-EAW
process_kind: compensation
effective_from: 2020-01-01
sources:
  - id: scheme
    title: A scheme
    url: https://example.org/scheme
steps:
  - id: first
    title: First
    questions:
      - fact: incident.date
        why: The limit runs from it.
      - fact: police.reported
        why: Reporting matters.
  - id: second
    title: Second
    when: police.reported
    questions:
      - fact: police.first_report_date
        why: For the child rule.
outcomes:
  - id: not_reported
    level: blocked
    when: police.reported == false
    message: Report it first.
    basis: Scheme para 22
    confidence: S
    source: scheme
evidence:
  - id: police_report
    label: Police report
    why: Proves the report.
    provider: Police
    required: true
    when: police.reported
    basis: Scheme para 22
    confidence: S
deadlines:
  - id: UK-SAMPLE-D1
    label: Apply
    kind: limit
    trigger: incident.date
    trigger_label: the incident
    offset: {amount: 2, unit: years}
    basis: Scheme para 87
    confidence: V
    consequence: Refused as out of time.
documents:
  - id: claim
    title: Claim
    purpose: The claim.
    needs: [incident.date]
"""


def write(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "definitions" / "uk"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sample.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    (tmp_path / "claim_templates").mkdir(exist_ok=True)
    return path


def problems_for(tmp_path: Path, text: str) -> list[Problem]:
    path = write(tmp_path, text)
    return check_paths([path], templates_root=tmp_path / "claim_templates")


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [p.format() for p in problems]
    return problems[0]


def test_valid_definition_has_no_problems(tmp_path: Path) -> None:
    assert problems_for(tmp_path, VALID) == []


def test_unknown_fact_key_points_at_the_line_and_suggests(tmp_path: Path) -> None:
    text = VALID.replace("fact: police.first_report_date", "fact: police.first_report_dat")
    problem = only(problems_for(tmp_path, text))
    assert problem.line == line_of(text, "police.first_report_dat")
    assert "unknown fact key 'police.first_report_dat'" in problem.message
    assert problem.hint == "did you mean police.first_report_date?"


def test_unknown_fact_in_condition(tmp_path: Path) -> None:
    text = VALID.replace("when: police.reported\n    questions", "when: police.reportd\n    questions")
    problem = only(problems_for(tmp_path, text))
    assert problem.line == line_of(text, "police.reportd")
    assert "police.reportd" in problem.message


def test_wrong_type_in_condition(tmp_path: Path) -> None:
    text = VALID.replace("when: police.reported == false", "when: police.reported > 3")
    problem = only(problems_for(tmp_path, text))
    assert problem.line == line_of(text, "police.reported > 3")
    assert "police.reported > 3" in problem.message


def test_enum_value_that_is_not_an_option(tmp_path: Path) -> None:
    text = VALID.replace("when: police.reported == false", "when: nrm.rg_decision == 'postive'")
    problem = only(problems_for(tmp_path, text))
    assert "postive" in problem.message
    assert "positive" in (problem.message + (problem.hint or ""))


def test_unreachable_question_depending_on_a_later_fact(tmp_path: Path) -> None:
    text = VALID.replace(
        "      - fact: incident.date\n        why: The limit runs from it.",
        "      - fact: incident.date\n        when: answered(police.first_report_date)\n"
        "        why: The limit runs from it.",
    )
    problem = only(problems_for(tmp_path, text))
    assert problem.line == line_of(text, "when: answered(police.first_report_date)")
    assert problem.message.startswith("unreachable question incident.date")


def test_unreachable_step_with_a_condition_that_is_always_false(tmp_path: Path) -> None:
    text = VALID.replace("when: police.reported\n    questions", "when: 1 > 2\n    questions")
    problem = only(problems_for(tmp_path, text))
    assert problem.message == "unreachable step second: its condition is always false"


def test_duplicate_ids(tmp_path: Path) -> None:
    text = VALID.replace("  - id: second\n", "  - id: first\n")
    problem = only(problems_for(tmp_path, text))
    assert problem.message.startswith("duplicate step id 'first'")
    lines = text.splitlines()
    assert lines[problem.line - 1] == "  - id: first"
    assert lines[problem.line] == "    title: Second"


def test_duplicate_question(tmp_path: Path) -> None:
    text = VALID.replace("fact: police.first_report_date", "fact: incident.date")
    problem = only(problems_for(tmp_path, text))
    assert "duplicate question: incident.date" in problem.message


@pytest.mark.parametrize("field", ["basis", "confidence"])
def test_deadline_without_legal_basis_or_confidence(tmp_path: Path, field: str) -> None:
    needle = "    basis: Scheme para 87\n" if field == "basis" else "    confidence: V\n"
    text = VALID.replace(needle, "")
    problem = only(problems_for(tmp_path, text))
    assert problem.message == f"deadlines.0: missing `{field}`"
    assert problem.hint is not None
    assert field in problem.hint
    assert problem.line == line_of(text, "- id: UK-SAMPLE-D1")


def test_unconfirmed_rule_must_say_what_to_check(tmp_path: Path) -> None:
    text = VALID.replace("    confidence: V\n", "    confidence: U\n")
    problem = only(problems_for(tmp_path, text))
    assert "must say what to `check`" in problem.message


def test_document_naming_a_template_that_does_not_exist(tmp_path: Path) -> None:
    text = VALID.replace(
        "    needs: [incident.date]\n", "    needs: [incident.date]\n    template: cica_pack\n"
    )
    problem = only(problems_for(tmp_path, text))
    assert problem.message == (
        "document claim names template 'cica_pack', which does not exist in claim_templates/"
    )
    assert problem.line == line_of(text, "template: cica_pack")


def test_document_with_an_existing_template_passes(tmp_path: Path) -> None:
    text = VALID.replace(
        "    needs: [incident.date]\n", "    needs: [incident.date]\n    template: cica_pack\n"
    )
    folder = tmp_path / "claim_templates" / "cica_pack"
    folder.mkdir(parents=True)
    (folder / "manifest.yaml").write_text("id: cica_pack\n", encoding="utf-8")
    assert problems_for(tmp_path, text) == []


def test_unknown_field_gets_a_did_you_mean(tmp_path: Path) -> None:
    text = VALID.replace("    when: police.reported == false", "    wen: police.reported == false")
    found = problems_for(tmp_path, text)
    unknown = [p for p in found if "unknown field `wen`" in p.message]
    assert unknown
    assert unknown[0].hint == "did you mean `when`?"


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    text = VALID.replace("title: Sample", "title: [Sample")
    problem = only(problems_for(tmp_path, text))
    assert problem.message.startswith("invalid YAML")
    assert problem.line >= line_of(text, "title: [Sample")


def test_duplicate_yaml_key_is_reported_not_collapsed(tmp_path: Path) -> None:
    text = VALID.replace("title: Sample\n", "title: Sample\ntitle: Other\n")
    problem = only(problems_for(tmp_path, text))
    assert problem.message == "duplicate key 'title'"
    assert problem.line == line_of(text, "title: Other")


def test_deadline_reference_to_an_unknown_deadline(tmp_path: Path) -> None:
    text = VALID.replace("when: police.reported == false", "when: today > deadline('UK-SAMPLE-D9')")
    problem = only(problems_for(tmp_path, text))
    assert "deadline('UK-SAMPLE-D9') names no deadline of this definition" in problem.message


def test_file_stored_under_the_wrong_name(tmp_path: Path) -> None:
    text = VALID.replace("id: uk.sample", "id: uk.other")
    problem = only(problems_for(tmp_path, text))
    assert "uk.other is stored as uk/sample.yaml" in problem.message


@pytest.mark.parametrize(
    "payload",
    [
        "__import__('os').system('touch {marker}')",
        "().__class__.__bases__[0].__subclasses__()",
        "police.reported.__class__",
        "open('{marker}', 'w')",
        "eval(\"open('{marker}', 'w')\")",
        "exec(\"open('{marker}', 'w')\")",
        "[c for c in ().__class__.__base__.__subclasses__()]",
        "lambda: open('{marker}', 'w')",
    ],
)
def test_condition_reaching_python_internals_is_refused_at_load(tmp_path: Path, payload: str) -> None:
    marker = tmp_path / "pwned"
    condition = payload.format(marker=marker).replace('"', '\\"')
    text = VALID.replace("when: police.reported == false", f'when: "{condition}"')
    path = write(tmp_path, text)
    with pytest.raises(DefinitionError) as caught:
        load_definition(path, default_fact_dictionary(), tmp_path / "claim_templates")
    assert caught.value.problems
    assert caught.value.problems[0].line == line_of(text, 'when: "')
    assert not marker.exists()


def test_packaged_definitions_have_no_problems() -> None:
    assert [p.format() for p in check_paths()] == []
