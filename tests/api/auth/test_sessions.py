"""Browser sessions: hashed at rest, idle timeout, absolute lifetime, sign-out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from api.auth.models import LoginAttempt, UserSession
from api.auth.service import (
    TOUCH_INTERVAL,
    AuthError,
    end_all_sessions,
    end_session,
    is_survivor,
    purge_expired,
    resolve_session,
    seconds_until_idle_timeout,
    start_session,
)
from api.auth.throttle import record_attempt
from api.orgs.models import User
from api.security.random_tokens import hash_token
from api.settings import Settings
from tests.api.auth.builders import NOW, People, id_of


def resolved_user(session: Session, settings: Settings, token: str, at: timedelta) -> User | None:
    resolved = resolve_session(session, settings, token, NOW + at)
    return None if resolved is None else resolved[0]


def test_a_session_is_stored_as_a_hash_of_its_token(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:
    token = start_session(db_session, cheap_settings, people.advocate, NOW)

    row = db_session.exec(select(UserSession)).one()
    assert len(token) >= 43  # 32 random bytes
    assert row.id == hash_token(token) != token
    assert (row.created_at, row.last_seen_at) == (NOW, NOW)
    assert row.expires_at == NOW + timedelta(hours=cheap_settings.session_absolute_hours)
    db_session.refresh(people.advocate)
    assert people.advocate.last_login_at == NOW
    assert resolved_user(db_session, cheap_settings, token, timedelta(0)) == people.advocate


def test_each_sign_in_gets_a_new_token(db_session: Session, cheap_settings: Settings, people: People) -> None:
    first = start_session(db_session, cheap_settings, people.advocate, NOW)
    second = start_session(db_session, cheap_settings, people.advocate, NOW)

    assert first != second


@pytest.mark.parametrize("token", ["", "forged", "x" * 43])
def test_unknown_tokens_resolve_to_nobody(
    db_session: Session, cheap_settings: Settings, people: People, token: str
) -> None:
    start_session(db_session, cheap_settings, people.advocate, NOW)

    assert resolve_session(db_session, cheap_settings, token, NOW) is None


def test_staff_sessions_end_after_the_idle_timeout(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:
    token = start_session(db_session, cheap_settings, people.advocate, NOW)
    idle = timedelta(minutes=cheap_settings.session_idle_minutes)

    assert resolved_user(db_session, cheap_settings, token, idle - timedelta(seconds=1)) == people.advocate
    # That request was activity: the clock restarted from it.
    assert (
        resolved_user(db_session, cheap_settings, token, 2 * idle - timedelta(seconds=2)) == people.advocate
    )
    assert resolved_user(db_session, cheap_settings, token, 3 * idle) is None


def test_survivor_sessions_time_out_sooner(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:
    staff_token = start_session(db_session, cheap_settings, people.advocate, NOW)
    survivor_token = start_session(db_session, cheap_settings, people.survivor, NOW)
    after = timedelta(minutes=cheap_settings.survivor_session_idle_minutes)
    assert cheap_settings.survivor_session_idle_minutes < cheap_settings.session_idle_minutes

    assert resolved_user(db_session, cheap_settings, survivor_token, after) is None
    assert resolved_user(db_session, cheap_settings, staff_token, after) == people.advocate
    assert is_survivor(db_session, id_of(people.survivor))
    assert not is_survivor(db_session, id_of(people.advocate))


def test_activity_is_written_at_most_once_a_minute(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:
    token = start_session(db_session, cheap_settings, people.advocate, NOW)

    resolve_session(db_session, cheap_settings, token, NOW + TOUCH_INTERVAL - timedelta(seconds=1))
    assert db_session.exec(select(UserSession)).one().last_seen_at == NOW

    resolve_session(db_session, cheap_settings, token, NOW + TOUCH_INTERVAL)
    assert db_session.exec(select(UserSession)).one().last_seen_at == NOW + TOUCH_INTERVAL


def test_an_untouched_resolve_does_not_count_as_activity(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:
    token = start_session(db_session, cheap_settings, people.advocate, NOW)

    resolved = resolve_session(db_session, cheap_settings, token, NOW + timedelta(minutes=10), touch=False)

    assert resolved is not None
    assert resolved[1].last_seen_at == NOW


def test_sessions_end_at_their_absolute_lifetime_despite_activity(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:
    token = start_session(db_session, cheap_settings, people.advocate, NOW)
    lifetime = timedelta(hours=cheap_settings.session_absolute_hours)
    at = timedelta(0)
    while at + timedelta(minutes=10) < lifetime:
        at += timedelta(minutes=10)
        assert resolved_user(db_session, cheap_settings, token, at) == people.advocate

    assert resolved_user(db_session, cheap_settings, token, lifetime) is None


def test_the_idle_warning_counts_down_to_the_earlier_end(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:
    token = start_session(db_session, cheap_settings, people.advocate, NOW)
    row = db_session.get(UserSession, hash_token(token))
    assert row is not None
    idle = cheap_settings.session_idle_minutes * 60

    assert seconds_until_idle_timeout(cheap_settings, row, NOW, survivor=False) == idle
    assert (
        seconds_until_idle_timeout(cheap_settings, row, NOW + timedelta(seconds=100), survivor=False)
        == idle - 100
    )
    assert (
        seconds_until_idle_timeout(cheap_settings, row, NOW, survivor=True)
        == cheap_settings.survivor_session_idle_minutes * 60
    )
    assert seconds_until_idle_timeout(cheap_settings, row, NOW + timedelta(days=1), survivor=False) == 0
    near_the_end = row.expires_at - timedelta(seconds=20)
    row.last_seen_at = near_the_end
    assert seconds_until_idle_timeout(cheap_settings, row, near_the_end, survivor=False) == 20


def test_signing_out_ends_that_session_only(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:
    phone = start_session(db_session, cheap_settings, people.advocate, NOW)
    laptop = start_session(db_session, cheap_settings, people.advocate, NOW)

    end_session(db_session, phone, NOW)
    end_session(db_session, phone, NOW)  # twice is harmless
    end_session(db_session, "unknown", NOW)

    assert resolved_user(db_session, cheap_settings, phone, timedelta(0)) is None
    assert resolved_user(db_session, cheap_settings, laptop, timedelta(0)) == people.advocate
    assert end_all_sessions(db_session, user_id=id_of(people.advocate), now=NOW) == 1
    assert resolved_user(db_session, cheap_settings, laptop, timedelta(0)) is None


def test_an_inactive_account_cannot_start_or_keep_a_session(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:
    token = start_session(db_session, cheap_settings, people.lawyer, NOW)
    people.lawyer.is_active = False
    db_session.add(people.lawyer)
    db_session.commit()

    assert resolved_user(db_session, cheap_settings, token, timedelta(0)) is None
    with pytest.raises(AuthError):
        start_session(db_session, cheap_settings, people.lawyer, NOW)


def test_purge_deletes_ended_sessions_and_old_attempts(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:
    live = start_session(db_session, cheap_settings, people.advocate, NOW)
    ended = start_session(db_session, cheap_settings, people.lawyer, NOW)
    end_session(db_session, ended, NOW)
    start_session(db_session, cheap_settings, people.admin, NOW - timedelta(days=2))  # expired
    record_attempt(db_session, "email:old@x.example", succeeded=False, now=NOW - timedelta(days=31))
    record_attempt(db_session, "email:new@x.example", succeeded=False, now=NOW - timedelta(days=1))
    db_session.commit()

    assert purge_expired(db_session, NOW) == (2, 1)

    assert [row.id for row in db_session.exec(select(UserSession)).all()] == [hash_token(live)]
    assert [row.identifier for row in db_session.exec(select(LoginAttempt)).all()] == ["email:new@x.example"]
