"""Messages between a survivor and their advocates: encrypted at rest, unread counts per side,
only the survivor and the caseworkers take part (all data fictional)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

import pytest
from sqlmodel import Session, select

from api.audit.models import CaseEvent
from api.cases.errors import AccessDenied, CaseNotFound
from api.cases.models import LegalCase
from api.cases.sharing import share_case
from api.cases.survivor_access import issue_access_code, redeem_access_code
from api.messages import service
from api.messages.models import CaseMessage
from api.settings import Settings
from tests.api.cases.builders import PASSPHRASE, World, actor, new_case

NOW: Final = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


@pytest.fixture
def case(db_session: Session, cheap_settings: Settings, world: World) -> LegalCase:
    return new_case(db_session, cheap_settings, world, "Case Heron")


@pytest.fixture
def survivor(db_session: Session, cheap_settings: Settings, world: World, case: LegalCase) -> object:
    code = issue_access_code(db_session, cheap_settings, actor(db_session, world.advocate), case, now=NOW)
    user = redeem_access_code(
        db_session, cheap_settings, code=code, passphrase=PASSPHRASE, display_name="Mira", now=NOW
    )
    return actor(db_session, user)


def test_a_conversation_with_unread_counts_on_each_side(
    db_session: Session, cheap_settings: Settings, world: World, case: LegalCase, survivor: object
) -> None:
    advocate = actor(db_session, world.advocate)
    service.send(db_session, cheap_settings, advocate, case, "Can we meet on Tuesday?", now=NOW)
    service.send(
        db_session, cheap_settings, advocate, case, "Bring your payslips.", now=NOW + timedelta(minutes=1)
    )

    assert service.unread_count(db_session, survivor, case) == 2
    assert service.unread_count(db_session, advocate, case) == 0
    read = service.read_conversation(db_session, cheap_settings, survivor, case, now=NOW + timedelta(hours=1))
    assert [(m.body, m.from_survivor, m.unread) for m in read] == [
        ("Can we meet on Tuesday?", False, True),
        ("Bring your payslips.", False, True),
    ]
    assert service.unread_count(db_session, survivor, case) == 0

    service.send(
        db_session, cheap_settings, survivor, case, "  Yes, in the morning.  ", now=NOW + timedelta(hours=2)
    )
    assert service.unread_count(db_session, advocate, case) == 1
    # The admin is a caseworker too: reading marks it read for the advocates' side.
    service.read_conversation(db_session, cheap_settings, actor(db_session, world.admin), case, now=NOW)
    assert service.unread_count(db_session, advocate, case) == 0
    last = service.read_conversation(db_session, cheap_settings, advocate, case, now=NOW)[-1]
    assert (last.body, last.from_survivor) == ("Yes, in the morning.", True)


def test_bodies_are_encrypted_and_events_say_nothing_of_them(
    db_session: Session, cheap_settings: Settings, world: World, case: LegalCase, survivor: object
) -> None:
    service.send(db_session, cheap_settings, survivor, case, "The address is 4 Quay Street", now=NOW)

    row = db_session.exec(select(CaseMessage)).one()
    assert b"Quay" not in row.body_encrypted
    assert all("Quay" not in (s or "") for s in db_session.exec(select(CaseEvent.subject)).all())
    assert db_session.exec(select(CaseEvent).where(CaseEvent.action == "message.sent")).one()


@pytest.mark.parametrize(("body", "message"), [("   ", service.EMPTY), ("x" * 4001, service.TOO_LONG)])
def test_empty_or_too_long_messages_are_refused(
    db_session: Session, cheap_settings: Settings, world: World, case: LegalCase, body: str, message: str
) -> None:
    with pytest.raises(service.MessageError) as refused:
        service.send(db_session, cheap_settings, actor(db_session, world.advocate), case, body, now=NOW)
    assert refused.value.message == message
    assert db_session.exec(select(CaseMessage)).all() == []


def test_lawyers_and_outsiders_take_no_part(
    db_session: Session, cheap_settings: Settings, world: World, case: LegalCase
) -> None:
    share_case(
        db_session,
        actor(db_session, world.advocate),
        case,
        lawyer_user_id=world.partner_lawyer.id or 0,
        now=NOW,
    )
    with pytest.raises(AccessDenied):
        service.read_conversation(
            db_session, cheap_settings, actor(db_session, world.partner_lawyer), case, now=NOW
        )
    with pytest.raises(AccessDenied):
        service.send(db_session, cheap_settings, actor(db_session, world.partner_lawyer), case, "Hi", now=NOW)
    with pytest.raises(CaseNotFound):
        service.send(
            db_session, cheap_settings, actor(db_session, world.foreign_advocate), case, "Hi", now=NOW
        )
