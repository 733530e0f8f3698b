"""Store and read a case's facts: typed values ↔ JSON text ↔ (for sensitive facts) ciphertext.

Why the shape:

- Values are serialised to JSON text first (dates ISO, Money as ``{"amount", "currency"}``,
  Decimal as a string, tuples as lists) and read back through the fact dictionary's
  ``parse_value``, so a stored value is always re-validated into the same Python type the engine
  was given when it was answered.
- Facts whose sensitivity is ``general`` (a language code) are stored as plain JSON; every other
  fact is encrypted with the case's data key (AES-GCM). The associated data
  ``case:<public id>:fact:<key>`` binds each ciphertext to its case and fact, so a ciphertext
  copied onto another case or fact fails to decrypt instead of being read as that fact.
- A change never updates a value in place: the current row is *superseded* (``superseded_at``
  set) and a new row added. History is kept for the audit trail, and answers on branches no
  longer taken stay available should the branch come back.

- A request reads the case's facts more than once (to check the question applies, then to
  change the answer, then to evaluate again); :func:`current_facts` keeps what it read and
  decrypted on the session until the session's transaction ends (commit or rollback) or the
  facts change, so one request decrypts each value once.

Nothing here commits: the callers in :mod:`api.cases.service` own the unit of work.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import Table, bindparam, event, insert, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from api.cases.models import CaseFact, LegalCase
from api.cases.schemas import FactRecord
from api.security.crypto import KeyRing, decrypt_field, encrypt_field, fact_aad, unwrap_data_key
from api.settings import Settings
from workflows.facts import FactDictionary
from workflows.types import Money

# Stored values were validated when they were given; re-reading them must not fail because a
# "past only" date is compared with an earlier day than the one it was given on.
_READ_AS_OF = date.max
_CACHE: Final = "redress_current_facts"
_FACTS: Final[Table] = CaseFact.__table__  # type: ignore[attr-defined]
# The statements of every answer, built once: building one costs more than running it.
_CURRENT_ROWS: Final = select(CaseFact).where(
    col(CaseFact.case_id) == bindparam("case_id"), col(CaseFact.superseded_at).is_(None)
)
_SUPERSEDE: Final = update(_FACTS).where(_FACTS.c.id.in_(bindparam("ids", expanding=True)))
_INSERT: Final = insert(_FACTS)


def data_key_of(settings: Settings, case: LegalCase) -> bytes:
    """The case's data key, unwrapped with the configured key ring."""
    return unwrap_data_key(
        KeyRing.from_settings(settings), case.wrapped_data_key, case_public_id=case.public_id
    )


def to_json_value(value: object) -> object:
    """A typed fact value as a JSON-compatible value that ``parse_value`` accepts back."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Money):
        return {"amount": str(value.amount), "currency": value.currency}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple | list):
        return [to_json_value(item) for item in value]
    return value


def _to_json_text(value: object) -> str:
    return json.dumps(to_json_value(value), ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class NewValue:
    """A validated value about to be stored (``value`` None means "don't know")."""

    key: str
    value: object
    source: str
    given_by_user_id: int | None


def current_rows(session: Session, case: LegalCase) -> dict[str, CaseFact]:
    """The current (not superseded) row of every fact of ``case``, by key."""
    rows = session.exec(_CURRENT_ROWS, params={"case_id": case.id}).all()
    return {row.key: row for row in rows}


@dataclass
class CurrentFacts:
    """A case's current rows, its data key, and the rows decoded, as one read found them.

    ``memo`` holds what callers derive from exactly these facts (evaluations), dropped with them.
    """

    rows: dict[str, CaseFact]
    data_key: bytes
    records: dict[str, FactRecord]
    memo: dict[object, Any] = field(default_factory=dict)

    def values(self) -> dict[str, object]:
        """The facts as the engine takes them: typed values, None for "don't know"."""
        return {key: record.value for key, record in self.records.items()}


def current_facts(
    session: Session, settings: Settings, dictionary: FactDictionary, case: LegalCase
) -> CurrentFacts:
    """The case's current facts, read and decrypted once per transaction of ``session``."""
    cache: dict[int | None, CurrentFacts] = session.info.setdefault(_CACHE, {})
    found = cache.get(case.id)
    if found is None:
        rows = current_rows(session, case)
        data_key = data_key_of(settings, case)
        found = CurrentFacts(rows, data_key, decode_all(dictionary, case, data_key, rows))
        cache[case.id] = found
    return found


