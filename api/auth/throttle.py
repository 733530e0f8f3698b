"""Login throttling: too many recent failures for one identifier and attempts are refused.

An *identifier* names what is being guessed: ``email:<address>`` for a password, ``totp:<user
id>`` for a second factor, ``code:<id>`` for a survivor access code; a caller may throttle by
address too (``ip:<address>``). Every checked attempt is a ``login_attempt`` row. The failures
that count are those within the last ``login_window_minutes`` and after the identifier's latest
success in that window; at ``login_max_failures`` of them, attempts are refused until enough of
them are older than the window.

A refused attempt is not recorded (and its password is not checked): the lock then lifts a fixed
time after the last real failure, so someone hammering a known email cannot keep its owner out
for ever, while guessing stays capped at ``login_max_failures`` per window.

These functions add rows to the caller's unit of work and never commit (the auth service does).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from api.auth.models import LoginAttempt
from api.settings import Settings

IDENTIFIER_MAX_LENGTH: Final = 400


def email_identifier(email: str) -> str:
    """The identifier of password attempts for ``email`` (trimmed, lower-case, as stored)."""
    return _identifier("email", email.strip().lower())


def totp_identifier(user_id: int) -> str:
    """The identifier of second-factor attempts for one user."""
    return _identifier("totp", str(user_id))


def retry_after(session: Session, settings: Settings, identifier: str, now: datetime) -> timedelta | None:
    """How long until ``identifier`` may try again, or None if it may try now."""
    window = timedelta(minutes=settings.login_window_minutes)
    since = now - window
    last_success = (
        select(func.max(LoginAttempt.at))
        .where(LoginAttempt.identifier == identifier, col(LoginAttempt.succeeded), LoginAttempt.at > since)
        .scalar_subquery()
    )
    failures = list(
        session.exec(
            select(LoginAttempt.at)
            .where(
                LoginAttempt.identifier == identifier,
                ~col(LoginAttempt.succeeded),
                LoginAttempt.at > since,
                func.coalesce(last_success, since) <= LoginAttempt.at,
            )
            .order_by(col(LoginAttempt.at))
        ).all()
    )
    if len(failures) < settings.login_max_failures:
        return None
    # The lock lifts once fewer than the maximum remain in the window: when this one leaves it.
    freed_by = failures[len(failures) - settings.login_max_failures]
    return max(freed_by + window - now, timedelta(seconds=1))


def wait_message(wait: timedelta) -> str:
    """The sentence shown to someone who must wait, in whole minutes (at least one)."""
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many attempts. Wait {minutes} {unit} and try again."


def record_attempt(session: Session, identifier: str, *, succeeded: bool, now: datetime) -> None:
    """Add one attempt to the caller's unit of work (not committed here)."""
    session.add(LoginAttempt(identifier=identifier, succeeded=succeeded, at=now))


def delete_attempts_before(session: Session, before: datetime) -> int:
    """Delete attempts older than ``before`` (not committed here); returns how many."""
    result = session.execute(delete(LoginAttempt).where(col(LoginAttempt.at) < before))
    return int(getattr(result, "rowcount", 0) or 0)


def _identifier(kind: str, value: str) -> str:
    # A pasted novel in the email field must not break the insert; the prefix keeps kinds apart.
    return f"{kind}:{value}"[:IDENTIFIER_MAX_LENGTH]
