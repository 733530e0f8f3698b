"""Questions an advocate asks the survivor: asking, withdrawing, listing and answering them.

An advocate (a caseworker of the case) picks a fact the dictionary marks ``ask_survivor`` (one
the survivor may see, with a "why we ask" written to them) and may add a short note. The
survivor answers it on their own pages; the answer goes through
:func:`api.cases.service.change_facts` with source ``survivor`` and the survivor as the person
who gave it, so it is validated, encrypted, audited and re-evaluates every application like
any other answer. The access policy lets a survivor change only the facts asked of them and not
withdrawn (:func:`api.access.may_answer`); this module adds nothing to it.

A question stays answerable after its first answer (the survivor may come back and change it)
until the advocate withdraws it. Notes are encrypted under the case's data key, bound to the
case and the question. Events name the fact key (staff read the audit trail), never the note.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from sqlalchemy import ColumnElement, ScalarSelect, func, literal
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select

from api import access
from api.access import Actor
from api.audit.service import record_event
from api.cases import service as cases_service
from api.cases.checks import require_aware, saved_id
from api.cases.errors import AccessDenied
from api.cases.facts_store import data_key_of
from api.cases.models import FactSource, LegalCase
from api.cases.permissions import authorise
from api.cases.schemas import ChangeReport
from api.security.crypto import decrypt_field, encrypt_field
from api.settings import Settings
from api.survivor_questions.models import SurvivorQuestion
from workflows.facts import FactSpec, default_fact_dictionary

NOTE_MAX_LENGTH: Final = 500


class QuestionInputError(ValueError):
    """A question cannot be asked as given; ``field`` names the form field, ``message`` says why."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class QuestionNotFound(LookupError):
    """No such question on this case (or it was withdrawn)."""


@dataclass(frozen=True)
class AskedQuestion:
    """One question asked of the survivor, as the pages show it."""

    public_id: str
    spec: FactSpec
    note: str
    asked_by_user_id: int
    asked_at: datetime
    answered_at: datetime | None

    @property
    def answered(self) -> bool:
        """Whether the survivor has answered it (they may still change the answer)."""
        return self.answered_at is not None


def askable_facts() -> tuple[FactSpec, ...]:
    """The facts an advocate may ask the survivor, in the dictionary's order."""
    return default_fact_dictionary().survivor_askable


def _note_aad(case: LegalCase, public_id: str) -> bytes:
    return f"case:{case.public_id}:survivor_question:{public_id}".encode()


def _event(session: Session, case: LegalCase, actor: Actor, action: str, now: datetime, subject: str) -> None:
    record_event(
        session,
        organisation_id=case.organisation_id,
        case_id=saved_id(case),
        actor_user_id=actor.user_id,
        action=action,
        subject=subject,
        at=now,
    )


def _check_caseworker(session: Session, actor: Actor, case: LegalCase) -> None:
    authorise(session, actor, case, access.may_edit_facts)


def _active(session: Session, case: LegalCase) -> list[SurvivorQuestion]:
    return list(
        session.exec(
            select(SurvivorQuestion)
            .where(SurvivorQuestion.case_id == saved_id(case), col(SurvivorQuestion.withdrawn_at).is_(None))
            .order_by(col(SurvivorQuestion.asked_at), col(SurvivorQuestion.id))
        ).all()
    )


def ask(
    session: Session,
    settings: Settings,
    actor: Actor,
    case: LegalCase,
    *,
    fact_key: str,
    note: str,
    now: datetime,
) -> SurvivorQuestion:
    """Ask the case's survivor to answer ``fact_key``; records ``survivor_question.asked``; commits.

    :class:`QuestionInputError` for a fact that may not be asked of a survivor, one already
    asked (and not withdrawn), or a note over :data:`NOTE_MAX_LENGTH` characters.
    """
    require_aware(now)
    _check_caseworker(session, actor, case)
    askable = {spec.key for spec in askable_facts()}
    if fact_key not in askable:
        raise QuestionInputError("fact", "Choose a question from the list.")
    clean_note = note.strip()
    if len(clean_note) > NOTE_MAX_LENGTH:
        message = f"Use at most {NOTE_MAX_LENGTH} characters for the note ({len(clean_note)} now)."
        raise QuestionInputError("note", message)
    if any(question.fact_key == fact_key for question in _active(session, case)):
        raise QuestionInputError(
            "fact", "This question has already been asked. Withdraw it first to ask again."
        )
    question = SurvivorQuestion(
        case_id=saved_id(case), fact_key=fact_key, asked_by_user_id=actor.user_id, asked_at=now
    )
    if clean_note:
        question.note_encrypted = encrypt_field(
            data_key_of(settings, case), clean_note.encode(), aad=_note_aad(case, question.public_id)
        )
    session.add(question)
    _event(session, case, actor, "survivor_question.asked", now, fact_key)
    session.commit()
    session.refresh(question)
    return question


