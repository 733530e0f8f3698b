"""An organisation's webhook: reminders posted as JSON to its own systems, signed with HMAC.

Each request carries ``X-Redress-Timestamp`` (Unix seconds) and ``X-Redress-Signature:
sha256=<hex>``, the HMAC-SHA256 under the organisation's secret of ``<timestamp>.<body>``; the
receiver recomputes it and refuses old timestamps, so a captured request can be neither forged
nor replayed later. ``Idempotency-Key`` is the reminder's id: a receiver that sees it twice (a
re-send after a crash) can drop the copy. The secret is shown once when set, and stored in an
envelope of its own under the key ring, like the TOTP secrets.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request
from datetime import datetime
from typing import Final
from urllib.parse import urlsplit

from sqlmodel import Session, select

from api.reminders.models import OrgWebhook
from api.security.crypto import (
    KeyRing,
    decrypt_field,
    encrypt_field,
    new_data_key,
    unwrap_data_key,
    wrap_data_key,
)
from api.settings import Settings

TIMEOUT_SECONDS: Final = 10.0
URL_MAX_LENGTH: Final = 500


class WebhookError(Exception):
    """The webhook could not be delivered; the message says why (no secrets, no payload)."""


class WebhookInputError(ValueError):
    """The webhook address is unusable; the message says how to fix it."""


def _binding(organisation_id: int) -> str:
    return f"webhook-{organisation_id}"


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """The ``X-Redress-Signature`` value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def set_webhook(
    session: Session, settings: Settings, organisation_id: int, url: str, *, now: datetime
) -> str:
    """Set (or replace) the organisation's webhook; returns the new secret, shown only once.

    Adds to the session; the caller commits.
    """
    clean = url.strip()
    parts = urlsplit(clean)
    if parts.scheme not in {"https", "http"} or not parts.netloc or len(clean) > URL_MAX_LENGTH:
        raise WebhookInputError("Enter the full address of your system, starting with https://.")
    secret = secrets.token_urlsafe(32)
    ring = KeyRing.from_settings(settings)
    data_key = new_data_key()
    wrapped = wrap_data_key(ring, data_key, case_public_id=_binding(organisation_id))
    sealed = encrypt_field(data_key, secret.encode(), aad=_binding(organisation_id).encode())
    row = session.exec(select(OrgWebhook).where(OrgWebhook.organisation_id == organisation_id)).first()
    row = row or OrgWebhook(organisation_id=organisation_id, url="", secret_encrypted=b"", created_at=now)
    row.url = clean
    row.secret_encrypted = wrapped.encode() + b"\n" + sealed
    row.created_at = now
    session.add(row)
    return secret


def webhook_secret(settings: Settings, row: OrgWebhook) -> bytes:
    """The organisation's webhook secret, decrypted."""
    wrapped, _, sealed = row.secret_encrypted.partition(b"\n")
    ring = KeyRing.from_settings(settings)
    data_key = unwrap_data_key(ring, wrapped.decode(), case_public_id=_binding(row.organisation_id))
    return decrypt_field(data_key, sealed, aad=_binding(row.organisation_id).encode())


def post(url: str, secret: bytes, payload: dict[str, object], *, idempotency_key: str, now: datetime) -> None:
    """POST ``payload`` signed; :class:`WebhookError` unless the receiver answers 2xx."""
    body = json.dumps(payload, sort_keys=True).encode()
    timestamp = str(int(now.timestamp()))
    request = urllib.request.Request(  # noqa: S310 - the scheme was checked when the URL was set
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Redress-Timestamp": timestamp,
            "X-Redress-Signature": signature(secret, timestamp, body),
            "Idempotency-Key": idempotency_key,
            "User-Agent": "Redress-Webhook/1",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as exc:
        raise WebhookError(f"the webhook answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise WebhookError(f"the webhook could not be reached ({type(exc).__name__})") from None
    if not 200 <= status < 300:
        raise WebhookError(f"the webhook answered HTTP {status}")
