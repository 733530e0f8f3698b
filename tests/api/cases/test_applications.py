"""The workflow catalogue, starting applications, and "tell your story once"."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from api.audit.models import CaseEvent
from api.cases import service
from api.cases.errors import AccessDenied, ApplicationError, ApplicationNotFound, CaseNotFound
from api.cases.models import ApplicationStatus
from api.cases.sharing import share_case
from api.settings import Settings
from tests.api.cases.builders import NOW, TODAY, World, actor, id_of, new_case, start
from workflows.catalogue import default_catalogue
from workflows.schema import ProcessKind


def test_the_catalogue_offers_the_definitions_of_the_case_country(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    for jurisdiction in ("GB-ENG", "GB-SCT", "GB"):
        case = new_case(db_session, cheap_settings, world, f"Case {jurisdiction}", jurisdiction=jurisdiction)
        entries = service.workflow_catalogue(case, TODAY)
        assert {e.id for e in entries} == {
            "uk.cica",
            "uk.nrm",
            "uk.vts",
            "uk.et_wages",
            "uk.civil_claim",
            "uk.stro",
            "uk.legal_aid",
            "coe.reflection_period",
        }
        cica = next(e for e in entries if e.id == "uk.cica")
        assert cica.title == "Criminal injuries compensation (CICA)"
        assert cica.summary.startswith("State compensation")
        assert cica.process_kind is ProcessKind.COMPENSATION
    us_case = new_case(db_session, cheap_settings, world, "Case US", jurisdiction="US-CA")
    assert {e.id for e in service.workflow_catalogue(us_case, TODAY)} == {
        "us.t_visa",
        "us.u_visa",
        "us.continued_presence",
        "us.restitution",
        "us.civil_1595",
        "us.state_compensation",
    }


def test_council_of_europe_and_eu_workflows_are_offered_in_their_countries(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    german = new_case(db_session, cheap_settings, world, "Case DE", jurisdiction="DE")
    assert {e.id for e in service.workflow_catalogue(german, TODAY)} == {
        "coe.reflection_period",
        "eu.residence_permit",
        "eu.cross_border_compensation",
    }
    norwegian = new_case(db_session, cheap_settings, world, "Case NO", jurisdiction="NO")
    assert {e.id for e in service.workflow_catalogue(norwegian, TODAY)} == {"coe.reflection_period"}
    application = start(db_session, cheap_settings, world, norwegian, "coe.reflection_period")
    assert application.workflow_id == "coe.reflection_period"
    with pytest.raises(ApplicationError, match="not available for cases in NO"):
        start(db_session, cheap_settings, world, norwegian, "eu.residence_permit")


def test_a_us_case_gives_its_state_to_the_workflows_that_ask_it(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world, "Case TX", jurisdiction="US-TX")
    start(db_session, cheap_settings, world, case, "us.t_visa")  # does not ask the state
    assert "us.state" not in service.read_facts(db_session, cheap_settings, case)

    start(db_session, cheap_settings, world, case, "us.state_compensation")

    record = service.read_facts(db_session, cheap_settings, case)["us.state"]
    assert record.value == "US-TX"
    assert record.source == "advocate"
    # An answer already given is kept: a crime in another state than the case's.
    other = new_case(db_session, cheap_settings, world, "Case CA", jurisdiction="US-CA")
    service.change_facts(
        db_session,
        cheap_settings,
        actor(db_session, world.advocate),
        other,
        {"us.state": "US-NY"},
        source="advocate",
        now=NOW,
        today=TODAY,
    )
    start(db_session, cheap_settings, world, other, "us.restitution")
    assert service.read_facts(db_session, cheap_settings, other)["us.state"].value == "US-NY"


def test_the_catalogue_offers_only_definitions_in_force(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    nrm_start = next(w.effective_from for w in default_catalogue() if w.id == "uk.nrm")
    offered = {e.id for e in service.workflow_catalogue(case, date(nrm_start.year - 1, 1, 1))}
    assert "uk.cica" in offered
    assert "coe.reflection_period" in offered
    assert not {"uk.nrm", "uk.vts"} & offered  # both start with NABA 2022 on 30 January 2023


def test_start_application_evaluates_at_once_and_records_the_event(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    application = start(db_session, cheap_settings, world, case, "uk.cica")

    assert application.case_id == case.id
    assert application.workflow_id == "uk.cica"
    assert application.workflow_version == default_catalogue().get("uk.cica", TODAY).version
    assert len(application.public_id) == 32
    # The preferred language, given when the case was opened, already answers one question
    assert application.progress_answered == 1
    assert application.progress_applicable > 1
    assert application.status == ApplicationStatus.DRAFT  # nobody has worked on it yet
    assert application.next_deadline_on is None  # no incident date yet
    event = db_session.exec(select(CaseEvent).where(CaseEvent.action == "application.started")).one()
    assert event.subject == application.public_id
    assert event.actor_user_id == id_of(world.advocate)
    assert service.list_applications(db_session, actor(db_session, world.advocate), case) == [application]


def test_start_application_refuses_what_is_not_in_the_catalogue_or_already_started(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    start(db_session, cheap_settings, world, case, "uk.nrm")
    with pytest.raises(ApplicationError, match="already has an application for National Referral Mechanism"):
        start(db_session, cheap_settings, world, case, "uk.nrm")
    with pytest.raises(ApplicationError, match="not available for cases in GB-ENG"):
        start(db_session, cheap_settings, world, case, "us.t_visa")
    us_case = new_case(db_session, cheap_settings, world, "Case US", jurisdiction="US-NY")
    with pytest.raises(ApplicationError, match="not available for cases in US-NY"):
        start(db_session, cheap_settings, world, us_case, "uk.cica")


def test_only_caseworkers_start_applications(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    share_case(
        db_session, actor(db_session, world.advocate), case, lawyer_user_id=id_of(world.lawyer), now=NOW
    )
    with pytest.raises(AccessDenied):
        service.start_application(
            db_session, cheap_settings, actor(db_session, world.lawyer), case, "uk.cica", now=NOW, today=TODAY
        )
    with pytest.raises(CaseNotFound):
        service.start_application(
            db_session,
            cheap_settings,
            actor(db_session, world.foreign_advocate),
            case,
            "uk.cica",
            now=NOW,
            today=TODAY,
        )


def test_a_lawyer_sees_only_the_application_shared_with_them(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    nrm = start(db_session, cheap_settings, world, case, "uk.nrm")
    cica = start(db_session, cheap_settings, world, case, "uk.cica")
    share_case(
        db_session,
        actor(db_session, world.advocate),
        case,
        lawyer_user_id=id_of(world.partner_lawyer),
        application_public_id=cica.public_id,
        now=NOW,
    )
    lawyer = actor(db_session, world.partner_lawyer)
    assert service.list_applications(db_session, lawyer, case) == [cica]
    assert service.get_application(db_session, lawyer, case, cica.public_id).id == cica.id
    with pytest.raises(ApplicationNotFound):
        service.get_application(db_session, lawyer, case, nrm.public_id)
    advocate = actor(db_session, world.advocate)
    assert service.list_applications(db_session, advocate, case) == [nrm, cica]
    with pytest.raises(ApplicationNotFound):
        service.get_application(db_session, advocate, case, "f" * 32)


def test_tell_your_story_once(db_session: Session, cheap_settings: Settings, world: World) -> None:
    """A fact answered while working on uk.nrm is not asked again by uk.cica."""
    # Given a case with both applications started
    case = new_case(db_session, cheap_settings, world)
    nrm = start(db_session, cheap_settings, world, case, "uk.nrm")
    cica = start(db_session, cheap_settings, world, case, "uk.cica")
    advocate = actor(db_session, world.advocate)
    # When the advocate answers the NRM's first questions
    nrm_answers: dict[str, object] = {
        "person.date_of_birth": "1995-04-12",
        "nrm.possibly_child": False,
        "person.nationality": "AL",
        "exploitation.jurisdiction": "GB-ENG",
        "exploitation.types": ["labour"],
    }
    report = service.change_facts(
        db_session, cheap_settings, advocate, case, nrm_answers, source="advocate", now=NOW, today=TODAY
    )
    # Then the NRM moves on to its own next question
    nrm_changes = next(a for a in report.applications if a.workflow_id == "uk.nrm")
    assert nrm_changes.next_question == "nrm.first_responder_org"
    # and CICA asks none of them again: its next question is one the NRM never asks
    evaluation = service.evaluate_application(db_session, cheap_settings, case, cica, today=TODAY)
    nrm_questions = {q.fact for q in default_catalogue().get("uk.nrm", TODAY).questions}
    assert evaluation.next_question == "person.british_citizen"
    assert evaluation.next_question not in nrm_questions
    shared = {
        "person.date_of_birth",
        "person.preferred_language",
        "exploitation.types",
        "exploitation.jurisdiction",
    }
    assert shared.isdisjoint(evaluation.missing)
    assert evaluation.answered == len(shared)
    # and both applications' cached progress counts the shared answers
    db_session.refresh(nrm)
    db_session.refresh(cica)
    assert cica.progress_answered == len(shared)
    assert nrm.progress_answered == 6  # the five above and the preferred language
