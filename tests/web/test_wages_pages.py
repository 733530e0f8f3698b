"""The minimum wage calculator page: entering pay periods, the working and its CSV, errors that
save nothing, who may do what, and the arrears reaching the Employment Tribunal application as
facts. All people and figures are fictional."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from api.audit.models import CaseEvent
from api.cases import service as cases_service
from api.cases.models import LegalCase
from api.cases.sharing import share_case
from api.settings import Settings
from tests.api.cases.builders import World, actor, make_world, new_case
from tests.web.staff_pages import browser, cheap, error_summary, location
from tests.web.test_interview_pages import csrf, sign_in
from workflows.types import Money

# The rate-change example of the calculator's tests: £264.45 + £286.20 owed.
TWO_WEEKS = {
    "rows": "2",
    "start-0": "2024-03-28",
    "end-0": "2024-04-03",
    "hours-0": "40",
    "pay-0": "200",
    "start-1": "4/4/2024",  # the UK way of writing dates works too
    "end-1": "10/4/2024",
    "hours-1": "40",
    "pay-1": "£200.00",
}


@dataclass
class Calculator:
    client: TestClient
    session: Session
    settings: Settings
    world: World
    case: LegalCase

    @property
    def url(self) -> str:
        return f"/cases/{self.case.public_id}/wages"

    def post(self, data: dict[str, str]) -> object:
        return self.client.post(self.url, data={**data, "csrf_token": csrf(self.client, self.url)})

    def facts(self) -> dict[str, object]:
        self.session.expire_all()
        return {
            k: r.value for k, r in cases_service.read_facts(self.session, self.settings, self.case).items()
        }

    def events(self, action: str) -> list[CaseEvent]:
        return list(
            self.session.exec(
                select(CaseEvent).where(CaseEvent.case_id == self.case.id, col(CaseEvent.action) == action)
            ).all()
        )


@pytest.fixture
def fast_settings(migrated_settings: Settings) -> Settings:
    return cheap(migrated_settings)


@pytest.fixture
def calculator(db_session: Session, fast_settings: Settings) -> Iterator[Calculator]:
    settings = fast_settings
    world = make_world(db_session, settings)
    case = new_case(db_session, settings, world, reference="Case Wren")
    cases_service.change_facts(
        db_session, settings, actor(db_session, world.advocate), case, {"person.date_of_birth": "1990-01-01"},
        source="advocate", now=datetime.now(UTC), today=datetime.now(UTC).date(),
    )  # fmt: skip
    with browser(settings) as client:
        sign_in(client, db_session, settings, world.advocate)
        yield Calculator(client, db_session, settings, world, case)


def test_saving_periods_shows_the_working_and_sets_the_arrears_facts(calculator: Calculator) -> None:
    page = calculator.client.get(calculator.url)
    assert page.status_code == 200
    assert "No pay periods have been entered yet." in page.text
    assert 'id="start-0"' in page.text

    response = calculator.post(TWO_WEEKS)

    assert response.status_code == 303, response.text
    assert location(response) == f"{calculator.url}?done=saved"
    page = calculator.client.get(location(response))
    assert "The pay periods are saved" in page.text
    assert "£550.65" in page.text  # total owed
    assert "£474.40" in page.text  # underpaid at the time
    assert "£10.42" in page.text
    assert "£11.44" in page.text
    assert "£12.71" in page.text
    assert 'value="2024-04-04"' in page.text  # saved rows come back into the form
    facts = calculator.facts()
    assert facts["wages.nmw_arrears_total"] == Money(Decimal("550.65"), "GBP")
    assert facts["wages.nmw_arrears_et_recoverable"] == Money(Decimal("0.00"), "GBP")
    calculated_on = facts["wages.calculated_on"]
    assert isinstance(calculated_on, date)
    assert abs((calculated_on - datetime.now(UTC).date()).days) <= 1  # the organisation's day
    assert "2024-03-28" in str(facts["wages.pay_periods"])
    changed = {event.subject for event in calculator.events("fact.changed")}
    assert {"wages.pay_periods", "wages.nmw_arrears_total"} <= changed


def test_the_working_downloads_as_csv_and_the_export_is_logged(calculator: Calculator) -> None:
    calculator.post(TWO_WEEKS)

    response = calculator.client.get(f"{calculator.url}/working.csv")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.headers["cache-control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["arrears_gbp"] for row in rows] == ["264.45", "286.20", "550.65"]
    assert len(calculator.events("wages.exported")) == 1


def test_bad_rows_are_refused_row_by_row_and_nothing_is_saved(calculator: Calculator) -> None:
    data = {"rows": "2", "start-0": "30/02/2024", "end-0": "2024-03-07", "hours-0": "", "pay-0": "abc",
            "start-1": "2024-03-01", "end-1": "2024-04-15", "hours-1": "10", "pay-1": "0"}  # fmt: skip

    response = calculator.post(data)

    assert response.status_code == 422
    summary = dict(error_summary(response.text))
    assert summary["start-0"].startswith("Period 1: the start date must be a real date")
    assert summary["hours-0"] == "Period 1: enter the hours worked."
    assert "Period 1: enter a number" in summary["pay-0"]
    assert 'value="30/02/2024"' in response.text  # what was typed comes back
    assert "wages.pay_periods" not in calculator.facts()


def test_the_calculators_own_checks_point_at_the_row(calculator: Calculator) -> None:
    data = {"rows": "1", "start-0": "2024-03-01", "end-0": "2024-04-15", "hours-0": "10", "pay-0": "0"}

    response = calculator.post(data)

    assert response.status_code == 422
    summary = dict(error_summary(response.text))
    assert "never longer than a calendar month" in summary["end-0"]
    assert "wages.nmw_arrears_total" not in calculator.facts()


def test_without_a_date_of_birth_it_asks_for_one(calculator: Calculator) -> None:
    cases_service.change_facts(
        calculator.session, calculator.settings, actor(calculator.session, calculator.world.advocate),
        calculator.case, {"person.date_of_birth": None}, source="advocate", now=datetime.now(UTC),
        today=datetime.now(UTC).date(),
    )  # fmt: skip

    response = calculator.post(TWO_WEEKS)

    assert response.status_code == 422
    assert "Enter the person&#39;s date of birth first" in response.text


def test_add_more_rows_keeps_what_was_typed_and_saves_nothing(calculator: Calculator) -> None:
    response = calculator.post({**TWO_WEEKS, "then": "more"})

    assert response.status_code == 200
    assert 'name="rows" value="12"' in response.text
    assert 'value="4/4/2024"' in response.text
    assert "wages.pay_periods" not in calculator.facts()


def test_the_arrears_reach_the_employment_tribunal_application(calculator: Calculator) -> None:
    advocate = actor(calculator.session, calculator.world.advocate)
    now = datetime.now(UTC)
    application = cases_service.start_application(
        calculator.session,
        calculator.settings,
        advocate,
        calculator.case,
        "uk.et_wages",
        now=now,
        today=now.date(),
    )
    before = cases_service.evaluate_application(
        calculator.session, calculator.settings, calculator.case, application, today=now.date()
    )
    assert ("schedule_of_loss", False) in [(d[0], d[1]) for d in before.documents]

    calculator.post(TWO_WEEKS)
    cases_service.change_facts(
        calculator.session, calculator.settings, advocate, calculator.case,
        {"employment.claim_types": ["unpaid_wages"]}, source="advocate", now=now, today=now.date(),
    )  # fmt: skip

    calculator.session.expire_all()
    after = cases_service.evaluate_application(
        calculator.session, calculator.settings, calculator.case, application, today=now.date()
    )
    documents = {doc_id: available for doc_id, available, _, _ in after.documents}
    assert documents["schedule_of_loss"] is True
    assert "use_wage_calculator" not in [o.id for o in after.outcomes]
    check = calculator.client.get(
        f"/cases/{calculator.case.public_id}/applications/{application.public_id}/check-answers"
    )
    assert "550.65" in check.text


def test_a_lawyer_sees_the_working_but_cannot_change_it(calculator: Calculator) -> None:
    settings = calculator.settings
    calculator.post(TWO_WEEKS)
    share_case(
        calculator.session, actor(calculator.session, calculator.world.advocate), calculator.case,
        lawyer_user_id=calculator.world.partner_lawyer.id or 0, now=datetime.now(UTC),
    )  # fmt: skip
    with browser(settings) as lawyer:
        sign_in(lawyer, calculator.session, settings, calculator.world.partner_lawyer)
        page = lawyer.get(calculator.url)
        assert page.status_code == 200
        assert "£550.65" in page.text
        assert 'id="start-0"' not in page.text  # no form
        token = re.search(r'name="csrf_token" value="([^"]+)"', lawyer.get("/account").text)
        assert token is not None
        refused = lawyer.post(calculator.url, data={**TWO_WEEKS, "csrf_token": token.group(1)})
        assert refused.status_code == 403


def test_two_hundred_weekly_periods_fit_in_one_form(calculator: Calculator) -> None:
    """More rows than Starlette's default limit of 1000 form fields would allow (about 110)."""
    first = date(2022, 1, 3)
    data = {"rows": "200"}
    for i in range(200):
        start = first + timedelta(weeks=i)
        data |= {
            f"start-{i}": start.isoformat(),
            f"end-{i}": (start + timedelta(days=6)).isoformat(),
            f"hours-{i}": "60",
            f"pay-{i}": "100",
            f"accommodation_days-{i}": "7",
        }

    response = calculator.post(data)

    assert response.status_code == 303, response.text[:500]
    stored = calculator.facts()["wages.pay_periods"]
    assert isinstance(stored, str)
    assert stored.count('"start"') == 200


