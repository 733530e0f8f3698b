"""Questions an advocate asks the survivor: only askable facts, answered only by the survivor of
the case, only while asked; answers encrypted, audited and re-evaluating the applications
(all data fictional)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Final

import pytest
from sqlmodel import Session, col, select

from api.access import Actor
from api.audit.models import CaseEvent
from api.cases import service as cases_service
from api.cases.errors import AccessDenied, CaseNotFound, FactInputError
from api.cases.models import Application, CaseFact, FactSource, LegalCase
from api.cases.survivor_access import issue_access_code, redeem_access_code
from api.settings import Settings
from api.survivor_questions import service
from api.survivor_questions.models import SurvivorQuestion
from tests.api.cases.builders import PASSPHRASE, World, actor, new_case, start
from workflows.facts import default_fact_dictionary

NOW: Final = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
TODAY: Final = date(2026, 11, 22)


@pytest.fixture
def case(db_session: Session, cheap_settings: Settings, world: World) -> LegalCase:
    return new_case(db_session, cheap_settings, world, "Case Heron")


def _survivor_of(session: Session, settings: Settings, world: World, case: LegalCase, name: str) -> Actor:
    code = issue_access_code(session, settings, actor(session, world.advocate), case, now=NOW)
    user = redeem_access_code(session, settings, code=code, passphrase=PASSPHRASE, display_name=name, now=NOW)
    session.refresh(case)
    return actor(session, user)


@pytest.fixture
def survivor(db_session: Session, cheap_settings: Settings, world: World, case: LegalCase) -> Actor:
    return _survivor_of(db_session, cheap_settings, world, case, "Mira")


def _ask(
    session: Session, settings: Settings, world: World, case: LegalCase, key: str, note: str = ""
) -> str:
    asked = service.ask(
        session, settings, actor(session, world.advocate), case, fact_key=key, note=note, now=NOW
    )
    return asked.public_id


def test_only_facts_marked_for_survivors_are_offered_and_each_is_visible_to_them() -> None:
    askable = service.askable_facts()
    assert {"incident.date", "police.reported", "person.date_of_birth"} <= {spec.key for spec in askable}
    assert all(spec.survivor_visible and spec.why for spec in askable)
    staff_only = [spec.key for spec in default_fact_dictionary().specs.values() if not spec.survivor_visible]
    assert staff_only
    assert not set(staff_only) & {spec.key for spec in askable}


def test_the_advocate_cannot_ask_a_staff_only_or_unknown_fact(
    db_session: Session, cheap_settings: Settings, world: World, case: LegalCase
) -> None:
    for key in ("nrm.first_responder_org", "account.narrative", "no.such_fact"):
        with pytest.raises(service.QuestionInputError) as refused:
            _ask(db_session, cheap_settings, world, case, key)
        assert refused.value.field == "fact"
    assert db_session.exec(select(SurvivorQuestion)).all() == []


def test_a_question_is_asked_once_until_withdrawn_and_the_note_is_encrypted(
    db_session: Session, cheap_settings: Settings, world: World, case: LegalCase, survivor: Actor
) -> None:
    first = _ask(db_session, cheap_settings, world, case, "incident.date", note="Take your time, Mira.")
    with pytest.raises(service.QuestionInputError, match="already been asked"):
        _ask(db_session, cheap_settings, world, case, "incident.date")
    row = db_session.exec(select(SurvivorQuestion)).one()
    assert row.note_encrypted is not None
    assert b"Mira" not in row.note_encrypted
    seen = service.questions(db_session, cheap_settings, survivor, case)
    assert [(q.public_id, q.spec.key, q.note, q.answered) for q in seen] == [
        (first, "incident.date", "Take your time, Mira.", False)
    ]
    assert service.counts(db_session, survivor, case) == (1, 1)

    service.withdraw(db_session, actor(db_session, world.advocate), case, first, now=NOW)
    assert service.questions(db_session, cheap_settings, survivor, case) == []
    again = _ask(db_session, cheap_settings, world, case, "incident.date")
    assert again != first
    actions = db_session.exec(select(CaseEvent.action, CaseEvent.subject).where(
        col(CaseEvent.action).startswith("survivor_question.")
    )).all()  # fmt: skip
    assert actions == [
        ("survivor_question.asked", "incident.date"),
        ("survivor_question.withdrawn", "incident.date"),
        ("survivor_question.asked", "incident.date"),
    ]


def test_the_survivors_answer_is_saved_as_theirs_encrypted_audited_and_re_evaluated(
    db_session: Session, cheap_settings: Settings, world: World, case: LegalCase, survivor: Actor
) -> None:
    application = start(db_session, cheap_settings, world, case, "uk.cica")
    answered_before = application.progress_answered
    asked = _ask(db_session, cheap_settings, world, case, "incident.date")

    report = service.answer(
        db_session,
        cheap_settings,
        survivor,
        case,
        asked,
        "2025-03-10",
        now=NOW + timedelta(hours=1),
        today=TODAY,
    )

    assert report.changed_keys == ("incident.date",)
    row = db_session.exec(
        select(CaseFact).where(CaseFact.key == "incident.date", col(CaseFact.superseded_at).is_(None))
    ).one()
    assert row.source == FactSource.SURVIVOR.value
    assert row.given_by_user_id == survivor.user_id
    assert row.value_plain is None
    assert row.value_encrypted is not None
    assert b"2025-03-10" not in row.value_encrypted
    facts = cases_service.read_facts(db_session, cheap_settings, case)
    assert facts["incident.date"].value == date(2025, 3, 10)
    db_session.refresh(application)
    assert db_session.get(Application, application.id) is not None
    assert application.progress_answered == answered_before + 1
    events = db_session.exec(
        select(CaseEvent.action, CaseEvent.actor_user_id).where(
            col(CaseEvent.action).in_(["fact.changed", "survivor_question.answered"]),
            CaseEvent.subject == "incident.date",
        )
    ).all()
    assert sorted(events) == [
        ("fact.changed", survivor.user_id),
        ("survivor_question.answered", survivor.user_id),
    ]
    (seen,) = service.questions(db_session, cheap_settings, actor(db_session, world.advocate), case)
    assert seen.answered
    assert seen.answered_at == NOW + timedelta(hours=1)
    assert service.counts(db_session, survivor, case) == (0, 1)

    # They may come back and change it, or say they don't know.
    service.answer(db_session, cheap_settings, survivor, case, asked, None, now=NOW, today=TODAY)
    assert cases_service.read_facts(db_session, cheap_settings, case)["incident.date"].is_unknown


def test_a_bad_answer_saves_nothing_and_leaves_the_question_waiting(
    db_session: Session, cheap_settings: Settings, world: World, case: LegalCase, survivor: Actor
) -> None:
    asked = _ask(db_session, cheap_settings, world, case, "incident.date")
    with pytest.raises(FactInputError):
        service.answer(db_session, cheap_settings, survivor, case, asked, "2099-01-01", now=NOW, today=TODAY)
    assert db_session.exec(select(CaseFact).where(CaseFact.key == "incident.date")).all() == []
    assert service.counts(db_session, survivor, case) == (1, 1)
    assert not db_session.exec(
        select(CaseEvent).where(CaseEvent.action == "survivor_question.answered")
    ).all()


def test_a_survivor_cannot_change_a_fact_nobody_asked_them(
    db_session: Session, cheap_settings: Settings, world: World, case: LegalCase, survivor: Actor
) -> None:
    _ask(db_session, cheap_settings, world, case, "incident.date")
    for raw in ({"police.reported": True}, {"incident.date": "2025-03-10", "police.reported": True}):
        with pytest.raises(AccessDenied):
            cases_service.change_facts(
                db_session, cheap_settings, survivor, case, raw, source="survivor", now=NOW, today=TODAY
            )
    # Nor claim to be the advocate for the one they were asked.
    with pytest.raises(AccessDenied):
        cases_service.change_facts(
            db_session, cheap_settings, survivor, case, {"incident.date": "2025-03-10"},
            source="advocate", now=NOW, today=TODAY,
        )  # fmt: skip
    assert db_session.exec(select(CaseFact).where(CaseFact.key == "police.reported")).all() == []


def test_a_withdrawn_question_cannot_be_answered(
    db_session: Session, cheap_settings: Settings, world: World, case: LegalCase, survivor: Actor
) -> None:
    asked = _ask(db_session, cheap_settings, world, case, "police.reported")
    service.withdraw(db_session, actor(db_session, world.advocate), case, asked, now=NOW)
    with pytest.raises(service.QuestionNotFound):
        service.answer(db_session, cheap_settings, survivor, case, asked, True, now=NOW, today=TODAY)
    with pytest.raises(AccessDenied):
        cases_service.change_facts(
            db_session, cheap_settings, survivor, case, {"police.reported": True},
            source="survivor", now=NOW, today=TODAY,
        )  # fmt: skip


def test_another_cases_question_cannot_be_answered_or_seen(
    db_session: Session, cheap_settings: Settings, world: World, case: LegalCase, survivor: Actor
) -> None:
    other_case = new_case(db_session, cheap_settings, world, "Case Plover")
    other_survivor = _survivor_of(db_session, cheap_settings, world, other_case, "Ilie")
    theirs = _ask(db_session, cheap_settings, world, other_case, "police.reported")
    # Through this survivor's own case, the other case's question does not exist.
    with pytest.raises(service.QuestionNotFound):
        service.answer(db_session, cheap_settings, survivor, case, theirs, True, now=NOW, today=TODAY)
    # And the other case is not theirs at all.
    with pytest.raises(CaseNotFound):
        service.answer(db_session, cheap_settings, survivor, other_case, theirs, True, now=NOW, today=TODAY)
    with pytest.raises(CaseNotFound):
        service.questions(db_session, cheap_settings, survivor, other_case)
    service.answer(db_session, cheap_settings, other_survivor, other_case, theirs, True, now=NOW, today=TODAY)
    assert cases_service.read_facts(db_session, cheap_settings, other_case)["police.reported"].value is True


def test_only_caseworkers_ask_and_withdraw(
    db_session: Session, cheap_settings: Settings, world: World, case: LegalCase, survivor: Actor
) -> None:
    asked = _ask(db_session, cheap_settings, world, case, "police.reported")
    with pytest.raises(AccessDenied):
        service.ask(db_session, cheap_settings, survivor, case, fact_key="incident.date", note="", now=NOW)
    with pytest.raises(AccessDenied):
        service.withdraw(db_session, survivor, case, asked, now=NOW)
    with pytest.raises(CaseNotFound):
        service.ask(
            db_session, cheap_settings, actor(db_session, world.foreign_advocate), case,
            fact_key="incident.date", note="", now=NOW,
        )  # fmt: skip
    with pytest.raises(service.QuestionInputError) as refused:
        _ask(
            db_session, cheap_settings, world, case, "incident.date", note="x" * (service.NOTE_MAX_LENGTH + 1)
        )
    assert refused.value.field == "note"
