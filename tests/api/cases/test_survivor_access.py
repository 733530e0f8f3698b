"""Survivor access without email: one-time expiring codes, redeemed once, throttled."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from api.audit.models import CaseEvent
from api.auth.models import LoginAttempt
from api.cases import service
from api.cases.errors import AccessCodeError, AccessCodeThrottled, AccessDenied, CaseInputError, CaseNotFound
from api.cases.models import LegalCase, SurvivorAccessCode
from api.cases.survivor_access import ACCESS_CODE_IDENTIFIER, issue_access_code, redeem_access_code
from api.orgs.models import Role, User
from api.orgs.service import memberships_of
from api.security.passwords import verify_password
from api.security.random_tokens import normalise_access_code
from api.settings import Settings
from tests.api.cases.builders import CICA_FACTS, NOW, PASSPHRASE, TODAY, World, actor, id_of, new_case

GENERIC = AccessCodeError.GENERIC_MESSAGE


def _issue(
    session: Session, settings: Settings, world: World, case: LegalCase, *, now: datetime = NOW
) -> str:
    return issue_access_code(session, settings, actor(session, world.advocate), case, now=now)


def _redeem(
    session: Session,
    settings: Settings,
    code: str,
    *,
    passphrase: str = PASSPHRASE,
    display_name: str = "Rosa",
    now: datetime = NOW + timedelta(hours=1),
) -> User:
    return redeem_access_code(
        session, settings, code=code, passphrase=passphrase, display_name=display_name, now=now
    )


def _failures(session: Session) -> int:
    return len(session.exec(select(LoginAttempt).where(col(LoginAttempt.succeeded).is_(False))).all())


def test_a_survivor_redeems_a_code_and_sees_only_their_own_case(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    # Given a case with answers, one of them hidden from survivors, and another case
    case = new_case(db_session, cheap_settings, world)
    other = new_case(db_session, cheap_settings, world, "Case Other")
    advocate = actor(db_session, world.advocate)
    service.change_facts(
        db_session,
        cheap_settings,
        advocate,
        case,
        {**CICA_FACTS, "nrm.first_responder_org": True},
        source="advocate",
        now=NOW,
        today=TODAY,
    )
    # When the advocate issues a code and the survivor redeems it, typed loosely
    code = _issue(db_session, cheap_settings, world, case)
    assert code == "-".join(normalise_access_code(code)[i : i + 4] for i in (0, 4, 8))
    user = _redeem(db_session, cheap_settings, f"  {code.lower().replace('-', ' ')} ")
    # Then the survivor has an account without email, in the case's organisation, linked to the case
    assert user.email is None
    user_id = id_of(user)
    assert memberships_of(db_session, user_id) == {id_of(world.home): Role.SURVIVOR}
    assert verify_password(user.password_hash, PASSPHRASE)
    db_session.refresh(case)
    assert case.survivor_user_id == user_id
    # and they see their own case, and only the survivor-visible facts of it
    survivor = actor(db_session, user)
    seen = service.get_case(db_session, survivor, case.public_id, now=NOW)
    facts = service.read_facts(db_session, cheap_settings, seen, survivor_view=True)
    assert facts["police.crime_reference"].value == "ZEBRA-4471-QUOKKA"
    assert "nrm.first_responder_org" not in facts
    assert "nrm.first_responder_org" in service.read_facts(db_session, cheap_settings, seen)
    # read_facts_for applies the filter from who is reading
    assert service.read_facts_for(db_session, cheap_settings, survivor, seen).keys() == facts.keys()
    staff_view = service.read_facts_for(db_session, cheap_settings, advocate, seen)
    assert "nrm.first_responder_org" in staff_view
    with pytest.raises(CaseNotFound):
        service.read_facts_for(db_session, cheap_settings, survivor, other)
    assert [c.id for c in service.list_cases(db_session, survivor, today=TODAY).items] == [case.id]
    with pytest.raises(CaseNotFound):
        service.get_case(db_session, survivor, other.public_id, now=NOW)
    # and they can read but not change facts or manage the case
    with pytest.raises(AccessDenied):
        service.change_facts(
            db_session,
            cheap_settings,
            survivor,
            seen,
            {"police.reported": False},
            source="survivor",
            now=NOW,
            today=TODAY,
        )
    with pytest.raises(AccessDenied):
        issue_access_code(db_session, cheap_settings, survivor, seen, now=NOW)
    # The code is spent, and the trail says so
    row = db_session.exec(select(SurvivorAccessCode)).one()
    assert row.used_at == NOW + timedelta(hours=1)
    joined = db_session.exec(select(CaseEvent).where(CaseEvent.action == "survivor.joined")).one()
    assert joined.actor_user_id == user_id
    assert db_session.exec(
        select(CaseEvent).where(CaseEvent.action == "access_code.issued")
    ).one().actor_user_id == (id_of(world.advocate))


def test_codes_are_stored_hashed_and_expire(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    code = _issue(db_session, cheap_settings, world, case)
    row = db_session.exec(select(SurvivorAccessCode)).one()
    assert normalise_access_code(code) not in row.code_hash
    assert code not in row.code_hash
    assert row.expires_at == NOW + timedelta(hours=cheap_settings.access_code_hours)
    with pytest.raises(AccessCodeError) as caught:
        _redeem(db_session, cheap_settings, code, now=row.expires_at)
    assert caught.value.message == GENERIC


def test_a_new_code_replaces_the_unused_one(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    old = _issue(db_session, cheap_settings, world, case)
    new = _issue(db_session, cheap_settings, world, case, now=NOW + timedelta(minutes=5))
    with pytest.raises(AccessCodeError) as caught:
        _redeem(db_session, cheap_settings, old)
    assert caught.value.message == GENERIC
    assert _redeem(db_session, cheap_settings, new) is not None


def test_wrong_used_and_malformed_codes(db_session: Session, cheap_settings: Settings, world: World) -> None:
    case = new_case(db_session, cheap_settings, world)
    code = _issue(db_session, cheap_settings, world, case)
    _redeem(db_session, cheap_settings, code)
    # A used code and a wrong code give the same message
    for attempt in (code, "ABCD-EFGH-JKMN"):
        with pytest.raises(AccessCodeError) as caught:
            _redeem(db_session, cheap_settings, attempt)
        assert caught.value.message == GENERIC
    # A code that cannot be one says what was typed wrong, and is not counted as a guess
    failures_before = _failures(db_session)
    with pytest.raises(AccessCodeError, match="never contain the letters O, I or L"):
        _redeem(db_session, cheap_settings, "ABCD-EFGH-JKM0")
    assert _failures(db_session) == failures_before


def test_a_weak_passphrase_leaves_the_code_usable(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    code = _issue(db_session, cheap_settings, world, case)
    with pytest.raises(CaseInputError) as caught:
        _redeem(db_session, cheap_settings, code, passphrase="short")
    assert caught.value.field == "passphrase"
    with pytest.raises(CaseInputError) as caught:
        _redeem(db_session, cheap_settings, code, display_name="   ")
    assert caught.value.field == "display_name"
    assert db_session.exec(select(SurvivorAccessCode)).one().used_at is None
    assert _redeem(db_session, cheap_settings, code) is not None


def test_redeeming_is_throttled(db_session: Session, cheap_settings: Settings, world: World) -> None:
    case = new_case(db_session, cheap_settings, world)
    code = _issue(db_session, cheap_settings, world, case)
    for _ in range(cheap_settings.login_max_failures):
        with pytest.raises(AccessCodeError):
            _redeem(db_session, cheap_settings, "ABCD-EFGH-JKMN")
    attempts = db_session.exec(
        select(LoginAttempt).where(LoginAttempt.identifier == ACCESS_CODE_IDENTIFIER)
    ).all()
    assert len(attempts) == cheap_settings.login_max_failures
    # Even the right code is refused while throttled, without being checked
    with pytest.raises(AccessCodeThrottled, match="Too many attempts"):
        _redeem(db_session, cheap_settings, code)
    assert db_session.exec(select(SurvivorAccessCode)).one().used_at is None
    # After the window, it works
    later = NOW + timedelta(hours=1, minutes=cheap_settings.login_window_minutes + 1)
    assert _redeem(db_session, cheap_settings, code, now=later) is not None


def test_a_second_code_replaces_a_forgotten_account(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    first = _redeem(db_session, cheap_settings, _issue(db_session, cheap_settings, world, case))
    second = _redeem(
        db_session,
        cheap_settings,
        _issue(db_session, cheap_settings, world, case),
        passphrase="a new long passphrase",
    )
    db_session.refresh(case)
    assert case.survivor_user_id == id_of(second)
    with pytest.raises(CaseNotFound):
        service.get_case(db_session, actor(db_session, first), case.public_id, now=NOW)
    assert db_session.exec(select(CaseEvent).where(CaseEvent.action == "survivor.replaced")).one()


def test_only_caseworkers_issue_codes(db_session: Session, cheap_settings: Settings, world: World) -> None:
    case = new_case(db_session, cheap_settings, world)
    with pytest.raises(CaseNotFound):
        issue_access_code(
            db_session, cheap_settings, actor(db_session, world.foreign_advocate), case, now=NOW
        )
    with pytest.raises(CaseNotFound):
        issue_access_code(db_session, cheap_settings, actor(db_session, world.lawyer), case, now=NOW)
