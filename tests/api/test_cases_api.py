"""The cases JSON API (``/api/v1/cases``) through HTTP, with real personal API tokens.

Tokens are made by the auth service, people and cases by the services the pages use (all
fictional: :mod:`tests.api.cases.builders`). The request clock is fixed to ``NOW`` so that
deadlines and "today" are the builders'. Who may call which route on whose case is the subject
of ``test_api_access_matrix.py``; here: each route's behaviour, its errors, and the token rules.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.audit.models import CaseEvent
from api.auth.models import SCOPE_CASES_READ, SCOPE_CASES_WRITE, ApiToken
from api.auth.service import AuthError, create_api_token, revoke_api_token
from api.cases import service
from api.cases.api_schemas import EvaluationOut
from api.cases.errors import ConcurrentChange
from api.cases.models import LegalCase
from api.cases.router import request_time
from api.cases.sharing import share_case
from api.cases.survivor_access import issue_access_code, redeem_access_code
from api.orgs.models import User
from api.security.random_tokens import hash_token
from api.settings import Settings
from tests.api.cases.builders import (
    CICA_FACTS,
    NOW,
    PASSPHRASE,
    TODAY,
    World,
    actor,
    id_of,
    make_world,
    new_case,
    start,
)
from workflows.catalogue import default_catalogue
from workflows.engine import evaluate
from workflows.facts import default_fact_dictionary

CASES = "/api/v1/cases"
BOTH_SCOPES = (SCOPE_CASES_READ, SCOPE_CASES_WRITE)

Json = dict[str, Any]


@pytest.fixture
def world(db_session: Session, cheap_settings: Settings) -> World:
    """The organisations and people of :mod:`tests.api.cases.builders`."""
    return make_world(db_session, cheap_settings)


@pytest.fixture
def api(client: TestClient) -> Iterator[TestClient]:
    """The site's test client, its request clock fixed at ``NOW``."""
    app = cast(FastAPI, client.app)
    app.dependency_overrides[request_time] = lambda: NOW
    yield client
    app.dependency_overrides.clear()


def token_for(session: Session, user: User, scopes: tuple[str, ...] = BOTH_SCOPES) -> str:
    """A new personal API token of ``user``, made by the auth service."""
    _, token = create_api_token(session, user, "Test client", scopes, NOW)
    return token


def bearer(token: str) -> dict[str, str]:
    """The header that presents ``token``."""
    return {"Authorization": f"Bearer {token}"}


def json_of(value: object) -> object:
    """``value`` as it looks after a JSON round trip (dates as ISO strings, tuples as lists)."""
    return json.loads(json.dumps(value))


def create_via_api(api: TestClient, token: str, reference: str = "Case Heron") -> Json:
    """Open a case through the API and return its JSON."""
    response = api.post(
        CASES,
        json={"reference": reference, "preferred_language": "ro", "jurisdiction": "GB-ENG"},
        headers=bearer(token),
    )
    assert response.status_code == 201, response.text
    return cast(Json, response.json())


# --- OpenAPI ----------------------------------------------------------------------------------------


