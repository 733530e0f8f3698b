"""Survivor access without email: a one-time, expiring code issued by the advocate.

The advocate reads or hands the code to the survivor, who redeems it once to choose a passphrase.
Only a keyed hash of the code is stored (:func:`api.security.random_tokens.hash_access_code`), so
a copy of the database cannot be used to sign in. A new code replaces any unused older one.
Redeeming is throttled through ``login_attempt`` (identifier ``access-code``) and answers wrong,
used and expired codes with one message, so guessing reveals nothing about which codes exist.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import update
from sqlmodel import Session, col, select

from api import access
from api.access import Actor
from api.audit.service import record_event
from api.auth import throttle
from api.cases.checks import require_aware, saved_id
from api.cases.errors import AccessCodeError, AccessCodeThrottled, CaseInputError
from api.cases.models import LegalCase, SurvivorAccessCode
from api.cases.permissions import authorise
from api.orgs.models import User
from api.orgs.service import OrgError, create_survivor_user
from api.security import random_tokens
from api.security.passwords import check_passphrase
from api.settings import Settings

ACCESS_CODE_IDENTIFIER: Final = "access-code"


def issue_access_code(
    session: Session, settings: Settings, actor: Actor, case: LegalCase, *, now: datetime
) -> str:
    """Issue a new access code for the case's survivor and return it (shown once); commit.

    It expires after ``settings.access_code_hours``; older unused codes of the case expire now.
    """
    require_aware(now)
    authorise(session, actor, case, access.may_manage)
    case_id = saved_id(case)
    session.execute(
        update(SurvivorAccessCode)
        .where(
            col(SurvivorAccessCode.case_id) == case_id,
            col(SurvivorAccessCode.used_at).is_(None),
            col(SurvivorAccessCode.expires_at) > now,
        )
        .values(expires_at=now)
    )
    code = random_tokens.new_access_code()
    session.add(
        SurvivorAccessCode(
            case_id=case_id,
            code_hash=random_tokens.hash_access_code(code, secret_key=settings.secret_key),
            expires_at=now + timedelta(hours=settings.access_code_hours),
            created_by_user_id=actor.user_id,
            created_at=now,
        )
    )
    record_event(
        session,
        organisation_id=case.organisation_id,
        case_id=case_id,
        actor_user_id=actor.user_id,
        action="access_code.issued",
        at=now,
    )
    session.commit()
    return code


def redeem_access_code(
    session: Session, settings: Settings, *, code: str, passphrase: str, display_name: str, now: datetime
) -> User:
    """Redeem ``code``: create the survivor's account with ``passphrase`` and link it to the case.

    Raises :class:`AccessCodeThrottled` after too many wrong codes, :class:`AccessCodeError`
    (one generic message) for a wrong, used or expired code, and :class:`CaseInputError`
    (``passphrase`` or ``display_name``) when the chosen passphrase or name is not acceptable;
    the code then stays unused, so the survivor can try again. If the case had a survivor
    account already (a forgotten passphrase), the new account replaces it on the case, and the
    old one no longer sees it.
    """
    require_aware(now)
    wait = throttle.retry_after(session, settings, ACCESS_CODE_IDENTIFIER, now)
    if wait is not None:
        raise AccessCodeThrottled(throttle.wait_message(wait))
    try:
        code_hash = random_tokens.hash_access_code(code, secret_key=settings.secret_key)
    except random_tokens.AccessCodeError as exc:  # could not be a code at all: a typing slip
        raise AccessCodeError(str(exc)) from None
    row = session.exec(select(SurvivorAccessCode).where(SurvivorAccessCode.code_hash == code_hash)).first()
    if row is None or row.used_at is not None or row.expires_at <= now:
        # Committed before raising: a failed guess must count even though the request fails.
        throttle.record_attempt(session, ACCESS_CODE_IDENTIFIER, succeeded=False, now=now)
        session.commit()
        raise AccessCodeError()
    problem = check_passphrase(passphrase)
    if problem is not None:
        raise CaseInputError("passphrase", problem)

    # Claim the code atomically: of two requests racing with one code, only one gets the row.
    claimed = session.execute(
        update(SurvivorAccessCode)
        .where(col(SurvivorAccessCode.id) == row.id, col(SurvivorAccessCode.used_at).is_(None))
        .values(used_at=now)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        session.rollback()
        raise AccessCodeError()
    throttle.record_attempt(session, ACCESS_CODE_IDENTIFIER, succeeded=True, now=now)
    case_id = row.case_id
    case = session.get(LegalCase, case_id)
    if case is None:  # the foreign key makes this impossible; refuse rather than guess
        session.rollback()
        raise AccessCodeError()
    try:
        # Commits the claimed code and the attempt together with the new account.
        user = create_survivor_user(
            session,
            settings,
            organisation_id=case.organisation_id,
            display_name=display_name,
            passphrase=passphrase,
            now=now,
        )
    except OrgError as exc:
        session.rollback()  # the code stays unused
        raise CaseInputError(exc.field or "display_name", exc.message) from None
    if user.id is None:
        raise RuntimeError("the new survivor account has no id")
    case = session.get(LegalCase, case_id)
    if case is None:
        raise RuntimeError("the case disappeared while its access code was redeemed")
    replaced = case.survivor_user_id is not None
    case.survivor_user_id = user.id
    case.updated_at = now
    session.add(case)
    record_event(
        session,
        organisation_id=case.organisation_id,
        case_id=case_id,
        actor_user_id=user.id,
        action="survivor.replaced" if replaced else "survivor.joined",
        at=now,
    )
    session.commit()
    session.refresh(user)
    return user


def own_case_public_id(session: Session, actor: Actor) -> str | None:
    """The public id of the case whose survivor ``actor`` is (a survivor account belongs to one
    case), or None. Read it with :func:`api.cases.service.get_case`, which checks and records."""
    return session.exec(
        select(LegalCase.public_id).where(LegalCase.survivor_user_id == actor.user_id).limit(1)
    ).first()
