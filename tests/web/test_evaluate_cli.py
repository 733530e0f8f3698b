"""``redress evaluate`` and ``redress check``, run as the real console script.

Each run is a separate process (about a second to start), so the module starts them all at
once in a fixture and the tests read the results. Facts are fictional.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.workflows.engine_results import due_dates, outcome_ids

REPO = Path(__file__).resolve().parents[2]
CICA_YAML = REPO / "workflows" / "definitions" / "uk" / "cica.yaml"
TODAY = "2026-11-22"

CICA_FACTS = {
    "person.date_of_birth": "1995-04-12",
    "person.preferred_language": "ro",
    "exploitation.types": ["labour"],
    "exploitation.jurisdiction": "GB-ENG",
    "incident.date": "2025-03-10",
    "incident.violence_or_threat": True,
    "police.reported": True,
    "police.first_report_date": "2025-04-01",
    "cica.decision_date": "2026-06-01",
}
NRM_FACTS = {
    "person.date_of_birth": "1995-04-12",
    "nrm.possibly_child": False,
    "exploitation.jurisdiction": "GB-WLS",
    "nrm.referral_date": "2026-04-02",
    "nrm.rg_decision": "positive",
    "nrm.rg_decision_date": "2026-04-09",
}
BROKEN_KEY = ("- fact: police.cooperating\n", "- fact: police.cooperatin\n")


@dataclass(frozen=True)
class Run:
    """What one ``redress`` process did."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def redress_executable() -> str:
    """The ``redress`` console script of the running interpreter's environment."""
    found = shutil.which("redress", path=str(Path(sys.executable).parent))
    assert found, f"the redress console script is not installed beside {sys.executable}"
    return found


def evaluate_args(workflow: str, facts: Path, today: str = TODAY) -> list[str]:
    return ["evaluate", workflow, "--facts", str(facts), "--today", today]


def write_json(folder: Path, name: str, content: object) -> Path:
    path = folder / name
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


