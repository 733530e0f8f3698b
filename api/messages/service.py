"""The conversation between a survivor and the caseworkers of their case (an advocate or the
organisation's admin). Lawyers take no part. Bodies are encrypted with the case's data key;
events record that a message was sent, never what it says.

Reading the conversation marks the other side's messages read; the unread count is the other
side's messages not yet read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import ColumnElement, ScalarSelect, bindparam, func, update
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select

from api import access
from api.access import Actor
from api.audit.service import record_event
from api.cases.checks import require_aware, saved_id
from api.cases.errors import AccessDenied
from api.cases.facts_store import data_key_of
from api.cases.models import LegalCase
from api.cases.permissions import authorise
from api.messages.models import CaseMessage
from api.security.crypto import decrypt_field, encrypt_field
from api.settings import Settings

BODY_MAX_LENGTH: Final = 4000
# Messages a survivor may see (web.survivor_texts lists them for translation).
EMPTY: Final = "Write a message first."
TOO_LONG: Final = "The message is too long. Write at most 4000 characters."


class MessageError(ValueError):
    """A message refused; ``message`` says why."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class MessageView:
    """One message as the conversation shows it."""

    body: str
    from_survivor: bool
    author_user_id: int
    created_at: datetime
    unread: bool  # the other side's message, not read before this reading


def _side(session: Session, actor: Actor, case: LegalCase) -> bool:
    """True for the survivor, False for a caseworker; AccessDenied for anyone else."""
    authorise(session, actor, case)  # CaseNotFound for a case the actor may not see
    if case.survivor_user_id is not None and case.survivor_user_id == actor.user_id:
        return True
    if access.is_caseworker(actor, case.organisation_id):
        return False
    raise AccessDenied("Only the survivor and the case's advocates take part in its messages.")


def _aad(case: LegalCase, public_id: str) -> bytes:
    return f"case:{case.public_id}:message:{public_id}".encode()


def send(
    session: Session, settings: Settings, actor: Actor, case: LegalCase, body: str, *, now: datetime
) -> None:
    """Send ``body`` to the other side; record ``message.sent``; commit."""
    require_aware(now)
    from_survivor = _side(session, actor, case)
    if not actor.may_write:
        raise AccessDenied()
    text = body.strip()
    if not text:
        raise MessageError(EMPTY)
    if len(text) > BODY_MAX_LENGTH:
        raise MessageError(TOO_LONG)
    row = CaseMessage(
        case_id=saved_id(case), author_user_id=actor.user_id, from_survivor=from_survivor, body_encrypted=b"",
        created_at=now,
    )  # fmt: skip
    row.body_encrypted = encrypt_field(
        data_key_of(settings, case), text.encode(), aad=_aad(case, row.public_id)
    )
    session.add(row)
    record_event(
        session, organisation_id=case.organisation_id, case_id=saved_id(case), actor_user_id=actor.user_id,
        action="message.sent", subject=row.public_id, at=now,
    )  # fmt: skip
    session.commit()


def read_conversation(
    session: Session, settings: Settings, actor: Actor, case: LegalCase, *, now: datetime
) -> list[MessageView]:
    """The conversation, oldest first; the other side's unread messages are marked read (commit)."""
    require_aware(now)
    reader_is_survivor = _side(session, actor, case)
    rows = session.exec(
        select(CaseMessage)
        .where(CaseMessage.case_id == saved_id(case))
        .order_by(col(CaseMessage.created_at), col(CaseMessage.id))
    ).all()
    data_key = data_key_of(settings, case) if rows else b""
    views = [
        MessageView(
            body=decrypt_field(data_key, row.body_encrypted, aad=_aad(case, row.public_id)).decode(),
            from_survivor=row.from_survivor,
            author_user_id=row.author_user_id,
            created_at=row.created_at,
            unread=row.read_at is None and row.from_survivor != reader_is_survivor,
        )
        for row in rows
    ]
    if any(view.unread for view in views):
        session.execute(
            update(CaseMessage)
            .where(
                col(CaseMessage.case_id) == saved_id(case),
                col(CaseMessage.from_survivor) != reader_is_survivor,
                col(CaseMessage.read_at).is_(None),
            )
            .values(read_at=now)
        )
        session.commit()
    return views


# Built once: the survivor's status page counts on every view, and building and keying a
# statement costs more than running it.
_UNREAD: Final = (
    select(func.count())
    .select_from(CaseMessage)
    .where(
        col(CaseMessage.case_id) == bindparam("case_id"),
        col(CaseMessage.from_survivor) != bindparam("reader_is_survivor"),
        col(CaseMessage.read_at).is_(None),
    )
)


def unread_by_survivor(case_id: ColumnElement[int] | Mapped[int | None]) -> ScalarSelect[int]:
    """How many of the advocates' messages the survivor has not read yet, as a subquery on the
    case id column of an enclosing statement: :func:`unread_count` for the survivor's side, for a
    page that reads the case and this count in one statement (the survivor's status page).
    The caller has checked that the reader is the case's survivor."""
    return (
        select(func.count())
        .select_from(CaseMessage)
        .where(
            col(CaseMessage.case_id) == case_id,
            col(CaseMessage.from_survivor).is_(False),
            col(CaseMessage.read_at).is_(None),
        )
        .scalar_subquery()
    )


def unread_count(session: Session, actor: Actor, case: LegalCase) -> int:
    """How many of the other side's messages ``actor``'s side has not read yet."""
    reader_is_survivor = _side(session, actor, case)
    count = session.exec(
        _UNREAD, params={"case_id": saved_id(case), "reader_is_survivor": reader_is_survivor}
    ).one()
    return int(count)
