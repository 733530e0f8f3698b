"""Envelope encryption: round trips, tampering, AAD binding, unknown keys and KEK rotation."""

from __future__ import annotations

import base64

import pytest

from api.security.crypto import (
    DecryptionError,
    KeyRing,
    UnknownKeyError,
    decrypt_field,
    encrypt_field,
    fact_aad,
    needs_rewrap,
    new_data_key,
    rewrap_data_key,
    unwrap_data_key,
    wrap_data_key,
)
from api.settings import DEVELOPMENT_KEY, DEVELOPMENT_KEY_ID, Settings

OLD_KEY = bytes(range(32))
NEW_KEY = bytes(range(100, 132))
CASE = "3f1c0a9e5b7d4c2a8e6f1b0d9c7a5e3f"
OTHER_CASE = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
SECRET = b"Arrived on a forged visa in March"


def encode(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).rstrip(b"=").decode()


def flip_bit(blob: bytes, index: int) -> bytes:
    return blob[:index] + bytes([blob[index] ^ 0x01]) + blob[index + 1 :]


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing([("old", OLD_KEY)])


def test_ring_from_settings_uses_the_development_key(settings: Settings) -> None:
    ring = KeyRing.from_settings(settings)

    assert ring.current_id == DEVELOPMENT_KEY_ID
    assert ring.ids == (DEVELOPMENT_KEY_ID,)
    assert ring.entries == ((DEVELOPMENT_KEY_ID, DEVELOPMENT_KEY),)


