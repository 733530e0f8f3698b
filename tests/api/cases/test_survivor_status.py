"""The survivor's own case as the status page reads it: one statement, the view checked and
recorded, and a key for what may be kept that moves with every input (data fictional)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from api.access import Actor
from api.audit.models import CaseEvent
from api.cases import service
from api.cases.errors import CaseNotFound
from api.cases.models import LegalCase
from api.cases.survivor_access import issue_access_code, redeem_access_code
from api.cases.survivor_status import DerivedMemo, OwnCase, read_own_case
from api.messages import service as messages
from api.orgs.models import Role, User
from api.settings import Settings
from tests.api.cases.builders import CICA_FACTS, NOW, PASSPHRASE, TODAY, World, actor, new_case
from tests.sql_recording import recorded_statements


@pytest.fixture
def survivor(db_session: Session, cheap_settings: Settings, world: World) -> tuple[LegalCase, User]:
    """A case with uk.cica and its answers, and the survivor who redeemed its code."""
    case = new_case(db_session, cheap_settings, world)
    advocate = actor(db_session, world.advocate)
    service.start_application(db_session, cheap_settings, advocate, case, "uk.cica", now=NOW, today=TODAY)
    service.change_facts(
        db_session, cheap_settings, advocate, case, CICA_FACTS, source="advocate", now=NOW, today=TODAY
    )
    code = issue_access_code(db_session, cheap_settings, advocate, case, now=NOW)
    user = redeem_access_code(
        db_session, cheap_settings, code=code, passphrase=PASSPHRASE, display_name="Rosa", now=NOW
    )
    return case, user


def views(session: Session, case: LegalCase) -> int:
    session.expire_all()
    return len(
        session.exec(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.action == "case.viewed")
        ).all()
    )


def own(session: Session, user: User, now: datetime = NOW) -> OwnCase:
    found = read_own_case(session, actor(session, user), now=now)
    assert found is not None
    return found


def test_the_own_case_is_read_in_one_statement_and_the_view_recorded(
    db_session: Session, survivor: tuple[LegalCase, User], world: World
) -> None:
    case, user = survivor
    before = views(db_session, case)
    reader = actor(db_session, user)
    with recorded_statements(db_session.get_bind()) as statements:
        found = read_own_case(db_session, reader, now=NOW)

    assert found is not None
    assert found.case.id == case.id
    assert [a.workflow_id for a in found.applications] == ["uk.cica"]
    assert found.advocate_name == world.advocate.display_name
    assert found.today == NOW.date()
    assert [s.sql.split()[0] for s in statements] == ["SELECT", "INSERT"]
    assert views(db_session, case) == before + 1


def test_the_unread_count_is_of_the_advocates_messages_not_yet_read(
    db_session: Session, cheap_settings: Settings, survivor: tuple[LegalCase, User], world: World
) -> None:
    case, user = survivor
    assert own(db_session, user).unread_messages == 0

    messages.send(db_session, cheap_settings, actor(db_session, world.advocate), case, "Call me.", now=NOW)
    messages.send(db_session, cheap_settings, actor(db_session, user), case, "Will do.", now=NOW)
    assert own(db_session, user).unread_messages == 1

    messages.read_conversation(db_session, cheap_settings, actor(db_session, user), case, now=NOW)
    assert own(db_session, user).unread_messages == 0


def test_someone_the_policy_refuses_reads_nothing_and_nothing_is_recorded(
    db_session: Session, survivor: tuple[LegalCase, User]
) -> None:
    case, user = survivor
    assert user.id is not None
    before = views(db_session, case)
    # The survivor's user, without the survivor role in the case's organisation.
    no_role = Actor.of(user.id, {case.organisation_id: Role.LAWYER})

    with pytest.raises(CaseNotFound):
        read_own_case(db_session, no_role, now=NOW)

    assert views(db_session, case) == before


def test_an_account_without_a_case_reads_none(
    db_session: Session, survivor: tuple[LegalCase, User], world: World
) -> None:
    assert read_own_case(db_session, actor(db_session, world.advocate), now=NOW) is None


def test_the_derived_key_moves_with_every_fact_change_application_and_day(
    db_session: Session, cheap_settings: Settings, survivor: tuple[LegalCase, User], world: World
) -> None:
    case, user = survivor
    advocate = actor(db_session, world.advocate)
    keys = [own(db_session, user).derived_key]
    assert own(db_session, user).derived_key == keys[0]  # nothing changed: the same key

    def changed(facts: dict[str, object]) -> None:
        service.change_facts(
            db_session, cheap_settings, advocate, case, facts, source="advocate", now=NOW, today=TODAY
        )
        keys.append(own(db_session, user).derived_key)

    changed({"incident.date": "2025-03-11"})
    changed({"incident.date": "2025-03-10"})  # back to a value it had: still a new key
    changed({"police.crime_reference": None})  # to "don't know"
    service.start_application(db_session, cheap_settings, advocate, case, "uk.nrm", now=NOW, today=TODAY)
    keys.append(own(db_session, user).derived_key)
    keys.append(own(db_session, user, NOW + timedelta(days=1)).derived_key)

    assert len(set(keys)) == len(keys)


def test_the_day_is_the_organisations(db_session: Session, survivor: tuple[LegalCase, User]) -> None:
    _case, user = survivor
    # 23:30 UTC in British Summer Time is already tomorrow in London, the organisation's zone.
    late = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)

    assert own(db_session, user, late).today == late.date() + timedelta(days=1)


def test_the_memo_keeps_the_newest_entries_for_a_while() -> None:
    memo: DerivedMemo[str] = DerivedMemo(entries=2)
    derived: list[str] = []

    def derive(value: str) -> str:
        derived.append(value)
        return value

    assert memo.get("a", lambda: derive("a")) == "a"
    assert memo.get("a", lambda: derive("again")) == "a"
    memo.get("b", lambda: derive("b"))
    memo.get("a", lambda: derive("again"))  # a is now the newest
    memo.get("c", lambda: derive("c"))  # b goes
    assert memo.get("b", lambda: derive("b again")) == "b again"
    assert derived == ["a", "b", "c", "b again"]
    assert len(memo) == 2

    expired: DerivedMemo[str] = DerivedMemo(max_age_seconds=0.0)
    expired.get("a", lambda: "first")
    assert expired.get("a", lambda: "second") == "second"