def forget_current_facts(session: Session) -> None:
    """Drop what :func:`current_facts` kept (the facts changed, or the transaction ended)."""
    session.info.pop(_CACHE, None)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_at_transaction_end(session: Session) -> None:
    # Another transaction may change the facts once this one ends: read them again then.
    forget_current_facts(session)


def decode(dictionary: FactDictionary, case: LegalCase, data_key: bytes, row: CaseFact) -> FactRecord:
    """Decrypt (if needed) and re-type one stored row."""
    value: object = None
    if not row.is_unknown:
        if row.value_encrypted is not None:
            text = decrypt_field(
                data_key, row.value_encrypted, aad=fact_aad(case.public_id, row.key)
            ).decode()
        elif row.value_plain is not None:
            text = row.value_plain
        else:  # neither column set on a known value: the row was written by something else
            raise ValueError(f"case fact {row.id} ({row.key}) has no value")
        value = dictionary.parse_value(row.key, json.loads(text), today=_READ_AS_OF)
    return FactRecord(
        value=value,
        is_unknown=row.is_unknown,
        source=row.source,
        given_by_user_id=row.given_by_user_id,
        given_at=row.given_at,
    )


def decode_all(
    dictionary: FactDictionary, case: LegalCase, data_key: bytes, rows: Mapping[str, CaseFact]
) -> dict[str, FactRecord]:
    """Every row decoded, by key, skipping keys the dictionary no longer has.

    A key retired from the dictionary cannot be typed or used by any workflow; its rows stay
    in the table (history is never deleted) but are not offered as current facts.
    """
    return {key: decode(dictionary, case, data_key, row) for key, row in rows.items() if key in dictionary}


def supersede_and_add(
    session: Session,
    dictionary: FactDictionary,
    case: LegalCase,
    data_key: bytes,
    current: Mapping[str, CaseFact],
    values: list[NewValue],
    now: datetime,
) -> None:
    """Mark the current rows of ``values``' keys superseded and add a row for each new value.

    Two statements, executed at once in the caller's transaction (not committed): the
    superseding update first, since the partial unique index allows one current row per
    (case, key) at every moment, then the inserts. A concurrent change of the same fact fails
    here with :class:`~sqlalchemy.exc.IntegrityError`. They are plain (Core) statements, not
    unit-of-work flushes: this runs on every answer, and the ORM's bookkeeping was most of its
    cost. The superseded rows in hand are updated to match.
    """
    forget_current_facts(session)
    old_rows = [current[new.key] for new in values if new.key in current]
    if old_rows:
        session.execute(_SUPERSEDE, {"ids": [row.id for row in old_rows], "superseded_at": now})
        for row in old_rows:
            set_committed_value(row, "superseded_at", now)
    session.execute(_INSERT, [encoded_columns(dictionary, case, data_key, new, now) for new in values])


def encode(
    dictionary: FactDictionary, case: LegalCase, data_key: bytes, new: NewValue, now: datetime
) -> CaseFact:
    """A new row for ``new``: plain JSON for ``general`` facts, ciphertext for every other."""
    return CaseFact(**encoded_columns(dictionary, case, data_key, new, now))


def encoded_columns(
    dictionary: FactDictionary, case: LegalCase, data_key: bytes, new: NewValue, now: datetime
) -> dict[str, Any]:
    """The column values of :func:`encode`'s row, for an insert statement."""
    if case.id is None:
        raise ValueError("the case must be saved before its facts")
    columns: dict[str, Any] = {
        "case_id": case.id,
        "key": new.key,
        "is_unknown": new.value is None,
        "source": new.source,
        "given_by_user_id": new.given_by_user_id,
        "given_at": now,
        "value_encrypted": None,
        "value_plain": None,
        "superseded_at": None,
    }
    if new.value is not None:
        text = _to_json_text(new.value)
        if dictionary.get(new.key).encrypted:
            columns["value_encrypted"] = encrypt_field(
                data_key, text.encode(), aad=fact_aad(case.public_id, new.key)
            )
        else:
            columns["value_plain"] = text
    return columns
