"""Load workflow definitions from YAML: parse safely, validate shape and meaning, compile.

``load_definition`` returns a :class:`~workflows.model.Workflow` or raises
:class:`~workflows.problems.DefinitionError` listing every problem with its line; ``check_file``
returns the problems without raising, for ``redress check``. Checks beyond the schema: every
fact key exists in the fact dictionary; every condition type-checks; ids are unique; no
question depends on a fact that is asked only later (it could never be reached in order); no
rule is constantly false; every deadline has a legal basis and confidence; every named
template exists; every calendar is known, and a definition with ``calendar: none`` counts no
business days.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import get_args

from pydantic import BaseModel, ValidationError

from workflows.calendars import UnknownCalendarError, get_calendar
from workflows.conditions import (
    CompiledExpression,
    EvalEnv,
    ExpressionError,
    ExprType,
    compile_expression,
    is_true,
)
from workflows.facts import FactDictionary, suggest
from workflows.model import (
    Addition,
    Alternative,
    AmountOverride,
    ClockStop,
    DeadlineRule,
    DocumentRule,
    EvidenceRule,
    LegalBasis,
    Offset,
    Outcome,
    Override,
    Question,
    RuleVersion,
    Step,
    Until,
    Workflow,
)
from workflows.problems import DefinitionError, Problem
from workflows.schema import (
    NO_CALENDAR,
    AppliesInDoc,
    Basis,
    DeadlineDoc,
    DefinitionDoc,
    DocumentDoc,
    OffsetDoc,
    Unit,
)
from workflows.types import FactType
from workflows.yaml_source import LineMap, PathKey, YamlSyntaxError, load_yaml

_BUSINESS_DAYS_CALL = re.compile(r"\badd_business_days\s*\(")
_MISSING_FIELD_HINTS = {
    "basis": "every rule carries `basis` (the law or guidance it rests on) and `confidence`",
    "confidence": "every rule carries `confidence`: V (verified), S (secondary) or U (unconfirmed)",
}


@dataclass
class _Context:
    """What one file's checks share: where problems go and what the file defines."""

    path: Path
    lines: LineMap
    facts: FactDictionary
    templates_root: Path | None
    problems: list[Problem] = field(default_factory=list)
    deadline_ids: frozenset[str] = frozenset()
    calendar_id: str = NO_CALENDAR

    def report(self, where: PathKey, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.path, self.lines.line_for(where), message, hint))


def load_definition(path: Path, facts: FactDictionary, templates_root: Path | None = None) -> Workflow:
    """Load one definition file; raise :class:`DefinitionError` if anything is wrong."""
    workflow, problems = _load(path, facts, templates_root)
    if problems or workflow is None:
        raise DefinitionError(problems)
    return workflow


def check_file(
    path: Path, facts: FactDictionary, templates_root: Path | None = None
) -> tuple[Workflow | None, list[Problem]]:
    """Load one definition file and return it (if valid) with every problem found."""
    return _load(path, facts, templates_root)


def _load(
    path: Path, facts: FactDictionary, templates_root: Path | None
) -> tuple[Workflow | None, list[Problem]]:
    try:
        document = load_yaml(path)
    except YamlSyntaxError as exc:
        return None, [Problem(path, exc.line, exc.message, "check indentation and quoting")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(path, 1, f"cannot read the file: {exc}")]
    ctx = _Context(path, document.lines, facts, templates_root)
    for key_path, line in document.duplicate_keys:
        ctx.problems.append(
            Problem(path, line, f"duplicate key {key_path[-1]!r}", "YAML keeps only the last one")
        )
    if not isinstance(document.data, dict):
        ctx.report((), "a definition must be a mapping with id, version, steps ...")
        return None, ctx.problems
    try:
        doc = DefinitionDoc.model_validate(document.data)
    except ValidationError as exc:
        _report_schema_errors(ctx, exc)
        return None, ctx.problems
    workflow = _build(ctx, doc)
    return (None if ctx.problems else workflow), ctx.problems