def test_ring_from_settings_keeps_the_order(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDRESS_KEYS", f"k2:{encode(NEW_KEY)}, k1:{encode(OLD_KEY)}")

    ring = KeyRing.from_settings(Settings())

    assert ring.ids == ("k2", "k1")
    assert ring.current_id == "k2"


def test_ring_repr_shows_ids_but_no_key_material(ring: KeyRing) -> None:
    assert repr(ring) == "KeyRing(ids=('old',))"
    assert OLD_KEY.hex() not in repr(ring)


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([], "at least one key"),
        ([("a", OLD_KEY), ("a", NEW_KEY)], "twice"),
        ([("a", b"short")], "5 bytes long"),
        ([("with:colon", OLD_KEY)], "Invalid key ID"),
    ],
)
def test_ring_refuses_bad_entries(entries: list[tuple[str, bytes]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        KeyRing(entries)


def test_new_data_keys_are_random_32_bytes() -> None:
    keys = {new_data_key() for _ in range(20)}

    assert len(keys) == 20
    assert all(len(key) == 32 for key in keys)


def test_wrap_and_unwrap_round_trip(ring: KeyRing) -> None:
    data_key = new_data_key()

    wrapped = wrap_data_key(ring, data_key, case_public_id=CASE)

    assert wrapped.startswith("v1:old:")
    assert unwrap_data_key(ring, wrapped, case_public_id=CASE) == data_key
    assert encode(data_key) not in wrapped


def test_wrapping_twice_gives_different_text(ring: KeyRing) -> None:
    data_key = new_data_key()

    assert wrap_data_key(ring, data_key, case_public_id=CASE) != wrap_data_key(
        ring, data_key, case_public_id=CASE
    )


def test_a_wrapped_key_moved_to_another_case_does_not_unwrap(ring: KeyRing) -> None:
    wrapped = wrap_data_key(ring, new_data_key(), case_public_id=CASE)

    with pytest.raises(DecryptionError):
        unwrap_data_key(ring, wrapped, case_public_id=OTHER_CASE)


def test_a_tampered_wrapped_key_does_not_unwrap(ring: KeyRing) -> None:
    wrapped = wrap_data_key(ring, new_data_key(), case_public_id=CASE)
    prefix, encoded = wrapped.rsplit(":", 1)
    blob = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    tampered = f"{prefix}:{encode(flip_bit(blob, 20))}"

    with pytest.raises(DecryptionError):
        unwrap_data_key(ring, tampered, case_public_id=CASE)


@pytest.mark.parametrize(
    "wrapped", ["", "v1:old", "v2:old:AAAA", "v1:old:not base64!", "v1:old:AAAA", "garbage"]
)
def test_malformed_wrapped_keys_are_decryption_errors(ring: KeyRing, wrapped: str) -> None:
    with pytest.raises(DecryptionError, match="Decryption failed"):
        unwrap_data_key(ring, wrapped, case_public_id=CASE)


def test_unwrap_with_a_ring_lacking_the_key_names_it(ring: KeyRing) -> None:
    wrapped = wrap_data_key(ring, new_data_key(), case_public_id=CASE)

    with pytest.raises(UnknownKeyError, match=r"'old' is not in REDRESS_KEYS.*redress rotate-keys") as caught:
        unwrap_data_key(KeyRing([("new", NEW_KEY)]), wrapped, case_public_id=CASE)
    assert caught.value.key_id == "old"


def test_a_different_key_under_the_same_id_fails_to_unwrap(ring: KeyRing) -> None:
    wrapped = wrap_data_key(ring, new_data_key(), case_public_id=CASE)

    with pytest.raises(DecryptionError):
        unwrap_data_key(KeyRing([("old", NEW_KEY)]), wrapped, case_public_id=CASE)


def test_rotation_rewraps_under_the_new_key(ring: KeyRing) -> None:
    data_key = new_data_key()
    wrapped = wrap_data_key(ring, data_key, case_public_id=CASE)
    rotating = KeyRing([("new", NEW_KEY), ("old", OLD_KEY)])

    assert not needs_rewrap(ring, wrapped)
    assert needs_rewrap(rotating, wrapped)
    assert unwrap_data_key(rotating, wrapped, case_public_id=CASE) == data_key

    rewrapped = rewrap_data_key(rotating, wrapped, case_public_id=CASE)

    assert rewrapped.startswith("v1:new:")
    assert not needs_rewrap(rotating, rewrapped)
    assert unwrap_data_key(KeyRing([("new", NEW_KEY)]), rewrapped, case_public_id=CASE) == data_key


def test_rewrap_keeps_the_case_binding(ring: KeyRing) -> None:
    wrapped = wrap_data_key(ring, new_data_key(), case_public_id=CASE)

    with pytest.raises(DecryptionError):
        rewrap_data_key(KeyRing([("new", NEW_KEY), ("old", OLD_KEY)]), wrapped, case_public_id=OTHER_CASE)


def test_wrap_refuses_a_wrong_sized_data_key_and_an_empty_case(ring: KeyRing) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        wrap_data_key(ring, b"too short", case_public_id=CASE)
    with pytest.raises(ValueError, match="case_public_id"):
        wrap_data_key(ring, new_data_key(), case_public_id="")


def test_field_round_trip() -> None:
    data_key = new_data_key()
    aad = fact_aad(CASE, "entry_route")

    blob = encrypt_field(data_key, SECRET, aad=aad)

    assert blob[0] == 1
    assert len(blob) == 1 + 12 + len(SECRET) + 16
    assert decrypt_field(data_key, blob, aad=aad) == SECRET


def test_field_aad_names_the_case_and_the_fact() -> None:
    assert fact_aad(CASE, "entry_route") == f"case:{CASE}:fact:entry_route".encode()


def test_empty_values_round_trip() -> None:
    data_key = new_data_key()

    assert decrypt_field(data_key, encrypt_field(data_key, b"", aad=b"x"), aad=b"x") == b""


def test_same_plaintext_gives_different_nonces_and_ciphertexts() -> None:
    data_key = new_data_key()
    aad = fact_aad(CASE, "entry_route")

    first, second = (encrypt_field(data_key, SECRET, aad=aad) for _ in range(2))

    assert first[1:13] != second[1:13]
    assert first != second


def test_ciphertext_does_not_contain_the_plaintext() -> None:
    blob = encrypt_field(new_data_key(), SECRET, aad=fact_aad(CASE, "entry_route"))

    assert SECRET not in blob
    assert b"forged visa" not in blob


@pytest.mark.parametrize("index", [0, 1, 12, 13, -1])
def test_a_flipped_bit_anywhere_fails(index: int) -> None:
    data_key = new_data_key()
    aad = fact_aad(CASE, "entry_route")
    blob = encrypt_field(data_key, SECRET, aad=aad)

    with pytest.raises(DecryptionError):
        decrypt_field(data_key, flip_bit(blob, index % len(blob)), aad=aad)


@pytest.mark.parametrize(
    "wrong_aad",
    [fact_aad(CASE, "nationality"), fact_aad(OTHER_CASE, "entry_route"), b""],
    ids=["other fact", "other case", "no aad"],
)
def test_a_value_moved_to_another_fact_or_case_fails(wrong_aad: bytes) -> None:
    data_key = new_data_key()
    blob = encrypt_field(data_key, SECRET, aad=fact_aad(CASE, "entry_route"))

    with pytest.raises(DecryptionError):
        decrypt_field(data_key, blob, aad=wrong_aad)


def test_another_cases_data_key_fails() -> None:
    aad = fact_aad(CASE, "entry_route")
    blob = encrypt_field(new_data_key(), SECRET, aad=aad)

    with pytest.raises(DecryptionError):
        decrypt_field(new_data_key(), blob, aad=aad)


@pytest.mark.parametrize("blob", [b"", b"\x01", b"\x01" + bytes(27), b"\x02" + bytes(40)])
def test_truncated_or_unknown_version_blobs_fail(blob: bytes) -> None:
    with pytest.raises(DecryptionError):
        decrypt_field(new_data_key(), blob, aad=b"x")


def test_decryption_error_message_leaks_nothing() -> None:
    data_key = new_data_key()
    blob = encrypt_field(data_key, SECRET, aad=b"right")

    with pytest.raises(DecryptionError) as caught:
        decrypt_field(data_key, blob, aad=b"wrong")

    message = str(caught.value)
    assert message.startswith("Decryption failed")
    assert data_key.hex() not in message
    assert "forged" not in message
    assert caught.value.__cause__ is None
