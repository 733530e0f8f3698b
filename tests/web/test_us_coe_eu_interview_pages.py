"""Each US, Council of Europe and EU workflow can be walked in the pages, from its first question
to "check your answers", answering as an advocate would (all data fictional)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.auth import service as auth_service
from api.cases import service as cases_service
from api.settings import Settings
from tests.api.cases.builders import World, actor, make_world, new_case
from web.app import create_app
from web.identity import SESSION_COOKIE
from workflows.catalogue import default_catalogue
from workflows.facts import default_fact_dictionary
from workflows.types import FactType

TODAY = datetime.now(UTC).date()
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')

# workflow -> (case jurisdiction, answers chosen to walk the main branch, as form fields)
WALKS: dict[str, tuple[str, dict[str, dict[str, str | list[str]]]]] = {
    "us.t_visa": (
        "US-CA",
        {
            "person.date_of_birth": {"answer": "1994-02-03"},
            "exploitation.start_date": {"answer": "2022-05-01"},
            "us.t.purpose": {"answer": "involuntary_servitude"},
            "us.lea.complied": {"answer": "no"},
            "us.t.inadmissibility": {"answer": "yes"},
            "us.t.security_ground": {"answer": "no"},
            "us.t.filing_date": {"answer": "2025-03-03"},
            "us.t.rfe_date": {"answer": "2025-06-02"},
            "us.t.rfe_due_stated": {"answer": "2025-08-25"},
            "us.t.decision_date": {"answer": "2026-10-02"},
            "us.t.decision_outcome": {"answer": "denied"},
            "us.t.i290b_filed_date": {"answer": "2026-10-20"},
        },
    ),
    "us.u_visa": (
        "US-NY",
        {
            "person.date_of_birth": {"answer": "1990-07-07"},
            "us.u.supp_b_signed_date": {"answer": "2026-06-01"},
            "us.u.filing_date": {"answer": "2026-12-01"},
        },
    ),
    "us.continued_presence": (
        "US-TX",
        {"us.cp.grant_date": {"answer": "2025-01-10"}, "us.cp.expiry_stated": {"answer": "2027-01-10"}},
    ),
    "us.restitution": (
        "US-VA",
        {
            "us.criminal.case_status": {"answer": "convicted"},
            "us.criminal.sentencing_date": {"answer": "2027-03-15"},
            "us.wages.flsa_value": {"answer_amount": "18850.00", "answer_currency": "USD"},
            "us.wages.value_to_defendant": {"answer_amount": "9000.00", "answer_currency": "USD"},
        },
    ),
    "us.civil_1595": (
        "US-CA",
        {
            "person.date_of_birth": {"answer": "2008-03-01"},
            "us.civil.cause_of_action_date": {"answer": "2020-06-30"},
        },
    ),
    "us.state_compensation": (
        "US-CA",
        {
            "person.date_of_birth": {"answer": "1990-01-15"},
            "us.comp.crime_date": {"answer": "2024-05-10"},
            "us.comp.discovery_date": {"answer": "2024-06-01"},
            "police.reported": {"answer": "no"},
        },
    ),
    "coe.reflection_period": (
        "GB-ENG",
        {
            "person.date_of_birth": {"answer": "1999-08-20"},
            "coe.reasonable_grounds_date": {"answer": "2026-11-01"},
            "coe.national_period_days": {"answer": "45"},
            "coe.period_end_stated": {"answer": "2026-12-16"},
        },
    ),
    "eu.residence_permit": (
        "DE",
        {
            "person.date_of_birth": {"answer": "1997-03-03"},
            "eu.reflection_start_date": {"answer": "2026-10-01"},
            "eu.reflection_period_days": {"answer": "60"},
            "eu.permit_issue_date": {"answer": "2026-11-02"},
            "eu.permit_expiry_stated": {"answer": "2027-05-02"},
        },
    ),
    "eu.cross_border_compensation": (
        "DE",
        {
            "eu.residence_country": {"answer": "", "answer_other": "de"},
            "eu.crime_country": {"answer": "", "answer_other": "es"},
            "eu.crime_date": {"answer": "2026-01-31"},
            "eu.deciding_state_limit_months": {"answer": "12"},
        },
    ),
}


@pytest.fixture
def fast_settings(migrated_settings: Settings) -> Settings:
    """The test's settings with the cheapest Argon2."""
    return migrated_settings.model_copy(
        update={"argon2_time_cost": 1, "argon2_memory_cost_kib": 8, "argon2_parallelism": 1}
    )


