"""Use cases of deadline rows: keep them in step with the engine, confirm, override, acknowledge.

:func:`sync_deadlines` is called by the cases services inside their own unit of work (it adds
to the session and never commits). The other functions own their unit of work: they check access
with :mod:`api.access`, write, record a case event (the rule id, never a date or a reason) and
commit once. Confirming or overriding plans the deadline's reminders
(:func:`api.reminders.planning.plan_for_deadline`); a move or a disappearance cancels the ones
not yet sent, so nobody is reminded of a date that no longer counts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from sqlalchemy import Table, bindparam
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from api import access
from api.access import Actor
from api.audit.service import record_event
from api.cases import facts_store
from api.cases.checks import require_aware, saved_id
from api.cases.models import Application, LegalCase
from api.cases.permissions import authorise
from api.deadlines.errors import DeadlineInputError, DeadlineNotFound
from api.deadlines.models import LIVE_STATES, CaseDeadline, DeadlineState
from api.reminders import planning
from api.security.crypto import decrypt_field, encrypt_field
from api.settings import Settings
from workflows.deadline_rules import ComputedDeadline
from workflows.engine import Evaluation

REASON_MAX_LENGTH: Final = 500
_DEADLINES: Final[Table] = CaseDeadline.__table__  # type: ignore[attr-defined]


def _reason_aad(case: LegalCase, deadline: CaseDeadline) -> bytes:
    return f"case:{case.public_id}:deadline:{deadline.public_id}:override_reason".encode()


def sync_deadlines(
    session: Session,
    case: LegalCase,
    applications: Sequence[Application],
    evaluations: Sequence[Evaluation],
    now: datetime,
) -> None:
    """Make the deadline rows of ``applications`` match their fresh ``evaluations``.

    New rules become ``unconfirmed`` rows. A computed date that changed keeps the old one in
    ``previous_due``; a confirmed deadline then becomes ``moved`` (it must be confirmed again)
    and its pending reminders are cancelled. A date entered from a letter still wins. Rules that
    no longer apply become ``gone``. Adds to the session; the caller commits.
    """
    # No flush here: the caller's own writes must be the first to reach the database, so that
    # a concurrent change of the same facts fails there, where the caller handles it.
    with session.no_autoflush:
        # Most changes of facts move no deadline: a look at the rows as plain values settles
        # that without loading them as objects; only rows out of step are loaded and updated.
        if _in_step(session, applications, evaluations):
            return
        _sync(session, case, applications, evaluations, now)


_COMPARED: Final = ("label", "kind", "basis", "confidence", "explanation", "trigger_label", "trigger_date",
                    "day_type", "holidays_skipped")  # fmt: skip
# Built once (every answer runs it): building a statement costs more than running this one.
_ROWS_AS_VALUES: Final = core_select(
    _DEADLINES.c.application_id, _DEADLINES.c.rule_id, _DEADLINES.c.state, _DEADLINES.c.computed_due,
    _DEADLINES.c.override_due, *(_DEADLINES.c[name] for name in _COMPARED),
).where(_DEADLINES.c.application_id.in_(bindparam("ids", expanding=True)))  # fmt: skip


def _in_step(
    session: Session, applications: Sequence[Application], evaluations: Sequence[Evaluation]
) -> bool:
    """Whether :func:`_sync` would change nothing: every computed deadline has its row, live, with
    the same date and explanation, and every other row of these applications is gone or overridden."""
    rows = session.execute(_ROWS_AS_VALUES, {"ids": [saved_id(a) for a in applications]}).all()
    by_key = {(row.application_id, row.rule_id): row for row in rows}
    for application, evaluation in zip(applications, evaluations, strict=True):
        application_id = saved_id(application)
        seen: set[str] = set()
        for computed in evaluation.deadlines:
            seen.add(computed.id)
            row = by_key.get((application_id, computed.id))
            if row is None or row.state == DeadlineState.GONE or row.computed_due != computed.due:
                return False
            fields = _explanation_fields(computed)
            if any(getattr(row, name) != fields[name] for name in _COMPARED):
                return False
        for (row_application_id, rule_id), row in by_key.items():
            if row_application_id != application_id or rule_id in seen:
                continue
            if row.override_due is None and row.state != DeadlineState.GONE:
                return False
    return True


def _sync(
    session: Session,
    case: LegalCase,
    applications: Sequence[Application],
    evaluations: Sequence[Evaluation],
    now: datetime,
) -> None:
    ids = [saved_id(a) for a in applications]
    rows = session.exec(select(CaseDeadline).where(col(CaseDeadline.application_id).in_(ids))).all()
    by_key = {(row.application_id, row.rule_id): row for row in rows}
    for application, evaluation in zip(applications, evaluations, strict=True):
        seen: set[str] = set()
        for computed in evaluation.deadlines:
            seen.add(computed.id)
            row = by_key.get((saved_id(application), computed.id))
            if row is None:
                session.add(_new_row(case, application, computed, now))
            else:
                _update_row(session, row, computed, now)
        for (application_id, rule_id), row in by_key.items():
            if application_id != saved_id(application) or rule_id in seen:
                continue
            if row.override_due is None and row.state != DeadlineState.GONE:
                row.state = DeadlineState.GONE.value
                row.updated_at = now
                session.add(row)
                planning.cancel_pending(session, saved_id(row))


def _explanation_fields(computed: ComputedDeadline) -> dict[str, object]:
    return {
        "label": computed.label[:300],
        "kind": computed.kind.value,
        "basis": computed.basis[:500],
        "confidence": computed.confidence.value,
        "explanation": computed.explanation,
        "trigger_label": computed.trigger_label[:300],
        "trigger_date": computed.trigger_date,
        "day_type": computed.day_type[:100],
        "holidays_skipped": json.dumps([[d.isoformat(), name] for d, name in computed.holidays_skipped]),
    }


def _new_row(
    case: LegalCase, application: Application, computed: ComputedDeadline, now: datetime
) -> CaseDeadline:
    return CaseDeadline(
        organisation_id=case.organisation_id,
        case_id=saved_id(case),
        application_id=saved_id(application),
        rule_id=computed.id,
        computed_due=computed.due,
        due_on=computed.due,
        state=DeadlineState.UNCONFIRMED.value,
        created_at=now,
        updated_at=now,
        **_explanation_fields(computed),  # type: ignore[arg-type]
    )


def _update_row(session: Session, row: CaseDeadline, computed: ComputedDeadline, now: datetime) -> None:
    for name, value in _explanation_fields(computed).items():
        setattr(row, name, value)
    if row.state == DeadlineState.GONE:
        row.state = DeadlineState.UNCONFIRMED.value
        row.updated_at = now
    if row.computed_due != computed.due:
        row.previous_due = row.computed_due
        row.computed_due = computed.due
        row.updated_at = now
        if row.override_due is None:
            row.due_on = computed.due
            if row.state == DeadlineState.CONFIRMED:
                row.state = DeadlineState.MOVED.value
                planning.cancel_pending(session, saved_id(row))
    session.add(row)


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineView:
    """A deadline row as a person sees it: with the override's reason decrypted."""

    row: CaseDeadline
    override_reason: str | None
    holidays: list[tuple[str, str]]

    @property
    def moved(self) -> bool:
        """Whether the computed date moved since it was last seen (old → new to show)."""
        return self.row.previous_due is not None and self.row.previous_due != self.row.computed_due