def test_the_openapi_document_lists_every_cases_route_with_its_schemas(api: TestClient) -> None:
    document = api.get("/api/v1/openapi.json").json()
    paths = document["paths"]

    expected = {
        (f"{CASES}", "get"): (None, "CaseList"),
        (f"{CASES}", "post"): ("CaseCreate", "CaseOut"),
        (f"{CASES}/{{case_id}}", "get"): (None, "CaseOut"),
        (f"{CASES}/{{case_id}}/applications", "get"): (None, "ApplicationList"),
        (f"{CASES}/{{case_id}}/applications", "post"): ("ApplicationCreate", "ApplicationOut"),
        (f"{CASES}/{{case_id}}/applications/{{application_id}}", "get"): (None, "ApplicationOut"),
        (f"{CASES}/{{case_id}}/applications/{{application_id}}/evaluation", "get"): (None, "EvaluationOut"),
        (f"{CASES}/{{case_id}}/facts", "get"): (None, "FactsOut"),
        (f"{CASES}/{{case_id}}/facts", "patch"): ("FactsPatch", "ChangeReportOut"),
        (f"{CASES}/{{case_id}}/comments", "get"): (None, "CommentList"),
        (f"{CASES}/{{case_id}}/comments", "post"): ("CommentCreate", "CommentOut"),
    }
    documented = {
        (path, method)
        for path, operations in paths.items()
        if path.startswith(CASES) and "/deadlines" not in path  # deadlines: tests/api/deadlines
        for method in operations
    }
    assert documented == set(expected)
    for (path, method), (request_schema, response_schema) in expected.items():
        operation = paths[path][method]
        success = "201" if method == "post" else "200"
        assert operation["tags"] == ["cases"]
        assert operation["security"] == [{"ApiToken": []}]
        assert operation["responses"][success]["content"]["application/json"]["schema"] == {
            "$ref": f"#/components/schemas/{response_schema}"
        }
        assert operation["responses"]["401"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ApiError"
        }
        assert operation["responses"]["422"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ValidationErrors"
        }
        if "{case_id}" in path:
            assert "404" in operation["responses"]
        if request_schema is not None:
            assert operation["requestBody"]["content"]["application/json"]["schema"] == {
                "$ref": f"#/components/schemas/{request_schema}"
            }
    schemas = document["components"]["schemas"]
    assert set(schemas["CaseOut"]["properties"]) >= {
        "id",
        "reference",
        "preferred_language",
        "jurisdiction",
        "status",
        "next_deadline_on",
        "created_at",
        "updated_at",
        "applications",
    }
    assert set(schemas["FactOut"]["properties"]) == {"value", "unknown", "source", "given_at", "given_by"}
    assert document["components"]["securitySchemes"]["ApiToken"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "redress_…",
        "description": document["components"]["securitySchemes"]["ApiToken"]["description"],
    }


def test_the_evaluation_schema_has_every_field_of_the_engine_json() -> None:
    workflow = default_catalogue().get("uk.cica", TODAY)
    facts = default_fact_dictionary().parse_facts(CICA_FACTS, today=TODAY)
    engine_json = evaluate(workflow, facts, TODAY).to_dict()

    served = EvaluationOut.from_evaluation(evaluate(workflow, facts, TODAY)).model_dump(mode="json")

    assert served == json_of(engine_json)  # nothing of the engine's contract dropped or renamed


# --- cases --------------------------------------------------------------------------------------------


def test_an_advocate_opens_a_case_and_reads_it_back(
    api: TestClient, db_session: Session, world: World
) -> None:
    token = token_for(db_session, world.advocate)

    response = api.post(
        CASES,
        json={"reference": "  Case   Heron ", "preferred_language": "ro", "jurisdiction": "gb-eng"},
        headers=bearer(token),
    )

    assert response.status_code == 201
    created = response.json()
    assert response.headers["Location"] == f"http://testserver{CASES}/{created['id']}"
    assert created == {
        "id": created["id"],
        "reference": "Case Heron",
        "preferred_language": "ro",
        "jurisdiction": "GB-ENG",
        "status": "open",
        "next_deadline_on": None,
        "created_at": "2026-11-22T09:00:00Z",
        "updated_at": "2026-11-22T09:00:00Z",
        "applications": [],
    }
    case = db_session.exec(select(LegalCase).where(LegalCase.public_id == created["id"])).one()
    assert case.organisation_id == id_of(world.home)
    read = api.get(f"{CASES}/{created['id']}", headers=bearer(token))
    assert (read.status_code, read.json()) == (200, created)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reference": " ", "preferred_language": "ro", "jurisdiction": "GB-ENG"}, "reference"),
        ({"reference": "x" * 61, "preferred_language": "ro", "jurisdiction": "GB-ENG"}, "reference"),
        (
            {"reference": "Case Ibis", "preferred_language": "xx", "jurisdiction": "GB-ENG"},
            "preferred_language",
        ),
        ({"reference": "Case Ibis", "preferred_language": "ro", "jurisdiction": "England"}, "jurisdiction"),
        ({"reference": "Case Ibis", "preferred_language": "ro"}, "jurisdiction"),
        ({"reference": "Case Ibis", "preferred_language": "ro", "jurisdiction": "GB", "name": "A"}, "name"),
    ],
)
def test_an_invalid_case_is_refused_naming_the_field(
    api: TestClient, db_session: Session, world: World, body: Json, field: str
) -> None:
    response = api.post(CASES, json=body, headers=bearer(token_for(db_session, world.advocate)))

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["detail"]] == [field]
    assert db_session.exec(select(LegalCase)).all() == []