def _report_schema_errors(ctx: _Context, exc: ValidationError) -> None:
    for error in exc.errors():
        loc: PathKey = tuple(error["loc"])
        # Model-level validators report at the object; name the object, not "__root__".
        field_name = str(loc[-1]) if loc else "definition"
        where = ".".join(str(part) for part in loc) or "definition"
        if error["type"] == "missing":
            parent = ".".join(str(part) for part in loc[:-1]) or "definition"
            message = f"{parent}: missing `{field_name}`"
            hint: str | None = _MISSING_FIELD_HINTS.get(field_name, "add the field")
        elif error["type"] == "extra_forbidden":
            message = f"{where}: unknown field `{field_name}`"
            hint = _field_hint(field_name, loc)
        else:
            message = f"{where}: {error['msg']}"
            hint = None
        ctx.report(loc, message, hint)


def _field_hint(name: str, loc: PathKey) -> str | None:
    close = suggest(name, _KNOWN_FIELDS)
    return f"did you mean `{close}`?" if close else f"remove it from {loc[:-1] or 'the file'}"


def _schema_field_names() -> list[str]:
    """Every field name the definition schema accepts (by alias where it has one), for hints."""
    names: set[str] = set()
    pending: list[type[BaseModel]] = [DefinitionDoc]
    seen: set[type[BaseModel]] = set()
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        for field_name, info in model.model_fields.items():
            names.add(info.alias or field_name)
            for arg in _nested_models(info.annotation):
                pending.append(arg)
    return sorted(names)


def _nested_models(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in get_args(annotation) for model in _nested_models(arg)]


# Derived from the schema, so a field added there is suggested here too.
_KNOWN_FIELDS = _schema_field_names()


# --- building -----------------------------------------------------------------------------


def _build(ctx: _Context, doc: DefinitionDoc) -> Workflow:
    ctx.deadline_ids = frozenset(d.id for d in doc.deadlines)
    ctx.calendar_id = doc.calendar
    _check_calendar(ctx, doc.calendar)
    _check_unique(ctx, "step", [("steps", i, "id") for i in range(len(doc.steps))], [s.id for s in doc.steps])
    for section, items in (
        ("outcomes", doc.outcomes),
        ("evidence", doc.evidence),
        ("deadlines", doc.deadlines),
        ("documents", doc.documents),
        ("sources", doc.sources),
    ):
        paths: list[PathKey] = [(section, i, "id") for i in range(len(items))]
        _check_unique(ctx, section.rstrip("s"), paths, [item.id for item in items])
    sources = {s.id: s for s in doc.sources}

    def legal(rule: Basis | AppliesInDoc, where: PathKey) -> LegalBasis:
        url = None
        if rule.source is not None:
            if rule.source not in sources:
                ctx.report(
                    (*where, "source"),
                    f"unknown source {rule.source!r}",
                    f"declare it under `sources:` ({', '.join(sources) or 'none yet'})",
                )
            else:
                url = sources[rule.source].url
        return LegalBasis(rule.basis, rule.confidence, url, rule.check)

    steps = _build_steps(ctx, doc)
    outcomes = tuple(
        Outcome(
            o.id,
            o.level,
            _condition(ctx, o.when, ("outcomes", i, "when")),
            o.message,
            legal(o, ("outcomes", i)),
        )
        for i, o in enumerate(doc.outcomes)
    )
    evidence = tuple(
        EvidenceRule(
            e.id,
            e.label,
            e.why,
            e.provider,
            e.required,
            _optional_condition(ctx, e.when, ("evidence", i, "when")),
            legal(e, ("evidence", i)),
        )
        for i, e in enumerate(doc.evidence)
    )
    deadlines = tuple(
        _build_deadline(
            ctx,
            d,
            ("deadlines", i),
            legal(d, ("deadlines", i)),
            None if d.clock_stop is None else legal(d.clock_stop, ("deadlines", i, "clock_stop")),
        )
        for i, d in enumerate(doc.deadlines)
    )
    documents = tuple(_build_document(ctx, d, ("documents", i)) for i, d in enumerate(doc.documents))
    _check_order(ctx, steps)
    for i, outcome in enumerate(outcomes):
        _check_not_constant_false(ctx, outcome.when, ("outcomes", i, "when"), f"outcome {outcome.id}")
    for i, item in enumerate(evidence):
        _check_not_constant_false(ctx, item.when, ("evidence", i, "when"), f"evidence item {item.id}")
    applies_in_legal = legal(doc.applies_in, ("applies_in",)) if doc.applies_in else None
    return Workflow(
        id=doc.id,
        version=doc.version,
        title=doc.title,
        summary=doc.summary,
        jurisdiction=doc.jurisdiction,
        calendar_id=doc.calendar,
        process_kind=doc.process_kind,
        effective_from=doc.effective_from,
        effective_to=doc.effective_to,
        sources=sources,
        steps=steps,
        outcomes=outcomes,
        evidence=evidence,
        deadlines=deadlines,
        documents=documents,
        path=ctx.path,
        applies_in=frozenset(doc.applies_in.countries) if doc.applies_in else frozenset(),
        applies_in_legal=applies_in_legal,
    )


