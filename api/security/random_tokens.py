"""Random tokens (sessions, API tokens), their hashes at rest, and survivor access codes.

Tokens are stored only as hashes, so a copy of the database cannot be replayed as live sessions
or API credentials. A plain SHA-256 suffices for them (no salt, no slow hash): a token carries 256
random bits, so there is no dictionary to try and no brute force that could finish, and a fast,
deterministic hash lets a request find its row by ``WHERE token_hash = ?`` on an index. Slow
salted hashes are for secrets people choose (passwords, see :mod:`api.security.passwords`).

Survivor access codes are different: a person reads one aloud or copies it from paper, so it is
short (12 characters from a 31-symbol alphabet, about 59 bits). That is plenty online, where codes
expire, work once and sign-in is throttled, but not against an offline search of a stolen
database. So :func:`hash_access_code` is an HMAC keyed with ``REDRESS_SECRET_KEY``, which never
enters the database: without it, the stored hashes cannot be tested at all.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from typing import Final

from pydantic import SecretStr

MIN_TOKEN_BYTES: Final = 16
# No 0/O, 1/I/L: nothing a survivor could misread on paper or hear wrongly over a phone.
ACCESS_CODE_ALPHABET: Final = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ACCESS_CODE_LENGTH: Final = 12
ACCESS_CODE_GROUP: Final = 4
# Separators people type or paste: spaces (including no-break and thin spaces) and dashes
# (hyphen, non-breaking hyphen, en and em dash, minus sign).
_SEPARATORS = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2014\u2212]+")
_AMBIGUOUS: Final = frozenset("0O1IL")


class AccessCodeError(ValueError):
    """A typed access code cannot be right; the message is meant for the person typing it."""


def new_token(nbytes: int = 32) -> str:
    """A new random URL-safe token carrying ``nbytes`` bytes of randomness (at least 16)."""
    if nbytes < MIN_TOKEN_BYTES:
        raise ValueError(f"A token needs at least {MIN_TOKEN_BYTES} random bytes")
    return secrets.token_urlsafe(nbytes)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest of ``token``, the form stored at rest and looked up by."""
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_equal(a: str, b: str) -> bool:
    """Compare two tokens (or token hashes) in constant time."""
    return hmac.compare_digest(a.encode(), b.encode())


def new_access_code() -> str:
    """A new one-time access code for a survivor, grouped for reading: ``XXXX-XXXX-XXXX``."""
    code = "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(ACCESS_CODE_LENGTH))
    return format_access_code(code)


def format_access_code(code: str) -> str:
    """``code`` (normalised or not) as it is shown: three groups of four joined by dashes."""
    canonical = normalise_access_code(code)
    return "-".join(
        canonical[start : start + ACCESS_CODE_GROUP]
        for start in range(0, ACCESS_CODE_LENGTH, ACCESS_CODE_GROUP)
    )


def normalise_access_code(text: str) -> str:
    """The canonical form of a typed code: 12 upper-case ASCII characters, no spaces or dashes.

    Raises :class:`AccessCodeError`, with a message for the survivor, when the text cannot be a
    code. Lookalikes (O, 0, I, 1, L) are refused, not guessed: the alphabet has none of them, so
    there is no right character to map them to, and a wrong guess would only waste an attempt.
    """
    # NFKC folds full-width letters; digits typed on, say, an Arabic keyboard (U+0660-0669)
    # become ASCII digits, so the code works whatever keyboard the survivor has.
    folded = unicodedata.normalize("NFKC", text)
    folded = "".join(str(unicodedata.decimal(char)) if char.isdecimal() else char for char in folded)
    code = _SEPARATORS.sub("", folded).upper()
    if not code:
        raise AccessCodeError("Enter the access code your advocate gave you.")
    if _AMBIGUOUS.intersection(code):
        raise AccessCodeError(
            "Access codes never contain the letters O, I or L or the numbers 0 or 1. "
            "Check the code again: it may be a different letter or number."
        )
    if any(character not in ACCESS_CODE_ALPHABET for character in code):
        raise AccessCodeError("Access codes contain only letters and numbers. Check the code again.")
    if len(code) != ACCESS_CODE_LENGTH:
        raise AccessCodeError(
            f"Access codes have {ACCESS_CODE_LENGTH} letters and numbers, like ABCD-EFGH-JKMN. "
            f"You entered {len(code)}."
        )
    return code


def hash_access_code(code: str, *, secret_key: SecretStr) -> str:
    """The keyed hash (HMAC-SHA-256 under ``REDRESS_SECRET_KEY``) stored for an access code.

    ``code`` may be typed or displayed form; it is normalised first, so the same code always
    gives the same hash (raises :class:`AccessCodeError` if it cannot be a code).
    """
    key = secret_key.get_secret_value().encode()
    message = b"redress:access-code:" + normalise_access_code(code).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