def withdraw(session: Session, actor: Actor, case: LegalCase, public_id: str, *, now: datetime) -> None:
    """Withdraw a question: the survivor no longer sees or may answer it; records
    ``survivor_question.withdrawn``; commits. :class:`QuestionNotFound` if it is not open."""
    require_aware(now)
    _check_caseworker(session, actor, case)
    question = _find(session, case, public_id)
    question.withdrawn_at = now
    question.withdrawn_by_user_id = actor.user_id
    session.add(question)
    _event(session, case, actor, "survivor_question.withdrawn", now, question.fact_key)
    session.commit()


def questions(session: Session, settings: Settings, actor: Actor, case: LegalCase) -> list[AskedQuestion]:
    """The case's questions not withdrawn, oldest first: for its caseworkers and its survivor."""
    _check_reader(session, actor, case)
    rows = _active(session, case)
    data_key = data_key_of(settings, case) if any(row.note_encrypted for row in rows) else b""
    return [_view(case, data_key, row) for row in rows]


def question(
    session: Session, settings: Settings, actor: Actor, case: LegalCase, public_id: str
) -> AskedQuestion:
    """One question not withdrawn; :class:`QuestionNotFound` otherwise."""
    _check_reader(session, actor, case)
    row = _find(session, case, public_id)
    return _view(case, data_key_of(settings, case) if row.note_encrypted else b"", row)


def open_counts(
    case_id: ColumnElement[int] | Mapped[int | None],
) -> tuple[ScalarSelect[int], ScalarSelect[int]]:
    """:func:`counts` as two subqueries on the case id column of an enclosing statement (waiting,
    asked), for a page that reads the case and these counts in one statement (the survivor's
    status page). The caller has checked that the reader may see the case."""
    of_case = (col(SurvivorQuestion.case_id) == case_id, col(SurvivorQuestion.withdrawn_at).is_(None))
    waiting = (
        select(func.count())
        .select_from(SurvivorQuestion)
        .where(*of_case, col(SurvivorQuestion.answered_at).is_(None))
    )
    asked = select(func.count()).select_from(SurvivorQuestion).where(*of_case)
    return waiting.scalar_subquery(), asked.scalar_subquery()


def counts(session: Session, actor: Actor, case: LegalCase) -> tuple[int, int]:
    """(waiting for the survivor's first answer, asked and not withdrawn) of the case's questions."""
    _check_reader(session, actor, case)
    waiting, asked = open_counts(literal(saved_id(case)))
    found = session.execute(sa_select(waiting, asked)).one()
    return int(found[0]), int(found[1])


def answer(
    session: Session,
    settings: Settings,
    actor: Actor,
    case: LegalCase,
    public_id: str,
    raw: object,
    *,
    now: datetime,
    today: date,
) -> ChangeReport:
    """The survivor's answer to one question (``raw`` as the fact dictionary takes it, None for
    "I don't know"), saved through :func:`api.cases.service.change_facts` with source
    ``survivor``; the question is marked answered and ``survivor_question.answered`` recorded
    in the same commit. Raises what ``change_facts`` raises (nothing is saved then)."""
    require_aware(now)
    _check_reader(session, actor, case)
    row = _find(session, case, public_id)
    if case.survivor_user_id != actor.user_id:
        raise AccessDenied("Only the survivor answers the questions asked of them.")
    # Part of change_facts' unit of work: committed with the answer, or rolled back with it.
    if row.answered_at is None:
        row.answered_at = now
    session.add(row)
    _event(session, case, actor, "survivor_question.answered", now, row.fact_key)
    values: Mapping[str, object] = {row.fact_key: raw}
    try:
        report = cases_service.change_facts(
            session, settings, actor, case, values, source=FactSource.SURVIVOR.value, now=now, today=today
        )
    except Exception:
        session.rollback()
        raise
    if not report.changed_keys:  # the same answer again: change_facts wrote nothing
        session.commit()
    return report


def _check_reader(session: Session, actor: Actor, case: LegalCase) -> None:
    authorise(session, actor, case)
    if access.is_caseworker(actor, case.organisation_id) or case.survivor_user_id == actor.user_id:
        return
    raise AccessDenied("Only the case's advocates and its survivor see the questions asked.")


def _find(session: Session, case: LegalCase, public_id: str) -> SurvivorQuestion:
    row = session.exec(
        select(SurvivorQuestion).where(
            SurvivorQuestion.public_id == public_id,
            SurvivorQuestion.case_id == saved_id(case),
            col(SurvivorQuestion.withdrawn_at).is_(None),
        )
    ).first()
    if row is None or row.fact_key not in default_fact_dictionary():
        raise QuestionNotFound(public_id)
    return row


def _view(case: LegalCase, data_key: bytes, row: SurvivorQuestion) -> AskedQuestion:
    note = ""
    if row.note_encrypted is not None:
        note = decrypt_field(data_key, row.note_encrypted, aad=_note_aad(case, row.public_id)).decode()
    return AskedQuestion(
        public_id=row.public_id,
        spec=default_fact_dictionary().get(row.fact_key),
        note=note,
        asked_by_user_id=row.asked_by_user_id,
        asked_at=row.asked_at,
        answered_at=row.answered_at,
    )
