"""The audit trail: events join the caller's unit of work, and read back newest first by page."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, func, select

from api.audit.models import CaseEvent
from api.audit.service import EVENTS_PER_PAGE, case_events, insert_event, insert_events, record_event
from api.cases import service
from api.settings import Settings
from tests.api.cases.builders import NOW, World, actor, id_of, new_case


def _count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(CaseEvent)).one()


def test_an_event_is_saved_with_the_callers_commit_or_not_at_all(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    before = _count(db_session)
    # Added but rolled back with the caller's work: gone
    record_event(
        db_session, organisation_id=case.organisation_id, case_id=id_of(case), action="case.viewed", at=NOW
    )
    db_session.rollback()
    assert _count(db_session) == before
    # Added and committed by the caller: kept, as given
    event = record_event(
        db_session,
        organisation_id=case.organisation_id,
        case_id=id_of(case),
        actor_user_id=id_of(world.admin),
        action="document.generated",
        subject="cica_claim_pack",
        at=NOW,
    )
    db_session.commit()
    db_session.refresh(event)
    assert (event.action, event.subject, event.actor_user_id, event.at) == (
        "document.generated",
        "cica_claim_pack",
        id_of(world.admin),
        NOW,
    )
    # An organisation-level event has no case
    record_event(db_session, organisation_id=id_of(world.home), action="organisation.exported", at=NOW)
    db_session.commit()
    assert _count(db_session) == before + 2


@pytest.mark.parametrize(
    ("action", "at", "subject", "words"),
    [
        ("viewed", NOW, None, "area.verb"),
        ("Case.Viewed", NOW, None, "area.verb"),
        ("case.viewed", NOW.replace(tzinfo=None), None, "timezone-aware"),
        ("fact.changed", NOW, "k" * 201, "at most 200"),
    ],
)
def test_malformed_events_are_refused(
    db_session: Session, world: World, action: str, at: datetime, subject: str | None, words: str
) -> None:
    with pytest.raises(ValueError, match=words):
        record_event(db_session, organisation_id=id_of(world.home), action=action, at=at, subject=subject)
    # The same checks for events inserted at once, before anything is written
    before = _count(db_session)
    with pytest.raises(ValueError, match=words):
        insert_events(
            db_session, organisation_id=id_of(world.home), action=action, at=at, subjects=["fine", subject]
        )
    with pytest.raises(ValueError, match=words):
        insert_event(db_session, organisation_id=id_of(world.home), action=action, at=at, subject=subject)
    assert _count(db_session) == before


def test_inserted_events_are_saved_with_the_callers_commit_or_not_at_all(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    before = _count(db_session)
    insert_events(
        db_session, organisation_id=case.organisation_id, case_id=id_of(case), action="fact.changed",
        subjects=["incident.date"], at=NOW,
    )  # fmt: skip
    db_session.rollback()
    assert _count(db_session) == before
    insert_events(
        db_session, organisation_id=case.organisation_id, case_id=id_of(case),
        actor_user_id=id_of(world.admin), action="fact.changed",
        subjects=["incident.date", "police.reported"], at=NOW,
    )  # fmt: skip
    insert_events(
        db_session, organisation_id=case.organisation_id, action="fact.changed", subjects=[], at=NOW
    )
    db_session.commit()
    rows = db_session.exec(select(CaseEvent).where(CaseEvent.case_id == id_of(case))).all()
    assert [(e.action, e.subject, e.actor_user_id, e.at) for e in rows[-2:]] == [
        ("fact.changed", "incident.date", id_of(world.admin), NOW),
        ("fact.changed", "police.reported", id_of(world.admin), NOW),
    ]
    assert _count(db_session) == before + 2


def test_case_events_are_the_case_own_newest_first_by_page(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    # Given a case viewed many times, and another case
    case = new_case(db_session, cheap_settings, world, "Case One")
    other = new_case(db_session, cheap_settings, world, "Case Two")
    advocate = actor(db_session, world.advocate)
    views = EVENTS_PER_PAGE + 3
    for minute in range(views):
        service.get_case(db_session, advocate, case.public_id, now=NOW + timedelta(minutes=minute + 1))
    # When its trail is read
    first = case_events(db_session, id_of(case))
    second = case_events(db_session, id_of(case), page=2)
    # Then it holds only its own events, newest first, a page at a time
    created = 2  # case.created and the preferred language fact
    assert (first.total, first.pages, first.page) == (views + created, 2, 1)
    assert len(first.items) == EVENTS_PER_PAGE
    assert first.items[0].at == NOW + timedelta(minutes=views)
    assert [e.action for e in second.items][-2:] == ["fact.changed", "case.created"]
    assert {e.case_id for e in first.items + second.items} == {case.id}
    assert case_events(db_session, id_of(other)).total == created
    assert case_events(db_session, id_of(case), page=0).page == 1
    assert case_events(db_session, id_of(case), page=5).items == []


def test_an_inserted_event_is_saved_with_the_callers_commit_or_not_at_all(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    before = _count(db_session)
    kept = {
        "organisation_id": case.organisation_id,
        "case_id": id_of(case),
        "actor_user_id": id_of(world.admin),
    }

    insert_event(db_session, **kept, action="case.viewed", at=NOW)
    db_session.rollback()
    assert _count(db_session) == before
    insert_event(db_session, **kept, action="case.viewed", subject="status", at=NOW)
    db_session.commit()

    newest = case_events(db_session, id_of(case)).items[0]
    assert (newest.action, newest.subject, newest.actor_user_id, newest.at) == (
        "case.viewed",
        "status",
        id_of(world.admin),
        NOW,
    )
    assert _count(db_session) == before + 1
