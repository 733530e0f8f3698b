"""Filling the user's copy of the fillable Form I-914 with the case's answers.

USCIS's PDF cannot be bundled, so an advocate or a lawyer who may read the case's I-914 worksheet
uploads their copy of the blank form. The web request only checks the file (a PDF with fillable
fields that include the I-914's known ones: :mod:`api.documents.pdf_form`), stores it encrypted
under the case's key and queues a ``form_fill`` row; the Celery worker fills it
(:func:`run_fill`) from the answers the case has then, through the field table
(:mod:`workflows.forms.i914_pdf`), and stores the filled form encrypted beside a report of what
was filled and what is left by hand. Like document versions, the rows are the work: repeating a
task is harmless and the beat sweep re-offers what a lost message or a dead worker left.

Every step is a case event: ``form_fill.requested``, ``form_fill.completed`` (or
``form_fill.failed``) and ``form_fill.downloaded`` (the fill, never its content).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import update
from sqlmodel import Session, col, select

from api.access import Actor
from api.audit.service import record_event
from api.cases import facts_store
from api.cases.checks import require_aware, saved_id
from api.cases.errors import AccessDenied, CaseInputError
from api.cases.models import LegalCase, new_public_id
from api.documents import pdf_form
from api.documents.models import FormFill, GenerationStatus
from api.documents.pdf_form import FormFileError
from api.documents.service import (
    REQUEUE_AFTER,
    STUCK_AFTER,
    DocumentNotFound,
    authorise_documents,
    fact_values,
    may_read_template,
    template_catalogue,
)
from api.orgs.models import Organisation
from api.security.crypto import decrypt_field, encrypt_field
from api.settings import Settings
from workflows.facts import default_fact_dictionary
from workflows.forms.i914 import load_form_map
from workflows.forms.i914_pdf import fill_plan, load_pdf_fields

FORM: Final = "I-914"
WORKSHEET: Final = "i914_worksheet"  # whoever may read the worksheet may fill the form
MAX_ATTEMPTS: Final = 3
NOT_FOR_YOU: Final = "Only people who may read this case's Form I-914 worksheet can fill the form."


@dataclass(frozen=True)
class FillReport:
    """What a finished fill did: fields filled (place, field name) and items left by hand."""

    filled: tuple[tuple[str, str], ...]
    by_hand: tuple[tuple[str, str, str], ...]  # place, label, reason
    source: str
    check: str


def _authorise(session: Session, actor: Actor, case: LegalCase) -> None:
    facts = authorise_documents(session, actor, case)
    if not may_read_template(session, actor, case, facts, template_catalogue().get(WORKSHEET)):
        raise AccessDenied(NOT_FOR_YOU)


def _aad(case: LegalCase, fill: FormFill, part: str) -> bytes:
    return f"case:{case.public_id}:form_fill:{fill.public_id}:{part}".encode()


def request_fill(
    session: Session, settings: Settings, actor: Actor, case: LegalCase, content: bytes, *, now: datetime
) -> FormFill:
    """Keep the uploaded blank form and queue its filling; records ``form_fill.requested``.

    Refused at once, with nothing saved (:class:`FormFileError`, saying what to upload instead),
    when the file is too big, not a PDF, unreadable, protected, has no fillable fields, or has
    none of the I-914's known fields; :class:`CaseInputError` for a case outside the US.
    """
    require_aware(now)
    _authorise(session, actor, case)
    if case.jurisdiction.split("-", 1)[0] != "US":
        raise CaseInputError("file", "Form I-914 is for cases in the United States.")
    if len(content) > settings.evidence_max_bytes:
        raise FormFileError(
            f"The file is too big: the limit is {settings.evidence_max_bytes // 1_000_000} MB. "
            "The blank I-914 from uscis.gov is much smaller: check that this is the right file."
        )
    fields = pdf_form.read_fields(content)
    known = {
        name for spec in load_pdf_fields().fields for name in _names(spec.field, spec.yes_box, spec.no_box)
    }
    if not known & set(fields):
        raise FormFileError(
            "None of Form I-914's known fields are in this PDF: it may be another form, or an edition "
            "Redress does not know. Upload the fillable I-914 (edition 01/20/25) from uscis.gov."
        )
    fill = FormFill(
        case_id=saved_id(case),
        form=FORM,
        blank_encrypted=b"",
        blank_sha256=hashlib.sha256(content).hexdigest(),
        requested_by_user_id=actor.user_id,
        requested_at=now,
    )
    fill.blank_encrypted = encrypt_field(
        facts_store.data_key_of(settings, case), content, aad=_aad(case, fill, "blank")
    )
    session.add(fill)
    session.flush()
    _event(session, case, actor.user_id, "form_fill.requested", fill, now)
    session.commit()
    session.refresh(fill)
    return fill


def _names(field: str | None, *boxes: tuple[str, str] | None) -> list[str]:
    return [name for name in (field, *(box[0] for box in boxes if box)) if name]


def _event(
    session: Session, case: LegalCase, user_id: int | None, action: str, fill: FormFill, now: datetime
) -> None:
    record_event(
        session,
        organisation_id=case.organisation_id,
        case_id=saved_id(case),
        actor_user_id=user_id,
        action=action,
        subject=fill.public_id,
        at=now,
    )


def run_fill(session: Session, settings: Settings, fill_id: int, *, now: datetime) -> bool:
    """Fill ``fill_id`` if it is still queued (safe to repeat); whether this call filled it."""
    require_aware(now)
    token = new_public_id()
    session.execute(
        update(FormFill)
        .where(col(FormFill.id) == fill_id, col(FormFill.status) == GenerationStatus.QUEUED.value)
        .values(
            status=GenerationStatus.RUNNING.value,
            claim_token=token,
            started_at=now,
            attempts=col(FormFill.attempts) + 1,
        )
    )
    session.commit()
    fill = session.exec(select(FormFill).where(FormFill.claim_token == token)).first()
    if fill is None:
        return False
    case = session.get_one(LegalCase, fill.case_id)
    data_key = facts_store.data_key_of(settings, case)
    organisation = session.get(Organisation, case.organisation_id)
    try:
        blank = decrypt_field(data_key, fill.blank_encrypted, aad=_aad(case, fill, "blank"))
        table = load_pdf_fields()
        plan = fill_plan(
            load_form_map(),
            table,
            default_fact_dictionary(),
            fact_values(session, settings, case),
            pdf_form.read_fields(blank),
            representative=organisation.name if organisation is not None else "the representative",
        )
        filled = pdf_form.fill(blank, plan.fills)
    except FormFileError as exc:
        fill.status, fill.error = GenerationStatus.FAILED.value, str(exc)
        _event(session, case, None, "form_fill.failed", fill, now)
    else:
        fill.filled_encrypted = encrypt_field(data_key, filled, aad=_aad(case, fill, "filled"))
        fill.filled_sha256 = hashlib.sha256(filled).hexdigest()
        fill.report = json.dumps(
            {
                "filled": [[item.place, item.field] for item in plan.fills],
                "by_hand": [[item.place, item.label, item.reason] for item in plan.by_hand],
                "source": table.source,
                "check": table.check,
            }
        )
        fill.status = GenerationStatus.DONE.value
        _event(session, case, None, "form_fill.completed", fill, now)
    fill.finished_at, fill.claim_token = now, None
    session.add(fill)
    session.commit()
    return True


def report_of(fill: FormFill) -> FillReport | None:
    """The report of a finished fill (None before it is done)."""
    if fill.report is None:
        return None
    data = json.loads(fill.report)
    return FillReport(
        tuple((place, field) for place, field in data["filled"]),
        tuple((place, label, reason) for place, label, reason in data["by_hand"]),
        str(data["source"]),
        str(data["check"]),
    )


def list_fills(session: Session, actor: Actor, case: LegalCase) -> list[FormFill]:
    """The case's fills the actor may see, newest first."""
    _authorise(session, actor, case)
    return list(
        session.exec(
            select(FormFill)
            .where(FormFill.case_id == saved_id(case))
            .order_by(col(FormFill.requested_at).desc(), col(FormFill.id).desc())
        ).all()
    )


