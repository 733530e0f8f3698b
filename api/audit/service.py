"""Record and read the audit trail (``case_event``).

:func:`record_event` only *adds* a row to the caller's session and never commits: the event
belongs to the caller's unit of work, so an action and its audit record are saved together or not
at all. :func:`insert_events` and :func:`insert_event` do the same with a plain insert statement,
for hot paths. There is no update or delete here, on purpose: the trail is append-only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import Table, func, insert
from sqlmodel import Session, col, select

from api.audit.models import CaseEvent

EVENTS_PER_PAGE: Final = 50
SUBJECT_MAX_LENGTH: Final = 200
# ``area.verb``: a fixed vocabulary chosen by the code, never free text from a user.
_ACTION_RE: Final = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*$")
_EVENTS: Final[Table] = CaseEvent.__table__  # type: ignore[attr-defined]
_INSERT_EVENT: Final = insert(_EVENTS)  # built once: building costs more than running it


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


def insert_events(
    session: Session,
    *,
    organisation_id: int,
    action: str,
    at: datetime,
    subjects: Sequence[str | None],
    case_id: int | None = None,
    actor_user_id: int | None = None,
) -> None:
    """:func:`record_event` for one event per subject, as one insert statement executed now.

    For hot paths (an answer in the interview): a plain insert costs a fraction of the ORM's
    unit of work. It runs in the caller's transaction and is saved by the caller's commit, or
    not at all, exactly like :func:`record_event`'s events.
    """
    for subject in subjects:
        _check(action, at, subject)
    if subjects:
        rows = [
            {
                "case_id": case_id,
                "organisation_id": organisation_id,
                "actor_user_id": actor_user_id,
                "action": action,
                "subject": subject,
                "at": at,
            }
            for subject in subjects
        ]
        session.execute(_INSERT_EVENT, rows)


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
    """:func:`insert_events` for one event: for hot read paths whose only write is the event
    (the survivor's status page records every view)."""
    insert_events(
        session,
        organisation_id=organisation_id,
        action=action,
        at=at,
        subjects=[subject],
        case_id=case_id,
        actor_user_id=actor_user_id,
    )


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
