"""Record and read the audit trail (``case_event``).

:func:`record_event` only *adds* a row to the caller's session and never commits (nor does
:func:`insert_event`, which writes it at once with a Core insert, for hot read paths): the event
belongs to the caller's unit of work, so an action and its audit record are saved together or not
at all. There is no update or delete here, on purpose: the trail is append-only.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Final, cast

from sqlalchemy import Table, func, insert
from sqlmodel import Session, col, select

from api.audit.models import CaseEvent

EVENTS_PER_PAGE: Final = 50
SUBJECT_MAX_LENGTH: Final = 200
# ``area.verb``: a fixed vocabulary chosen by the code, never free text from a user.
_ACTION_RE: Final = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*$")


def record_event(
    session: Session,
    *,
    organisation_id: int,
    action: str,
    at: datetime,
    case_id: int | None = None,
    actor_user_id: int | None = None,
    subject: str | None = None,
) -> CaseEvent:
    """Add an audit event to ``session`` without committing; the caller's commit saves it.

    ``subject`` names *what* was touched (a fact key, an application's public id), never a
    value: the trail must not become a second, unencrypted copy of the case.
    """
    _check(action, at, subject)
    event = CaseEvent(
        case_id=case_id,
        organisation_id=organisation_id,
        actor_user_id=actor_user_id,
        action=action,
        subject=subject,
        at=at,
    )
    session.add(event)
    return event


def insert_event(
    session: Session,
    *,
    organisation_id: int,
    action: str,
    at: datetime,
    case_id: int | None = None,
    actor_user_id: int | None = None,
    subject: str | None = None,
) -> None:
    """As :func:`record_event`, but the row is written at once with a Core ``INSERT`` in the
    caller's transaction (no ORM object, no flush); the caller's commit saves it.

    For hot read paths whose only write is the event (the survivor's status page records every
    view): the ORM's unit of work costs several times the statement.
    """
    _check(action, at, subject)
    session.execute(
        _INSERT_EVENT,
        {
            "case_id": case_id,
            "organisation_id": organisation_id,
            "actor_user_id": actor_user_id,
            "action": action,
            "subject": subject,
            "at": at,
        },
    )


# Into the table, not the mapped class: an insert of the class goes through the ORM's bulk path.
_INSERT_EVENT: Final = insert(cast("Table", CaseEvent.__table__))  # type: ignore[attr-defined]


def _check(action: str, at: datetime, subject: str | None) -> None:
    if not _ACTION_RE.fullmatch(action):
        raise ValueError(f"audit actions look like 'area.verb', got {action!r}")
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"audit times must be timezone-aware, got {at!r}")
    if subject is not None and len(subject) > SUBJECT_MAX_LENGTH:
        raise ValueError(f"audit subjects are at most {SUBJECT_MAX_LENGTH} characters")


@dataclass(frozen=True)
class EventPage:
    """One page of a case's events, newest first."""

    items: list[CaseEvent]
    total: int
    page: int
    pages: int


def case_events(session: Session, case_id: int, page: int = 1) -> EventPage:
    """The events of case ``case_id`` (its internal id), newest first, ``EVENTS_PER_PAGE`` a page.

    Access is the caller's business: this reads the trail of a case already authorised.
    """
    page = max(1, page)
    total = session.exec(
        select(func.count()).select_from(CaseEvent).where(col(CaseEvent.case_id) == case_id)
    ).one()
    items = session.exec(
        select(CaseEvent)
        .where(col(CaseEvent.case_id) == case_id)
        .order_by(col(CaseEvent.id).desc())
        .offset((page - 1) * EVENTS_PER_PAGE)
        .limit(EVENTS_PER_PAGE)
    ).all()
    return EventPage(
        items=list(items), total=total, page=page, pages=max(1, math.ceil(total / EVENTS_PER_PAGE))
    )
