"""Survivors sign in with a sign-in name made for them and their passphrase, never an email."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api.auth.models import LoginAttempt
from api.auth.service import (
    WRONG_SURVIVOR_CREDENTIALS,
    AuthError,
    ThrottledError,
    authenticate_survivor,
)
from api.orgs.models import User
from api.orgs.service import (
    SIGN_IN_WORDS,
    OrgError,
    create_survivor_user,
    deactivate_user,
    new_sign_in_name,
    normalise_sign_in_name,
)
from api.settings import Settings
from tests.api.auth.builders import NOW, PASSPHRASE, PASSWORD, People, id_of

SIGN_IN_NAME = re.compile(r"^([a-z]+)-([a-z]+)-(\d{2})$")


def attempts(session: Session) -> list[tuple[str, bool]]:
    rows = session.exec(select(LoginAttempt).order_by(col(LoginAttempt.id))).all()
    return [(row.identifier, row.succeeded) for row in rows]


def survivor_named(session: Session, settings: Settings, people: People, name: str) -> User:
    return create_survivor_user(
        session,
        settings,
        organisation_id=id_of(people.organisation),
        display_name="Mira",
        passphrase=PASSPHRASE,
        sign_in_name=name,
        now=NOW,
    )


def test_a_survivor_account_gets_a_sign_in_name_of_two_words_and_two_digits(people: People) -> None:
    name = people.survivor.sign_in_name

    assert name is not None
    match = SIGN_IN_NAME.fullmatch(name)
    assert match is not None
    first, second, _ = match.groups()
    assert first in SIGN_IN_WORDS
    assert second in SIGN_IN_WORDS
    assert first != second
    assert people.advocate.sign_in_name is None  # staff sign in with their email


def test_made_names_differ_and_use_only_the_word_list() -> None:
    names = {new_sign_in_name() for _ in range(200)}

    assert len(names) > 190  # millions of possibilities: repeats in 200 draws are rare
    for name in names:
        assert SIGN_IN_NAME.fullmatch(name)


def test_a_chosen_sign_in_name_is_normalised_and_must_be_free(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:
    mira = survivor_named(db_session, cheap_settings, people, " Harbour Kite 7 ")

    assert mira.sign_in_name == "harbour-kite-7"
    with pytest.raises(OrgError, match="taken") as caught:
        survivor_named(db_session, cheap_settings, people, "HARBOUR_KITE.7")
    assert caught.value.field == "sign_in_name"
    with pytest.raises(OrgError, match="3 to 40") as too_short:
        survivor_named(db_session, cheap_settings, people, " - ")
    assert too_short.value.field == "sign_in_name"


def test_the_database_refuses_two_accounts_with_one_sign_in_name(db_session: Session, people: People) -> None:
    db_session.add(
        User(
            display_name="Copy",
            sign_in_name=people.survivor.sign_in_name,
            password_hash="x",
            created_at=NOW,
        )
    )
    with pytest.raises(IntegrityError):
        db_session.commit()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("river-lantern-42", "river-lantern-42"),
        ("  River Lantern 42 ", "river-lantern-42"),
        ("river_lantern.42", "river-lantern-42"),
        ("river -- lantern--42", "river-lantern-42"),
        ("", ""),
    ],
)
def test_sign_in_names_are_read_however_they_are_joined(typed: str, expected: str) -> None:
    assert normalise_sign_in_name(typed) == expected


def test_the_right_name_and_passphrase_sign_in_however_the_name_is_typed(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:
    name = people.survivor.sign_in_name
    assert name is not None
    typed = name.replace("-", " ").upper()

    user = authenticate_survivor(
        db_session, cheap_settings, sign_in_name=typed, passphrase=PASSPHRASE, now=NOW
    )

    assert user.id == people.survivor.id
    assert attempts(db_session) == [(f"sign-in-name:{name}", True)]


@pytest.mark.parametrize("case", ["wrong passphrase", "unknown name", "empty name"])
def test_every_failure_gives_the_same_message_and_is_recorded(
    db_session: Session, cheap_settings: Settings, people: People, case: str
) -> None:
    name = {
        "wrong passphrase": people.survivor.sign_in_name or "",
        "unknown name": "nobody-here-00",
        "empty name": "",
    }[case]
    passphrase = "not the passphrase at all" if case == "wrong passphrase" else PASSPHRASE

    with pytest.raises(AuthError) as caught:
        authenticate_survivor(db_session, cheap_settings, sign_in_name=name, passphrase=passphrase, now=NOW)

    assert str(caught.value) == WRONG_SURVIVOR_CREDENTIALS
    assert not isinstance(caught.value, ThrottledError)
    assert attempts(db_session) == [(f"sign-in-name:{name}", False)]


def test_a_deactivated_survivor_cannot_sign_in(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:
    deactivate_user(
        db_session, organisation_id=id_of(people.organisation), user_id=id_of(people.survivor), now=NOW
    )

    with pytest.raises(AuthError, match=WRONG_SURVIVOR_CREDENTIALS):
        authenticate_survivor(
            db_session,
            cheap_settings,
            sign_in_name=people.survivor.sign_in_name or "",
            passphrase=PASSPHRASE,
            now=NOW,
        )


def test_a_staff_account_cannot_use_the_survivor_sign_in(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:
    # Even if a member of staff somehow had a sign-in name, this door is for survivors only.
    advocate = db_session.get(User, id_of(people.advocate))
    assert advocate is not None
    advocate.sign_in_name = "staff-door-11"
    db_session.add(advocate)
    db_session.commit()

    with pytest.raises(AuthError, match=WRONG_SURVIVOR_CREDENTIALS):
        authenticate_survivor(
            db_session, cheap_settings, sign_in_name="staff-door-11", passphrase=PASSWORD, now=NOW
        )


def test_too_many_failures_lock_the_name_without_checking_the_passphrase(
    db_session: Session, cheap_settings: Settings, people: People
) -> None:
    name = people.survivor.sign_in_name or ""
    for minute in range(cheap_settings.login_max_failures):
        with pytest.raises(AuthError):
            authenticate_survivor(
                db_session,
                cheap_settings,
                sign_in_name=name,
                passphrase="a wrong passphrase here",
                now=NOW + timedelta(minutes=minute),
            )
    recorded = len(attempts(db_session))

    with pytest.raises(ThrottledError) as caught:
        authenticate_survivor(
            db_session,
            cheap_settings,
            sign_in_name=name,
            passphrase=PASSPHRASE,  # right, but not even checked
            now=NOW + timedelta(minutes=5),
        )

    assert "Too many attempts" in str(caught.value)
    assert len(attempts(db_session)) == recorded  # a refused attempt is not recorded
    # Once the window has passed, the right passphrase works again.
    later = NOW + timedelta(minutes=cheap_settings.login_window_minutes + 5)
    user = authenticate_survivor(
        db_session, cheap_settings, sign_in_name=name, passphrase=PASSPHRASE, now=later
    )
    assert user.id == people.survivor.id
