"""Staff set-up codes: how a member of staff chooses a passphrase nobody else ever knew.

Redress never depends on email, so an admin cannot send a "reset your password" link. Instead
the admin issues a one-time set-up code (:func:`issue_setup_code`), tells the person (in person,
by phone, in their own chat), and the person redeems it at ``/welcome`` with their email and a
passphrase of their own (:func:`redeem_setup_code`). The same code serves a new colleague (whose
account has no usable passphrase yet) and someone who forgot theirs (whose old passphrase keeps
working until the code is used).

The code is the survivor access code's kind (:mod:`api.security.random_tokens`: 12 characters,
about 59 bits) and is kept the same way: only its HMAC under ``REDRESS_SECRET_KEY``, so a copy of
the database cannot be used to take over an account. A code expires after
``REDRESS_ACCESS_CODE_HOURS``, works once, and a new code ends the person's older ones.
Redeeming is throttled per email like sign-in, and a wrong, used or expired code, an unknown
email and a deactivated account all get one message (:data:`WRONG_SETUP_CODE`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, NoReturn

from sqlalchemy import update
from sqlmodel import Session, col, select

from api.audit.service import record_event
from api.auth import throttle
from api.auth.models import StaffSetupCode
from api.auth.service import AuthError, check_throttle, revoke_credentials
from api.orgs.models import User
from api.orgs.service import find_user_by_email, memberships_of
from api.security import random_tokens
from api.security.passwords import check_passphrase, hash_password
from api.settings import Settings

WRONG_SETUP_CODE: Final = (
    "That email address and set-up code do not go together, or the code was used or has expired. "
    "Check both, or ask your organisation's administrator for a new code."
)


@dataclass(frozen=True, slots=True)
class IssuedCode:
    """A new set-up code (shown once) and when it stops working."""

    code: str
    expires_at: datetime


def setup_identifier(email: str) -> str:
    """The throttle identifier of set-up code attempts for ``email`` (as stored: lower-case)."""
    return f"setup-code:{email.strip().lower()}"[: throttle.IDENTIFIER_MAX_LENGTH]


def issue_setup_code(
    session: Session, settings: Settings, *, user_id: int, issued_by_user_id: int | None, now: datetime
) -> IssuedCode:
    """Add a new set-up code for ``user_id`` to the caller's unit of work (not committed here).

    The person's older unused codes expire now. Who may issue one for whom is the caller's
    decision (:mod:`api.orgs.people`); the caller commits, with its audit event.
    """
    session.execute(
        update(StaffSetupCode)
        .where(
            col(StaffSetupCode.user_id) == user_id,
            col(StaffSetupCode.used_at).is_(None),
            col(StaffSetupCode.expires_at) > now,
        )
        .values(expires_at=now)
    )
    code = random_tokens.new_access_code()
    expires_at = now + timedelta(hours=settings.access_code_hours)
    session.add(
        StaffSetupCode(
            user_id=user_id,
            code_hash=random_tokens.hash_access_code(code, secret_key=settings.secret_key),
            created_by_user_id=issued_by_user_id,
            created_at=now,
            expires_at=expires_at,
        )
    )
    return IssuedCode(code=code, expires_at=expires_at)


def redeem_setup_code(
    session: Session, settings: Settings, *, email: str, code: str, passphrase: str, now: datetime
) -> User:
    """Give the person with ``email`` the passphrase ``passphrase``, proven by ``code``; commit.

    Raises :class:`ThrottledError` (nothing checked) after too many failures for the email,
    :class:`AuthError` with ``field="passphrase"`` when the passphrase breaks the policy (checked
    first, so it reveals nothing about the code and costs no attempt), and :class:`AuthError`
    with :data:`WRONG_SETUP_CODE` (``field="code"``) for every other failure. On success the
    code is used up, the person's other codes expire, and every session and API token they had
    ends, and each of their organisations' audit trails records it (``people.passphrase_set``).
    """
    problem = check_passphrase(passphrase)
    if problem is not None:
        raise AuthError(problem, field="passphrase")
    identifier = setup_identifier(email)
    check_throttle(session, settings, identifier, now)
    user = find_user_by_email(session, email) if email.strip() else None
    row = _matching_code(session, settings, code)
    if (
        user is None
        or user.id is None
        or not user.is_active
        or row is None
        or row.user_id != user.id
        or row.used_at is not None
        or row.expires_at <= now
    ):
        _fail(session, identifier, now)
    # Claim the code atomically: of two requests racing with one code, only one gets the row.
    claimed = session.execute(
        update(StaffSetupCode)
        .where(col(StaffSetupCode.id) == row.id, col(StaffSetupCode.used_at).is_(None))
        .values(used_at=now)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        session.rollback()
        raise AuthError(WRONG_SETUP_CODE, field="code")
    session.execute(
        update(StaffSetupCode)
        .where(
            col(StaffSetupCode.user_id) == user.id,
            col(StaffSetupCode.used_at).is_(None),
            col(StaffSetupCode.expires_at) > now,
        )
        .values(expires_at=now)
    )
    throttle.record_attempt(session, identifier, succeeded=True, now=now)
    user.password_hash = hash_password(passphrase, settings=settings)
    session.add(user)
    revoke_credentials(session, user.id, now)  # whoever was signed in as them is out
    for organisation_id in memberships_of(session, user.id):
        record_event(
            session,
            organisation_id=organisation_id,
            actor_user_id=user.id,
            action="people.passphrase_set",
            subject=f"user:{user.id}",
            at=now,
        )
    session.commit()
    session.refresh(user)
    return user


def has_pending_code(session: Session, user_id: int, now: datetime) -> bool:
    """Whether the person has a set-up code that can still be used."""
    return (
        session.exec(
            select(StaffSetupCode.id).where(
                StaffSetupCode.user_id == user_id,
                col(StaffSetupCode.used_at).is_(None),
                col(StaffSetupCode.expires_at) > now,
            )
        ).first()
        is not None
    )


def _matching_code(session: Session, settings: Settings, code: str) -> StaffSetupCode | None:
    try:
        code_hash = random_tokens.hash_access_code(code, secret_key=settings.secret_key)
    except random_tokens.AccessCodeError:  # cannot be a code at all: as wrong as any other
        return None
    return session.exec(select(StaffSetupCode).where(StaffSetupCode.code_hash == code_hash)).first()


def _fail(session: Session, identifier: str, now: datetime) -> NoReturn:
    # Committed before raising: a failed guess must count even though the request fails.
    throttle.record_attempt(session, identifier, succeeded=False, now=now)
    session.commit()
    raise AuthError(WRONG_SETUP_CODE, field="code")