def test_a_post_without_the_csrf_token_is_refused(calculator: Calculator) -> None:
    response = calculator.client.post(calculator.url, data=TWO_WEEKS)

    assert response.status_code == 403
    assert "wages.pay_periods" not in calculator.facts()


def test_a_pattern_fills_in_rows_after_those_typed_and_saves_nothing(calculator: Calculator) -> None:
    data = {
        "rows": "3",
        "start-0": "2025-12-29",
        "end-0": "2026-01-04",
        "hours-0": "50",
        "pay-0": "0",
        "then": "pattern",
        "pattern_start": "2026-01-05",
        "pattern_end": "2026-01-21",
        "pattern_every": "week",
        "pattern_hours": "70",
        "pattern_pay": "140",
        "pattern_housed": "yes",
    }

    response = calculator.post(data)

    assert response.status_code == 200, response.text[:500]
    assert "3 periods added below" in response.text
    html = response.text
    assert 'id="start-0" name="start-0" value="2025-12-29"' in html  # the typed row stays first
    assert 'id="start-1" name="start-1" value="2026-01-05"' in html
    assert 'id="end-3" name="end-3" value="2026-01-21"' in html
    assert 'id="hours-3" name="hours-3" value="30.00"' in html  # 3 of 7 days
    assert 'id="accommodation_days-2" name="accommodation_days-2" value="7"' in html
    assert "wages.pay_periods" not in calculator.facts()


def test_a_pattern_with_errors_points_at_its_own_fields(calculator: Calculator) -> None:
    data = {"rows": "1", "then": "pattern", "pattern_start": "2026-02-01", "pattern_end": "2026-01-01",
            "pattern_every": "month", "pattern_hours": "", "pattern_pay": "0"}  # fmt: skip

    response = calculator.post(data)

    assert response.status_code == 422
    summary = dict(error_summary(response.text))
    assert summary == {"pattern_hours": "Pattern: enter the hours worked."}
    data["pattern_hours"] = "100"
    summary = dict(error_summary(calculator.post(data).text))
    assert summary == {"pattern_end": "Pattern: the last day is before the first."}
