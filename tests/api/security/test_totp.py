"""RFC 6238 TOTP: the RFC's own test vectors, the drift window, and malformed input."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from api.security.totp import matching_step, new_totp_secret, provisioning_uri, totp_code, verify_totp

# RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]
NOW = datetime(2026, 11, 22, 12, 0, 10, tzinfo=UTC)


def at(unix_time: int) -> datetime:
    return datetime.fromtimestamp(unix_time, tz=UTC)


@pytest.mark.parametrize(("unix_time", "expected"), RFC_VECTORS)
def test_rfc_6238_vectors_with_eight_digits(unix_time: int, expected: str) -> None:
    assert totp_code(RFC_SECRET, at(unix_time), digits=8) == expected
    assert verify_totp(RFC_SECRET, expected, at(unix_time), window=0, digits=8)


@pytest.mark.parametrize(("unix_time", "expected"), RFC_VECTORS)
def test_rfc_6238_vectors_truncated_to_six_digits(unix_time: int, expected: str) -> None:
    # Dynamic truncation takes the value modulo 10**digits: the six-digit code is the last six.
    assert totp_code(RFC_SECRET, at(unix_time)) == expected[-6:]


def test_the_instant_may_be_in_any_timezone() -> None:
    plus_five = timezone(timedelta(hours=5))

    assert totp_code(RFC_SECRET, at(1111111109).astimezone(plus_five), digits=8) == "07081804"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        totp_code(RFC_SECRET, datetime(2026, 1, 1))  # noqa: DTZ001 (the point of the test)


def test_new_secrets_are_160_bit_base32() -> None:
    secrets = {new_totp_secret() for _ in range(10)}

    assert len(secrets) == 10
    for secret in secrets:
        assert len(secret) == 32
        assert len(base64.b32decode(secret)) == 20


def test_a_code_verifies_one_step_either_side_but_not_two() -> None:
    secret = new_totp_secret()
    code = totp_code(secret, NOW)

    assert verify_totp(secret, code, NOW)
    assert verify_totp(secret, code, NOW + timedelta(seconds=30))
    assert verify_totp(secret, code, NOW - timedelta(seconds=30))
    assert not verify_totp(secret, code, NOW + timedelta(seconds=60))
    assert not verify_totp(secret, code, NOW - timedelta(seconds=60))
    assert not verify_totp(secret, code, NOW + timedelta(seconds=30), window=0)
    assert verify_totp(secret, code, NOW + timedelta(seconds=60), window=2)


def test_matching_step_reports_the_step_for_replay_checks() -> None:
    secret = new_totp_secret()
    code = totp_code(secret, NOW)
    step = int(NOW.timestamp()) // 30

    assert matching_step(secret, code, NOW) == step
    assert matching_step(secret, code, NOW + timedelta(seconds=30)) == step


def test_spaces_in_the_typed_code_are_ignored() -> None:
    secret = new_totp_secret()
    code = totp_code(secret, NOW)

    assert verify_totp(secret, f" {code[:3]} {code[3:]} ", NOW)


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "12a456", "１２３４５６", "-12345", "123 45"])
def test_malformed_codes_are_refused(typed: str) -> None:
    secret = new_totp_secret()

    assert not verify_totp(secret, typed, NOW)


def test_a_wrong_code_is_refused() -> None:
    secret = new_totp_secret()
    code = totp_code(secret, NOW)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    assert not verify_totp(secret, wrong, NOW, window=0)


def test_secrets_are_read_leniently_but_must_be_base32() -> None:
    lower_spaced = " ".join(RFC_SECRET.lower()[i : i + 4] for i in range(0, len(RFC_SECRET), 4))

    assert totp_code(lower_spaced, at(59), digits=8) == "94287082"
    with pytest.raises(ValueError, match="base32"):
        totp_code("not base32!", NOW)
    with pytest.raises(ValueError, match="empty"):
        totp_code("", NOW)


def test_negative_window_is_refused() -> None:
    with pytest.raises(ValueError, match="window"):
        verify_totp(RFC_SECRET, "123456", NOW, window=-1)


def test_provisioning_uri() -> None:
    secret = new_totp_secret()

    uri = provisioning_uri(secret, "amira.advocate@example.org")

    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    assert parts.path == "/Redress:amira.advocate%40example.org"
    assert parse_qs(parts.query) == {
        "secret": [secret],
        "issuer": ["Redress"],
        "algorithm": ["SHA1"],
        "digits": ["6"],
        "period": ["30"],
    }


def test_provisioning_uri_escapes_the_issuer_and_account() -> None:
    uri = provisioning_uri(RFC_SECRET, "Jo Bloggs", issuer="Safe Haven: North")

    assert uri.startswith("otpauth://totp/Safe%20Haven%3A%20North:Jo%20Bloggs?")
    assert "issuer=Safe%20Haven%3A%20North" in uri
