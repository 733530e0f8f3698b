"""The staff second factor: required per organisation, enrolled once, never replayable."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from sqlmodel import Session

from api.auth.service import (
    WRONG_CODE,
    AuthError,
    ThrottledError,
    authenticate,
    begin_totp_enrolment,
    disable_totp,
    enable_totp,
    rewrap_totp_secrets,
    second_factor_for,
    verify_second_factor,
)
from api.orgs.service import set_require_staff_totp
from api.security.crypto import DecryptionError, UnknownKeyError
from api.security.totp import totp_code
from api.settings import Settings
from tests.api.auth.builders import NOW, PASSWORD, People, id_of

STEP = timedelta(seconds=30)


def enrol(session: Session, settings: Settings, people: People) -> str:
    """The advocate enrols an authenticator app; returns its secret."""
    enrolment = begin_totp_enrolment(people.advocate)
    enable_totp(
        session,
        settings,
        people.advocate,
        secret=enrolment.secret,
        code=totp_code(enrolment.secret, NOW),
        now=NOW,
    )
    return enrolment.secret


def test_staff_of_an_organisation_that_requires_it_must_enrol(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:
    set_require_staff_totp(db_session, organisation_id=id_of(people.organisation), required=True)

    for email in ("ana@harbour.example", "advocate@harbour.example", "lawyer@harbour.example"):
        result = authenticate(db_session, cheap_settings, email=email, password=PASSWORD, now=NOW)
        assert result.second_factor == "enrol"
        assert result.needs_second_factor


def test_enrolment_stores_the_secret_encrypted_and_then_asks_for_codes(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:
    enrolment = begin_totp_enrolment(people.advocate)
    assert enrolment.uri.startswith("otpauth://totp/Redress:advocate%40harbour.example?secret=")
    assert people.advocate.totp_secret_encrypted is None  # nothing stored before the code proves it

    enable_totp(
        db_session,
        cheap_settings,
        people.advocate,
        secret=enrolment.secret,
        code=totp_code(enrolment.secret, NOW),
        now=NOW,
    )

    stored = people.advocate.totp_secret_encrypted
    assert stored is not None
    assert enrolment.secret.encode() not in stored
    assert base64.b32decode(enrolment.secret + "=" * (-len(enrolment.secret) % 8)) not in stored
    result = authenticate(
        db_session, cheap_settings, email="advocate@harbour.example", password=PASSWORD, now=NOW
    )
    assert result.second_factor == "verify"


def test_a_wrong_enrolment_code_stores_nothing(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:
    enrolment = begin_totp_enrolment(people.advocate)

    with pytest.raises(AuthError, match="code is not right") as caught:
        enable_totp(
            db_session, cheap_settings, people.advocate, secret=enrolment.secret, code="000000", now=NOW
        )

    assert caught.value.field == "code"
    db_session.refresh(people.advocate)
    assert people.advocate.totp_secret_encrypted is None
    with pytest.raises(AuthError, match="Start again"):
        enable_totp(db_session, cheap_settings, people.advocate, secret="not base32!", code="000000", now=NOW)


def test_a_code_works_once_and_the_next_one_works_too(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:
    secret = enrol(db_session, cheap_settings, people)
    later = NOW + 2 * STEP

    verify_second_factor(db_session, cheap_settings, people.advocate, totp_code(secret, later), later)

    with pytest.raises(AuthError, match=WRONG_CODE):  # a replay, within the drift window
        verify_second_factor(
            db_session, cheap_settings, people.advocate, totp_code(secret, later), later + STEP
        )
    with pytest.raises(AuthError, match=WRONG_CODE):  # the enrolment code cannot be used to sign in either
        verify_second_factor(db_session, cheap_settings, people.advocate, totp_code(secret, NOW), NOW + STEP)
    verify_second_factor(
        db_session, cheap_settings, people.advocate, totp_code(secret, later + STEP), later + STEP
    )


def test_wrong_codes_are_throttled(db_session: Session, cheap_settings: Settings, people: People) -> None:
    secret = enrol(db_session, cheap_settings, people)
    later = NOW + 10 * STEP
    for _ in range(cheap_settings.login_max_failures):
        with pytest.raises(AuthError, match=WRONG_CODE):
            verify_second_factor(db_session, cheap_settings, people.advocate, "123 456", later)

    with pytest.raises(ThrottledError):
        verify_second_factor(db_session, cheap_settings, people.advocate, totp_code(secret, later), later)


def test_codes_need_an_enrolled_factor(db_session: Session, cheap_settings: Settings, people: People) -> None:
    with pytest.raises(AuthError, match="Set up an authenticator"):
        verify_second_factor(db_session, cheap_settings, people.lawyer, "123456", NOW)


def test_survivors_are_never_asked_for_a_second_factor(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:

    set_require_staff_totp(db_session, organisation_id=id_of(people.organisation), required=True)

    assert second_factor_for(db_session, people.survivor) == "none"


def test_a_lost_phone_is_reset_by_disabling_the_factor(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:
    enrol(db_session, cheap_settings, people)

    user = disable_totp(db_session, user_id=id_of(people.advocate))

    assert not user.has_totp
    result = authenticate(
        db_session, cheap_settings, email="advocate@harbour.example", password=PASSWORD, now=NOW
    )
    assert result.second_factor == "none"


def test_secrets_survive_a_key_rotation(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:
    secret = enrol(db_session, cheap_settings, people)
    new_key = base64.urlsafe_b64encode(b"n" * 32).decode().rstrip("=")
    rotated = cheap_settings.model_copy(
        update={"keys": type(cheap_settings.keys)(f"k2:{new_key},{cheap_settings.keys.get_secret_value()}")}
    )
    only_new = cheap_settings.model_copy(update={"keys": type(cheap_settings.keys)(f"k2:{new_key}")})
    later = NOW + 4 * STEP
    with pytest.raises(UnknownKeyError):  # the key that wrapped it has left the ring
        verify_second_factor(db_session, only_new, people.advocate, totp_code(secret, later), later)

    assert rewrap_totp_secrets(db_session, rotated) == 1

    db_session.refresh(people.advocate)
    verify_second_factor(db_session, only_new, people.advocate, totp_code(secret, later), later)


def test_a_secret_moved_to_another_user_cannot_be_read(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:
    enrol(db_session, cheap_settings, people)
    people.lawyer.totp_secret_encrypted = people.advocate.totp_secret_encrypted
    db_session.add(people.lawyer)
    db_session.commit()

    with pytest.raises(DecryptionError):
        verify_second_factor(db_session, cheap_settings, people.lawyer, "123456", NOW + 4 * STEP)
