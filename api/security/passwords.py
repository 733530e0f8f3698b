"""Password hashing (Argon2id) and the passphrase policy.

Argon2id is memory-hard: each guess against a stolen hash costs ``argon2_memory_cost_kib`` of
memory, which is what makes offline cracking on GPUs expensive. The cost parameters come from the
settings; a hash records the parameters it was made with, so any hasher can verify it, and
:func:`needs_rehash` tells the sign-in code to upgrade an old hash once the password is known.

Passwords are normalised before hashing and verifying: Unicode NFKC (as NIST SP 800-63B
suggests), because the same passphrase typed on two phones, say with Vietnamese or Arabic input
methods that compose accents differently, must still match; and leading and trailing whitespace
is dropped, because phone keyboards add a space after a word picked from their suggestions.

The policy is deliberately short (length, not one repeated character, not one of the commonest
passwords) rather than composition rules: long passphrases of ordinary words are both easier for
survivors to remember and harder to guess than ``P@ssw0rd!``. Login throttling limits online
guessing; Argon2 limits offline guessing.
"""

from __future__ import annotations

import secrets
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

if TYPE_CHECKING:
    from api.settings import Settings

MIN_PASSPHRASE_LENGTH: Final = 10
MAX_PASSPHRASE_LENGTH: Final = 256

# The commonest passwords of 10 characters or more in public breach lists (lower case; compared
# case-insensitively). Shorter ones already fail the length rule.
COMMON_PASSWORDS: Final = frozenset(
    {
        "0123456789",
        "1234567890",
        "0987654321",
        "9876543210",
        "12345678910",
        "123456789a",
        "1234567891",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "abcdefghij",
        "abc1234567",
        "asdfghjkl1",
        "asdfghjkl;",
        "changeme123",
        "football123",
        "iloveyou12",
        "iloveyou123",
        "letmein123",
        "passw0rd12",
        "password01",
        "password12",
        "password123",
        "password1234",
        "password!!",
        "qazwsxedc123",
        "qwerty1234",
        "qwerty12345",
        "qwerty123456",
        "qwertyuiop",
        "qwertyuiop123",
        "welcome123",
        "zaq12wsxcde",
    }
)


# PasswordHasher.verify reads the type and costs from the hash itself, so one verifier serves every
# hash, whatever parameters it was made with.
_VERIFIER: Final = PasswordHasher()


@lru_cache(maxsize=8)
def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism, type=Type.ID)


def password_hasher(settings: Settings) -> PasswordHasher:
    """The Argon2id hasher for the settings' cost parameters (one instance per parameter set)."""
    return _hasher(settings.argon2_time_cost, settings.argon2_memory_cost_kib, settings.argon2_parallelism)


def hash_password(password: str, *, settings: Settings) -> str:
    """The Argon2id hash (PHC string, with its own random salt) of ``password``."""
    return password_hasher(settings).hash(_normalise(password))


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``.

    Returns False, never raises, for a wrong password and for an empty or unreadable hash (such
    as an account that has no password yet), so callers treat every failure alike.
    """
    if not password_hash:
        return False
    try:
        return _VERIFIER.verify(password_hash, _normalise(password))
    except (VerificationError, InvalidHashError, ValueError):  # ValueError: a non-ASCII "hash"
        return False


def needs_rehash(password_hash: str, *, settings: Settings) -> bool:
    """Whether ``password_hash`` was made with other parameters than the settings' (re-hash it)."""
    try:
        return password_hasher(settings).check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


def unknown_user_hash(settings: Settings) -> str:
    """A valid hash of a random password, for sign-in attempts with an unknown name.

    Verifying the password against it takes as long as for a real account, so response times do
    not reveal which email addresses have accounts; it never matches a real password.
    """
    return _unknown_user_hash(
        settings.argon2_time_cost, settings.argon2_memory_cost_kib, settings.argon2_parallelism
    )


@lru_cache(maxsize=8)
def _unknown_user_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    return _hasher(time_cost, memory_cost, parallelism).hash(secrets.token_urlsafe(32))


def check_passphrase(passphrase: str) -> str | None:
    """Why ``passphrase`` is not acceptable, in plain words for the person choosing it; else None."""
    text = _normalise(passphrase)
    if len(text) < MIN_PASSPHRASE_LENGTH:
        return f"Use at least {MIN_PASSPHRASE_LENGTH} characters. A few words you will remember work well."
    if len(text) > MAX_PASSPHRASE_LENGTH:
        return f"Use at most {MAX_PASSPHRASE_LENGTH} characters."
    if len(set(text)) == 1:
        return "Do not use one character over and over. A few words you will remember work well."
    if text.casefold() in COMMON_PASSWORDS:
        return (
            "This is one of the most common passwords, so it is easy to guess. "
            "Try a few words you will remember instead."
        )
    return None


def _normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password).strip()
