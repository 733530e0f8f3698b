"""Time-based one-time passwords (RFC 6238: HMAC-SHA-1, 30-second steps, 6 digits) for staff.

These are the parameters every authenticator app supports. The implementation is a few lines of
``hmac`` (RFC 4226's dynamic truncation) rather than a dependency.

Secrets are 160 random bits (RFC 4226's recommended length) in base32, the form authenticator
apps accept. They are as sensitive as a password: the caller stores them encrypted
(``app_user.totp_secret_encrypted``).

:func:`verify_totp` accepts codes from ``window`` steps either side of now, for clock drift and
the time it takes to type. A code stays valid for that whole window, so a caller that must refuse
replays records the step :func:`matching_step` returns and refuses that step or an earlier one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import struct
from datetime import datetime
from typing import Final
from urllib.parse import quote, urlencode

STEP_SECONDS: Final = 30
DIGITS: Final = 6
SECRET_BYTES: Final = 20
_WHITESPACE = re.compile(r"\s+")


def new_totp_secret() -> str:
    """A new random 160-bit secret, base32 without padding (32 characters)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def totp_code(secret: str, at: datetime, *, digits: int = DIGITS) -> str:
    """The code for ``secret`` at the instant ``at`` (timezone-aware), zero-padded to ``digits``."""
    return _hotp(_decode_secret(secret), _step(at), digits)


def matching_step(
    secret: str, code: str, at: datetime, *, window: int = 1, digits: int = DIGITS
) -> int | None:
    """The time step (``unix time // 30``) whose code equals ``code``, within ``window`` steps of ``at``.

    None when no step matches or ``code`` is not ``digits`` digits (spaces are ignored, as apps
    show codes as ``123 456``). Every candidate is compared in constant time.
    """
    if window < 0:
        raise ValueError("window must not be negative")
    key = _decode_secret(secret)
    typed = _WHITESPACE.sub("", code)
    if len(typed) != digits or not typed.isascii() or not typed.isdigit():
        return None
    now = _step(at)
    found: int | None = None
    # Check every candidate step (no early exit), so timing does not reveal which one matched.
    for step in range(now - window, now + window + 1):
        if hmac.compare_digest(_hotp(key, step, digits), typed) and found is None:
            found = step
    return found


def verify_totp(secret: str, code: str, at: datetime, *, window: int = 1, digits: int = DIGITS) -> bool:
    """Whether ``code`` is valid for ``secret`` at ``at``, allowing ``window`` steps of drift."""
    return matching_step(secret, code, at, window=window, digits=digits) is not None


def provisioning_uri(secret: str, account: str, issuer: str = "Redress") -> str:
    """The ``otpauth://totp/...`` URI an authenticator app reads from a QR code."""
    _decode_secret(secret)
    label = f"{quote(issuer, safe='')}:{quote(account, safe='')}"
    query = urlencode(
        {
            "secret": _WHITESPACE.sub("", secret).upper().rstrip("="),
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_SECONDS,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"


def _step(at: datetime) -> int:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("TOTP needs a timezone-aware datetime (use datetime.now(UTC))")
    return int(at.timestamp()) // STEP_SECONDS


def _hotp(key: bytes, counter: int, digits: int) -> str:
    if not 6 <= digits <= 10:
        raise ValueError("digits must be between 6 and 10")
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    binary = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(binary % 10**digits).zfill(digits)


def _decode_secret(secret: str) -> bytes:
    cleaned = _WHITESPACE.sub("", secret).upper().rstrip("=")
    try:
        key = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except binascii.Error:
        raise ValueError("The TOTP secret is not valid base32") from None
    if not key:
        raise ValueError("The TOTP secret is empty")
    return key