def list_deadlines(
    session: Session, settings: Settings, actor: Actor, case: LegalCase, *, include_gone: bool = False
) -> list[DeadlineView]:
    """The case's deadlines the actor may see, soonest first (a lawyer: shared applications only)."""
    facts = authorise(session, actor, case)
    query = select(CaseDeadline).where(CaseDeadline.case_id == saved_id(case))
    if not include_gone:
        query = query.where(col(CaseDeadline.state).in_(LIVE_STATES))
    rows = session.exec(query.order_by(col(CaseDeadline.due_on), col(CaseDeadline.id))).all()
    rows = [r for r in rows if access.may_view_application(actor, facts, r.application_id)]
    data_key = (
        facts_store.data_key_of(settings, case) if any(r.override_reason_encrypted for r in rows) else b""
    )
    views = []
    for row in rows:
        reason = None
        if row.override_reason_encrypted is not None:
            reason = decrypt_field(
                data_key, row.override_reason_encrypted, aad=_reason_aad(case, row)
            ).decode()
        views.append(DeadlineView(row, reason, [(d, n) for d, n in json.loads(row.holidays_skipped)]))
    return views


def _get(session: Session, actor: Actor, case: LegalCase, public_id: str) -> CaseDeadline:
    authorise(session, actor, case, access.may_manage)
    row = session.exec(
        select(CaseDeadline).where(
            CaseDeadline.case_id == saved_id(case), CaseDeadline.public_id == public_id
        )
    ).first()
    if row is None:
        raise DeadlineNotFound(public_id)
    return row