def _build_steps(ctx: _Context, doc: DefinitionDoc) -> tuple[Step, ...]:
    steps: list[Step] = []
    asked: dict[str, PathKey] = {}
    for si, step_doc in enumerate(doc.steps):
        step_when = _optional_condition(ctx, step_doc.when, ("steps", si, "when"))
        questions: list[Question] = []
        for qi, q in enumerate(step_doc.questions):
            where: PathKey = ("steps", si, "questions", qi)
            if q.fact not in ctx.facts:
                close = suggest(q.fact, ctx.facts.specs)
                ctx.report(
                    (*where, "fact"),
                    f"unknown fact key {q.fact!r}",
                    f"did you mean {close}?" if close else "add it to workflows/facts.yaml",
                )
                continue
            if q.fact in asked:
                first = ctx.lines.line_for(asked[q.fact])
                ctx.report(
                    (*where, "fact"),
                    f"duplicate question: {q.fact} is already asked at line {first}",
                    "ask each fact once; use `when` to choose the branch",
                )
                continue
            asked[q.fact] = where
            when = _optional_condition(ctx, q.when, (*where, "when"))
            questions.append(Question(q.fact, step_doc.id, q.required, when, q.why, q.who_sees))
        steps.append(Step(step_doc.id, step_doc.title, step_when, tuple(questions)))
    return tuple(steps)


def _build_deadline(
    ctx: _Context, d: DeadlineDoc, where: PathKey, legal: LegalBasis, clock_stop_legal: LegalBasis | None
) -> DeadlineRule:
    when = _optional_condition(ctx, d.when, (*where, "when"), allow_deadline_refs=False)
    trigger = _compile(ctx, d.trigger, (*where, "trigger"), ExprType.DATE, allow_deadline_refs=False)
    if d.versions:
        versions = tuple(
            RuleVersion(v.from_date, v.until, _offset(v.offset), v.basis, v.confidence, v.note)
            for v in d.versions
        )
        _check_versions(ctx, versions, (*where, "versions"))
    elif d.offset is not None:  # the schema guarantees one of the two
        versions = (RuleVersion(None, None, _offset(d.offset), d.basis, d.confidence, None),)
    else:
        versions = ()
    override = None
    if d.override is not None:
        _check_date_fact(ctx, d.override.fact, (*where, "override", "fact"))
        override = Override(d.override.fact, d.override.label, d.override.confidence)
    until = None
    if d.until is not None:
        _check_date_fact(ctx, d.until.fact, (*where, "until", "fact"))
        until = Until(d.until.fact, d.until.label)
    clock_stop = None
    if d.clock_stop is not None and clock_stop_legal is not None:
        _check_date_fact(ctx, d.clock_stop.start, (*where, "clock_stop", "start"))
        _check_date_fact(ctx, d.clock_stop.end, (*where, "clock_stop", "end"))
        clock_stop = ClockStop(d.clock_stop.start, d.clock_stop.end, d.clock_stop.label, clock_stop_legal)
    alternatives = tuple(Alternative(_offset(a.offset), a.basis, a.confidence) for a in d.alternatives)
    additions = tuple(
        Addition(
            _condition(ctx, a.when, (*where, "additions", i, "when")),
            a.days,
            a.label,
            a.basis,
            a.confidence,
        )
        for i, a in enumerate(d.additions)
    )
    amount_override = None
    if d.amount_override is not None:
        _check_number_fact(ctx, d.amount_override.fact, (*where, "amount_override", "fact"))
        amount_override = AmountOverride(
            d.amount_override.fact, d.amount_override.label, d.amount_override.confidence
        )
    if ctx.calendar_id == NO_CALENDAR:
        offsets = [v.offset for v in versions] + [a.offset for a in alternatives]
        if any(o.unit is Unit.BUSINESS_DAYS for o in offsets):
            ctx.report(
                (*where, "offset") if d.offset is not None else where,
                f"deadline {d.id} counts business days but the definition has `calendar: none`",
                "name the holiday calendar (GB-EAW, GB-SCT, GB-NIR, US) or count calendar days",
            )
    return DeadlineRule(
        id=d.id,
        label=d.label,
        kind=d.kind,
        when=when,
        trigger=trigger,
        trigger_label=d.trigger_label,
        versions=versions,
        alternatives=alternatives,
        override=override,
        until=until,
        consequence=d.consequence,
        extension=d.extension,
        legal=legal,
        clock_stop=clock_stop,
        additions=additions,
        amount_override=amount_override,
    )


