"""In-app notifications: the bell's count, the list, marking them read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Final

from sqlalchemy import bindparam, func, update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from api.reminders.models import Notification

PAGE_SIZE: Final = 50
COUNT_CAP: Final = 99  # the bell shows "99+" beyond this


def unread_count(session: Session, user_id: int) -> int:
    """How many unread notifications the person has, capped at ``COUNT_CAP + 1``."""
    capped = (
        select(Notification.id)
        .where(Notification.user_id == user_id, col(Notification.read_at).is_(None))
        .limit(COUNT_CAP + 1)
        .subquery()
    )
    return int(session.exec(select(func.count()).select_from(capped)).one())


def latest(session: Session, user_id: int, *, limit: int = PAGE_SIZE) -> Sequence[Notification]:
    """The person's newest notifications, unread and read."""
    return session.exec(_latest_statement(limit), params={"user_id": user_id}).all()


@lru_cache(maxsize=8)
def _latest_statement(limit: int) -> SelectOfScalar[Notification]:
    # Built once per limit: the survivor's status page asks on every view, and building and
    # keying a statement costs more than running it.
    return (
        select(Notification)
        .where(col(Notification.user_id) == bindparam("user_id"))
        .order_by(col(Notification.id).desc())
        .limit(limit)
    )


def mark_all_read(session: Session, user_id: int, *, now: datetime) -> None:
    """Mark every notification of the person read; commits."""
    session.execute(
        update(Notification)
        .where(col(Notification.user_id) == user_id, col(Notification.read_at).is_(None))
        .values(read_at=now)
    )
    session.commit()
