"""Facts: typed round trips, "don't know", all-or-nothing validation, history and change reports."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session, col, func, select

from api.audit.models import CaseEvent
from api.cases import facts_store, service
from api.cases.errors import AccessDenied, CaseInputError, CaseNotFound, ConcurrentChange, FactInputError
from api.cases.models import Application, ApplicationStatus, CaseFact, LegalCase
from api.cases.schemas import ChangeReport
from api.cases.sharing import share_case
from api.security.crypto import new_data_key
from api.settings import Settings
from tests.api.cases.builders import CICA_FACTS, NOW, TODAY, World, actor, id_of, new_case, start
from workflows.facts import FactDictionary, FactSpec, Sensitivity, default_fact_dictionary
from workflows.types import FactType, Money

LATER = NOW + timedelta(hours=2)


def _change(
    session: Session,
    settings: Settings,
    world: World,
    case: LegalCase,
    raw: dict[str, object],
    *,
    source: str = "advocate",
    now: datetime = NOW,
) -> ChangeReport:
    advocate = actor(session, world.advocate)
    return service.change_facts(session, settings, advocate, case, raw, source=source, now=now, today=TODAY)


def _rows(session: Session, case: LegalCase, key: str) -> list[CaseFact]:
    return list(
        session.exec(
            select(CaseFact)
            .where(CaseFact.case_id == case.id, CaseFact.key == key)
            .order_by(col(CaseFact.id))
        ).all()
    )


def _count(session: Session, model: type[CaseFact] | type[CaseEvent]) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_facts_come_back_typed_with_who_gave_them_and_when(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    report = _change(db_session, cheap_settings, world, case, CICA_FACTS, source="survivor")
    assert set(report.changed_keys) == set(CICA_FACTS)

    facts = service.read_facts(db_session, cheap_settings, case)
    assert facts["person.date_of_birth"].value == date(1995, 4, 12)
    assert facts["exploitation.types"].value == ("labour",)
    assert facts["exploitation.jurisdiction"].value == "GB-ENG"
    assert facts["police.reported"].value is True
    assert facts["police.crime_reference"].value == "ZEBRA-4471-QUOKKA"
    record = facts["incident.date"]
    assert (record.source, record.given_by_user_id, record.given_at, record.is_unknown) == (
        "survivor",
        id_of(world.advocate),
        NOW,
        False,
    )
    # Sensitive facts are stored encrypted only; the one general fact is plain JSON
    for row in db_session.exec(select(CaseFact).where(CaseFact.case_id == case.id)).all():
        if row.key == "person.preferred_language":
            assert row.value_plain == '"ro"'
            assert row.value_encrypted is None
        else:
            assert row.value_plain is None
            assert row.value_encrypted is not None


def test_every_value_type_survives_storage(world: World) -> None:
    """Money, numbers, lists and dates go to JSON text, through encryption, and back typed."""
    specs = {
        "test.amount": FactSpec(
            key="test.amount",
            type=FactType.MONEY,
            label="Amount",
            sensitivity=Sensitivity.SENSITIVE,
            survivor_visible=True,
        ),
        "test.hours": FactSpec(
            key="test.hours",
            type=FactType.NUMBER,
            label="Hours",
            sensitivity=Sensitivity.GENERAL,
            survivor_visible=True,
        ),
        "test.when": FactSpec(
            key="test.when",
            type=FactType.DATE,
            label="When",
            sensitivity=Sensitivity.PERSONAL,
            survivor_visible=True,
        ),
        "test.kinds": FactSpec(
            key="test.kinds",
            type=FactType.LIST,
            label="Kinds",
            options={"a": "A", "b": "B"},
            sensitivity=Sensitivity.SENSITIVE,
            survivor_visible=True,
        ),
    }
    dictionary = FactDictionary(specs)
    case = LegalCase(
        id=1,
        organisation_id=1,
        reference="Case Test",
        preferred_language="en",
        jurisdiction="GB-ENG",
        wrapped_data_key="unused here",
        created_at=NOW,
        updated_at=NOW,
    )
    key = new_data_key()
    values = {
        "test.amount": Money(Decimal("1234.50"), "GBP"),
        "test.hours": Decimal("37.5"),
        "test.when": date(2024, 2, 29),
        "test.kinds": ("b", "a"),
    }
    for fact_key, value in values.items():
        row = facts_store.encode(
            dictionary, case, key, facts_store.NewValue(fact_key, value, "document", None), NOW
        )
        assert (row.value_plain is None) == dictionary.get(fact_key).encrypted
        assert facts_store.decode(dictionary, case, key, row).value == value
    assert facts_store.to_json_value(values["test.amount"]) == {"amount": "1234.50", "currency": "GBP"}


def test_dont_know_is_an_answer(db_session: Session, cheap_settings: Settings, world: World) -> None:
    case = new_case(db_session, cheap_settings, world)
    cica = start(db_session, cheap_settings, world, case, "uk.cica")
    report = _change(db_session, cheap_settings, world, case, {"person.date_of_birth": None})
    # The interview moves past it, and it is stored as unknown, with no value at all
    assert report.applications[0].next_question == "person.british_citizen"
    record = service.read_facts(db_session, cheap_settings, case)["person.date_of_birth"]
    assert record.is_unknown
    assert record.value is None
    (row,) = _rows(db_session, case, "person.date_of_birth")
    assert row.value_encrypted is None
    assert row.value_plain is None
    assert (
        "person.date_of_birth"
        in service.evaluate_application(db_session, cheap_settings, case, cica, today=TODAY).missing
    )


def test_a_bad_value_saves_nothing_and_names_every_bad_field(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    # Given a case with an application and some answers
    case = new_case(db_session, cheap_settings, world)
    application = start(db_session, cheap_settings, world, case, "uk.cica")
    _change(db_session, cheap_settings, world, case, {"incident.date": "2025-03-10"})
    rows_before, events_before = _count(db_session, CaseFact), _count(db_session, CaseEvent)
    db_session.refresh(application)
    progress_before = application.progress_answered
    # When good values come with a wrong type and an unknown key
    raw: dict[str, object] = {
        "police.reported": True,
        "person.date_of_birth": "12/04/1995",
        "police.crime_referense": "X",
        "incident.date": "2025-05-01",
    }
    with pytest.raises(FactInputError) as caught:
        _change(db_session, cheap_settings, world, case, raw, now=LATER)
    # Then every bad field is named, with what is wrong
    error = caught.value
    assert error.key == "person.date_of_birth"
    assert "YYYY-MM-DD" in error.message
    assert set(error.errors) == {"person.date_of_birth", "police.crime_referense"}
    assert "did you mean police.crime_reference?" in error.errors["police.crime_referense"]
    # and nothing at all was saved: no rows, no events, the old value current, progress as it was
    db_session.rollback()
    assert (_count(db_session, CaseFact), _count(db_session, CaseEvent)) == (rows_before, events_before)
    assert service.read_facts(db_session, cheap_settings, case)["incident.date"].value == date(2025, 3, 10)
    db_session.refresh(application)
    assert application.progress_answered == progress_before


def test_dates_out_of_order_blame_the_field_being_changed(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    _change(db_session, cheap_settings, world, case, {"person.date_of_birth": "1995-04-12"})
    # An incident before the birth: the incident is at fault
    with pytest.raises(FactInputError) as caught:
        _change(db_session, cheap_settings, world, case, {"incident.date": "1990-01-01"})
    assert caught.value.key == "incident.date"
    # A birth after the stored incident: the date of birth being changed is at fault
    _change(db_session, cheap_settings, world, case, {"incident.date": "2025-03-10"})
    with pytest.raises(FactInputError) as caught:
        _change(db_session, cheap_settings, world, case, {"person.date_of_birth": "2026-01-01"})
    assert caught.value.key == "person.date_of_birth"
    assert "2025-03-10" in caught.value.message
    # A future date for a past-only fact
    with pytest.raises(FactInputError, match="after today"):
        _change(
            db_session,
            cheap_settings,
            world,
            case,
            {"incident.date": (TODAY + timedelta(days=1)).isoformat()},
        )


def test_a_bad_source_is_refused(db_session: Session, cheap_settings: Settings, world: World) -> None:
    case = new_case(db_session, cheap_settings, world)
    with pytest.raises(CaseInputError) as caught:
        _change(db_session, cheap_settings, world, case, {"police.reported": True}, source="neighbour")
    assert caught.value.field == "source"


def test_changing_an_answer_keeps_history_and_reports_what_changed(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    """police.reported true → false keeps the report date, now unused, and its deadline goes."""
    # Given a child injured at 14, first reported to the police after turning 18 (UK-CICA-D2b)
    case = new_case(db_session, cheap_settings, world)
    nrm = start(db_session, cheap_settings, world, case, "uk.nrm")
    cica = start(db_session, cheap_settings, world, case, "uk.cica")
    child: dict[str, object] = {
        "person.date_of_birth": "2006-01-15",
        "incident.date": "2020-06-01",
        "police.reported": True,
        "police.first_report_date": "2025-02-01",
        "police.crime_reference": "ZEBRA-4471-QUOKKA",
    }
    first = _change(db_session, cheap_settings, world, case, child)
    cica_first = next(a for a in first.applications if a.workflow_id == "uk.cica")
    assert [(d.id, d.new_due) for d in cica_first.deadlines_added] == [("UK-CICA-D2b", date(2027, 2, 1))]
    db_session.refresh(case)
    assert case.next_deadline_on == date(2027, 2, 1)
    assert case.updated_at == NOW

    # When the report date is corrected, the deadline moves
    moved = _change(
        db_session, cheap_settings, world, case, {"police.first_report_date": "2025-03-01"}, now=LATER
    )
    cica_moved = next(a for a in moved.applications if a.workflow_id == "uk.cica")
    assert [(d.id, d.old_due, d.new_due) for d in cica_moved.deadlines_moved] == [
        ("UK-CICA-D2b", date(2027, 2, 1), date(2027, 3, 1))
    ]
    assert cica_moved.changed
    nrm_moved = next(a for a in moved.applications if a.workflow_id == "uk.nrm")
    assert not nrm_moved.changed  # the NRM does not use the police report
    # and the old value is kept as history, superseded, not deleted
    old, current = _rows(db_session, case, "police.first_report_date")
    assert old.superseded_at == LATER
    assert current.superseded_at is None

    # When the crime turns out not to have been reported after all
    later_still = LATER + timedelta(hours=1)
    report = _change(db_session, cheap_settings, world, case, {"police.reported": False}, now=later_still)
    assert report.changed_keys == ("police.reported",)
    changes = next(a for a in report.applications if a.workflow_id == "uk.cica")
    # Then the report date is kept but unused, its deadline is removed, and CICA blocks
    assert "police.first_report_date" in changes.became_unused
    assert "police.crime_reference" in changes.unused
    assert [(d.id, d.old_due, d.new_due) for d in changes.deadlines_removed] == [
        ("UK-CICA-D2b", date(2027, 3, 1), None)
    ]
    assert [o.id for o in changes.outcomes_added] == ["not_reported_to_police"]
    assert "police_report" in {item.id for item in changes.checklist_removed}
    assert changes.evaluation.blocked
    rows = _rows(db_session, case, "police.first_report_date")
    assert len(rows) == 2
    assert rows[-1].superseded_at is None
    assert service.read_facts(db_session, cheap_settings, case)["police.first_report_date"].value == date(
        2025, 3, 1
    )
    # and the cached dates follow
    db_session.refresh(case)
    db_session.refresh(cica)
    db_session.refresh(nrm)
    assert cica.next_deadline_on is None
    assert case.next_deadline_on is None
    assert case.updated_at == later_still
    assert cica.status == ApplicationStatus.IN_PROGRESS
    assert nrm.status == ApplicationStatus.IN_PROGRESS  # person.date_of_birth is an NRM question too

    # Changing it back uses the kept answers again: nothing has to be re-typed
    back = _change(db_session, cheap_settings, world, case, {"police.reported": True}, now=later_still)
    cica_back = next(a for a in back.applications if a.workflow_id == "uk.cica")
    assert [(d.id, d.new_due) for d in cica_back.deadlines_added] == [("UK-CICA-D2b", date(2027, 3, 1))]
    assert cica_back.unused == ()


def test_an_application_stays_draft_until_one_of_its_questions_is_answered(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    nrm = start(db_session, cheap_settings, world, case, "uk.nrm")
    cica = start(db_session, cheap_settings, world, case, "uk.cica")
    _change(db_session, cheap_settings, world, case, {"nrm.first_responder_org": True})
    db_session.refresh(nrm)
    db_session.refresh(cica)
    assert (nrm.status, cica.status) == (ApplicationStatus.IN_PROGRESS, ApplicationStatus.DRAFT)


def test_sending_the_same_values_again_writes_nothing(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    start(db_session, cheap_settings, world, case, "uk.cica")
    _change(db_session, cheap_settings, world, case, CICA_FACTS)
    rows, events = _count(db_session, CaseFact), _count(db_session, CaseEvent)
    report = _change(db_session, cheap_settings, world, case, CICA_FACTS, now=LATER)
    assert report.changed_keys == ()
    assert not report.applications[0].changed
    assert report.applications[0].next_question == "cica.unspent_listed_conviction"
    assert (_count(db_session, CaseFact), _count(db_session, CaseEvent)) == (rows, events)
    db_session.refresh(case)
    assert case.updated_at == NOW


def test_events_name_the_fact_never_its_value(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    _change(db_session, cheap_settings, world, case, CICA_FACTS)
    events = db_session.exec(select(CaseEvent).where(CaseEvent.action == "fact.changed")).all()
    assert {e.subject for e in events} == set(CICA_FACTS) | {"person.preferred_language"}
    assert all(e.actor_user_id == id_of(world.advocate) for e in events)
    assert not any("ZEBRA" in (e.subject or "") for e in events)


def test_a_lawyer_reads_but_does_not_write(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    # Given a case shared with the partner organisation's lawyer
    case = new_case(db_session, cheap_settings, world)
    _change(db_session, cheap_settings, world, case, {"police.reported": True})
    share_case(
        db_session,
        actor(db_session, world.advocate),
        case,
        lawyer_user_id=id_of(world.partner_lawyer),
        now=NOW,
    )
    lawyer = actor(db_session, world.partner_lawyer)
    # The lawyer can open it and read its facts
    seen = service.get_case(db_session, lawyer, case.public_id, now=NOW)
    assert service.read_facts(db_session, cheap_settings, seen)["police.reported"].value is True
    # but not change them
    with pytest.raises(AccessDenied):
        service.change_facts(
            db_session,
            cheap_settings,
            lawyer,
            seen,
            {"police.reported": False},
            source="advocate",
            now=NOW,
            today=TODAY,
        )
    assert service.read_facts(db_session, cheap_settings, case)["police.reported"].value is True
    # and another organisation's advocate does not even find it
    with pytest.raises(CaseNotFound):
        service.change_facts(
            db_session,
            cheap_settings,
            actor(db_session, world.foreign_advocate),
            case,
            {"police.reported": False},
            source="advocate",
            now=NOW,
            today=TODAY,
        )


def test_progress_and_next_deadline_are_cached_on_the_application(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    start(db_session, cheap_settings, world, case, "uk.cica")
    _change(db_session, cheap_settings, world, case, CICA_FACTS)
    (application,) = db_session.exec(select(Application)).all()
    assert application.progress_answered == 11
    assert application.next_deadline_on == date(2027, 3, 10)


def test_a_change_racing_another_saves_nothing(
    db_session: Session, cheap_settings: Settings, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests that both supersede the same answer: the second is refused, not merged."""
    case = new_case(db_session, cheap_settings, world)
    _change(db_session, cheap_settings, world, case, {"police.reported": True})
    rows, events = _count(db_session, CaseFact), _count(db_session, CaseEvent)
    # As if another request had changed the answer between this one's read and its write
    monkeypatch.setattr(facts_store, "current_rows", lambda session, case: {})
    with pytest.raises(ConcurrentChange):
        _change(db_session, cheap_settings, world, case, {"police.reported": False}, now=LATER)
    monkeypatch.undo()
    assert (_count(db_session, CaseFact), _count(db_session, CaseEvent)) == (rows, events)
    assert service.read_facts(db_session, cheap_settings, case)["police.reported"].value is True


