"""Erasing a case: only an admin, only with the reference typed; every row of the case goes
(facts, applications, deadlines and reminders, evidence, messages, preferences, the deletion
request), its survivor can no longer sign in, staff notices about it go, the audit trail stays
detached with a ``case.erased`` event, and on SQLite the wrapped key is gone from the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from api.audit.models import CaseEvent
from api.auth.models import UserSession
from api.auth.service import start_session
from api.cases import service
from api.cases.erasure import ERASED_NAME, erase_case, erasure_summary
from api.cases.errors import AccessDenied, CaseInputError, CaseNotFound
from api.cases.models import Application, CaseFact, LegalCase
from api.cases.sharing import share_case
from api.contact_preferences.models import ContactPreference
from api.contact_preferences.service import ContactPreferences
from api.deadlines.models import CaseDeadline
from api.evidence import service as evidence_service
from api.evidence.models import EvidenceFile
from api.messages import service as messages_service
from api.messages.models import CaseMessage
from api.orgs.models import User
from api.reminders.models import Notification, Reminder
from api.settings import Settings
from api.survivor_data import service as data_service
from api.survivor_data.models import DeletionRequest
from tests.api.cases.builders import NOW, TODAY, World, actor, id_of
from tests.api.deadlines.helpers import add_survivor, cica_case, confirm_all, set_preferences
from tests.api.evidence.images import pdf

CASE_TABLES = (Application, CaseFact, CaseDeadline, Reminder, EvidenceFile, CaseMessage, ContactPreference)


def _count(session: Session, model: type, case_id: int) -> int:
    return int(session.exec(select(func.count()).select_from(model).where(model.case_id == case_id)).one())  # type: ignore[attr-defined]


def _full_case(session: Session, settings: Settings, world: World) -> tuple[LegalCase, User]:
    """A CICA case with answers, confirmed deadlines and their reminders, a survivor with
    preferences, a file, a message each way and an open deletion request."""
    case = cica_case(session, settings, world)
    survivor = add_survivor(session, settings, world, case)
    set_preferences(
        session, settings, survivor, case, ContactPreferences(reminders_opt_in=True, in_app_safe=True)
    )
    confirm_all(session, settings, world, case)
    evidence_service.upload(
        session, settings, actor(session, survivor), case, name="payslip.pdf", content=pdf(), now=NOW
    )
    messages_service.send(session, settings, actor(session, survivor), case, "Hello", now=NOW)
    messages_service.send(session, settings, actor(session, world.advocate), case, "Hello Kes", now=NOW)
    data_service.request_deletion(session, actor(session, survivor), case, now=NOW)
    session.add(
        Notification(
            user_id=id_of(world.advocate),
            title="A reminder could not be sent: Case Kestrel",
            body="…",
            link=f"/cases/{case.public_id}/deadlines",
            created_at=NOW,
        )
    )
    session.commit()
    return case, survivor


def test_an_admin_erases_a_case_and_nothing_of_it_is_left(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case, survivor = _full_case(db_session, cheap_settings, world)
    case_id, public_id, survivor_id = id_of(case), case.public_id, id_of(survivor)
    start_session(db_session, cheap_settings, survivor, now=NOW)
    assert all(_count(db_session, model, case_id) for model in CASE_TABLES)
    admin = actor(db_session, world.admin)
    summary = erasure_summary(db_session, admin, case, today=TODAY)
    assert (summary.applications, summary.evidence_files, summary.messages) == (1, 1, 2)
    assert summary.confirmed_deadlines_ahead == 1
    assert summary.has_survivor_account

    erase_case(db_session, admin, case, confirm_reference="  Case   Kestrel ", now=NOW)

    db_session.expire_all()
    assert db_session.get(LegalCase, case_id) is None
    for model in (*CASE_TABLES, DeletionRequest):
        assert _count(db_session, model, case_id) == 0, model
    assert (
        db_session.exec(select(Notification).where(Notification.link.startswith(f"/cases/{public_id}"))).all()
        == []
    )  # type: ignore[union-attr]
    erased_survivor = db_session.get(User, survivor_id)
    assert erased_survivor is not None
    assert (erased_survivor.is_active, erased_survivor.display_name, erased_survivor.sign_in_name) == (
        False,
        ERASED_NAME,
        None,
    )
    sessions = db_session.exec(select(UserSession).where(UserSession.user_id == survivor_id)).all()
    assert sessions
    assert all(s.revoked_at is not None for s in sessions)
    # The trail stays, detached; the erasure itself is its last event.
    events = db_session.exec(select(CaseEvent).where(CaseEvent.organisation_id == id_of(world.home))).all()
    assert any(e.action == "fact.changed" and e.case_id is None for e in events)
    erased = [e for e in events if e.action == "case.erased"]
    assert len(erased) == 1
    assert (erased[0].subject, erased[0].actor_user_id) == (public_id, id_of(world.admin))
    with pytest.raises(CaseNotFound):
        service.get_case(db_session, admin, public_id, now=NOW)


@pytest.mark.parametrize("who", ["advocate", "lawyer", "foreign_advocate"])
def test_only_the_organisations_admin_may_erase(
    db_session: Session, cheap_settings: Settings, world: World, who: str
) -> None:
    case = cica_case(db_session, cheap_settings, world)
    share_case(
        db_session, actor(db_session, world.advocate), case, lawyer_user_id=id_of(world.lawyer), now=NOW
    )
    caller = actor(db_session, getattr(world, who))
    with pytest.raises((AccessDenied, CaseNotFound)):
        erase_case(db_session, caller, case, confirm_reference=case.reference, now=NOW)
    with pytest.raises((AccessDenied, CaseNotFound)):
        erasure_summary(db_session, caller, case, today=TODAY)
    assert db_session.get(LegalCase, id_of(case)) is not None


def test_a_wrong_reference_erases_nothing_and_says_what_to_type(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = cica_case(db_session, cheap_settings, world)
    with pytest.raises(CaseInputError) as refused:
        erase_case(db_session, actor(db_session, world.admin), case, confirm_reference="Case Kestre", now=NOW)
    assert refused.value.field == "confirm_reference"
    assert "Case Kestrel" in refused.value.message
    assert db_session.get(LegalCase, id_of(case)) is not None
    assert _count(db_session, CaseFact, id_of(case)) > 0


@pytest.mark.sqlite_only
def test_on_sqlite_the_wrapped_key_is_gone_from_the_database_files(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case, _survivor = _full_case(db_session, cheap_settings, world)
    wrapped = case.wrapped_data_key.encode()
    database = Path(str(db_session.get_bind().url.database))  # type: ignore[union-attr]

    def on_disk() -> bytes:
        wal = database.with_name(database.name + "-wal")
        return database.read_bytes() + (wal.read_bytes() if wal.exists() else b"")

    assert wrapped in on_disk()
    erase_case(db_session, actor(db_session, world.admin), case, confirm_reference=case.reference, now=NOW)
    db_session.close()
    assert wrapped not in on_disk()
