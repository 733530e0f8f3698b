"""Deadline rows: computed by the engine, confirmed, overridden from a letter, moved by a fact change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from api.audit.models import CaseEvent
from api.cases import service
from api.cases.errors import AccessDenied
from api.deadlines import service as deadlines
from api.deadlines.errors import DeadlineInputError
from api.deadlines.models import CaseDeadline, DeadlineState
from api.reminders.models import Reminder, ReminderState
from api.reminders.planning import PolicyInputError, change_timezone
from api.settings import Settings
from tests.api.cases.builders import CICA_FACTS, NOW, TODAY, World, actor, new_case, start


def _cica_case(session: Session, settings: Settings, world: World):  # type: ignore[no-untyped-def]
    case = new_case(session, settings, world)
    start(session, settings, world, case, "uk.cica")
    service.change_facts(
        session,
        settings,
        actor(session, world.advocate),
        case,
        CICA_FACTS,
        source="advocate",
        now=NOW,
        today=TODAY,
    )
    return case


def test_every_computed_deadline_becomes_an_unconfirmed_row_with_its_explanation(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = _cica_case(db_session, cheap_settings, world)

    views = deadlines.list_deadlines(db_session, cheap_settings, actor(db_session, world.advocate), case)

    assert [v.row.rule_id for v in views] == ["UK-CICA-D1"]
    row = views[0].row
    assert row.state == DeadlineState.UNCONFIRMED
    assert row.due_on == row.computed_due == date(2027, 3, 10)
    assert row.trigger_date == date(2025, 3, 10)
    assert "2025-03-10" in row.explanation
    assert row.basis
    # Unconfirmed deadlines do not remind anyone yet.
    assert db_session.exec(select(Reminder)).all() == []


def test_confirming_plans_reminders_at_nine_local_time_and_records_the_event(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = _cica_case(db_session, cheap_settings, world)
    row = deadlines.list_deadlines(db_session, cheap_settings, actor(db_session, world.advocate), case)[0].row

    deadlines.confirm_deadline(
        db_session, cheap_settings, actor(db_session, world.advocate), case, row.public_id, now=NOW
    )

    db_session.refresh(row)
    assert row.state == DeadlineState.CONFIRMED
    assert row.confirmed_due == date(2027, 3, 10)
    reminders = db_session.exec(select(Reminder).order_by(col(Reminder.due_at))).all()
    assert {r.days_before for r in reminders} == {60, 30, 14, 7, 2, 1, 0}
    # 2027-03-10 is in London winter time: 09:00 local is 09:00 UTC.
    on_the_day = [r for r in reminders if r.days_before == 0]
    assert {r.due_at for r in on_the_day} == {datetime(2027, 3, 10, 9, tzinfo=UTC)}
    events = db_session.exec(select(CaseEvent.action).where(CaseEvent.action == "deadline.confirmed")).all()
    assert events == ["deadline.confirmed"]

    # Confirming again plans nothing twice.
    deadlines.confirm_deadline(
        db_session, cheap_settings, actor(db_session, world.advocate), case, row.public_id, now=NOW
    )
    pending = db_session.exec(select(Reminder).where(Reminder.state == ReminderState.PENDING.value)).all()
    assert len(pending) == len(reminders)


def test_reminders_follow_daylight_saving_time(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = _cica_case(db_session, cheap_settings, world)
    row = deadlines.list_deadlines(db_session, cheap_settings, actor(db_session, world.advocate), case)[0].row
    # A date from a letter in British Summer Time: 09:00 in London is 08:00 UTC.
    deadlines.override_deadline(
        db_session,
        cheap_settings,
        actor(db_session, world.advocate),
        case,
        row.public_id,
        due=date(2027, 7, 1),
        reason="CICA letter of 2026-11-20 gives this review date",
        now=NOW,
    )
    times = {
        r.days_before: r.due_at for r in db_session.exec(select(Reminder).where(Reminder.state == "pending"))
    }
    assert times[0] == datetime(2027, 7, 1, 8, tzinfo=UTC)
    # 2027-03-28 is the spring change: 60 days before 1 July is 2 May (summer), 120+ days would be winter.
    assert times[60] == datetime(2027, 5, 2, 8, tzinfo=UTC)


def test_an_override_from_a_letter_wins_and_keeps_its_reason_encrypted(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = _cica_case(db_session, cheap_settings, world)
    advocate = actor(db_session, world.advocate)
    row = deadlines.list_deadlines(db_session, cheap_settings, advocate, case)[0].row
    reason = "Decision letter dated 2026-11-20 states the review deadline"

    deadlines.override_deadline(
        db_session,
        cheap_settings,
        advocate,
        case,
        row.public_id,
        due=date(2027, 1, 15),
        reason=reason,
        now=NOW,
    )

    view = deadlines.list_deadlines(db_session, cheap_settings, advocate, case)[0]
    assert view.row.due_on == date(2027, 1, 15)
    assert view.row.computed_due == date(2027, 3, 10)
    assert view.override_reason == reason
    assert view.row.override_reason_encrypted is not None
    assert reason.encode() not in view.row.override_reason_encrypted
    assert db_session.exec(select(CaseEvent).where(CaseEvent.action == "deadline.overridden")).first()
    # A fact change that moves the computed date does not displace the letter's date.
    service.change_facts(
        db_session,
        cheap_settings,
        advocate,
        case,
        {"incident.date": "2025-03-20"},
        source="advocate",
        now=NOW,
        today=TODAY,
    )
    db_session.refresh(view.row)
    assert view.row.due_on == date(2027, 1, 15)
    assert view.row.computed_due == date(2027, 3, 20)
    assert view.row.state == DeadlineState.CONFIRMED


def test_an_override_needs_a_reason(db_session: Session, cheap_settings: Settings, world: World) -> None:
    case = _cica_case(db_session, cheap_settings, world)
    advocate = actor(db_session, world.advocate)
    row = deadlines.list_deadlines(db_session, cheap_settings, advocate, case)[0].row
    with pytest.raises(DeadlineInputError) as caught:
        deadlines.override_deadline(
            db_session,
            cheap_settings,
            advocate,
            case,
            row.public_id,
            due=date(2027, 1, 15),
            reason="  ",
            now=NOW,
        )
    assert caught.value.field == "reason"
    db_session.refresh(row)
    assert row.override_due is None


def test_a_fact_change_that_moves_a_confirmed_deadline_asks_for_confirmation_again(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = _cica_case(db_session, cheap_settings, world)
    advocate = actor(db_session, world.advocate)
    row = deadlines.list_deadlines(db_session, cheap_settings, advocate, case)[0].row
    deadlines.confirm_deadline(db_session, cheap_settings, advocate, case, row.public_id, now=NOW)
    planned = len(db_session.exec(select(Reminder)).all())

    service.change_facts(
        db_session,
        cheap_settings,
        advocate,
        case,
        {"incident.date": "2025-03-20"},
        source="advocate",
        now=NOW,
        today=TODAY,
    )

    view = deadlines.list_deadlines(db_session, cheap_settings, advocate, case)[0]
    assert view.row.state == DeadlineState.MOVED
    assert view.moved
    assert (view.row.previous_due, view.row.computed_due) == (date(2027, 3, 10), date(2027, 3, 20))
    states = db_session.exec(select(Reminder.state)).all()
    assert states == [ReminderState.CANCELLED.value] * planned

    deadlines.confirm_deadline(
        db_session, cheap_settings, advocate, case, view.row.public_id, now=NOW + timedelta(minutes=1)
    )
    fresh = db_session.exec(select(Reminder).where(Reminder.state == ReminderState.PENDING.value)).all()
    assert len(fresh) == planned
    assert {r.due_at.date() for r in fresh if r.days_before == 0} == {date(2027, 3, 20)}


def test_a_deadline_whose_rule_no_longer_applies_is_gone(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = _cica_case(db_session, cheap_settings, world)
    advocate = actor(db_session, world.advocate)
    service.change_facts(
        db_session,
        cheap_settings,
        advocate,
        case,
        {"incident.date": None},
        source="advocate",
        now=NOW,
        today=TODAY,
    )
    assert deadlines.list_deadlines(db_session, cheap_settings, advocate, case) == []
    rows = db_session.exec(select(CaseDeadline)).all()
    assert [r.state for r in rows] == [DeadlineState.GONE]


def test_only_caseworkers_confirm(db_session: Session, cheap_settings: Settings, world: World) -> None:
    case = _cica_case(db_session, cheap_settings, world)
    row = deadlines.list_deadlines(db_session, cheap_settings, actor(db_session, world.advocate), case)[0].row
    from api.cases.sharing import share_case

    share_case(
        db_session, actor(db_session, world.advocate), case, lawyer_user_id=world.lawyer.id or 0, now=NOW
    )
    with pytest.raises(AccessDenied):
        deadlines.confirm_deadline(
            db_session, cheap_settings, actor(db_session, world.lawyer), case, row.public_id, now=NOW
        )


def test_a_new_time_zone_moves_pending_reminders_to_the_same_local_hour(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    """An organisation set up in London by mistake works in New York: its pending reminders move
    from 09:00 London to 09:00 New York; a reminder already sent keeps its instant; a name that is
    not a time zone changes nothing."""
    case = _cica_case(db_session, cheap_settings, world)
    row = deadlines.list_deadlines(db_session, cheap_settings, actor(db_session, world.advocate), case)[0].row
    deadlines.confirm_deadline(
        db_session, cheap_settings, actor(db_session, world.advocate), case, row.public_id, now=NOW
    )
    sent = db_session.exec(select(Reminder).where(Reminder.days_before == 60)).first()
    assert sent is not None
    sent.state = ReminderState.SENT.value
    db_session.add(sent)
    db_session.commit()
    organisation_id = world.home.id
    assert organisation_id is not None

    with pytest.raises(PolicyInputError, match="not a time zone"):
        change_timezone(db_session, organisation_id, "Mars/Olympus_Mons")
    moved = change_timezone(db_session, organisation_id, "America/New_York")
    db_session.commit()

    assert moved == 6
    pending = {
        r.days_before: r.due_at
        for r in db_session.exec(select(Reminder).where(Reminder.state == ReminderState.PENDING.value))
    }
    # 10 March 2027 is before the US change to summer time (14 March): New York is UTC-5.
    assert pending[0] == datetime(2027, 3, 10, 14, tzinfo=UTC)
    assert pending[7] == datetime(2027, 3, 3, 14, tzinfo=UTC)
    db_session.refresh(sent)
    assert sent.due_at == datetime(2027, 1, 9, 9, tzinfo=UTC)  # still London's 09:00
    db_session.refresh(world.home)
    assert world.home.timezone == "America/New_York"


def test_a_change_that_moves_no_deadline_leaves_rows_in_step_and_mends_the_others(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    """Rows are only looked at as values when nothing moved; a row out of step still gets fixed."""
    case = _cica_case(db_session, cheap_settings, world)
    advocate = actor(db_session, world.advocate)
    (row,) = db_session.exec(select(CaseDeadline)).all()
    before = row.model_dump()

    # An answer that moves no deadline writes nothing to the rows
    service.change_facts(
        db_session, cheap_settings, advocate, case, {"police.crime_reference": "OTTER-1234-KESTREL"},
        source="advocate", now=NOW + timedelta(hours=1), today=TODAY,
    )  # fmt: skip
    db_session.refresh(row)
    assert row.model_dump() == before

    # A row out of step (worded by an older definition, and gone) is mended by the next change
    row.label = "Wording of an older definition"
    row.state = DeadlineState.GONE.value
    db_session.add(row)
    db_session.commit()
    later = NOW + timedelta(hours=2)
    service.change_facts(
        db_session, cheap_settings, advocate, case, {"police.crime_reference": "OTTER-5678-KESTREL"},
        source="advocate", now=later, today=TODAY,
    )  # fmt: skip
    db_session.refresh(row)
    assert (row.label, row.state, row.updated_at) == (before["label"], DeadlineState.UNCONFIRMED, later)
    assert row.due_on == before["due_on"]
