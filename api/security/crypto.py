"""Envelope encryption of case data: a data key per case, wrapped by a key-encryption key.

Why an envelope. Every case gets its own random 256-bit *data key*; sensitive facts, narratives,
uploads and generated documents of that case are encrypted under it with AES-256-GCM. The data
key itself is stored next to the case only in *wrapped* form: encrypted under a key-encryption
key (KEK) from ``REDRESS_KEYS``, which never enters the database. So:

- a copy of the database alone (a stolen backup, a SQLite file on a lost laptop) reveals no
  sensitive value;
- rotating the KEK re-wraps one short string per case (``redress rotate-keys``) instead of
  re-encrypting every value;
- erasing a case destroys its wrapped data key, which makes every ciphertext of the case
  unreadable even where copies of it survive (crypto-shredding). A database backup still holds the
  wrapped key until the backup expires or the KEK it was wrapped under is dropped from the ring.

Why not derived from a password. Advocates, lawyers, background jobs and API clients all work on
the same case, and survivors forget passphrases; a key derived from one person's password would
lock everyone else out and lose the case on a reset. The trade-off is deliberate: whoever holds
both the database and ``REDRESS_KEYS`` (the running server) can decrypt, and access control is
enforced by the application, not by the cipher.

Why associated data (AAD). AES-GCM authenticates the ciphertext together with the AAD, which is
not stored. A wrapped data key is bound to its case (``redress:data-key:<case public id>``) and a
field value to its case and fact (``case:<public id>:fact:<key>``, see :func:`fact_aad`), so
someone who can write to the database cannot move a ciphertext to another case or fact, for
example swap a survivor's answers between two cases, without decryption failing loudly.

Formats (both versioned so the scheme can change without guessing):

- wrapped data key: ``"v1:<kek id>:<urlsafe base64 of nonce | ciphertext+tag>"`` (text column);
- field value: ``b"\\x01" + 12-byte nonce + ciphertext+tag`` (bytes column).

Nonces are 96 random bits. Under one key, random nonces stay safe for about 2**32 encryptions;
a data key protects one case and a KEK wraps one key per case, far below that bound.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

if TYPE_CHECKING:
    from api.settings import Settings

KEY_BYTES: Final = 32  # AES-256, for data keys and key-encryption keys alike
NONCE_BYTES: Final = 12
TAG_BYTES: Final = 16
WRAP_VERSION: Final = "v1"
FIELD_VERSION: Final = b"\x01"
_WRAP_AAD_PREFIX: Final = b"redress:data-key:"
_KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,32}")
_URLSAFE_BASE64 = re.compile(r"[A-Za-z0-9_-]+")
_WRAPPED_BYTES: Final = NONCE_BYTES + KEY_BYTES + TAG_BYTES


class CryptoError(Exception):
    """Base class of this module's errors."""


class DecryptionError(CryptoError):
    """A ciphertext could not be decrypted or authenticated.

    The message is the same whatever went wrong, and never includes key material or plaintext:
    the data was damaged, moved to another case or field, or encrypted under another key.
    """

    def __init__(self) -> None:
        super().__init__(
            "Decryption failed: the data is damaged, belongs to another case or field, or was "
            "encrypted under a different key."
        )


class UnknownKeyError(CryptoError):
    """A wrapped data key names a key-encryption key that is not in ``REDRESS_KEYS``."""

    def __init__(self, key_id: str) -> None:
        self.key_id = key_id
        super().__init__(
            f"The key-encryption key {key_id!r} is not in REDRESS_KEYS. Data wrapped under it "
            "cannot be read: REDRESS_KEYS must keep every old key (after the new current one) "
            "until `redress rotate-keys` has re-wrapped all data keys."
        )


@dataclass(frozen=True, slots=True)
class KeyRing:
    """The key-encryption keys: ``(id, 32-byte key)`` pairs, the current (wrapping) key first.

    Immutable; its ``repr`` shows the IDs only, never the keys.
    """

    entries: tuple[tuple[str, bytes], ...] = field(repr=False)

    def __init__(self, entries: Sequence[tuple[str, bytes]]) -> None:
        frozen = tuple((key_id, bytes(key)) for key_id, key in entries)
        if not frozen:
            raise ValueError("A key ring needs at least one key")
        seen: set[str] = set()
        for key_id, key in frozen:
            if not _KEY_ID.fullmatch(key_id):
                raise ValueError(f"Invalid key ID {key_id!r}: use 1 to 32 letters, digits, '.', '_' or '-'")
            if key_id in seen:
                raise ValueError(f"Key ID {key_id!r} appears twice in the key ring")
            if len(key) != KEY_BYTES:
                raise ValueError(f"Key {key_id!r} is {len(key)} bytes long; it must be {KEY_BYTES}")
            seen.add(key_id)
        object.__setattr__(self, "entries", frozen)

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyRing:
        """The ring configured in ``REDRESS_KEYS`` (already validated by the settings)."""
        return cls(settings.key_entries())

    @property
    def current_id(self) -> str:
        """The ID of the key that wraps new data keys."""
        return self.entries[0][0]

    @property
    def ids(self) -> tuple[str, ...]:
        """Every key ID, the current one first."""
        return tuple(key_id for key_id, _ in self.entries)

    def __repr__(self) -> str:
        return f"KeyRing(ids={self.ids!r})"

    def _key(self, key_id: str) -> bytes:
        for candidate, key in self.entries:
            if candidate == key_id:
                return key
        raise UnknownKeyError(key_id)


