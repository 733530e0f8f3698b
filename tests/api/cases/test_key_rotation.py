"""Key rotation: ``rotate_keys`` and ``redress rotate-keys`` re-wrap every case's data key."""

from __future__ import annotations

import base64
import os

import pytest
from pydantic import SecretStr
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from api.audit.models import CaseEvent
from api.cases import service
from api.cases.key_rotation import rotate_keys
from api.cases.models import LegalCase
from api.security.crypto import UnknownKeyError
from api.settings import Settings, get_settings
from tests.api.cases.builders import CICA_FACTS, NOW, TODAY, World, actor, new_case
from web.cli import app


def _entry(key_id: str) -> str:
    return f"{key_id}:{base64.urlsafe_b64encode(os.urandom(32)).decode()}"


def _with_keys(settings: Settings, keys: str) -> Settings:
    return settings.model_copy(update={"keys": SecretStr(keys)})


def _cases(session: Session) -> list[LegalCase]:
    return list(session.exec(select(LegalCase).order_by(col(LegalCase.id))).all())


def test_rotation_rewraps_every_key_in_batches_and_is_idempotent(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    # Given five cases whose keys are wrapped under the key "old", with answers
    old, new = _entry("old"), _entry("new")
    before = _with_keys(cheap_settings, old)
    for number in range(5):
        case = new_case(db_session, before, world, f"Case {number}")
        service.change_facts(
            db_session,
            before,
            actor(db_session, world.advocate),
            case,
            CICA_FACTS,
            source="advocate",
            now=NOW,
            today=TODAY,
        )
    # When "new" is put first in the ring and the keys are rotated, two cases at a time
    during = _with_keys(cheap_settings, f"{new},{old}")
    assert rotate_keys(db_session, during, batch_size=2) == 5
    # Then every key is wrapped under "new", and "old" can leave the ring
    db_session.expire_all()
    assert all(c.wrapped_data_key.startswith("v1:new:") for c in _cases(db_session))
    after = _with_keys(cheap_settings, new)
    for case in _cases(db_session):
        facts = service.read_facts(db_session, after, case)
        assert facts["police.crime_reference"].value == "ZEBRA-4471-QUOKKA"
    # and running it again re-wraps nothing
    assert rotate_keys(db_session, during) == 0
    assert rotate_keys(db_session, after) == 0
    events = db_session.exec(select(CaseEvent).where(CaseEvent.action == "case.key_rewrapped")).all()
    assert len(events) == 5
    assert all(e.actor_user_id is None for e in events)


def test_without_the_old_key_nothing_can_be_read(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    old, new = _entry("old"), _entry("new")
    case = new_case(db_session, _with_keys(cheap_settings, old), world)
    with pytest.raises(UnknownKeyError):
        service.read_facts(db_session, _with_keys(cheap_settings, new), case)
    with pytest.raises(UnknownKeyError):
        rotate_keys(db_session, _with_keys(cheap_settings, new))


def test_redress_rotate_keys(
    db_session: Session, cheap_settings: Settings, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two cases wrapped under the development key of the test settings
    new_case(db_session, cheap_settings, world, "Case One")
    new_case(db_session, cheap_settings, world, "Case Two")
    # When the operator puts a new key first and runs the command
    monkeypatch.setenv("REDRESS_KEYS", f"{_entry('k2')},{cheap_settings.keys.get_secret_value()}")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["rotate-keys"])
    # Then it says how many keys it re-wrapped, and a second run finds none left
    assert result.exit_code == 0, result.output
    assert "Re-wrapped 2 case data key(s)" in result.output
    again = CliRunner().invoke(app, ["rotate-keys"])
    assert "Re-wrapped 0 case data key(s)" in again.output
    db_session.expire_all()
    assert all(c.wrapped_data_key.startswith("v1:k2:") for c in _cases(db_session))
