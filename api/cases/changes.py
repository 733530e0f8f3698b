"""Compare an application's evaluation before and after a change of facts.

Pure functions over two :class:`~workflows.engine.Evaluation` objects: what a person should be
told after changing an answer (DESIGN.md: "the page shows what changed").
"""

from __future__ import annotations

from datetime import date

from api.cases.models import Application
from api.cases.schemas import ApplicationChanges, ChecklistChange, DeadlineChange, OutcomeChange
from workflows.engine import Evaluation


def next_deadline_on(evaluation: Evaluation, today: date) -> date | None:
    """The earliest deadline due today or later; passed ones are no longer "next"."""
    upcoming = [d.due for d in evaluation.deadlines if d.due >= today]
    return min(upcoming, default=None)


def compare(application: Application, before: Evaluation, after: Evaluation) -> ApplicationChanges:
    """What changed for ``application`` between ``before`` and ``after``."""
    old_outcomes = {o.id: o for o in before.outcomes}
    new_outcomes = {o.id: o for o in after.outcomes}
    old_deadlines = {d.id: d for d in before.deadlines}
    new_deadlines = {d.id: d for d in after.deadlines}
    old_items = {rule.id: rule for rule, _ in before.checklist}
    new_items = {rule.id: rule for rule, _ in after.checklist}
    old_unused = set(before.unused)
    return ApplicationChanges(
        application_public_id=application.public_id,
        workflow_id=after.workflow.id,
        title=after.workflow.title,
        outcomes_added=tuple(
            OutcomeChange(o.id, o.level, o.message) for i, o in new_outcomes.items() if i not in old_outcomes
        ),
        outcomes_removed=tuple(
            OutcomeChange(o.id, o.level, o.message) for i, o in old_outcomes.items() if i not in new_outcomes
        ),
        deadlines_added=tuple(
            DeadlineChange(d.id, d.label, None, d.due)
            for i, d in new_deadlines.items()
            if i not in old_deadlines
        ),
        deadlines_removed=tuple(
            DeadlineChange(d.id, d.label, d.due, None)
            for i, d in old_deadlines.items()
            if i not in new_deadlines
        ),
        deadlines_moved=tuple(
            DeadlineChange(d.id, d.label, old_deadlines[i].due, d.due)
            for i, d in new_deadlines.items()
            if i in old_deadlines and old_deadlines[i].due != d.due
        ),
        checklist_added=tuple(
            ChecklistChange(r.id, r.label) for i, r in new_items.items() if i not in old_items
        ),
        checklist_removed=tuple(
            ChecklistChange(r.id, r.label) for i, r in old_items.items() if i not in new_items
        ),
        became_unused=tuple(key for key in after.unused if key not in old_unused),
        unused=after.unused,
        next_question=after.next_question,
        evaluation=after,
    )
