"""``redress check``: lint definition files and report ``file:line: message (hint: ...)``.

Each file is checked on its own (schema, facts, conditions, ids, reachability, legal basis,
templates: see :mod:`workflows.loader`), then the set together: one file per (id, version),
no two versions of a workflow in force on the same day, a register id used by one workflow
only, and each file stored where its id says (``definitions/uk/cica.yaml`` holds ``uk.cica``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from workflows.catalogue import DEFINITIONS_ROOT, TEMPLATES_ROOT, definition_files
from workflows.facts import FACTS_PATH, FactDictionary, load_fact_dictionary
from workflows.loader import check_file
from workflows.model import Workflow
from workflows.problems import DefinitionError, Problem


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files to check: YAML files as given, and every ``*.yaml`` under a directory."""
    files: list[Path] = []
    for path in paths:
        files.extend(definition_files(path) if path.is_dir() else [path])
    return files


def check_paths(
    paths: Iterable[Path] | None = None,
    *,
    facts_path: Path = FACTS_PATH,
    templates_root: Path | None = TEMPLATES_ROOT,
) -> list[Problem]:
    """Every problem in the fact dictionary and the definitions at ``paths`` (default: all)."""
    try:
        facts = load_fact_dictionary(facts_path)
    except DefinitionError as exc:
        return list(exc.problems)
    files = expand_paths(paths or [DEFINITIONS_ROOT])
    problems: list[Problem] = []
    loaded: list[Workflow] = []
    for path in files:
        if not path.exists():
            problems.append(Problem(path, 1, "no such file", "give a definition file or folder"))
            continue
        workflow, file_problems = check_file(path, facts, templates_root)
        problems.extend(file_problems)
        if workflow is not None:
            loaded.append(workflow)
    problems.extend(_check_together(loaded, facts))
    return problems


def _check_together(workflows: list[Workflow], _facts: FactDictionary) -> list[Problem]:
    problems: list[Problem] = []
    register: dict[str, Workflow] = {}
    for index, workflow in enumerate(workflows):
        expected_parent, _, expected_stem = workflow.id.partition(".")
        stem = workflow.path.stem.split("@", 1)[0]
        if workflow.path.parent.name != expected_parent or stem != expected_stem:
            problems.append(
                Problem(
                    workflow.path,
                    1,
                    f"{workflow.id} is stored as {workflow.path.parent.name}/{workflow.path.name}",
                    f"store it as definitions/{expected_parent}/{expected_stem}.yaml"
                    f" (or {expected_stem}@VERSION.yaml)",
                )
            )
        for other in workflows[:index]:
            if other.id != workflow.id:
                continue
            if other.version == workflow.version:
                problems.append(
                    Problem(
                        workflow.path,
                        1,
                        f"duplicate definition {workflow.id} {workflow.version} (also in {other.path.name})",
                        "give each version its own version number",
                    )
                )
            elif _overlap(other, workflow):
                problems.append(
                    Problem(
                        workflow.path,
                        1,
                        f"{workflow.id} {workflow.version} and {other.version}"
                        " are both in force on some days",
                        "end the older version (effective_to) where the newer one starts",
                    )
                )
        for rule in workflow.deadlines:
            owner = register.setdefault(rule.id, workflow)
            if owner.id != workflow.id:
                problems.append(
                    Problem(
                        workflow.path,
                        1,
                        f"deadline id {rule.id} is also used by {owner.id}",
                        "a register id names one rule of one process (domain.md Part E)",
                    )
                )
    return problems


def _overlap(a: Workflow, b: Workflow) -> bool:
    a_end = a.effective_to or b.effective_from.max
    b_end = b.effective_to or a.effective_from.max
    return a.effective_from < b_end and b.effective_from < a_end
