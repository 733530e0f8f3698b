"""Where an application and a case stand, moved by people and by the document review.

An application goes draft → in progress (its first answer, :mod:`api.cases.service`) → ready for
review → changes requested / approved (a lawyer's decision on a document built for its workflow,
:mod:`api.documents.review`) → filed (the advocate records the filing) → decided → review or
appeal → closed. Caseworkers set the steps that happen outside Redress (sent for review, filed,
decided, under review or appeal, closed, or back to in progress); "approved" and "changes
requested" are a lawyer's word on a document only, so nobody can mark a filing approved by hand.

A review or filing moves an application forward only: a decision already recorded, or a closed
application, is not taken back to "approved" by a later document (a supplementary letter, say).

Closing a case cancels the reminders not sent yet of its deadlines (nobody works on it); opening
it again plans the reminders of its confirmed deadlines again. Every change is a case event.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Final

from sqlmodel import Session, col, select

from api import access
from api.access import Actor
from api.audit.service import record_event
from api.cases.checks import require_aware, saved_id
from api.cases.errors import CaseInputError
from api.cases.models import Application, ApplicationStatus, CaseStatus, LegalCase
from api.cases.permissions import authorise
from api.deadlines.models import CaseDeadline, DeadlineState
from api.reminders import planning
from api.settings import Settings

# What a caseworker may choose, in the order of the process.
STAFF_CHOICES: Final = (
    ApplicationStatus.IN_PROGRESS,
    ApplicationStatus.READY_FOR_REVIEW,
    ApplicationStatus.FILED,
    ApplicationStatus.DECIDED,
    ApplicationStatus.REVIEW_APPEAL,
    ApplicationStatus.CLOSED,
)
# Statuses a document's review or filing may still move on from.
_BEFORE_FILING: Final = frozenset(
    {
        ApplicationStatus.DRAFT,
        ApplicationStatus.IN_PROGRESS,
        ApplicationStatus.READY_FOR_REVIEW,
        ApplicationStatus.CHANGES_REQUESTED,
        ApplicationStatus.APPROVED,
    }
)
CHOOSE_STATUS: Final = "Choose where the application stands."
CHOOSE_CASE_STATUS: Final = "Choose whether the case is open or closed."


def _event(
    session: Session, case: LegalCase, actor_user_id: int | None, action: str, subject: str, now: datetime
) -> None:
    record_event(
        session,
        organisation_id=case.organisation_id,
        case_id=saved_id(case),
        actor_user_id=actor_user_id,
        action=action,
        subject=subject,
        at=now,
    )


def _move(
    session: Session,
    case: LegalCase,
    application: Application,
    status: ApplicationStatus,
    actor_user_id: int | None,
    now: datetime,
) -> bool:
    if application.status == status.value:
        return False
    subject = f"{application.public_id}:{application.status}->{status.value}"
    application.status = status.value
    session.add(application)
    _event(session, case, actor_user_id, "application.status_changed", subject, now)
    return True


def set_application_status(
    session: Session, actor: Actor, case: LegalCase, application: Application, status: str, *, now: datetime
) -> Application:
    """A caseworker records where the application stands; commits. :class:`CaseInputError`
    (field ``status``) for a status they may not choose; :class:`AccessDenied` for others."""
    require_aware(now)
    authorise(session, actor, case, access.may_manage)
    if application.case_id != saved_id(case):
        raise CaseInputError("status", CHOOSE_STATUS)
    try:
        chosen = ApplicationStatus(status)
    except ValueError:
        raise CaseInputError("status", CHOOSE_STATUS) from None
    if chosen not in STAFF_CHOICES:
        raise CaseInputError("status", CHOOSE_STATUS)
    _move(session, case, application, chosen, actor.user_id, now)
    session.commit()
    session.refresh(application)
    return application


def follow_document(
    session: Session,
    case: LegalCase,
    workflow_ids: Iterable[str],
    status: ApplicationStatus,
    *,
    actor_user_id: int | None,
    now: datetime,
) -> list[Application]:
    """Move the case's applications of ``workflow_ids`` to ``status`` after a document's review
    or filing, forward only (see the module docstring). Adds to the session; the caller commits
    with the review it records. Returns the applications moved."""
    wanted = set(workflow_ids)
    applications = session.exec(
        select(Application).where(
            Application.case_id == saved_id(case), col(Application.workflow_id).in_(wanted)
        )
    ).all()
    moved = []
    for application in applications:
        if ApplicationStatus(application.status) in _BEFORE_FILING and _move(
            session, case, application, status, actor_user_id, now
        ):
            moved.append(application)
    return moved


def set_case_status(
    session: Session, settings: Settings, actor: Actor, case: LegalCase, status: str, *, now: datetime
) -> LegalCase:
    """Close or reopen the case (caseworkers); commits. Closing cancels its pending reminders;
    reopening plans those of its confirmed deadlines again."""
    require_aware(now)
    authorise(session, actor, case, access.may_manage)
    try:
        chosen = CaseStatus(status)
    except ValueError:
        raise CaseInputError("case_status", CHOOSE_CASE_STATUS) from None
    if case.status == chosen.value:
        return case
    deadlines = session.exec(select(CaseDeadline).where(CaseDeadline.case_id == saved_id(case))).all()
    for deadline in deadlines:
        if chosen is CaseStatus.CLOSED:
            planning.cancel_pending(session, saved_id(deadline))
        elif deadline.state == DeadlineState.CONFIRMED.value:
            planning.plan_for_deadline(session, settings, case, deadline, now=now)
    case.status = chosen.value
    case.updated_at = now
    session.add(case)
    _event(
        session,
        case,
        actor.user_id,
        "case.closed" if chosen is CaseStatus.CLOSED else "case.reopened",
        case.public_id,
        now,
    )
    session.commit()
    session.refresh(case)
    return case