def test_a_reference_is_unique_within_the_organisation(
    api: TestClient, db_session: Session, world: World
) -> None:
    token = token_for(db_session, world.advocate)
    create_via_api(api, token, "Case Heron")

    again = api.post(
        CASES,
        json={"reference": "Case Heron", "preferred_language": "ro", "jurisdiction": "GB-ENG"},
        headers=bearer(token),
    )

    assert again.status_code == 422
    assert again.json()["detail"] == [
        {
            "field": "reference",
            "message": (
                "Your organisation already has a case with the reference 'Case Heron'. Choose another."
            ),
        }
    ]
    # Another organisation may use the same reference.
    create_via_api(api, token_for(db_session, world.foreign_advocate), "Case Heron")


def test_the_case_list_searches_filters_and_pages(
    api: TestClient, db_session: Session, cheap_settings: Settings, world: World
) -> None:
    token = token_for(db_session, world.advocate)
    heron = new_case(db_session, cheap_settings, world, "Case Heron")
    new_case(db_session, cheap_settings, world, "Case Ibis")
    kestrel = new_case(db_session, cheap_settings, world, "Case Kestrel")
    cica = start(db_session, cheap_settings, world, kestrel, "uk.cica")
    service.change_facts(
        db_session,
        cheap_settings,
        actor(db_session, world.advocate),
        kestrel,
        CICA_FACTS,
        source="advocate",
        now=NOW,
        today=TODAY,
    )
    foreign = actor(db_session, world.foreign_advocate)
    service.create_case(
        db_session, cheap_settings, foreign, reference="Case Heron", preferred_language="ro",
        jurisdiction="GB-ENG", now=NOW,
    )  # fmt: skip

    def listed(**params: object) -> Json:
        response = api.get(CASES, params=params, headers=bearer(token))
        assert response.status_code == 200, response.text
        return cast(Json, response.json())

    everything = listed()
    assert (everything["total"], everything["page"], everything["pages"], everything["total_is_exact"]) == (
        3,
        1,
        1,
        True,
    )
    assert [case["reference"] for case in listed(q="heron")["items"]] == ["Case Heron"]
    assert [case["id"] for case in listed(q="heron")["items"]] == [heron.public_id]
    due_soon = listed(deadline_within_days=365)["items"]
    assert [case["reference"] for case in due_soon] == ["Case Kestrel"]
    assert due_soon[0]["next_deadline_on"] == "2027-03-10"
    [application] = due_soon[0]["applications"]
    assert application == {
        "id": cica.public_id,
        "workflow_id": "uk.cica",
        "workflow_version": cica.workflow_version,
        "status": "in_progress",
        "progress": {
            "answered": application["progress"]["answered"],
            "applicable": application["progress"]["applicable"],
        },
        "next_deadline_on": "2027-03-10",
        "created_at": "2026-11-22T09:00:00Z",
        "updated_at": "2026-11-22T09:00:00Z",
    }
    assert 0 < application["progress"]["answered"] < application["progress"]["applicable"]
    assert listed(deadline_within_days=30)["items"] == []
    assert listed(status="closed")["total"] == 0
    second = listed(per_page=2, page=2)
    assert (second["total"], second["pages"], len(second["items"])) == (3, 2, 1)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"page": 0}, "page"),
        ({"per_page": 101}, "per_page"),
        ({"deadline_within_days": -1}, "deadline_within_days"),
        ({"deadline_within_days": "soon"}, "deadline_within_days"),
    ],
)
def test_invalid_list_parameters_give_422_naming_them(
    api: TestClient, db_session: Session, world: World, params: Json, field: str
) -> None:
    response = api.get(CASES, params=params, headers=bearer(token_for(db_session, world.advocate)))

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["detail"]] == [field]


