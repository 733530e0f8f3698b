"""Argon2id password hashing (with cheap test parameters) and the passphrase policy."""

from __future__ import annotations

import unicodedata

import pytest

from api.security.passwords import (
    check_passphrase,
    hash_password,
    needs_rehash,
    password_hasher,
    unknown_user_hash,
    verify_password,
)
from api.settings import Settings

PASSPHRASE = "violet harbour kettle"


@pytest.fixture
def cheap(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings with the cheapest Argon2 parameters, so hashing takes milliseconds."""
    monkeypatch.setenv("REDRESS_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("REDRESS_ARGON2_MEMORY_COST_KIB", "1024")
    monkeypatch.setenv("REDRESS_ARGON2_PARALLELISM", "1")
    return Settings()


def test_hash_is_argon2id_with_the_settings_parameters(cheap: Settings) -> None:
    password_hash = hash_password(PASSPHRASE, settings=cheap)

    assert password_hash.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    assert PASSPHRASE not in password_hash


def test_the_same_password_hashes_differently_each_time(cheap: Settings) -> None:
    assert hash_password(PASSPHRASE, settings=cheap) != hash_password(PASSPHRASE, settings=cheap)


def test_verify_accepts_the_right_password_and_refuses_others(cheap: Settings) -> None:
    password_hash = hash_password(PASSPHRASE, settings=cheap)

    assert verify_password(password_hash, PASSPHRASE)
    assert not verify_password(password_hash, "violet harbour kettles")
    assert not verify_password(password_hash, "")


@pytest.mark.parametrize(
    "bad_hash",
    [
        "",
        "not a hash",
        "é",
        "$2b$12$abc",
        "$argon2x$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA",
        "$argon2id$v=19$m=1024,t=1,p=1$broken",
    ],
)
def test_verify_returns_false_for_unreadable_hashes(bad_hash: str) -> None:
    assert not verify_password(bad_hash, PASSPHRASE)


def test_unicode_forms_and_surrounding_spaces_verify_alike(cheap: Settings) -> None:
    composed = unicodedata.normalize("NFC", "Mật khẩu của tôi rất dài")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed

    password_hash = hash_password(composed, settings=cheap)

    assert verify_password(password_hash, decomposed)
    assert verify_password(password_hash, f"  {composed} ")


def test_hasher_is_cached_per_parameter_set(cheap: Settings, settings: Settings) -> None:
    assert password_hasher(cheap) is password_hasher(cheap.model_copy())
    assert password_hasher(cheap) is not password_hasher(settings)
    assert (settings.argon2_time_cost, settings.argon2_memory_cost_kib, settings.argon2_parallelism) == (
        3,
        65536,
        2,
    )


def test_needs_rehash_when_the_parameters_change(cheap: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    password_hash = hash_password(PASSPHRASE, settings=cheap)
    monkeypatch.setenv("REDRESS_ARGON2_TIME_COST", "2")
    stronger = Settings()

    assert not needs_rehash(password_hash, settings=cheap)
    assert needs_rehash(password_hash, settings=stronger)
    assert needs_rehash("not a hash", settings=cheap)
    # An old hash still verifies: it carries its own parameters.
    assert verify_password(password_hash, PASSPHRASE)


def test_unknown_user_hash_is_a_real_hash_that_matches_nothing(cheap: Settings) -> None:
    dummy = unknown_user_hash(cheap)

    assert dummy.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    assert dummy == unknown_user_hash(cheap)
    assert not verify_password(dummy, "")
    assert not verify_password(dummy, PASSPHRASE)


@pytest.mark.parametrize(
    "passphrase",
    ["violet harbour kettle", "correct horse", "Ngôi nhà màu xanh", "بيتي الأزرق الجميل", "0123456789x"],
)
def test_reasonable_passphrases_pass(passphrase: str) -> None:
    assert check_passphrase(passphrase) is None


@pytest.mark.parametrize("passphrase", ["", "short", "nine char", "   padded   "])
def test_short_passphrases_get_friendly_advice(passphrase: str) -> None:
    assert check_passphrase(passphrase) == (
        "Use at least 10 characters. A few words you will remember work well."
    )


@pytest.mark.parametrize("passphrase", ["aaaaaaaaaaaa", "............", "xxxxxxxxxxxxxxxxxxxx"])
def test_one_repeated_character_is_refused(passphrase: str) -> None:
    message = check_passphrase(passphrase)

    assert message is not None
    assert "one character over and over" in message


@pytest.mark.parametrize("passphrase", ["1234567890", "Password123", "QWERTYUIOP", " iloveyou123 "])
def test_common_passwords_are_refused(passphrase: str) -> None:
    message = check_passphrase(passphrase)

    assert message is not None
    assert "most common passwords" in message


def test_overlong_passphrases_are_refused() -> None:
    assert check_passphrase("word " * 60) == "Use at most 256 characters."