def test_the_objects_in_hand_follow_a_change_as_the_database_does(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    """A page renders after the commit with the objects it holds (its session does not expire
    them), so the plain statements of a change must leave them as the database has them."""
    case = new_case(db_session, cheap_settings, world)
    cica = start(db_session, cheap_settings, world, case, "uk.cica")
    _change(db_session, cheap_settings, world, case, CICA_FACTS)
    with Session(db_session.get_bind(), expire_on_commit=False) as session:
        advocate = actor(session, world.advocate)
        held = service.get_case(session, advocate, case.public_id, record_view=False)
        application = service.get_application(session, advocate, held, cica.public_id)
        old_row = facts_store.current_facts(session, cheap_settings, default_fact_dictionary(), held).rows[
            "incident.date"
        ]
        service.change_facts(
            session, cheap_settings, advocate, held, {"incident.date": "2025-03-11"}, source="advocate",
            now=LATER, today=TODAY,
        )  # fmt: skip
        in_hand = (
            held.updated_at, held.next_deadline_on, application.updated_at, application.next_deadline_on,
            application.progress_answered, old_row.superseded_at,
        )  # fmt: skip
    db_session.expire_all()
    stored_case = db_session.get(LegalCase, case.id)
    stored_application = db_session.get(Application, cica.id)
    stored_old = db_session.get(CaseFact, old_row.id)
    assert stored_case is not None
    assert stored_application is not None
    assert stored_old is not None
    assert in_hand == (
        stored_case.updated_at, stored_case.next_deadline_on, stored_application.updated_at,
        stored_application.next_deadline_on, stored_application.progress_answered, stored_old.superseded_at,
    )  # fmt: skip
    assert in_hand[:4] == (LATER, date(2027, 3, 11), LATER, date(2027, 3, 11))
    assert old_row.superseded_at == LATER