def test_an_unknown_case_id_is_404_on_every_case_route(
    api: TestClient, db_session: Session, world: World
) -> None:
    token = token_for(db_session, world.advocate)
    unknown = f"{CASES}/{'0' * 32}"
    calls = [
        ("GET", unknown, None),
        ("GET", f"{unknown}/applications", None),
        ("POST", f"{unknown}/applications", {"workflow_id": "uk.cica"}),
        ("GET", f"{unknown}/applications/{'1' * 32}", None),
        ("GET", f"{unknown}/applications/{'1' * 32}/evaluation", None),
        ("GET", f"{unknown}/facts", None),
        ("PATCH", f"{unknown}/facts", {"facts": {"police.reported": True}}),
        ("GET", f"{CASES}/not-even-an-id", None),
    ]
    for method, url, body in calls:
        response = api.request(method, url, json=body, headers=bearer(token))
        assert (method, url, response.status_code, response.json()) == (
            method,
            url,
            404,
            {"detail": "There is no case with this id."},
        )


# --- applications ---------------------------------------------------------------------------------------


def test_applications_start_list_and_read(
    api: TestClient, db_session: Session, cheap_settings: Settings, world: World
) -> None:
    token = token_for(db_session, world.advocate)
    case = create_via_api(api, token)
    applications = f"{CASES}/{case['id']}/applications"

    started = api.post(applications, json={"workflow_id": "uk.cica"}, headers=bearer(token))

    assert started.status_code == 201
    cica = started.json()
    assert started.headers["Location"] == f"http://testserver{applications}/{cica['id']}"
    assert (cica["workflow_id"], cica["status"], cica["progress"]["answered"]) == ("uk.cica", "draft", 1)
    nrm = api.post(applications, json={"workflow_id": "uk.nrm"}, headers=bearer(token)).json()
    listed = api.get(applications, headers=bearer(token))
    assert (listed.status_code, listed.json()) == (200, {"items": [cica, nrm]})
    read = api.get(f"{applications}/{cica['id']}", headers=bearer(token))
    assert (read.status_code, read.json()) == (200, cica)
    assert [
        a["id"] for a in api.get(f"{CASES}/{case['id']}", headers=bearer(token)).json()["applications"]
    ] == [
        cica["id"],
        nrm["id"],
    ]
    events = db_session.exec(select(CaseEvent).where(CaseEvent.action == "application.started")).all()
    assert [(e.subject, e.actor_user_id) for e in events] == [
        (cica["id"], id_of(world.advocate)),
        (nrm["id"], id_of(world.advocate)),
    ]


@pytest.mark.parametrize(
    ("workflow_id", "message"),
    [
        ("uk.cica", "already has an application"),
        ("us.t_visa", "is not available for cases in GB-ENG"),
        ("nonsense", "is not available for cases in GB-ENG"),
    ],
)
def test_an_application_that_cannot_start_gives_422(
    api: TestClient, db_session: Session, world: World, workflow_id: str, message: str
) -> None:
    token = token_for(db_session, world.advocate)
    case = create_via_api(api, token)
    applications = f"{CASES}/{case['id']}/applications"
    api.post(applications, json={"workflow_id": "uk.cica"}, headers=bearer(token))

    response = api.post(applications, json={"workflow_id": workflow_id}, headers=bearer(token))

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "workflow_id"
    assert message in error["message"]
    assert len(api.get(applications, headers=bearer(token)).json()["items"]) == 1


