"""The survivor's status page is never stale: what a process keeps between views (the engine's
results and the answers, :data:`web.routes.survivor._DERIVED`) gives way at once to a changed
fact, a new application, a date entered from a letter, another language and a new day; and
every view is still access-checked and recorded in the case's audit trail (data fictional)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.audit.models import CaseEvent
from api.cases import service as cases_service
from api.cases.models import LegalCase
from api.cases.survivor_access import issue_access_code
from api.deadlines import service as deadlines_service
from api.survivor_questions import service as survivor_questions
from tests.api.cases.builders import actor, new_case
from tests.sql_recording import recorded_statements
from tests.web import test_survivor_pages as pages
from tests.web.test_survivor_pages import TODAY, Setting, post
from web.i18n import local_long_date, translate
from web.routes import survivor as survivor_routes

# The survivor pages' fixtures, shared (pytest finds fixtures by name in this module).
fast_settings = pages.fast_settings
app_client = pages.app_client
world = pages.world
setting = pages.setting
survivor_client = pages.survivor_client

CICA_LIMIT = "Apply to CICA (two-year limit)"
CICA_DATE = "<strong>14 September 2027</strong>: " + CICA_LIMIT


@pytest.fixture(autouse=True)
def forget_derived() -> None:
    """Each test starts with nothing kept (what a test keeps cannot help another)."""
    survivor_routes._DERIVED.clear()


def change(setting: Setting, facts: dict[str, object]) -> None:
    cases_service.change_facts(
        setting.session,
        setting.settings,
        actor(setting.session, setting.world.advocate),
        setting.case,
        facts,
        source="advocate",
        now=datetime.now(UTC),
        today=TODAY,
    )


def viewed_events(session: Session, case: LegalCase) -> list[CaseEvent]:
    session.expire_all()
    return list(
        session.exec(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.action == "case.viewed")
        ).all()
    )


def cica_deadline(setting: Setting) -> deadlines_service.DeadlineView:
    views = deadlines_service.list_deadlines(
        setting.session, setting.settings, actor(setting.session, setting.world.advocate), setting.case
    )
    return next(view for view in views if view.row.label == CICA_LIMIT)


@pytest.fixture
def evaluations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the engine evaluated the case's applications (one entry per call)."""
    calls: list[int] = []
    real = cases_service.evaluate_applications

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(cases_service, "evaluate_applications", counted)
    return calls


def test_a_repeat_view_of_unchanged_facts_is_not_evaluated_again(
    survivor_client: TestClient, setting: Setting, evaluations: list[int]
) -> None:
    first = survivor_client.get("/survivor").text
    second = survivor_client.get("/survivor").text

    for html in (first, second):
        assert CICA_DATE in html
        assert "19 July 1994" in html
        assert "<dd>Your advocate is preparing it</dd>" in html
    assert len(evaluations) == 1


def test_a_changed_fact_shows_on_the_next_view(
    survivor_client: TestClient, setting: Setting, evaluations: list[int]
) -> None:
    assert "19 July 1994" in survivor_client.get("/survivor").text

    change(setting, {"person.date_of_birth": "1994-07-20", "incident.date": "2025-10-01"})
    html = survivor_client.get("/survivor").text

    assert "20 July 1994" in html
    assert "19 July 1994" not in html
    # The legal date moved with the incident date: the old one is gone.
    assert "<strong>1 October 2027</strong>: " + CICA_LIMIT in html
    assert "14 September 2027" not in html
    assert len(evaluations) == 2


def test_a_fact_changed_to_unknown_shows_on_the_next_view(
    survivor_client: TestClient, setting: Setting
) -> None:
    assert "Albania (AL)" in survivor_client.get("/survivor").text

    change(setting, {"person.nationality": None})
    html = survivor_client.get("/survivor").text

    assert "Albania (AL)" not in html