def broken_definitions(folder: Path) -> tuple[Path, int]:
    """A copy of cica.yaml with an unknown fact key; the file and the broken line."""
    text = CICA_YAML.read_text(encoding="utf-8")
    assert text.count(BROKEN_KEY[0]) == 1
    broken = text.replace(*BROKEN_KEY)
    line = broken[: broken.index(BROKEN_KEY[1])].count("\n") + 1
    path = folder / "uk" / "cica.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(broken, encoding="utf-8")
    return path, line


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    return broken_definitions(tmp_path_factory.mktemp("definitions"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, broken: tuple[Path, int]) -> dict[str, Run]:
    """Start every CLI run of this module in parallel and wait for them all."""
    folder = tmp_path_factory.mktemp("facts")
    invalid_json = folder / "invalid.json"
    invalid_json.write_text('{"incident.date": ', encoding="utf-8")
    commands: dict[str, list[str]] = {
        "cica": evaluate_args("uk.cica", write_json(folder, "cica.json", CICA_FACTS)),
        "nrm": evaluate_args("uk.nrm", write_json(folder, "nrm.json", NRM_FACTS)),
        "unknown_workflow": evaluate_args("uk.cicaa", write_json(folder, "empty.json", {})),
        "unknown_fact": evaluate_args("uk.cica", write_json(folder, "key.json", {"police.reportd": True})),
        "wrong_type": evaluate_args("uk.cica", write_json(folder, "type.json", {"police.reported": "yes"})),
        "impossible_date": evaluate_args(
            "uk.cica", write_json(folder, "date.json", {"incident.date": "2026-02-30"})
        ),
        "birth_after_today": evaluate_args(
            "uk.cica", write_json(folder, "born.json", {"person.date_of_birth": "2026-11-23"})
        ),
        "bad_today_format": evaluate_args("uk.cica", folder / "empty.json", "22/11/2026"),
        "missing_file": evaluate_args("uk.cica", folder / "no-such-file.json"),
        "invalid_json": evaluate_args("uk.cica", invalid_json),
        "json_array": evaluate_args("uk.cica", write_json(folder, "array.json", [CICA_FACTS])),
        "incident_before_birth": evaluate_args(
            "uk.cica",
            write_json(
                folder,
                "order.json",
                {"person.date_of_birth": "2000-05-01", "incident.date": "1999-01-01"},
            ),
        ),
        "check": ["check"],
        "check_broken": ["check", str(broken[0])],
    }
    executable = redress_executable()
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    processes = {
        name: subprocess.Popen(
            [executable, *args],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, args in commands.items()
    }
    results = {}
    for name, process in processes.items():
        stdout, stderr = process.communicate(timeout=120)
        results[name] = Run(tuple(commands[name]), process.returncode, stdout, stderr)
    return results


def assert_contract(result: Mapping[str, Any], workflow_id: str) -> None:
    """The JSON object of DESIGN.md's "engine's public contract"."""
    assert result["workflow"]["id"] == workflow_id
    assert isinstance(result["workflow"]["version"], str)
    assert result["today"] == TODAY
    assert result["next_question"] is None or isinstance(result["next_question"], str)
    assert isinstance(result["missing"], list)
    assert all(isinstance(key, str) for key in result["missing"])
    for item in result["outcomes"]:
        assert {"id", "level", "message", "basis"} <= set(item)
        assert item["level"] in {"blocked", "warning", "info"}
    for item in result["checklist"]:
        assert {"id", "label", "required", "why"} <= set(item)
        assert isinstance(item["required"], bool)
    for item in result["deadlines"]:
        assert {"id", "due", "kind", "basis", "confidence", "explanation"} <= set(item)
        assert date.fromisoformat(item["due"])
        assert item["kind"] in {"limit", "target", "period_end"}
        assert item["confidence"] in {"V", "S", "U"}
        assert re.fullmatch(r"UK-[A-Z]+-D\d+[a-z]?", item["id"])
    for item in result["documents"]:
        assert isinstance(item["id"], str)
        assert isinstance(item["available"], bool)


def contract_json(run: Run, workflow_id: str) -> dict[str, Any]:
    """The JSON object a run printed, after checking that it succeeded and kept the contract."""
    assert run.returncode == 0, run.stderr
    result: dict[str, Any] = json.loads(run.stdout)
    assert_contract(result, workflow_id)
    return result


# --- evaluate: good input -------------------------------------------------------------------


def test_evaluate_cica_prints_the_contract_json(runs: dict[str, Run]) -> None:
    # Given an adult CICA case with a decision
    run = runs["cica"]
    # Then the command succeeds and prints one JSON object
    result = contract_json(run, "uk.cica")
    assert due_dates(result) == {"UK-CICA-D1": "2027-03-10", "UK-CICA-D5": "2026-07-27"}
    assert result["next_question"] == "person.british_citizen"
    assert "review_date_from_letter" in outcome_ids(result)


def test_evaluate_nrm_prints_the_contract_json(runs: dict[str, Run]) -> None:
    # Given an NRM referral on the Thursday before Easter 2026 and a positive RG a week later
    run = runs["nrm"]
    # Then
    result = contract_json(run, "uk.nrm")
    # 5 working days skipping Good Friday and Easter Monday; 30 days beginning with 9 April
    assert due_dates(result) == {"UK-NRM-D1": "2026-04-13", "UK-NRM-D2": "2026-05-08"}


# --- evaluate: bad input ----------------------------------------------------------------------

BAD_INPUT = [
    ("unknown_workflow", ["uk.cicaa", "did you mean uk.cica?"]),
    ("unknown_fact", ["police.reportd", "did you mean police.reported?"]),
    ("wrong_type", ["police.reported", "'yes'"]),
    ("impossible_date", ["incident.date", "2026-02-30"]),
    ("birth_after_today", ["person.date_of_birth", "2026-11-23", "after today"]),
    ("bad_today_format", ["--today", "22/11/2026"]),
    ("missing_file", ["--facts", "no-such-file.json"]),
    ("invalid_json", ["--facts", "not valid JSON"]),
    ("json_array", ["--facts", "JSON object"]),
    ("incident_before_birth", ["incident.date", "date of birth"]),
]


@pytest.mark.parametrize(("case", "names"), BAD_INPUT)
def test_bad_input_exits_non_zero_with_one_line_naming_the_field(
    runs: dict[str, Run], case: str, names: list[str]
) -> None:
    # Given a bad workflow id, fact, value, date or file
    run = runs[case]
    # Then the command fails with one line on stderr that names what is wrong
    assert run.returncode != 0
    assert run.stdout == ""
    assert "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("redress: ")
    for name in names:
        assert name in lines[0]


# --- check ------------------------------------------------------------------------------------


def test_check_passes_on_the_packaged_definitions(runs: dict[str, Run]) -> None:
    run = runs["check"]
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout == ""
    assert "Traceback" not in run.stderr


def test_check_reports_file_and_line_for_a_broken_copy(
    runs: dict[str, Run], broken: tuple[Path, int]
) -> None:
    # Given a copy of cica.yaml (tmp/uk/cica.yaml) with a misspelt fact key
    run = runs["check_broken"]
    _, line = broken
    # Then it fails and points at the file and line, with a suggestion
    assert run.returncode != 0
    assert "Traceback" not in run.stdout + run.stderr
    assert re.search(
        rf"cica\.yaml:{line}: unknown fact key 'police\.cooperatin'.*police\.cooperating",
        run.stdout,
    ), run.stdout
    problems = [text for text in run.stdout.splitlines() if text]
    assert all(re.match(r"^\S+\.yaml:\d+: ", text) for text in problems), problems
