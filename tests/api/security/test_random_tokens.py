"""Tokens, their hashes, and survivor access codes (format, normalisation, keyed hash)."""

from __future__ import annotations

import hashlib
import re

import pytest
from pydantic import SecretStr

from api.security.random_tokens import (
    ACCESS_CODE_ALPHABET,
    AccessCodeError,
    format_access_code,
    hash_access_code,
    hash_token,
    new_access_code,
    new_token,
    normalise_access_code,
    tokens_equal,
)

KEY = SecretStr("k" * 48)


def test_tokens_are_urlsafe_and_unique() -> None:
    tokens = {new_token() for _ in range(50)}

    assert len(tokens) == 50
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)


def test_token_length_follows_nbytes_with_a_floor() -> None:
    assert len(new_token(48)) == 64
    with pytest.raises(ValueError, match="at least 16"):
        new_token(8)


def test_hash_token_is_sha256_hex() -> None:
    token = new_token()

    assert hash_token(token) == hashlib.sha256(token.encode()).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", hash_token(token))
    assert token not in hash_token(token)


def test_tokens_equal() -> None:
    token = new_token()

    assert tokens_equal(token, str(token))
    assert not tokens_equal(token, new_token())
    assert not tokens_equal(token, token[:-1])
    assert not tokens_equal("é", "e")


def test_access_codes_are_three_groups_from_the_unambiguous_alphabet() -> None:
    codes = {new_access_code() for _ in range(200)}

    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(
            r"[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}(-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}){2}", code
        )
    assert not set("0O1IL") & set(ACCESS_CODE_ALPHABET)
    # 2,400 draws from 31 symbols: each one appears (a miss would have odds below 1e-30).
    assert len(set("".join(codes).replace("-", ""))) == len(ACCESS_CODE_ALPHABET)


@pytest.mark.parametrize(
    "typed",
    [
        "ABCD-EFGH-JKMN",
        "abcd efgh jkmn",
        "  abcdefghjkmn ",
        "ABCD – EFGH — JKMN",
        "ABCD\u00a0EFGH\u2009JKMN",
        "ＡＢＣＤ－ＥＦＧＨ－ＪＫＭＮ",
    ],
)
def test_typed_codes_normalise_to_twelve_characters(typed: str) -> None:
    assert normalise_access_code(typed) == "ABCDEFGHJKMN"


def test_digits_from_other_scripts_count_as_digits() -> None:
    # Arabic-Indic digits, as typed on an Arabic keyboard.
    assert normalise_access_code("٢٣٤٥-ABCD-EFGH") == "2345ABCDEFGH"


@pytest.mark.parametrize(
    "typed", ["ABCD-EFGH-JK0N", "abcd-efgh-jkon", "ABCD-EFGH-JK1N", "ABCD-EFGH-JKIN", "abcd-efgh-jkln"]
)
def test_lookalikes_are_refused_with_an_explanation(typed: str) -> None:
    with pytest.raises(AccessCodeError, match="never contain the letters O, I or L or the numbers 0 or 1"):
        normalise_access_code(typed)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the access code"),
        (" - ", "Enter the access code"),
        ("ABCD-EFGH", "have 12 letters and numbers.*You entered 8"),
        ("ABCD-EFGH-JKMN-P", "You entered 13"),
        ("ABCD-EFGH-JK#N", "only letters and numbers"),
        ("ABCD_EFGH_JKMN", "only letters and numbers"),
    ],
)
def test_impossible_codes_are_refused(typed: str, message: str) -> None:
    with pytest.raises(AccessCodeError, match=message):
        normalise_access_code(typed)


def test_access_code_errors_are_value_errors() -> None:
    assert issubclass(AccessCodeError, ValueError)


def test_format_groups_a_normalised_code() -> None:
    assert format_access_code("abcdefghjkmn") == "ABCD-EFGH-JKMN"
    code = new_access_code()
    assert format_access_code(normalise_access_code(code)) == code


def test_access_code_hash_is_keyed_and_ignores_formatting() -> None:
    code = new_access_code()
    digest = hash_access_code(code, secret_key=KEY)

    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert hash_access_code(code.lower().replace("-", " "), secret_key=KEY) == digest
    assert hash_access_code(code, secret_key=SecretStr("o" * 48)) != digest
    # Not the plain SHA-256 that a stolen database could be searched against.
    assert digest != hash_token(normalise_access_code(code))
    assert hash_access_code(new_access_code(), secret_key=KEY) != digest


def test_access_code_hash_refuses_impossible_codes() -> None:
    with pytest.raises(AccessCodeError):
        hash_access_code("not a code", secret_key=KEY)