def test_an_application_of_another_case_is_404(
    api: TestClient, db_session: Session, cheap_settings: Settings, world: World
) -> None:
    token = token_for(db_session, world.advocate)
    first = new_case(db_session, cheap_settings, world, "Case Heron")
    second = new_case(db_session, cheap_settings, world, "Case Ibis")
    cica = start(db_session, cheap_settings, world, first, "uk.cica")

    for suffix in ("", "/evaluation"):
        response = api.get(
            f"{CASES}/{second.public_id}/applications/{cica.public_id}{suffix}", headers=bearer(token)
        )
        assert (response.status_code, response.json()) == (
            404,
            {"detail": "This case has no application with this id."},
        )


def test_the_evaluation_is_the_engines_json_for_the_current_facts(
    api: TestClient, db_session: Session, cheap_settings: Settings, world: World
) -> None:
    token = token_for(db_session, world.advocate, (SCOPE_CASES_READ,))
    case = new_case(db_session, cheap_settings, world)
    cica = start(db_session, cheap_settings, world, case, "uk.cica")
    service.change_facts(
        db_session,
        cheap_settings,
        actor(db_session, world.advocate),
        case,
        CICA_FACTS,
        source="advocate",
        now=NOW,
        today=TODAY,
    )

    response = api.get(
        f"{CASES}/{case.public_id}/applications/{cica.public_id}/evaluation", headers=bearer(token)
    )

    assert response.status_code == 200
    expected = service.evaluate_application(db_session, cheap_settings, case, cica, today=TODAY)
    assert response.json() == json_of(expected.to_dict())
    assert response.json()["deadlines"][0]["due"] == "2027-03-10"


# --- facts ----------------------------------------------------------------------------------------------


def test_facts_are_patched_and_read_back_decrypted_with_their_provenance(
    api: TestClient, db_session: Session, world: World
) -> None:
    token = token_for(db_session, world.advocate)
    case = create_via_api(api, token)
    cica = api.post(
        f"{CASES}/{case['id']}/applications", json={"workflow_id": "uk.cica"}, headers=bearer(token)
    )
    facts_url = f"{CASES}/{case['id']}/facts"

    patched = api.patch(
        facts_url,
        json={"facts": {**CICA_FACTS, "police.crime_reference": None}, "source": "survivor"},
        headers=bearer(token),
    )

    assert patched.status_code == 200, patched.text
    report = patched.json()
    assert report["changed_keys"] == list(CICA_FACTS)
    [changes] = report["applications"]
    assert (changes["application_id"], changes["workflow_id"], changes["changed"]) == (
        cica.json()["id"],
        "uk.cica",
        True,
    )
    assert changes["deadlines_added"] == [
        {
            "id": "UK-CICA-D1",
            "label": changes["deadlines_added"][0]["label"],
            "old_due": None,
            "new_due": "2027-03-10",
        }
    ]
    assert [item["id"] for item in changes["checklist_removed"]] == ["delay_explanation"]  # reported in time
    evaluation = api.get(
        f"{CASES}/{case['id']}/applications/{changes['application_id']}/evaluation", headers=bearer(token)
    )
    assert changes["progress"] == evaluation.json()["progress"]
    assert changes["next_question"] == "cica.unspent_listed_conviction"
    read = api.get(facts_url, headers=bearer(token)).json()["facts"]
    assert read["incident.date"] == {
        "value": "2025-03-10",
        "unknown": False,
        "source": "survivor",
        "given_at": "2026-11-22T09:00:00Z",
        "given_by": id_of(world.advocate),
    }
    assert read["exploitation.types"]["value"] == ["labour"]
    assert (read["police.crime_reference"]["value"], read["police.crime_reference"]["unknown"]) == (
        None,
        True,
    )
    assert read["person.preferred_language"]["value"] == "ro"  # stored when the case was opened
    assert set(read) == set(CICA_FACTS) | {"person.preferred_language"}