def test_a_new_application_shows_on_the_next_view(survivor_client: TestClient, setting: Setting) -> None:
    heading = "Help with the cost of legal advice"
    assert heading not in survivor_client.get("/survivor").text

    cases_service.start_application(
        setting.session,
        setting.settings,
        actor(setting.session, setting.world.advocate),
        setting.case,
        "uk.legal_aid",
        now=datetime.now(UTC),
        today=TODAY,
    )
    html = survivor_client.get("/survivor").text

    assert heading in html
    assert "To get help with paying for legal advice." in html


def test_a_confirmed_date_stays_and_a_date_from_a_letter_wins_on_the_next_view(
    survivor_client: TestClient, setting: Setting
) -> None:
    advocate = actor(setting.session, setting.world.advocate)
    now = datetime.now(UTC)
    assert CICA_DATE in survivor_client.get("/survivor").text
    deadline = cica_deadline(setting)

    deadlines_service.confirm_deadline(
        setting.session, setting.settings, advocate, setting.case, deadline.row.public_id, now=now
    )
    assert CICA_DATE in survivor_client.get("/survivor").text

    deadlines_service.override_deadline(
        setting.session,
        setting.settings,
        advocate,
        setting.case,
        deadline.row.public_id,
        due=date(2027, 8, 31),
        reason="CICA letter of 2 March 2026",
        now=now,
    )
    html = survivor_client.get("/survivor").text
    assert "<strong>31 August 2027</strong>: " + CICA_LIMIT in html
    assert "14 September 2027" not in html

    # A fact change that moves the computed date does not move the date from the letter.
    change(setting, {"incident.date": "2025-10-01"})
    html = survivor_client.get("/survivor").text
    assert "<strong>31 August 2027</strong>: " + CICA_LIMIT in html
    assert "1 October 2027" not in html


def test_another_language_shows_on_the_next_view(survivor_client: TestClient, setting: Setting) -> None:
    heading = "A claim for money for the harm done to you"
    assert heading in survivor_client.get("/survivor").text

    post(
        survivor_client, "/survivor/language", {"language": "es", "back": "/survivor"}, form_page="/survivor"
    )
    html = survivor_client.get("/survivor").text

    assert '<html lang="es"' in html
    assert translate("es", heading) != heading
    assert translate("es", heading) in html
    assert local_long_date(date(2027, 9, 14), "es") in html
    assert heading not in html


