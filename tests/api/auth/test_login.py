"""Password sign-in and its throttling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

import api.auth.service as auth_service
from api.auth.models import LoginAttempt
from api.auth.service import (
    WRONG_CREDENTIALS,
    AuthError,
    ThrottledError,
    authenticate,
    check_throttle,
    create_api_token,
    resolve_api_token,
    resolve_session,
    set_password,
    start_session,
)
from api.auth.throttle import email_identifier, record_attempt, retry_after, wait_message
from api.orgs.service import deactivate_user
from api.security.passwords import unknown_user_hash, verify_password
from api.settings import Settings
from tests.api.auth.builders import NOW, PASSWORD, People, id_of

EMAIL = "advocate@harbour.example"


def attempts(session: Session) -> list[tuple[str, bool]]:
    rows = session.exec(select(LoginAttempt).order_by(col(LoginAttempt.id))).all()
    return [(row.identifier, row.succeeded) for row in rows]


def fail(session: Session, settings: Settings, times: int, *, start: timedelta = timedelta(0)) -> None:
    for minute in range(times):
        with pytest.raises(AuthError, match=WRONG_CREDENTIALS):
            authenticate(
                session,
                settings,
                email=EMAIL,
                password="wrong password!",
                now=NOW + start + timedelta(minutes=minute),
            )


def test_the_right_password_signs_in_whatever_the_email_case(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:
    result = authenticate(
        db_session, cheap_settings, email="  Advocate@HARBOUR.example ", password=PASSWORD, now=NOW
    )

    assert result.user.id == people.advocate.id
    assert result.second_factor == "none"
    assert not result.needs_second_factor
    assert attempts(db_session) == [("email:advocate@harbour.example", True)]


@pytest.mark.parametrize(
    ("email", "password"),
    [
        (EMAIL, "not the password"),
        ("nobody@harbour.example", PASSWORD),
        ("", PASSWORD),
    ],
)
def test_every_failure_gives_the_same_message_and_is_recorded(
    db_session: Session, cheap_settings: Settings, people: People, email: str, password: str
) -> None:
    with pytest.raises(AuthError) as caught:
        authenticate(db_session, cheap_settings, email=email, password=password, now=NOW)

    assert str(caught.value) == WRONG_CREDENTIALS
    assert not isinstance(caught.value, ThrottledError)
    assert attempts(db_session) == [(f"email:{email}", False)]


def test_a_deactivated_account_cannot_sign_in_even_with_its_password(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:
    deactivate_user(
        db_session, organisation_id=id_of(people.organisation), user_id=id_of(people.advocate), now=NOW
    )

    with pytest.raises(AuthError, match=WRONG_CREDENTIALS):
        authenticate(db_session, cheap_settings, email=EMAIL, password=PASSWORD, now=NOW)


def test_an_unknown_email_costs_a_password_verification_too(
    db_session: Session, cheap_settings: Settings, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    verified: list[str] = []

    def spy(password_hash: str, password: str) -> bool:
        verified.append(password_hash)
        return verify_password(password_hash, password)

    monkeypatch.setattr(auth_service, "verify_password", spy)

    with pytest.raises(AuthError):
        authenticate(db_session, cheap_settings, email="nobody@harbour.example", password=PASSWORD, now=NOW)

    assert verified == [unknown_user_hash(cheap_settings)]


def test_too_many_failures_lock_out_even_the_right_password(
    db_session: Session, cheap_settings: Settings, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail(db_session, cheap_settings, cheap_settings.login_max_failures)  # at NOW+0 … NOW+4 min
    verified: list[str] = []
    monkeypatch.setattr(auth_service, "verify_password", lambda h, p: verified.append(h) or True)

    with pytest.raises(ThrottledError) as caught:
        authenticate(
            db_session, cheap_settings, email=EMAIL, password=PASSWORD, now=NOW + timedelta(minutes=5)
        )

    # The oldest failure (NOW) leaves the 15-minute window at NOW+15: 10 minutes from NOW+5.
    assert str(caught.value) == "Too many attempts. Wait 10 minutes and try again."
    assert caught.value.retry_after == timedelta(minutes=10)
    assert verified == []  # the password was not even checked
    assert len(attempts(db_session)) == cheap_settings.login_max_failures  # refusals are not recorded


def test_the_lock_lifts_when_the_oldest_failure_leaves_the_window(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:
    fail(db_session, cheap_settings, cheap_settings.login_max_failures)
    window = timedelta(minutes=cheap_settings.login_window_minutes)

    with pytest.raises(ThrottledError, match="Wait 1 minute and"):
        authenticate(
            db_session,
            cheap_settings,
            email=EMAIL,
            password=PASSWORD,
            now=NOW + window - timedelta(seconds=1),
        )
    result = authenticate(db_session, cheap_settings, email=EMAIL, password=PASSWORD, now=NOW + window)

    assert result.user.id == people.advocate.id


def test_a_success_clears_the_earlier_failures(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:
    fail(db_session, cheap_settings, cheap_settings.login_max_failures - 1)
    authenticate(db_session, cheap_settings, email=EMAIL, password=PASSWORD, now=NOW + timedelta(minutes=5))

    fail(db_session, cheap_settings, cheap_settings.login_max_failures - 1, start=timedelta(minutes=6))

    result = authenticate(
        db_session, cheap_settings, email=EMAIL, password=PASSWORD, now=NOW + timedelta(minutes=11)
    )
    assert result.user.id == people.advocate.id


def test_throttling_is_per_identifier(db_session: Session, cheap_settings: Settings, people: People) -> None:
    fail(db_session, cheap_settings, cheap_settings.login_max_failures)

    result = authenticate(
        db_session,
        cheap_settings,
        email="lawyer@harbour.example",
        password=PASSWORD,
        now=NOW + timedelta(minutes=5),
    )

    assert result.user.id == people.lawyer.id


def test_unknown_emails_are_throttled_like_known_ones(db_session: Session, cheap_settings: Settings) -> None:
    for minute in range(cheap_settings.login_max_failures):
        with pytest.raises(AuthError, match=WRONG_CREDENTIALS):
            authenticate(
                db_session,
                cheap_settings,
                email="ghost@x.example",
                password="guess",
                now=NOW + timedelta(minutes=minute),
            )

    with pytest.raises(ThrottledError):
        authenticate(
            db_session,
            cheap_settings,
            email="ghost@x.example",
            password="guess",
            now=NOW + timedelta(minutes=5),
        )


def test_check_throttle_serves_other_secrets_too(db_session: Session, cheap_settings: Settings) -> None:
    for _ in range(cheap_settings.login_max_failures):
        record_attempt(db_session, "code:7", succeeded=False, now=NOW)
    db_session.commit()

    with pytest.raises(ThrottledError, match="Wait 15 minutes"):
        check_throttle(db_session, cheap_settings, "code:7", NOW)
    check_throttle(db_session, cheap_settings, "code:8", NOW)
    assert retry_after(db_session, cheap_settings, email_identifier(" X@Y.example"), NOW) is None
    assert email_identifier(" X@Y.example") == "email:x@y.example"


@pytest.mark.parametrize(
    ("wait", "message"),
    [
        (timedelta(seconds=1), "Wait 1 minute and"),
        (timedelta(seconds=61), "Wait 2 minutes and"),
        (timedelta(minutes=15), "Wait 15 minutes and"),
    ],
)
def test_wait_messages_round_up_to_whole_minutes(wait: timedelta, message: str) -> None:
    assert message in wait_message(wait)


def test_a_stronger_hash_setting_upgrades_the_hash_at_sign_in(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:
    stronger = cheap_settings.model_copy(update={"argon2_time_cost": 2})

    result = authenticate(db_session, stronger, email=EMAIL, password=PASSWORD, now=NOW)

    assert "t=2" in result.user.password_hash
    assert verify_password(result.user.password_hash, PASSWORD)


def test_a_new_password_ends_every_session_and_token(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:
    cookie = start_session(db_session, cheap_settings, people.advocate, NOW)
    _, token = create_api_token(db_session, people.advocate, "script", ["cases:read"], NOW)

    set_password(
        db_session, cheap_settings, user_id=id_of(people.advocate), password="a brand new passphrase", now=NOW
    )

    assert resolve_session(db_session, cheap_settings, cookie, NOW) is None
    assert resolve_api_token(db_session, token, NOW) is None
    with pytest.raises(AuthError):
        authenticate(db_session, cheap_settings, email=EMAIL, password=PASSWORD, now=NOW)
    assert authenticate(db_session, cheap_settings, email=EMAIL, password="a brand new passphrase", now=NOW)
    with pytest.raises(AuthError, match="at least 10") as caught:
        set_password(db_session, cheap_settings, user_id=id_of(people.advocate), password="short", now=NOW)
    assert caught.value.field == "password"
