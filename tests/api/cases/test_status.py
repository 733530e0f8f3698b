"""Where an application and a case stand: caseworkers record the steps outside Redress, a
lawyer's review and the filing of a document move its workflow's applications forward (never
back), and closing a case stops its reminders until it is opened again."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from api.audit.models import CaseEvent
from api.cases import service as cases_service
from api.cases.errors import AccessDenied, CaseInputError
from api.cases.models import ApplicationStatus, CaseStatus
from api.cases.sharing import share_case
from api.cases.status import set_application_status, set_case_status
from api.documents import review
from api.reminders.models import Reminder, ReminderState
from api.settings import Settings
from tests.api.cases.builders import NOW, TODAY, World, actor, id_of, start
from tests.api.deadlines.helpers import cica_case, confirm_all
from tests.api.documents.programs import require_libreoffice
from tests.api.documents.test_generation import _case_with_facts, _generated


def _states(session: Session) -> dict[str, int]:
    session.expire_all()
    counts: dict[str, int] = {}
    for row in session.exec(select(Reminder)).all():
        counts[row.state] = counts.get(row.state, 0) + 1
    return counts


def test_a_caseworker_records_the_steps_outside_redress(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = cica_case(db_session, cheap_settings, world)
    advocate = actor(db_session, world.advocate)
    (application,) = cases_service.list_applications(db_session, advocate, case)
    for status in ("ready_for_review", "filed", "decided", "review_appeal", "closed", "in_progress"):
        set_application_status(db_session, advocate, case, application, status, now=NOW)
        assert application.status == status
    events = db_session.exec(
        select(CaseEvent.subject).where(CaseEvent.action == "application.status_changed")
    ).all()
    assert events[0] == f"{application.public_id}:in_progress->ready_for_review"
    assert len(events) == 6

    # "Approved" is a lawyer's word on a document; nonsense is refused too.
    for refused in ("approved", "changes_requested", "draft", "done"):
        with pytest.raises(CaseInputError, match="Choose where the application stands"):
            set_application_status(db_session, advocate, case, application, refused, now=NOW)
    lawyer = actor(db_session, world.lawyer)
    share_case(db_session, advocate, case, lawyer_user_id=id_of(world.lawyer), now=NOW)
    with pytest.raises(AccessDenied):
        set_application_status(db_session, lawyer, case, application, "filed", now=NOW)
    assert application.status == ApplicationStatus.IN_PROGRESS


def test_the_review_and_the_filing_of_a_document_move_its_application_forward_only(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    require_libreoffice()
    case = _case_with_facts(db_session, cheap_settings, world)
    application = start(db_session, cheap_settings, world, case, "uk.cica")
    nrm = start(db_session, cheap_settings, world, case, "uk.nrm")
    advocate = actor(db_session, world.advocate)
    share_case(db_session, advocate, case, lawyer_user_id=id_of(world.partner_lawyer), now=NOW)
    lawyer = actor(db_session, world.partner_lawyer)

    first = _generated(db_session, cheap_settings, world, case)  # the CICA claim pack
    review.decide(db_session, lawyer, case, first, approve=False, now=NOW)
    db_session.refresh(application)
    assert application.status == ApplicationStatus.CHANGES_REQUESTED

    second = _generated(db_session, cheap_settings, world, case)
    review.decide(db_session, lawyer, case, second, approve=True, now=NOW)
    db_session.refresh(application)
    assert application.status == ApplicationStatus.APPROVED
    review.record_filing(
        db_session,
        advocate,
        case,
        second,
        filed_on=TODAY,
        method="online",
        recipient="CICA",
        today=TODAY,
        now=NOW,
    )
    db_session.refresh(application)
    db_session.refresh(nrm)
    assert application.status == ApplicationStatus.FILED
    assert nrm.status == ApplicationStatus.DRAFT  # another workflow's document does not move it

    # A decision recorded is not taken back by a later document's review.
    set_application_status(db_session, advocate, case, application, "decided", now=NOW)
    third = _generated(db_session, cheap_settings, world, case)
    review.decide(db_session, lawyer, case, third, approve=True, now=NOW)
    db_session.refresh(application)
    assert application.status == ApplicationStatus.DECIDED


def test_closing_a_case_stops_its_reminders_and_opening_it_plans_them_again(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = cica_case(db_session, cheap_settings, world)
    confirm_all(db_session, cheap_settings, world, case)
    assert _states(db_session) == {"pending": 7}
    advocate = actor(db_session, world.advocate)

    set_case_status(db_session, cheap_settings, advocate, case, "closed", now=NOW)
    assert case.status == CaseStatus.CLOSED
    assert _states(db_session) == {ReminderState.CANCELLED.value: 7}

    set_case_status(db_session, cheap_settings, advocate, case, "open", now=NOW)
    assert case.status == CaseStatus.OPEN
    assert _states(db_session) == {"pending": 7}
    actions = db_session.exec(
        select(CaseEvent.action).where(col(CaseEvent.action).in_(["case.closed", "case.reopened"]))
    ).all()
    assert actions == ["case.closed", "case.reopened"]
    with pytest.raises(CaseInputError, match="open or closed"):
        set_case_status(db_session, cheap_settings, advocate, case, "archived", now=NOW)
    share_case(db_session, advocate, case, lawyer_user_id=id_of(world.lawyer), now=NOW)
    with pytest.raises(AccessDenied):
        set_case_status(db_session, cheap_settings, actor(db_session, world.lawyer), case, "closed", now=NOW)