def _build_document(ctx: _Context, d: DocumentDoc, where: PathKey) -> DocumentRule:
    for i, key in enumerate(d.needs):
        if key not in ctx.facts:
            ctx.report(
                (*where, "needs", i),
                f"document {d.id} needs unknown fact {key!r}",
                "needs lists fact keys from workflows/facts.yaml",
            )
    if d.template is not None and ctx.templates_root is not None:
        folder = ctx.templates_root / d.template
        if not (folder / "manifest.yaml").is_file():
            available = (
                sorted(p.name for p in ctx.templates_root.iterdir() if (p / "manifest.yaml").is_file())
                if ctx.templates_root.is_dir()
                else []
            )
            ctx.report(
                (*where, "template"),
                f"document {d.id} names template {d.template!r}, which does not exist in claim_templates/",
                f"available: {', '.join(available)}"
                if available
                else "create claim_templates/<name>/manifest.yaml, or leave `template` out until it exists",
            )
    when = _optional_condition(ctx, d.when, (*where, "when"))
    return DocumentRule(d.id, d.title, d.purpose, when, tuple(d.needs), d.template)


def _offset(doc: OffsetDoc) -> Offset:
    return Offset(doc.amount, doc.unit, doc.counting)


# --- checks -------------------------------------------------------------------------------


def _check_calendar(ctx: _Context, calendar_id: str) -> None:
    if calendar_id == NO_CALENDAR:
        return
    try:
        get_calendar(calendar_id)
    except UnknownCalendarError as exc:
        ctx.report(("calendar",), f"unknown calendar {calendar_id!r}", str(exc).strip("'\""))


def _check_unique(ctx: _Context, kind: str, paths: Sequence[PathKey], ids: Sequence[str]) -> None:
    seen: dict[str, PathKey] = {}
    for where, ident in zip(paths, ids, strict=True):
        if ident in seen:
            first = ctx.lines.line_for(seen[ident])
            ctx.report(
                where,
                f"duplicate {kind} id {ident!r} (first at line {first})",
                "ids must be unique",
            )
        else:
            seen[ident] = where


def _check_date_fact(ctx: _Context, key: str, where: PathKey) -> None:
    if key not in ctx.facts:
        ctx.report(where, f"unknown fact key {key!r}", "add it to workflows/facts.yaml")
    elif ctx.facts.get(key).type is not FactType.DATE:
        ctx.report(where, f"{key} is a {ctx.facts.get(key).type} fact; a date fact is needed here")


def _check_number_fact(ctx: _Context, key: str, where: PathKey) -> None:
    if key not in ctx.facts:
        ctx.report(where, f"unknown fact key {key!r}", "add it to workflows/facts.yaml")
    elif ctx.facts.get(key).type is not FactType.NUMBER:
        ctx.report(where, f"{key} is a {ctx.facts.get(key).type} fact; a number fact is needed here")