def new_data_key() -> bytes:
    """A fresh random 256-bit data key for a new case."""
    return secrets.token_bytes(KEY_BYTES)


def fact_aad(case_public_id: str, fact_key: str) -> bytes:
    """The associated data that binds a fact's encrypted value to its case and fact key."""
    return f"case:{case_public_id}:fact:{fact_key}".encode()


def wrap_data_key(ring: KeyRing, data_key: bytes, *, case_public_id: str) -> str:
    """Encrypt ``data_key`` under the ring's current KEK, bound to the case.

    Returns ``"v1:<kek id>:<base64>"``; only :func:`unwrap_data_key` with the same
    ``case_public_id`` and a ring that still holds that KEK can recover the key.
    """
    _check_key(data_key)
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(ring._key(ring.current_id)).encrypt(nonce, data_key, _wrap_aad(case_public_id))
    encoded = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode("ascii")
    return f"{WRAP_VERSION}:{ring.current_id}:{encoded}"


def unwrap_data_key(ring: KeyRing, wrapped: str, *, case_public_id: str) -> bytes:
    """Recover the data key of the case from its wrapped form.

    Raises :class:`UnknownKeyError` when the KEK it names is missing from the ring, and
    :class:`DecryptionError` when the text is malformed, tampered with or belongs to another case.
    """
    key_id, blob = _parse_wrapped(wrapped)
    kek = ring._key(key_id)
    try:
        data_key = AESGCM(kek).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], _wrap_aad(case_public_id))
    except InvalidTag:
        raise DecryptionError from None
    if len(data_key) != KEY_BYTES:  # authentic, so only a bug could get here; refuse anyway
        raise DecryptionError
    return data_key


def needs_rewrap(ring: KeyRing, wrapped: str) -> bool:
    """Whether ``wrapped`` was wrapped under a KEK other than the ring's current one."""
    key_id, _ = _parse_wrapped(wrapped)
    return key_id != ring.current_id


def rewrap_data_key(ring: KeyRing, wrapped: str, *, case_public_id: str) -> str:
    """Unwrap with whichever ring key wrapped it, and wrap again under the current KEK.

    The data key itself is unchanged, so none of the case's ciphertexts need re-encrypting.
    """
    data_key = unwrap_data_key(ring, wrapped, case_public_id=case_public_id)
    return wrap_data_key(ring, data_key, case_public_id=case_public_id)


def encrypt_field(data_key: bytes, plaintext: bytes, *, aad: bytes) -> bytes:
    """Encrypt one value under a case's data key: version byte, random nonce, ciphertext and tag.

    ``aad`` must name where the value lives (see :func:`fact_aad`); decryption needs the same.
    """
    _check_key(data_key)
    nonce = secrets.token_bytes(NONCE_BYTES)
    return FIELD_VERSION + nonce + AESGCM(data_key).encrypt(nonce, plaintext, aad)


def decrypt_field(data_key: bytes, blob: bytes, *, aad: bytes) -> bytes:
    """Decrypt a value made by :func:`encrypt_field`; :class:`DecryptionError` if anything is off."""
    _check_key(data_key)
    header = len(FIELD_VERSION) + NONCE_BYTES
    if len(blob) < header + TAG_BYTES or not blob.startswith(FIELD_VERSION):
        raise DecryptionError
    try:
        return AESGCM(data_key).decrypt(blob[len(FIELD_VERSION) : header], blob[header:], aad)
    except InvalidTag:
        raise DecryptionError from None


def _check_key(key: bytes) -> None:
    if len(key) != KEY_BYTES:
        raise ValueError(f"A data key must be {KEY_BYTES} bytes long, not {len(key)}")


def _wrap_aad(case_public_id: str) -> bytes:
    if not case_public_id:
        raise ValueError("case_public_id must not be empty: it binds the data key to its case")
    return _WRAP_AAD_PREFIX + case_public_id.encode()


def _parse_wrapped(wrapped: str) -> tuple[str, bytes]:
    version, _, rest = wrapped.partition(":")
    key_id, _, encoded = rest.partition(":")
    if version != WRAP_VERSION or not _KEY_ID.fullmatch(key_id) or not _URLSAFE_BASE64.fullmatch(encoded):
        raise DecryptionError
    try:
        blob = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        raise DecryptionError from None
    if len(blob) != _WRAPPED_BYTES:
        raise DecryptionError
    return key_id, blob