def test_changing_an_answer_reports_the_deadline_that_moved(
    api: TestClient, db_session: Session, cheap_settings: Settings, world: World
) -> None:
    token = token_for(db_session, world.advocate)
    case = new_case(db_session, cheap_settings, world)
    cica = start(db_session, cheap_settings, world, case, "uk.cica")
    facts_url = f"{CASES}/{case.public_id}/facts"
    api.patch(facts_url, json={"facts": CICA_FACTS}, headers=bearer(token))

    moved = api.patch(
        facts_url, json={"facts": {"incident.date": "2025-05-01"}}, headers=bearer(token)
    ).json()
    unchanged = api.patch(
        facts_url, json={"facts": {"incident.date": "2025-05-01"}}, headers=bearer(token)
    ).json()

    [changes] = moved["applications"]
    assert moved["changed_keys"] == ["incident.date"]
    assert [(d["id"], d["old_due"], d["new_due"]) for d in changes["deadlines_moved"]] == [
        ("UK-CICA-D1", "2027-03-10", "2027-05-01")
    ]
    assert unchanged["changed_keys"] == []
    assert unchanged["applications"][0]["changed"] is False
    application = api.get(f"{CASES}/{case.public_id}/applications/{cica.public_id}", headers=bearer(token))
    assert application.json()["next_deadline_on"] == "2027-05-01"


def test_bad_facts_give_422_naming_every_bad_key_and_save_nothing(
    api: TestClient, db_session: Session, cheap_settings: Settings, world: World
) -> None:
    token = token_for(db_session, world.advocate)
    case = new_case(db_session, cheap_settings, world)
    start(db_session, cheap_settings, world, case, "uk.cica")
    facts_url = f"{CASES}/{case.public_id}/facts"
    api.patch(facts_url, json={"facts": {"police.reported": True}}, headers=bearer(token))
    before = api.get(facts_url, headers=bearer(token)).json()

    response = api.patch(
        facts_url,
        json={
            "facts": {
                "incident.date": "2025-03-10",  # valid, yet not saved: all or nothing
                "police.reported": "perhaps",
                "person.favourite_colour": "green",
                "police.first_report_date": "2099-01-01",
            }
        },
        headers=bearer(token),
    )

    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [error["field"] for error in detail] == [
        "police.reported",
        "person.favourite_colour",
        "police.first_report_date",
    ]
    assert all(error["message"] for error in detail)
    assert api.get(facts_url, headers=bearer(token)).json() == before


def test_dates_out_of_order_with_stored_facts_are_refused(
    api: TestClient, db_session: Session, cheap_settings: Settings, world: World
) -> None:
    token = token_for(db_session, world.advocate)
    case = new_case(db_session, cheap_settings, world)
    facts_url = f"{CASES}/{case.public_id}/facts"
    api.patch(facts_url, json={"facts": {"incident.date": "2025-03-10"}}, headers=bearer(token))

    response = api.patch(
        facts_url, json={"facts": {"person.date_of_birth": "2025-06-01"}}, headers=bearer(token)
    )

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["detail"]] == ["person.date_of_birth"]
    assert "person.date_of_birth" not in api.get(facts_url, headers=bearer(token)).json()["facts"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"facts": {}}, "facts"),
        ({"facts": {"police.reported": True}, "source": "neighbour"}, "source"),
        ({"facts": ["police.reported"]}, "facts"),
        ({"police.reported": True}, "facts"),
    ],
)
def test_a_malformed_patch_gives_422(
    api: TestClient, db_session: Session, cheap_settings: Settings, world: World, body: Json, field: str
) -> None:
    case = new_case(db_session, cheap_settings, world)

    response = api.patch(
        f"{CASES}/{case.public_id}/facts", json=body, headers=bearer(token_for(db_session, world.advocate))
    )

    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["detail"]]