def _check_versions(ctx: _Context, versions: Iterable[RuleVersion], where: PathKey) -> None:
    ordered = sorted(versions, key=lambda v: v.from_date or date.min)
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        end = earlier.until or date.max
        start = later.from_date or date.min
        if end >= start:
            ctx.report(where, "rule versions overlap", "give each version its own `from`/`until` range")
        elif (start - end).days > 1:
            ctx.report(
                where,
                f"rule versions leave a gap between {end} and {start}",
                "every trigger date needs a version in force",
            )


def _check_order(ctx: _Context, steps: Sequence[Step]) -> None:
    """Find questions that can never be reached when the interview runs in order."""
    position = {q.fact: (si, qi) for si, s in enumerate(steps) for qi, q in enumerate(s.questions)}
    for si, step in enumerate(steps):
        step_where: PathKey = ("steps", si)
        _check_depends_earlier(ctx, step.when, (si, -1), position, (*step_where, "when"), f"step {step.id}")
        _check_not_constant_false(ctx, step.when, (*step_where, "when"), f"step {step.id}")
        for qi, q in enumerate(step.questions):
            where: PathKey = (*step_where, "questions", qi, "when")
            _check_depends_earlier(ctx, q.when, (si, qi), position, where, f"question {q.fact}")
            _check_not_constant_false(ctx, q.when, where, f"question {q.fact}")


def _check_depends_earlier(
    ctx: _Context,
    expr: CompiledExpression | None,
    here: tuple[int, int],
    position: dict[str, tuple[int, int]],
    where: PathKey,
    what: str,
) -> None:
    if expr is None:
        return
    for key in sorted(expr.facts):
        asked_at = position.get(key)
        if asked_at is not None and asked_at >= here:
            ctx.report(
                where,
                f"unreachable {what}: its condition depends on {key}, which is asked at or after it",
                "move the question that asks it earlier, or change the condition",
            )


def _check_not_constant_false(
    ctx: _Context, expr: CompiledExpression | None, where: PathKey, what: str
) -> None:
    if expr is None or expr is _never or not expr.is_constant():
        return
    value = expr.evaluate(EvalEnv(facts={}, today=date(2000, 1, 1)))
    if not is_true(value):
        ctx.report(
            where,
            f"unreachable {what}: its condition is always false",
            "fix or remove the condition",
        )


# --- expressions --------------------------------------------------------------------------


def _compile(
    ctx: _Context,
    source: str,
    where: PathKey,
    expect: ExprType,
    *,
    allow_deadline_refs: bool = True,
) -> CompiledExpression:
    try:
        compiled = compile_expression(
            source, ctx.facts.signatures, expect=expect, allow_deadline_refs=allow_deadline_refs
        )
    except ExpressionError as exc:
        column = f" (column {exc.column + 1})" if exc.column is not None else ""
        ctx.report(where, f"{exc.message}{column} in `{source}`", exc.hint)
        return _never
    if ctx.calendar_id == NO_CALENDAR and _BUSINESS_DAYS_CALL.search(source):
        ctx.report(
            where,
            "add_business_days needs a holiday calendar, but the definition has `calendar: none`",
            "name the calendar (GB-EAW, GB-SCT, GB-NIR, US) or count calendar days",
        )
    for ref in sorted(compiled.deadline_refs - ctx.deadline_ids):
        ctx.report(
            where,
            f"deadline({ref!r}) names no deadline of this definition",
            f"known: {', '.join(sorted(ctx.deadline_ids)) or 'none'}",
        )
    return compiled


def _condition(ctx: _Context, source: str, where: PathKey) -> CompiledExpression:
    return _compile(ctx, source, where, ExprType.BOOL)


def _optional_condition(
    ctx: _Context, source: str | None, where: PathKey, *, allow_deadline_refs: bool = True
) -> CompiledExpression | None:
    if source is None:
        return None
    return _compile(ctx, source, where, ExprType.BOOL, allow_deadline_refs=allow_deadline_refs)


# Stands in for an expression that failed to compile, so the rest of the file is still
# checked; a file with problems is never returned as a Workflow, so it is never evaluated.
_never = compile_expression("false", {}, expect=ExprType.BOOL)