# --- a person's decisions -------------------------------------------------------------------------


def confirm_deadline(
    session: Session, settings: Settings, actor: Actor, case: LegalCase, public_id: str, *, now: datetime
) -> CaseDeadline:
    """Confirm the deadline's current date (the person checked rule, trigger and explanation).

    From then on it counts: its reminders are planned. Confirming a moved deadline accepts the
    new date. Raises :class:`DeadlineNotFound`, :class:`~api.cases.errors.AccessDenied`,
    :class:`DeadlineInputError` for a deadline whose rule no longer applies.
    """
    require_aware(now)
    row = _get(session, actor, case, public_id)
    if row.state == DeadlineState.GONE:
        raise DeadlineInputError("deadline", "This deadline no longer applies to the case's answers.")
    row.state = DeadlineState.CONFIRMED.value
    row.confirmed_due = row.due_on
    row.confirmed_by_user_id = actor.user_id
    row.confirmed_at = now
    row.previous_due = None
    row.updated_at = now
    session.add(row)
    planning.plan_for_deadline(session, settings, case, row, now=now)
    _event(session, case, actor, "deadline.confirmed", now, row)
    session.commit()
    session.refresh(row)
    return row


def override_deadline(
    session: Session,
    settings: Settings,
    actor: Actor,
    case: LegalCase,
    public_id: str,
    *,
    due: date,
    reason: str,
    now: datetime,
) -> CaseDeadline:
    """Set the deadline from a letter (e.g. the review date a CICA decision states), with why.

    The entered date wins over the computed one and counts at once (the person entered it), so
    reminders are re-planned for it. The reason is stored encrypted under the case's key.
    """
    require_aware(now)
    clean = " ".join(reason.split())
    if not clean:
        raise DeadlineInputError(
            "reason", "Say where the date comes from, for example the letter and its date."
        )
    if len(clean) > REASON_MAX_LENGTH:
        raise DeadlineInputError("reason", f"Use at most {REASON_MAX_LENGTH} characters ({len(clean)} now).")
    row = _get(session, actor, case, public_id)
    data_key = facts_store.data_key_of(settings, case)
    row.override_due = due
    row.override_reason_encrypted = encrypt_field(data_key, clean.encode(), aad=_reason_aad(case, row))
    row.due_on = due
    row.state = DeadlineState.CONFIRMED.value
    row.confirmed_due = due
    row.confirmed_by_user_id = actor.user_id
    row.confirmed_at = now
    row.previous_due = None
    row.updated_at = now
    session.add(row)
    planning.plan_for_deadline(session, settings, case, row, now=now)
    _event(session, case, actor, "deadline.overridden", now, row)
    session.commit()
    session.refresh(row)
    return row


def acknowledge_deadline(
    session: Session, actor: Actor, case: LegalCase, public_id: str, *, now: datetime
) -> CaseDeadline:
    """Record that someone has the deadline in hand: it is no longer escalated to supervisors."""
    require_aware(now)
    row = _get(session, actor, case, public_id)
    row.acknowledged_at = now
    row.updated_at = now
    session.add(row)
    _event(session, case, actor, "deadline.acknowledged", now, row)
    session.commit()
    session.refresh(row)
    return row


def _event(
    session: Session, case: LegalCase, actor: Actor, action: str, now: datetime, row: CaseDeadline
) -> None:
    record_event(
        session,
        organisation_id=case.organisation_id,
        case_id=saved_id(case),
        actor_user_id=actor.user_id,
        action=action,
        subject=row.rule_id,
        at=now,
    )