def test_a_concurrent_change_is_409_with_nothing_saved(
    api: TestClient,
    db_session: Session,
    cheap_settings: Settings,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = new_case(db_session, cheap_settings, world)

    def collide(*args: object, **kwargs: object) -> None:
        raise ConcurrentChange

    monkeypatch.setattr(service, "change_facts", collide)
    response = api.patch(
        f"{CASES}/{case.public_id}/facts",
        json={"facts": {"police.reported": True}},
        headers=bearer(token_for(db_session, world.advocate)),
    )

    assert response.status_code == 409
    assert "changed by someone else" in response.json()["detail"]


def test_every_api_read_is_recorded_against_the_tokens_owner(
    api: TestClient, db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    token = token_for(db_session, world.admin, (SCOPE_CASES_READ,))

    api.get(f"{CASES}/{case.public_id}", headers=bearer(token))
    api.get(f"{CASES}/{case.public_id}/facts", headers=bearer(token))

    views = db_session.exec(
        select(CaseEvent).where(CaseEvent.action == "case.viewed", CaseEvent.case_id == case.id)
    ).all()
    assert [(e.actor_user_id, e.subject) for e in views] == [(id_of(world.admin), None)] * 2


# --- tokens ---------------------------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_tokens_are_hashed_at_rest(
    api: TestClient, db_session: Session, migrated_settings: Settings, world: World
) -> None:
    token = token_for(db_session, world.advocate)
    assert api.get(CASES, headers=bearer(token)).status_code == 200

    rows = db_session.exec(select(ApiToken)).all()
    assert [row.token_hash for row in rows] == [hash_token(token)]
    database = Path(migrated_settings.database_url.removeprefix("sqlite:///"))
    stored = b"".join(
        path.read_bytes() for path in database.parent.glob(f"{database.name}*") if path.is_file()
    )
    assert hash_token(token).encode() in stored  # the scan reads what the database holds …
    assert token.encode() not in stored  # … and the token itself is not there
    assert token.removeprefix("redress_").encode() not in stored


def test_no_token_or_a_bad_one_is_401_with_a_bearer_challenge(
    api: TestClient, db_session: Session, world: World
) -> None:
    cases = [
        ({}, 'Bearer realm="redress"'),
        ({"Authorization": "Basic YW5hOnNlY3JldA=="}, 'Bearer realm="redress"'),
        ({"Authorization": "Bearer"}, 'Bearer realm="redress"'),
        (bearer("redress_not-a-real-token"), 'Bearer realm="redress", error="invalid_token"'),
        (bearer("not-even-our-format"), 'Bearer realm="redress", error="invalid_token"'),
    ]
    for headers, challenge in cases:
        response = api.get(CASES, headers=headers)
        assert (response.status_code, response.headers["WWW-Authenticate"]) == (401, challenge)
        assert set(response.json()) == {"detail"}


def test_a_revoked_token_is_401_at_once(api: TestClient, db_session: Session, world: World) -> None:
    row, token = create_api_token(db_session, world.advocate, "Laptop", BOTH_SCOPES, NOW)
    assert api.get(CASES, headers=bearer(token)).status_code == 200

    revoke_api_token(db_session, user_id=id_of(world.advocate), token_id=id_of_token(row), now=NOW)
    response = api.get(CASES, headers=bearer(token))

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="redress", error="invalid_token"'


def test_a_deactivated_account_s_token_is_401(api: TestClient, db_session: Session, world: World) -> None:
    token = token_for(db_session, world.advocate)
    world.advocate.is_active = False
    db_session.add(world.advocate)
    db_session.commit()

    assert api.get(CASES, headers=bearer(token)).status_code == 401


def test_a_read_only_token_reads_but_cannot_write(
    api: TestClient, db_session: Session, cheap_settings: Settings, world: World
) -> None:
    token = token_for(db_session, world.advocate, (SCOPE_CASES_READ,))
    case = new_case(db_session, cheap_settings, world)
    writes = [
        ("POST", CASES, {"reference": "Case Ibis", "preferred_language": "ro", "jurisdiction": "GB-ENG"}),
        ("POST", f"{CASES}/{case.public_id}/applications", {"workflow_id": "uk.cica"}),
        ("PATCH", f"{CASES}/{case.public_id}/facts", {"facts": {"police.reported": True}}),
    ]

    assert api.get(f"{CASES}/{case.public_id}", headers=bearer(token)).status_code == 200
    for method, url, body in writes:
        response = api.request(method, url, json=body, headers=bearer(token))
        assert response.status_code == 403, (method, url)
        assert response.json() == {"detail": "This API token lacks the scope 'cases:write'."}
        assert response.headers["WWW-Authenticate"] == (
            'Bearer realm="redress", error="insufficient_scope", scope="cases:write"'
        )
    db_session.rollback()  # a fresh snapshot: the API wrote through its own connection
    assert len(db_session.exec(select(LegalCase)).all()) == 1
    assert service.list_applications(db_session, actor(db_session, world.advocate), case) == []


def test_a_write_only_token_may_read_too(
    api: TestClient, db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    token = token_for(db_session, world.advocate, (SCOPE_CASES_WRITE,))

    assert api.get(f"{CASES}/{case.public_id}/facts", headers=bearer(token)).status_code == 200


# --- lawyers and survivors ------------------------------------------------------------------------------


def test_a_lawyer_reads_what_is_shared_and_changes_nothing(
    api: TestClient, db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    cica = start(db_session, cheap_settings, world, case, "uk.cica")
    nrm = start(db_session, cheap_settings, world, case, "uk.nrm")
    advocate = actor(db_session, world.advocate)
    share_case(
        db_session,
        advocate,
        case,
        lawyer_user_id=id_of(world.partner_lawyer),
        application_public_id=cica.public_id,
        now=NOW,
    )
    token = token_for(db_session, world.partner_lawyer)
    base = f"{CASES}/{case.public_id}"

    assert [c["id"] for c in api.get(CASES, headers=bearer(token)).json()["items"]] == [case.public_id]
    assert [a["id"] for a in api.get(base, headers=bearer(token)).json()["applications"]] == [cica.public_id]
    assert (
        api.get(f"{base}/applications/{cica.public_id}/evaluation", headers=bearer(token)).status_code == 200
    )
    assert api.get(f"{base}/applications/{nrm.public_id}", headers=bearer(token)).status_code == 404
    assert api.get(f"{base}/facts", headers=bearer(token)).status_code == 200
    refused = api.patch(f"{base}/facts", json={"facts": {"police.reported": True}}, headers=bearer(token))
    assert (refused.status_code, refused.json()) == (403, {"detail": "You may not do this on this case."})
    assert (
        api.post(f"{base}/applications", json={"workflow_id": "uk.cica"}, headers=bearer(token)).status_code
        == 403
    )


def test_survivors_cannot_have_tokens_and_a_planted_one_sees_only_survivor_facts(
    api: TestClient, db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    new_case(db_session, cheap_settings, world, "Case Ibis")
    advocate = actor(db_session, world.advocate)
    service.change_facts(
        db_session,
        cheap_settings,
        advocate,
        case,
        {"person.date_of_birth": "1995-04-12", "nrm.first_responder_org": True},
        source="advocate",
        now=NOW,
        today=TODAY,
    )
    code = issue_access_code(db_session, cheap_settings, advocate, case, now=NOW)
    survivor = redeem_access_code(
        db_session, cheap_settings, code=code, passphrase=PASSPHRASE, display_name="Rosa", now=NOW
    )
    with pytest.raises(AuthError, match="cannot have API tokens"):
        create_api_token(db_session, survivor, "Phone", (SCOPE_CASES_READ,), NOW)
    # Suppose one existed anyway (written straight into the table): the rules still hold.
    planted = "redress_planted-survivor-token"
    db_session.add(
        ApiToken(
            user_id=id_of(survivor),
            name="Planted",
            token_hash=hash_token(planted),
            scopes=f"{SCOPE_CASES_READ} {SCOPE_CASES_WRITE}",
            created_at=NOW,
        )
    )
    db_session.commit()

    listed = api.get(CASES, headers=bearer(planted)).json()
    facts = api.get(f"{CASES}/{case.public_id}/facts", headers=bearer(planted)).json()["facts"]
    patched = api.patch(
        f"{CASES}/{case.public_id}/facts", json={"facts": {"police.reported": True}}, headers=bearer(planted)
    )

    assert [c["id"] for c in listed["items"]] == [case.public_id]
    assert set(facts) == {"person.date_of_birth", "person.preferred_language"}
    assert patched.status_code == 403


def id_of_token(row: ApiToken) -> int:
    """The id of a saved token row."""
    assert row.id is not None
    return row.id