def test_a_new_day_shows_on_the_next_view(
    survivor_client: TestClient, setting: Setting, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The page's clock only (sessions keep the real one): the last day to apply, then the next.
    monkeypatch.setattr(survivor_routes, "now_utc", lambda: datetime(2027, 9, 14, 12, tzinfo=UTC))
    assert CICA_DATE in survivor_client.get("/survivor").text

    monkeypatch.setattr(survivor_routes, "now_utc", lambda: datetime(2027, 9, 15, 12, tzinfo=UTC))
    html = survivor_client.get("/survivor").text

    assert "14 September 2027" not in html


def test_the_day_is_the_organisations_not_the_servers(
    survivor_client: TestClient, setting: Setting, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 23:30 UTC on 14 September 2027 is already the 15th in London (British Summer Time).
    monkeypatch.setattr(survivor_routes, "now_utc", lambda: datetime(2027, 9, 14, 23, 30, tzinfo=UTC))

    assert "14 September 2027" not in survivor_client.get("/survivor").text


def test_every_view_is_recorded_in_the_case_audit_trail(
    survivor_client: TestClient, setting: Setting
) -> None:
    before = len(viewed_events(setting.session, setting.case))

    for _ in range(3):
        assert survivor_client.get("/survivor").status_code == 200

    events = viewed_events(setting.session, setting.case)
    assert len(events) == before + 3
    survivor_id = pages.survivor_of(setting).id
    assert {event.actor_user_id for event in events[-3:]} == {survivor_id}
    assert all(event.organisation_id == setting.case.organisation_id for event in events[-3:])


def test_a_kept_view_is_not_shown_once_the_case_is_no_longer_theirs(
    survivor_client: TestClient, setting: Setting
) -> None:
    assert "19 July 1994" in survivor_client.get("/survivor").text
    recorded = len(viewed_events(setting.session, setting.case))
    case = setting.session.get(LegalCase, setting.case.id)
    assert case is not None
    case.survivor_user_id = None
    setting.session.add(case)
    setting.session.commit()

    html = survivor_client.get("/survivor").text

    assert "There is nothing to show here." in html
    assert "19 July 1994" not in html
    assert len(viewed_events(setting.session, setting.case)) == recorded  # nothing was read


def test_views_of_other_survivors_are_kept_apart(app_client: TestClient, setting: Setting) -> None:
    # A second survivor, of the other case: each sees only their own answers.
    other_code = issue_access_code(
        setting.session,
        setting.settings,
        actor(setting.session, setting.world.advocate),
        setting.other,
        now=datetime.now(UTC),
    )
    first = TestClient(app_client.app, follow_redirects=False)
    second = TestClient(app_client.app, follow_redirects=False)
    pages.redeem(first, setting.code)
    pages.redeem(second, other_code)

    mine, theirs = first.get("/survivor").text, second.get("/survivor").text

    assert "19 July 1994" in mine
    assert "3 February 1971" not in mine
    assert "3 February 1971" in theirs
    assert "19 July 1994" not in theirs
    assert len(survivor_routes._DERIVED) == 2


def test_a_case_without_applications_shows_its_answers_and_then_its_first_application(
    app_client: TestClient, setting: Setting
) -> None:
    advocate = actor(setting.session, setting.world.advocate)
    now = datetime.now(UTC)
    case = new_case(setting.session, setting.settings, setting.world, "Case Wren")
    cases_service.change_facts(
        setting.session,
        setting.settings,
        advocate,
        case,
        {"person.date_of_birth": "1988-03-05"},
        source="advocate",
        now=now,
        today=TODAY,
    )
    code = issue_access_code(setting.session, setting.settings, advocate, case, now=now)
    pages.redeem(app_client, code)

    html = app_client.get("/survivor").text
    assert "Your advocate has not started anything yet." in html
    assert "5 March 1988" in html

    cases_service.start_application(
        setting.session, setting.settings, advocate, case, "uk.nrm", now=now, today=TODAY
    )
    html = app_client.get("/survivor").text
    assert "Your advocate has not started anything yet." not in html
    assert "Support and time to recover" in html


def test_a_repeat_view_costs_four_statements(survivor_client: TestClient, setting: Setting) -> None:
    """The status page is the one a survivor opens most (issue 6: p99 < 100 ms under load): its
    budget of statements is kept here, so that a change adding a query to every view is noticed."""
    survivor_client.get("/survivor")  # the first view derives and keeps
    engine = survivor_client.app.state.db_engine  # type: ignore[attr-defined]
    with recorded_statements(engine) as recorded:
        page = survivor_client.get("/survivor")
    statements = [statement.head for statement in recorded]

    assert "data-status-page" in page.text
    # The session with its user and memberships; the latest notices; the case with everything
    # the page shows, the question and message counts included; the view's audit event.
    assert len(statements) <= 4, statements
    assert [s for s in statements if not s.startswith("SELECT")] == ["INSERT INTO case_event"]


def test_the_questions_waiting_are_counted_on_every_view(
    survivor_client: TestClient, setting: Setting
) -> None:
    assert "/survivor/questions" not in survivor_client.get("/survivor").text  # nothing asked yet

    asked = survivor_questions.ask(
        setting.session, setting.settings, actor(setting.session, setting.world.advocate), setting.case,
        fact_key="police.reported", note="", now=datetime.now(UTC),
    )  # fmt: skip
    waiting = survivor_client.get("/survivor").text

    survivor_questions.withdraw(
        setting.session, actor(setting.session, setting.world.advocate), setting.case, asked.public_id,
        now=datetime.now(UTC),
    )  # fmt: skip
    withdrawn = survivor_client.get("/survivor").text

    assert "Waiting for your answer: 1." in waiting
    assert "/survivor/questions" not in withdrawn
