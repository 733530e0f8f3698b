"""Re-wrap every case's data key under the current key-encryption key (``redress rotate-keys``).

Rotating ``REDRESS_KEYS`` puts a new key first and keeps the old ones after it; new data keys are
wrapped under the new key at once, and this re-wraps the existing ones so the old key can then be
removed. Only the short wrapped key of each case changes: the data key inside is the same, so no
fact, upload or document is re-encrypted.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from sqlmodel import Session, col, select

from api.audit.service import record_event
from api.cases.models import LegalCase
from api.security.crypto import KeyRing, needs_rewrap, rewrap_data_key
from api.settings import Settings

BATCH_SIZE: Final = 500


def rotate_keys(session: Session, settings: Settings, *, batch_size: int = BATCH_SIZE) -> int:
    """Re-wrap every data key not wrapped under the current KEK; return how many were.

    Batched by id and committed per batch, so a large database neither holds one long
    transaction nor loses finished work if interrupted. Idempotent: keys already under the
    current KEK are left alone, so a second run (or a re-run after a crash) re-wraps nothing
    more. Each re-wrap is recorded as a ``case.key_rewrapped`` event (no actor: the operator ran
    it from the shell).
    """
    ring = KeyRing.from_settings(settings)
    rewrapped = 0
    last_id = 0
    while True:
        batch = session.exec(
            select(LegalCase).where(col(LegalCase.id) > last_id).order_by(col(LegalCase.id)).limit(batch_size)
        ).all()
        if not batch:
            return rewrapped
        now = datetime.now(UTC)
        for case in batch:
            if case.id is None or not needs_rewrap(ring, case.wrapped_data_key):
                continue
            case.wrapped_data_key = rewrap_data_key(
                ring, case.wrapped_data_key, case_public_id=case.public_id
            )
            session.add(case)
            record_event(
                session,
                organisation_id=case.organisation_id,
                case_id=case.id,
                action="case.key_rewrapped",
                at=now,
            )
            rewrapped += 1
        last_id = batch[-1].id or last_id
        session.commit()
