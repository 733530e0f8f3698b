"""``redress check`` and ``redress evaluate``: the workflow engine from the shell.

Both print results on stdout and exit non-zero with a one-line message on stderr for bad
input; neither prints a traceback. The engine itself lives in :mod:`workflows`; this module
only reads files and arguments, and formats what the engine returns.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from workflows.catalogue import TEMPLATES_ROOT, UnknownWorkflowError, load_catalogue
from workflows.check import check_paths
from workflows.engine import EvaluationError
from workflows.engine import evaluate as evaluate_workflow
from workflows.facts import FactValueError, default_fact_dictionary
from workflows.problems import DefinitionError

_MAX_FACTS_BYTES = 1_000_000


def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Definition files or folders (default: all packaged definitions)."),
    ] = None,
) -> None:
    """Lint workflow definitions; print file:line: message for each problem."""
    problems = check_paths(paths or None)
    if not paths:  # the whole set: the Word templates and their manifests too
        from api.documents.template_lint import check_templates  # docxtpl only when needed

        problems += check_templates(TEMPLATES_ROOT, default_fact_dictionary())
    cwd = Path.cwd()
    for problem in problems:
        typer.echo(problem.format(relative_to=cwd))
    if problems:
        typer.echo(f"{len(problems)} problem(s) found.", err=True)
        raise typer.Exit(1)
    typer.echo(
        "All definitions are valid." if paths else "All definitions and templates are valid.",
        err=True,
    )


def evaluate(
    workflow: Annotated[str, typer.Argument(help="Workflow id, for example uk.cica.")],
    facts: Annotated[Path, typer.Option("--facts", help="JSON file mapping fact keys to values.")],
    today: Annotated[
        str | None, typer.Option("--today", help="Evaluation date YYYY-MM-DD (default: today).")
    ] = None,
) -> None:
    """Evaluate a workflow for the facts in a JSON file and print the engine's JSON result."""
    day = _parse_today(today)
    raw = _read_facts(facts)
    try:
        values = default_fact_dictionary().parse_facts(raw, today=day)
    except FactValueError as exc:
        _fail(f"fact {exc}")
    try:
        catalogue = load_catalogue()
        definition = catalogue.get(workflow, day)
    except UnknownWorkflowError as exc:
        _fail(str(exc))
    except DefinitionError as exc:
        first = exc.problems[0].format() if exc.problems else str(exc)
        _fail(f"the workflow definitions are invalid (run `redress check`): {first}")
    try:
        result = evaluate_workflow(definition, values, day)
    except EvaluationError as exc:
        _fail(f"the facts cannot be evaluated together: {exc}")
    typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))


def _parse_today(text: str | None) -> date:
    if text is None:
        # The legal date here is the machine's local date: the CLI is run by a person.
        return date.today()  # noqa: DTZ011
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        _fail(f"--today: expected YYYY-MM-DD, got {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError:
        _fail(f"--today: {text} is not a real calendar date")


def _read_facts(path: Path) -> dict[str, object]:
    try:
        if path.stat().st_size > _MAX_FACTS_BYTES:
            _fail(f"--facts: {path} is larger than {_MAX_FACTS_BYTES // 1000} kB")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        _fail(f"--facts: no such file {path}")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"--facts: cannot read {path}: {exc}")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        _fail(f"--facts: {path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})")
    if not isinstance(data, dict):
        _fail(f"--facts: {path} must hold a JSON object mapping fact keys to values")
    return data


def _fail(message: str) -> NoReturn:
    print(f"redress: {message}", file=sys.stderr)  # noqa: T201
    raise typer.Exit(2)