@pytest.fixture
def app_client(fast_settings: Settings) -> Iterator[TestClient]:
    """A client on the whole site that follows no redirects."""
    with TestClient(create_app(fast_settings), follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def world(db_session: Session, fast_settings: Settings) -> World:
    """The organisations and people of :mod:`tests.api.cases.builders`."""
    return make_world(db_session, fast_settings)


def default_answer(key: str) -> dict[str, str | list[str]]:
    """A plausible answer for a fact not in the walk's own answers: yes, the first option, ..."""
    spec = default_fact_dictionary().get(key)
    if spec.type is FactType.BOOL:
        return {"answer": "yes"}
    if spec.type is FactType.ENUM:
        return {"answer": next(iter(spec.options))}
    if spec.type is FactType.LIST:
        return {"answer": [next(iter(spec.options))]}
    if spec.type is FactType.TEXT:
        return {"answer": "Fictional Agency, case 0000"}
    if spec.type is FactType.NUMBER:
        return {"answer": "30"}
    if spec.type is FactType.MONEY:
        return {"answer_amount": "100.00", "answer_currency": "USD"}
    if spec.type is FactType.COUNTRY:
        return {"answer": "", "answer_other": "us-ca"}
    return {"answer": "2025-01-01"}


@pytest.mark.parametrize("workflow_id", sorted(WALKS))
def test_each_workflow_is_walked_to_check_your_answers(
    workflow_id: str, app_client: TestClient, db_session: Session, fast_settings: Settings, world: World
) -> None:
    jurisdiction, answers = WALKS[workflow_id]
    case = new_case(db_session, fast_settings, world, f"Case {workflow_id}", jurisdiction=jurisdiction)
    application = cases_service.start_application(
        db_session,
        fast_settings,
        actor(db_session, world.advocate),
        case,
        workflow_id,
        now=datetime.now(UTC),
        today=datetime.now(UTC).date(),
    )
    token = auth_service.start_session(db_session, fast_settings, world.advocate, datetime.now(UTC))
    app_client.cookies.set(SESSION_COOKIE, token)
    base = f"/cases/{case.public_id}/applications/{application.public_id}"

    asked: list[str] = []
    location = app_client.get(base).headers["location"]
    while location.startswith(f"{base}/questions/"):
        key = location.removeprefix(f"{base}/questions/").split("?")[0]
        assert key not in asked, f"{key} asked twice"
        asked.append(key)
        page = app_client.get(location)
        assert page.status_code == 200, page.text
        found = CSRF_FIELD.search(page.text)
        assert found is not None
        data = answers.get(key, default_answer(key))
        response = app_client.post(location, data={**data, "csrf_token": found.group(1)})
        assert response.status_code == 303, f"{key}: {response.text[:2000]}"
        location = response.headers["location"]
    assert location == f"{base}/check-answers"

    page = app_client.get(location)
    assert page.status_code == 200
    assert "check" in page.text.lower()
    # Every answer chosen for the walk was asked (the state of a US case comes from the case).
    assert set(answers) <= set(asked)
    for data in answers.values():
        if "answer_amount" in data:
            assert f"${float(str(data['answer_amount'])):,.2f}" in page.text
    asks_state = "us.state" in {q.fact for q in default_catalogue().get(workflow_id, TODAY).questions}
    if asks_state:
        assert "us.state" not in asked  # taken from the case's jurisdiction, not asked again
        assert jurisdiction in page.text  # but shown, to check and change
