"""The workflow engine: definition + facts + today -> what to ask, what applies, what is due.

Pure and deterministic: no I/O, no clock (``today`` is an argument), no mutation. The order
of work is fixed so that later parts can use earlier results: deadlines first (their
conditions may not use other deadlines), then questions, outcomes, the evidence checklist and
documents, whose conditions may test ``deadline('ID')``.

Facts map keys to typed values (see :mod:`workflows.facts`). A key present with ``None`` was
asked but is not known ("don't know"): the interview moves past it, conditions see it as
unknown, and a required one stays in ``missing``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from workflows.calendars import get_calendar
from workflows.conditions import CompiledExpression, EvalEnv, ExpressionRuntimeError, is_true
from workflows.deadline_rules import ComputedDeadline, compute_deadline, legal_fields
from workflows.model import EvidenceRule, Outcome, Workflow
from workflows.schema import NO_CALENDAR
from workflows.types import UNKNOWN


@dataclass(frozen=True)
class Evaluation:
    """Everything the engine decided for one workflow, one set of facts and one day."""

    workflow: Workflow
    today: date
    next_question: str | None
    missing: tuple[str, ...]
    unused: tuple[str, ...]
    applicable: tuple[str, ...]
    answered: int
    outcomes: tuple[Outcome, ...]
    checklist: tuple[tuple[EvidenceRule, bool], ...]  # (rule, applies for certain)
    deadlines: tuple[ComputedDeadline, ...]
    documents: tuple[tuple[str, bool, tuple[str, ...], str | None], ...]

    @property
    def blocked(self) -> bool:
        """Whether any outcome blocks the application."""
        return any(o.level.value == "blocked" for o in self.outcomes)

    def to_dict(self) -> dict[str, object]:
        """The JSON object of DESIGN.md's engine contract (plus a few documented extras)."""
        return {
            "workflow": {"id": self.workflow.id, "version": self.workflow.version},
            "today": self.today.isoformat(),
            "next_question": self.next_question,
            "missing": list(self.missing),
            "outcomes": [
                {"id": o.id, "level": o.level.value, "message": o.message, **legal_fields(o.legal)}
                for o in self.outcomes
            ],
            "checklist": [
                {
                    "id": rule.id,
                    "label": rule.label,
                    "required": rule.required and certain,
                    "applies": "yes" if certain else "maybe",
                    "why": rule.why,
                    "provider": rule.provider,
                    **legal_fields(rule.legal),
                }
                for rule, certain in self.checklist
            ],
            "deadlines": [d.to_dict(self.today) for d in self.deadlines],
            "documents": [
                {"id": doc_id, "available": available, "missing": list(needs), "template": template}
                for doc_id, available, needs, template in self.documents
            ],
            "unused": list(self.unused),
            "progress": {"answered": self.answered, "applicable": len(self.applicable)},
        }


def evaluate(workflow: Workflow, facts: Mapping[str, object], today: date) -> Evaluation:
    """Evaluate ``workflow`` for ``facts`` (typed values; ``None`` = asked, not known) on ``today``.

    Answers on branches no longer taken are pruned before anything else sees them: the
    interview is walked in order, and a fact this workflow asks counts only once its question
    applies. Such answers are kept by the caller and reported as ``unused``, never used.

    Raises :class:`EvaluationError` when the facts contradict each other in a way the rules
    cannot compute with (for example an incident before the date of birth).
    """
    try:
        return _evaluate(workflow, facts, today)
    except ExpressionRuntimeError as exc:
        raise EvaluationError(str(exc)) from exc


class EvaluationError(ValueError):
    """The facts cannot be evaluated together; the message says which rule and fact."""


def _evaluate(workflow: Workflow, facts: Mapping[str, object], today: date) -> Evaluation:
    known = {key: value for key, value in facts.items() if value is not None}
    asked_here = {q.fact for step in workflow.steps for q in step.questions}
    # Facts from other workflows ("tell your story once") count as they are; facts this
    # workflow asks are added as their questions are reached on a live branch.
    live = {key: value for key, value in known.items() if key not in asked_here}
    calendar = None if workflow.calendar_id == NO_CALENDAR else get_calendar(workflow.calendar_id)

    def environment(with_deadlines: bool) -> tuple[EvalEnv, tuple[ComputedDeadline, ...]]:
        plain = EvalEnv(facts=live, today=today, calendar_id=workflow.calendar_id)
        if not with_deadlines:
            return plain, ()
        computed = tuple(
            d for d in (compute_deadline(rule, plain, calendar) for rule in workflow.deadlines) if d
        )
        inapplicable = frozenset(
            rule.id
            for rule in workflow.deadlines
            if rule.when is not None and rule.when.evaluate(plain) is False
        )
        env = EvalEnv(
            facts=live,
            today=today,
            calendar_id=workflow.calendar_id,
            deadlines={d.id: d.due for d in computed},
            inapplicable_deadlines=inapplicable,
        )
        return env, computed

    next_question: str | None = None
    missing: list[str] = []
    applicable: list[str] = []
    unused: list[str] = []
    answered = 0
    for step in workflow.steps:
        conditions = [step.when, *(q.when for q in step.questions)]
        env, _ = environment(any(c is not None and c.deadline_refs for c in conditions))
        step_applies = _applies(step.when, env)
        for question in step.questions:
            if not (step_applies and _applies(question.when, env)):
                if question.fact in known:
                    unused.append(question.fact)
                continue
            applicable.append(question.fact)
            if question.fact in known:
                live[question.fact] = known[question.fact]  # env reads `live`: later questions see it
                answered += 1
            elif question.required:
                missing.append(question.fact)
            if question.fact not in facts and next_question is None:
                next_question = question.fact

    env, deadlines = environment(True)
    outcomes = tuple(o for o in workflow.outcomes if is_true(o.when.evaluate(env)))
    checklist: list[tuple[EvidenceRule, bool]] = []
    for rule in workflow.evidence:
        applies = True if rule.when is None else rule.when.evaluate(env)
        if applies is UNKNOWN:
            checklist.append((rule, False))
        elif is_true(applies):
            checklist.append((rule, True))
    documents = []
    for doc in workflow.documents:
        applies = True if doc.when is None else doc.when.evaluate(env)
        if applies is False:
            continue
        needs = tuple(key for key in doc.needs if key not in live)
        documents.append((doc.id, is_true(applies) and not needs, needs, doc.template))
    return Evaluation(
        workflow=workflow,
        today=today,
        next_question=next_question,
        missing=tuple(missing),
        unused=tuple(unused),
        applicable=tuple(applicable),
        answered=answered,
        outcomes=outcomes,
        checklist=tuple(checklist),
        deadlines=deadlines,
        documents=tuple(documents),
    )


def _applies(condition: CompiledExpression | None, env: EvalEnv) -> bool:
    # An unknown condition does not apply yet: it waits for the facts it depends on, which
    # the loader guarantees are asked earlier in the interview.
    return condition is None or is_true(condition.evaluate(env))
