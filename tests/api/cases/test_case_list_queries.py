"""The case list reads the applications of a whole page at once: a fixed number of SQL statements
whatever the number of cases listed (no query per case), and a lawyer still sees only what is
shared with them (all data fictional)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from api.auth.models import SCOPE_CASES_READ
from api.auth.service import create_api_token, start_session
from api.cases import service
from api.cases.errors import CaseNotFound
from api.cases.models import LegalCase
from api.cases.sharing import share_case
from api.orgs.models import User
from api.settings import Settings
from tests.api.cases.builders import NOW, TODAY, World, actor, id_of, new_case, start
from tests.sql_recording import recorded_statements
from web.app import create_app
from web.identity import SESSION_COOKIE

CASES = 25
CASE_LINK = re.compile(r'href="/cases/([0-9a-f]{32})')


@dataclass(frozen=True)
class Caseload:
    """``CASES`` cases of the home organisation; every other one has a second application.

    Shared with the partner firm's lawyer: every third case whole (from the first), the
    ``uk.cica`` application alone of the cases after those, and nothing of the rest.
    """

    cases: list[LegalCase]
    # What the partner lawyer may see: case reference -> the workflows of the applications.
    lawyer_sees: dict[str, list[str]]


@pytest.fixture
def caseload(db_session: Session, cheap_settings: Settings, world: World) -> Caseload:
    advocate = actor(db_session, world.advocate)
    cases, lawyer_sees = [], {}
    for number in range(CASES):
        case = new_case(db_session, cheap_settings, world, f"Case Moth {number:02d}")
        workflows = ["uk.cica", "uk.nrm"] if number % 2 else ["uk.cica"]
        applications = [start(db_session, cheap_settings, world, case, workflow) for workflow in workflows]
        lawyer = id_of(world.partner_lawyer)
        if number % 3 == 0:
            share_case(db_session, advocate, case, lawyer_user_id=lawyer, now=NOW)
            lawyer_sees[case.reference] = workflows
        elif number % 3 == 1:
            share_case(
                db_session,
                advocate,
                case,
                lawyer_user_id=lawyer,
                now=NOW,
                application_public_id=applications[0].public_id,
            )
            lawyer_sees[case.reference] = ["uk.cica"]
        cases.append(case)
    return Caseload(cases, lawyer_sees)


def _listed(session: Session, user: User, per_page: int = CASES) -> list[LegalCase]:
    return service.list_cases(session, actor(session, user), today=TODAY, per_page=per_page).items


@pytest.mark.parametrize(("who", "queries"), [("advocate", 1), ("partner_lawyer", 2)])
def test_the_applications_of_a_page_of_cases_take_a_fixed_number_of_queries(
    db_session: Session, world: World, caseload: Caseload, who: str, queries: int
) -> None:
    user = getattr(world, who)
    listed = _listed(db_session, user)
    who_asks = actor(db_session, user)
    engine = db_session.get_bind()
    assert isinstance(engine, Engine)

    with recorded_statements(engine) as seen:
        found = service.applications_of_cases(db_session, who_asks, listed)

    # One for the applications; a lawyer's shares of the listed cases in one more.
    assert len(seen) == queries, seen
    assert set(found) == {id_of(case) for case in listed}
    # The same answer as asking case by case.
    for case in listed:
        assert found[id_of(case)] == service.list_applications(db_session, who_asks, case)


def test_a_lawyer_sees_only_the_shared_cases_and_applications(
    db_session: Session, world: World, caseload: Caseload
) -> None:
    listed = _listed(db_session, world.partner_lawyer)

    found = service.applications_of_cases(db_session, actor(db_session, world.partner_lawyer), listed)

    seen = {case.reference: [a.workflow_id for a in found[id_of(case)]] for case in listed}
    assert seen == caseload.lawyer_sees
    # Each caseworker sees every application of every case.
    everything = service.applications_of_cases(db_session, actor(db_session, world.advocate), caseload.cases)
    assert sum(len(applications) for applications in everything.values()) == CASES + CASES // 2


def test_a_case_the_actor_may_not_see_is_not_found(
    db_session: Session, cheap_settings: Settings, world: World, caseload: Caseload
) -> None:
    with pytest.raises(CaseNotFound):
        service.applications_of_cases(db_session, actor(db_session, world.lawyer), caseload.cases[:1])
    assert service.applications_of_cases(db_session, actor(db_session, world.lawyer), []) == {}


@pytest.mark.parametrize("who", ["advocate", "partner_lawyer"])
@pytest.mark.parametrize("where", ["api", "page"])
def test_listing_a_full_page_costs_the_same_queries_as_listing_one_case(
    db_session: Session, cheap_settings: Settings, world: World, caseload: Caseload, who: str, where: str
) -> None:
    user = getattr(world, who)
    if where == "api":
        _, token = create_api_token(db_session, user, "Queries", [SCOPE_CASES_READ], NOW)
        headers = {"Authorization": f"Bearer {token}"}
        one, full = "/api/v1/cases?per_page=1", f"/api/v1/cases?per_page={CASES}"
    else:
        headers = {}
        one, full = "/cases?q=Moth+00", "/cases"  # the page lists 25 at a time
    with TestClient(create_app(cheap_settings), follow_redirects=False) as client:
        if where == "page":
            client.cookies.set(
                SESSION_COOKIE, start_session(db_session, cheap_settings, user, datetime.now(UTC))
            )
        engine = client.app.state.db_engine  # type: ignore[attr-defined]
        assert client.get(full, headers=headers).status_code == 200  # warm: first-request work aside

        with recorded_statements(engine) as for_one:
            small = client.get(one, headers=headers)
        with recorded_statements(engine) as for_page:
            large = client.get(full, headers=headers)

    assert small.status_code == large.status_code == 200
    expected = len(caseload.lawyer_sees) if who == "partner_lawyer" else CASES
    if where == "api":
        assert len(large.json()["items"]) == expected
    else:
        assert len(set(CASE_LINK.findall(large.text))) == expected
        assert len(set(CASE_LINK.findall(small.text))) == 1
    assert len(for_page) == len(for_one), (for_one, for_page)