def get_fill(session: Session, actor: Actor, case: LegalCase, public_id: str) -> FormFill:
    """One fill of the case (:class:`DocumentNotFound` if there is none, or it is not theirs)."""
    _authorise(session, actor, case)
    fill = session.exec(
        select(FormFill).where(FormFill.case_id == saved_id(case), FormFill.public_id == public_id)
    ).first()
    if fill is None:
        raise DocumentNotFound(public_id)
    return fill


def download_filled(
    session: Session, settings: Settings, actor: Actor, case: LegalCase, public_id: str, *, now: datetime
) -> bytes | None:
    """The filled form (None until it is done), recording ``form_fill.downloaded``."""
    require_aware(now)
    fill = get_fill(session, actor, case, public_id)
    if fill.filled_encrypted is None:
        return None
    data = decrypt_field(
        facts_store.data_key_of(settings, case), fill.filled_encrypted, aad=_aad(case, fill, "filled")
    )
    _event(session, case, actor.user_id, "form_fill.downloaded", fill, now)
    session.commit()
    return data


def sweep_fills(session: Session, *, now: datetime) -> list[int]:
    """Reset fills a dead worker left running (failing those tried ``MAX_ATTEMPTS`` times) and
    return the ids queued long enough that their message was probably lost."""
    require_aware(now)
    stuck = session.exec(
        select(FormFill).where(
            FormFill.status == GenerationStatus.RUNNING.value, col(FormFill.started_at) < now - STUCK_AFTER
        )
    ).all()
    for fill in stuck:
        if fill.attempts >= MAX_ATTEMPTS:
            fill.status, fill.error = (
                GenerationStatus.FAILED.value,
                "Filling kept stopping; upload the form again.",
            )
            fill.finished_at = now
        else:
            fill.status = GenerationStatus.QUEUED.value
        fill.claim_token = None
        session.add(fill)
    session.commit()
    waiting = session.exec(
        select(FormFill.id).where(
            FormFill.status == GenerationStatus.QUEUED.value, col(FormFill.requested_at) < now - REQUEUE_AFTER
        )
    ).all()
    return [fill_id for fill_id in waiting if fill_id is not None]
