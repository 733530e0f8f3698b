"""The FLSA wage calculator page: enter weeks, see and export the working, save the totals as the
case's facts for the restitution loss statement; bad rows are named and nothing typed is lost.
All people and figures are fictional."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.auth import service as auth_service
from api.cases import service as cases_service
from api.cases.models import LegalCase
from api.settings import Settings
from tests.api.cases.builders import World, actor, make_world, new_case
from web.app import create_app
from web.identity import SESSION_COOKIE
from workflows.types import Money

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def fast_settings(migrated_settings: Settings) -> Settings:
    """The test's settings with the cheapest Argon2."""
    return migrated_settings.model_copy(
        update={"argon2_time_cost": 1, "argon2_memory_cost_kib": 8, "argon2_parallelism": 1}
    )


@pytest.fixture
def client(fast_settings: Settings) -> Iterator[TestClient]:
    """A client on the whole site that follows no redirects."""
    with TestClient(create_app(fast_settings), follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def world(db_session: Session, fast_settings: Settings) -> World:
    """The organisations and people of :mod:`tests.api.cases.builders`."""
    return make_world(db_session, fast_settings)


@pytest.fixture
def us_case(client: TestClient, db_session: Session, fast_settings: Settings, world: World) -> LegalCase:
    """A California case, with the advocate signed in."""
    case = new_case(db_session, fast_settings, world, "Case Condor", jurisdiction="US-CA")
    token = auth_service.start_session(db_session, fast_settings, world.advocate, datetime.now(UTC))
    client.cookies.set(SESSION_COOKIE, token)
    return case


def page_of(case: LegalCase) -> str:
    return f"/cases/{case.public_id}/wages/flsa"


def post(client: TestClient, case: LegalCase, data: dict[str, str]) -> object:
    found = CSRF_FIELD.search(client.get(page_of(case)).text)
    assert found is not None
    return client.post(page_of(case), data={**data, "csrf_token": found.group(1)})


# Hand-worked (see tests/workflows/test_flsa_calculator.py): 46 h unpaid in March 2024 owes
# 290.00 + 65.25, doubled with liquidated damages: 710.50.
ONE_WEEK = {
    "start_0": "2024-03-04",
    "repeat_0": "",
    "hours_0": "46",
    "paid_0": "",
    "agreed_0": "",
    "rate_basis": "federal",
    "state_category": "",
    "liquidated": "yes",
}


def test_the_page_offers_the_form_with_the_case_state_preselected(
    client: TestClient, us_case: LegalCase
) -> None:
    response = client.get(page_of(us_case))

    assert response.status_code == 200
    html = response.text
    assert "<h1>FLSA wage calculator</h1>" in html
    assert '<label class="visually-hidden" for="hours_0">Row 1: hours</label>' in html
    assert re.search(r'value="US-CA:26_or_more_employees"\s+selected', html)
    assert "The working" not in html


def test_calculating_shows_the_working_week_by_week(client: TestClient, us_case: LegalCase) -> None:
    response = post(client, us_case, {**ONE_WEEK, "action": "calculate"})

    assert response.status_code == 200
    html = response.text
    assert "2024-03-04 to 2024-03-10" in html
    assert "$10.875" in html
    assert "<strong>$710.50</strong>" in html
    assert "29 U.S.C. 216(b)" in html
    assert 'id="start_1"' in html  # more empty rows to add weeks


def test_a_bad_row_is_named_linked_and_nothing_typed_is_lost(client: TestClient, us_case: LegalCase) -> None:
    data = {**ONE_WEEK, "start_1": "2024-03-11", "hours_1": "lots", "paid_1": "20", "action": "calculate"}

    response = post(client, us_case, data)

    assert response.status_code == 422
    html = response.text
    assert '<a href="#hours_1">Row 2: the hours must be a number, not &#39;lots&#39;.</a>' in html
    assert 'aria-invalid="true" aria-describedby="hours_1-error"' in html
    assert 'value="lots"' in html
    assert 'value="20"' in html
    assert 'value="2024-03-04"' in html


def test_the_state_basis_needs_a_state(client: TestClient, us_case: LegalCase) -> None:
    response = post(client, us_case, {**ONE_WEEK, "rate_basis": "state", "action": "calculate"})
    assert response.status_code == 422
    assert '<a href="#state_category">Choose the state rate to use' in response.text


def test_the_working_downloads_as_csv(client: TestClient, us_case: LegalCase) -> None:
    response = post(client, us_case, {**ONE_WEEK, "liquidated": "no", "action": "csv"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="flsa-working-')
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][0] == "week_start"
    assert rows[1][0] == "2024-03-04"
    assert rows[2][0] == "Total"
    assert rows[2][-2] == "355.25"  # without liquidated damages


def test_saving_records_the_totals_for_restitution_and_the_page_comes_back_filled(
    client: TestClient, us_case: LegalCase, db_session: Session, fast_settings: Settings, world: World
) -> None:
    response = post(
        client,
        us_case,
        {**ONE_WEEK, "start_1": "2024-03-11", "repeat_1": "2", "hours_1": "40", "action": "save"},
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"{page_of(us_case)}?done=saved"
    db_session.expire_all()
    facts = cases_service.read_facts(db_session, fast_settings, us_case)
    # 710.50 + 2 weeks x (290.00 x 2) = 1870.50
    assert facts["us.wages.flsa_value"].value == Money(Decimal("1870.50"), "USD")
    assert facts["us.wages.unpaid_minimum_wage"].value == Money(Decimal("870.00"), "USD")
    assert facts["us.wages.liquidated_damages"].value == Money(Decimal("935.25"), "USD")
    assert "2024-03-11" in str(facts["us.wages.weeks"].value)

    again = client.get(response.headers["location"])
    assert "The weeks and the totals are saved to the case." in again.text
    assert 'value="2024-03-11"' in again.text
    assert "<strong>$1,870.50</strong>" in again.text

    # The restitution loss statement now has the FLSA value it needs.
    advocate = actor(db_session, world.advocate)
    now = datetime.now(UTC)
    cases_service.change_facts(
        db_session,
        fast_settings,
        advocate,
        us_case,
        {"us.restitution.unpaid_work": True},
        source="advocate",
        now=now,
        today=now.date(),
    )
    application = cases_service.start_application(
        db_session,
        fast_settings,
        actor(db_session, world.advocate),
        us_case,
        "us.restitution",
        now=datetime.now(UTC),
        today=datetime.now(UTC).date(),
    )
    evaluation = cases_service.evaluate_application(
        db_session, fast_settings, us_case, application, today=datetime.now(UTC).date()
    )
    (statement,) = [d for d in evaluation.documents if d[0] == "restitution_loss_statement"]
    assert statement[2] == ("us.wages.value_to_defendant",)  # the FLSA value is no longer missing


def test_the_case_page_links_to_the_calculator_for_us_cases_only(
    client: TestClient, us_case: LegalCase, db_session: Session, fast_settings: Settings, world: World
) -> None:
    assert page_of(us_case) in client.get(f"/cases/{us_case.public_id}").text
    uk_case = new_case(db_session, fast_settings, world, "Case Puffin", jurisdiction="GB-ENG")
    assert "/wages/flsa" not in client.get(f"/cases/{uk_case.public_id}").text
