"""Erase a case: its data key and every row that belongs to it, for good.

A survivor may ask for their data to be deleted (``api.survivor_data``); an organisation's admin
decides, under the organisation's retention rules, and erases. Only admins may, and only after
typing the case's reference, because nothing brings a case back.

What erasing does, in one transaction:

- the case row goes, and with it (``ON DELETE CASCADE``) its facts and their history,
  applications, comments, shares, access codes, deadlines and reminders (with the in-app
  notifications they made), documents and their files, evidence files, messages, contact
  preferences and deletion requests. The wrapped data key goes with the row, so any encrypted
  copy left elsewhere (a free page, the WAL, a replica) can no longer be read with the live key
  ring. A backup taken before the erasure still holds the wrapped key: rotating the key ring
  (``redress rotate-keys``, then removing the old key) is what makes those copies unreadable;
- staff notifications about the case that are not tied to a reminder (their text names the
  case's reference) go too;
- the survivor's account, which exists only for this case, is closed: signed out everywhere,
  unable to sign in, its chosen name removed;
- the audit trail stays, detached from the erased case (``case_event.case_id`` becomes NULL): it
  names who did what and when, never a value. One more event, ``case.erased``, says who erased
  it; its subject is the case's public id, the only link left between the trail and the case.

On SQLite, every connection runs with ``secure_delete`` (``api.db.engine``), so the freed pages
are overwritten, and a WAL checkpoint afterwards removes the old page copies from the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from sqlalchemy import ColumnElement, delete, func, text, update
from sqlmodel import Session, SQLModel, col, select

from api import access
from api.access import Actor
from api.audit.service import record_event
from api.auth.models import UserSession
from api.cases.checks import require_aware, saved_id
from api.cases.errors import AccessDenied, CaseInputError
from api.cases.models import Application, LegalCase
from api.cases.permissions import authorise
from api.deadlines.models import CaseDeadline, DeadlineState
from api.documents.models import DocumentVersion
from api.evidence.models import EvidenceFile
from api.messages.models import CaseMessage
from api.orgs.models import User
from api.reminders.models import Notification

CONFIRM_FIELD: Final = "confirm_reference"
ERASED_NAME: Final = "Erased account"
ONLY_ADMINS: Final = "Only an administrator of the organisation can erase a case."


def _confirm_message(reference: str) -> str:
    return f"Type the case's reference, {reference}, exactly as shown, to erase it."


@dataclass(frozen=True)
class ErasureSummary:
    """What erasing the case would remove, for the confirmation page."""

    applications: int
    documents: int
    evidence_files: int
    messages: int
    confirmed_deadlines_ahead: int
    has_survivor_account: bool


def may_erase(actor: Actor, case: LegalCase) -> bool:
    """Whether ``actor`` may erase ``case`` (an admin of its organisation, signed in, not a token)."""
    return access.may_manage_organisation(actor, case.organisation_id)


def _count(session: Session, model: type[SQLModel], case_id: int, *extra: ColumnElement[bool]) -> int:
    column = model.case_id  # type: ignore[attr-defined]  # every model counted here has one
    return int(session.exec(select(func.count()).select_from(model).where(column == case_id, *extra)).one())


def erasure_summary(session: Session, actor: Actor, case: LegalCase, *, today: date) -> ErasureSummary:
    """What would go; :class:`AccessDenied` unless the actor may erase the case."""
    authorise(session, actor, case)
    if not may_erase(actor, case):
        raise AccessDenied(ONLY_ADMINS)
    case_id = saved_id(case)
    return ErasureSummary(
        applications=_count(session, Application, case_id),
        documents=_count(session, DocumentVersion, case_id),
        evidence_files=_count(session, EvidenceFile, case_id),
        messages=_count(session, CaseMessage, case_id),
        confirmed_deadlines_ahead=_count(
            session,
            CaseDeadline,
            case_id,
            col(CaseDeadline.state) == DeadlineState.CONFIRMED.value,
            col(CaseDeadline.due_on) >= today,
        ),
        has_survivor_account=case.survivor_user_id is not None,
    )


def erase_case(
    session: Session, actor: Actor, case: LegalCase, *, confirm_reference: str, now: datetime
) -> None:
    """Erase ``case`` as described in the module docstring; commits.

    :class:`CaseInputError` (field ``confirm_reference``) when the typed reference does not match;
    :class:`AccessDenied` for anyone but an admin of the case's organisation.
    """
    require_aware(now)
    authorise(session, actor, case)
    if not may_erase(actor, case):
        raise AccessDenied(ONLY_ADMINS)
    if " ".join(confirm_reference.split()) != case.reference:
        raise CaseInputError(CONFIRM_FIELD, _confirm_message(case.reference))
    case_id = saved_id(case)
    public_id = case.public_id
    survivor_id = case.survivor_user_id
    session.execute(
        delete(Notification).where(
            col(Notification.reminder_id).is_(None), col(Notification.link).startswith(f"/cases/{public_id}")
        )
    )
    if survivor_id is not None:
        survivor = session.get(User, survivor_id)
        if survivor is not None:
            survivor.is_active = False
            survivor.display_name = ERASED_NAME
            survivor.sign_in_name = None
            session.add(survivor)
        session.execute(
            update(UserSession)
            .where(col(UserSession.user_id) == survivor_id, col(UserSession.revoked_at).is_(None))
            .values(revoked_at=now)
        )
    session.expunge(case)
    session.execute(
        delete(LegalCase).where(col(LegalCase.id) == case_id).execution_options(synchronize_session=False)
    )
    record_event(
        session,
        organisation_id=case.organisation_id,
        actor_user_id=actor.user_id,
        action="case.erased",
        subject=public_id,
        at=now,
    )
    session.commit()
    if session.get_bind().dialect.name == "sqlite":
        # The old copies of the erased pages leave the write-ahead log (best effort: a reader
        # still using them keeps the log until it is done, and the next checkpoint clears it).
        session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        session.commit()
