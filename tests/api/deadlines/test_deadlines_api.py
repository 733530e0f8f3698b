"""The deadlines JSON API: list, confirm, override, its errors, and its OpenAPI description."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.auth.models import SCOPE_CASES_READ, SCOPE_CASES_WRITE
from api.auth.service import create_api_token
from api.reminders.models import Reminder
from api.settings import Settings
from tests.api.cases.builders import NOW, World
from tests.api.deadlines.helpers import cica_case

CASES = "/api/v1/cases"


def _headers(session: Session, world: World) -> dict[str, str]:
    _, token = create_api_token(session, world.advocate, "Test", (SCOPE_CASES_READ, SCOPE_CASES_WRITE), NOW)
    return {"Authorization": f"Bearer {token}"}


def test_list_confirm_and_override_through_the_api(
    client: TestClient, db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = cica_case(db_session, cheap_settings, world)
    headers = _headers(db_session, world)

    listed = client.get(f"{CASES}/{case.public_id}/deadlines", headers=headers)
    assert listed.status_code == 200
    [item] = listed.json()["items"]
    assert (item["rule_id"], item["due"], item["state"], item["trigger_date"]) == (
        "UK-CICA-D1",
        "2027-03-10",
        "unconfirmed",
        "2025-03-10",
    )
    assert item["explanation"]
    assert item["holidays_skipped"] == []

    confirmed = client.post(f"{CASES}/{case.public_id}/deadlines/{item['id']}/confirm", headers=headers)
    assert confirmed.status_code == 200
    assert confirmed.json()["state"] == "confirmed"
    assert db_session.exec(select(Reminder)).first() is not None

    refused = client.post(
        f"{CASES}/{case.public_id}/deadlines/{item['id']}/override",
        json={"due": "15/01/2027"},
        headers=headers,
    )
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["detail"]} == {"due", "reason"}

    overridden = client.post(
        f"{CASES}/{case.public_id}/deadlines/{item['id']}/override",
        json={"due": "2027-01-15", "reason": "Decision letter of 2026-11-20"},
        headers=headers,
    )
    assert overridden.status_code == 200
    body = overridden.json()
    assert (body["due"], body["computed_due"], body["override_reason"]) == (
        "2027-01-15",
        "2027-03-10",
        "Decision letter of 2026-11-20",
    )

    unknown = client.post(f"{CASES}/{case.public_id}/deadlines/nothing-here/confirm", headers=headers)
    assert unknown.status_code == 404
    assert unknown.json() == {"detail": "This case has no deadline with this id."}


def test_the_openapi_document_describes_the_deadline_routes(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    expected = {
        (f"{CASES}/{{case_id}}/deadlines", "get"): "CaseDeadlineList",
        (f"{CASES}/{{case_id}}/deadlines/{{deadline_id}}/confirm", "post"): "CaseDeadlineOut",
        (f"{CASES}/{{case_id}}/deadlines/{{deadline_id}}/override", "post"): "CaseDeadlineOut",
    }
    documented = {(p, m) for p, ops in paths.items() if "/deadlines" in p for m in ops}
    assert documented == set(expected)
    for (path, method), schema in expected.items():
        operation = paths[path][method]
        assert operation["tags"] == ["deadlines"]
        assert operation["security"] == [{"ApiToken": []}]
        assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
            "$ref": f"#/components/schemas/{schema}"
        }
        assert "404" in operation["responses"]
