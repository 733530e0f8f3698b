"""A person's calendar feed: their cases' deadlines as iCalendar (RFC 5545) on a secret URL.

Outlook, Google and Apple calendars subscribe to ``/calendar/<token>.ics`` without signing in,
so the token is the only key: 32 random bytes, shown once, stored only as its SHA-256, revocable
(a revoked or unknown token is a 404, never a hint). One active feed per person: a new one
revokes the old. The feed holds the live deadlines of the cases assigned to the person, as
all-day events named by the case reference and the rule id only (the calendar provider is a
third party; the details stay behind the sign-in). Unconfirmed dates are ``TENTATIVE``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import update
from sqlmodel import Session, col, select

from api.cases.models import LegalCase
from api.deadlines.models import LIVE_STATES, CaseDeadline, DeadlineState
from api.reminders.models import CalendarFeed
from api.security.random_tokens import hash_token, new_token

PRODID: Final = "-//Redress//Deadlines//EN"
MAX_EVENTS: Final = 2000


def create_feed(session: Session, user_id: int, *, now: datetime) -> str:
    """A new secret feed token for the person (their previous one stops working); commits."""
    revoke_feeds(session, user_id, now=now, commit=False)
    token = new_token(32)
    session.add(CalendarFeed(user_id=user_id, token_hash=hash_token(token), created_at=now))
    session.commit()
    return token


def revoke_feeds(session: Session, user_id: int, *, now: datetime, commit: bool = True) -> None:
    """Stop every feed address of the person from working."""
    session.execute(
        update(CalendarFeed)
        .where(col(CalendarFeed.user_id) == user_id, col(CalendarFeed.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    if commit:
        session.commit()


def active_feed(session: Session, user_id: int) -> CalendarFeed | None:
    """The person's feed that works, if any (its token is not known any more, only its hash)."""
    return session.exec(
        select(CalendarFeed).where(CalendarFeed.user_id == user_id, col(CalendarFeed.revoked_at).is_(None))
    ).first()


def feed_owner(session: Session, token: str) -> int | None:
    """The user id of an active feed token, or None."""
    feed = session.exec(
        select(CalendarFeed).where(
            CalendarFeed.token_hash == hash_token(token), col(CalendarFeed.revoked_at).is_(None)
        )
    ).first()
    return None if feed is None else feed.user_id


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """RFC 5545 folding: lines of at most 75 octets, continued with a leading space."""
    out: list[str] = []
    current = ""
    for char in line:
        limit = 75 if not out else 74
        if len((current + char).encode()) > limit:
            out.append(current)
            current = char
        else:
            current += char
    out.append(current)
    return [out[0]] + [" " + part for part in out[1:]]


def render_feed(session: Session, user_id: int, *, now: datetime, base_url: str = "") -> str:
    """The person's feed as iCalendar text."""
    rows = session.exec(
        select(CaseDeadline, LegalCase)
        .join(LegalCase, col(LegalCase.id) == col(CaseDeadline.case_id))
        .where(col(LegalCase.assigned_user_id) == user_id, col(CaseDeadline.state).in_(LIVE_STATES))
        .order_by(col(CaseDeadline.due_on))
        .limit(MAX_EVENTS)
    ).all()
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Redress deadlines",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    for deadline, case in rows:
        confirmed = deadline.state == DeadlineState.CONFIRMED
        summary = f"{case.reference}: deadline {deadline.rule_id}" + (
            "" if confirmed else " (not confirmed yet)"
        )
        link = f"{base_url.rstrip('/')}/cases/{case.public_id}/deadlines"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{deadline.public_id}@redress",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{deadline.due_on.strftime('%Y%m%d')}",
            f"DTEND;VALUE=DATE:{(deadline.due_on + timedelta(days=1)).strftime('%Y%m%d')}",
            f"SUMMARY:{_escape(summary)}",
            f"DESCRIPTION:{_escape('Sign in to Redress to see this deadline: ' + link)}",
            f"STATUS:{'CONFIRMED' if confirmed else 'TENTATIVE'}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(f"{part}\r\n" for line in lines for part in _fold(line))
