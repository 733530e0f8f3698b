"""`redress demo`: fictional people and cases at different stages, through the real services."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from api.access import actor_for
from api.cases import service as cases_service
from api.cases.models import ApplicationStatus, LegalCase
from api.deadlines import service as deadlines_service
from api.demo.service import DemoRefused, load_demo
from api.orgs.service import find_user_by_email
from api.settings import Settings
from api.survivor_questions.models import SurvivorQuestion

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)


def test_demo_creates_people_and_cases_at_different_stages(
    db_session: Session, cheap_settings: Settings
) -> None:
    # When the demo is loaded into an empty database
    logins = load_demo(db_session, cheap_settings, now=NOW, today=TODAY)
    # Then there is an admin, an advocate, a partner lawyer and a survivor to sign in as
    assert [login.role for login in logins] == [
        "org admin",
        "advocate",
        "pro bono lawyer",
        "survivor (case DEMO-001)",
    ]
    cases = db_session.exec(select(LegalCase).order_by(LegalCase.reference)).all()  # type: ignore[arg-type]
    assert [case.reference for case in cases] == [
        "DEMO-001 Swallow",
        "DEMO-002 Kestrel",
        "DEMO-003 Heron",
        "DEMO-004 Wren",
        "DEMO-005 Plover",
        "DEMO-006 Lapwing",
        "DEMO-007 Egret",
    ]
    advocate = find_user_by_email(db_session, "advocate@northbridge.example")
    assert advocate is not None
    actor = actor_for(db_session, advocate)
    # And the stages differ: a running recovery period, a reconsideration clock, a late claim
    deadlines: dict[str, set[str]] = {}
    for case in cases:
        for application in cases_service.list_applications(db_session, actor, case):
            result = cases_service.evaluate_application(
                db_session, cheap_settings, case, application, today=TODAY
            )
            deadlines.setdefault(case.reference, set()).update(d.id for d in result.deadlines)
    assert "UK-NRM-D2" in deadlines["DEMO-001 Swallow"]
    assert "UK-NRM-D8" in deadlines["DEMO-003 Heron"]
    assert "UK-CICA-D1" in deadlines["DEMO-005 Plover"]
    assert "UK-ET-D1" in deadlines["DEMO-006 Lapwing"]
    assert cases[6].jurisdiction == "US-CA"
    # And the reconsideration deadline of the negative decision has been confirmed by a person
    heron = deadlines_service.list_deadlines(db_session, cheap_settings, actor, cases[2])
    assert heron
    assert all(view.row.state == "confirmed" for view in heron)
    # And the survivor is linked to their own case only
    assert cases[0].survivor_user_id is not None
    assert all(case.survivor_user_id is None for case in cases[1:])
    # And the survivor has a question waiting; the T visa has been filed
    asked = db_session.exec(select(SurvivorQuestion).where(SurvivorQuestion.case_id == cases[0].id)).all()
    assert [q.fact_key for q in asked] == ["exploitation.start_date"]
    (t_visa,) = cases_service.list_applications(db_session, actor, cases[6])
    assert t_visa.status == ApplicationStatus.FILED


def test_demo_refuses_a_database_in_use(db_session: Session, cheap_settings: Settings) -> None:
    load_demo(db_session, cheap_settings, now=NOW, today=TODAY)
    with pytest.raises(DemoRefused, match="already set up"):
        load_demo(db_session, cheap_settings, now=NOW, today=TODAY)


def test_demo_refuses_production(db_session: Session, cheap_settings: Settings) -> None:
    production = cheap_settings.model_copy(update={"environment": "production"})
    with pytest.raises(DemoRefused, match="production"):
        load_demo(db_session, production, now=NOW, today=TODAY)
