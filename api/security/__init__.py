"""Security primitives: pure functions with no tables and no I/O beyond the system's randomness.

- :mod:`api.security.crypto`: envelope encryption of case data (per-case data keys under AES-GCM,
  wrapped by the key-encryption keys of ``REDRESS_KEYS``).
- :mod:`api.security.passwords`: Argon2id password hashing and the passphrase policy.
- :mod:`api.security.totp`: RFC 6238 time-based one-time passwords for staff.
- :mod:`api.security.random_tokens`: session and API tokens, their hashes, survivor access codes.

The modules are imported one by one (nothing is re-exported here), so code that needs only tokens
does not load the cryptography or Argon2 bindings.
"""
