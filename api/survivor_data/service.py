"""A survivor's own data: download a copy (a zip of what they may see, with their own uploads
and the messages), and ask for it to be deleted (a request the case's caseworkers see on the
case page and record as handled once they have acted on it under their retention rules).
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from sqlmodel import Session, col, select

from api import access
from api.access import Actor
from api.audit.service import record_event
from api.cases import service as cases_service
from api.cases.checks import require_aware, saved_id
from api.cases.errors import AccessDenied
from api.cases.facts_store import to_json_value
from api.cases.models import LegalCase
from api.cases.permissions import authorise
from api.evidence import service as evidence_service
from api.messages import service as messages_service
from api.settings import Settings
from api.survivor_data.models import DeletionRequest
from api.survivor_questions import service as survivor_questions
from workflows.facts import default_fact_dictionary

CASE_FILE_NAME: Final = "my-data.zip"


def _require_survivor(session: Session, actor: Actor, case: LegalCase) -> None:
    authorise(session, actor, case)
    if case.survivor_user_id is None or case.survivor_user_id != actor.user_id:
        raise AccessDenied("Only the survivor of the case can do this.")


def case_file(
    session: Session, settings: Settings, actor: Actor, case: LegalCase, *, now: datetime, today: date
) -> bytes:
    """A zip of what the survivor may see of their case: ``my-data.json`` (their visible answers,
    each application's status and dates, the questions their advocate asked them, the messages)
    and ``files/`` (their own uploads).
    Records ``case.exported``; commits."""
    require_aware(now)
    _require_survivor(session, actor, case)
    dictionary = default_fact_dictionary()
    facts = cases_service.read_facts_for(session, settings, actor, case)
    applications = cases_service.list_applications(session, actor, case)
    evaluations = cases_service.evaluate_applications(session, settings, case, applications, today=today)
    data = {
        "exported_at": now.isoformat(),
        "answers": [
            {"question": dictionary.get(key).label, "key": key, "answer": to_json_value(record.value)}
            for key, record in facts.items()
        ],
        "applications": [
            {
                "status": application.status,
                "dates": [{"what": d.label, "date": d.due.isoformat()} for d in evaluation.deadlines],
                "to_bring": [rule.label for rule, certain in evaluation.checklist if certain],
            }
            for application, evaluation in zip(applications, evaluations, strict=True)
        ],
        # What the advocate asked them on their pages, with the advocate's note (it was shown to them).
        "questions_from_your_advocate": [
            {
                "question": question.spec.survivor_question,
                "note": question.note,
                "asked_at": question.asked_at.isoformat(),
                "answered_at": question.answered_at.isoformat() if question.answered_at else None,
            }
            for question in survivor_questions.questions(session, settings, actor, case)
        ],
        "messages": [
            {
                "from": "you" if m.from_survivor else "your advocate",
                "at": m.created_at.isoformat(),
                "text": m.body,
            }
            for m in messages_service.read_conversation(session, settings, actor, case, now=now)
        ],
    }
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("my-data.json", json.dumps(data, ensure_ascii=False, indent=2))
        for name, _content_type, content in evidence_service.evidence_attachments(
            session, settings, actor, case
        ):
            archive.writestr(f"files/{name}", content)
    record_event(
        session, organisation_id=case.organisation_id, case_id=saved_id(case), actor_user_id=actor.user_id,
        action="case.exported", at=now,
    )  # fmt: skip
    session.commit()
    return output.getvalue()


def request_deletion(session: Session, actor: Actor, case: LegalCase, *, now: datetime) -> DeletionRequest:
    """Record the survivor's request (one open request at a time); ``deletion.requested``; commit."""
    require_aware(now)
    _require_survivor(session, actor, case)
    existing = open_request(session, case)
    if existing is not None:
        return existing
    row = DeletionRequest(case_id=saved_id(case), requested_by_user_id=actor.user_id, requested_at=now)
    session.add(row)
    record_event(
        session, organisation_id=case.organisation_id, case_id=saved_id(case), actor_user_id=actor.user_id,
        action="deletion.requested", at=now,
    )  # fmt: skip
    session.commit()
    session.refresh(row)
    return row


def open_request(session: Session, case: LegalCase) -> DeletionRequest | None:
    """The case's deletion request not handled yet, if any (the caller has checked access)."""
    return session.exec(
        select(DeletionRequest)
        .where(DeletionRequest.case_id == saved_id(case), col(DeletionRequest.handled_at).is_(None))
        .order_by(col(DeletionRequest.id))
    ).first()


@dataclass(frozen=True)
class DeletionStatus:
    """What the case page says of a pending request."""

    requested_at: datetime


def pending_for_staff(session: Session, actor: Actor, case: LegalCase) -> DeletionStatus | None:
    """The open request as a caseworker sees it (None for others, or when there is none)."""
    case_access = authorise(session, actor, case)
    if not access.may_manage(actor, case_access):
        return None
    row = open_request(session, case)
    return None if row is None else DeletionStatus(row.requested_at)


def mark_handled(session: Session, actor: Actor, case: LegalCase, *, now: datetime) -> bool:
    """A caseworker records that the open request was acted on; ``deletion.handled``; commit.
    False when there was no open request."""
    require_aware(now)
    authorise(session, actor, case, access.may_manage)
    row = open_request(session, case)
    if row is None:
        return False
    row.handled_at = now
    row.handled_by_user_id = actor.user_id
    session.add(row)
    record_event(
        session, organisation_id=case.organisation_id, case_id=saved_id(case), actor_user_id=actor.user_id,
        action="deletion.handled", at=now,
    )  # fmt: skip
    session.commit()
    return True
