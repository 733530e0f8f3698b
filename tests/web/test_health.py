"""The site over HTTP: health, the start page, and error responses that leak nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.heartbeat.service import WORKER_HEARTBEAT, record_heartbeat
from api.settings import Settings
from web.app import create_app

SECRET_MESSAGE = "survivor-name-in-an-exception"


def html_page(client: TestClient, path: str, status_code: int) -> str:
    """The page at ``path``, after checking its status code and that it is HTML in English."""
    response = client.get(path)
    assert response.status_code == status_code
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="en"' in response.text
    return response.text


def test_health_is_degraded_before_any_heartbeat(client: TestClient) -> None:
    response = client.get("/health")

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"]["reachable"] is True
    assert body["database"]["up_to_date"] is True
    assert body["worker"]["ok"] is False
    assert "no heartbeat" in body["worker"]["reason"]
    assert body["version"]


def test_health_is_ok_after_a_heartbeat(client: TestClient, db_session: Session) -> None:
    record_heartbeat(db_session, WORKER_HEARTBEAT, datetime.now(UTC), "celery@test")

    response = client.get("/health")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok", body
    assert body["reasons"] == []
    assert body["worker"]["ok"] is True
    assert body["worker"]["detail"] == "celery@test"


def test_the_api_serves_the_same_report(client: TestClient) -> None:
    site = client.get("/health").json()
    api = client.get("/api/v1/health").json()

    assert api["status"] == site["status"]
    assert api.keys() == site.keys()


def test_health_is_503_when_the_database_is_unreachable(settings: Settings, tmp_path: Path) -> None:
    broken = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path}"})

    with TestClient(create_app(broken)) as client:
        response = client.get("/health")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert str(tmp_path) not in response.text


def test_the_start_page_leads_a_new_installation_to_set_up(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/setup"
    text = html_page(client, "/setup", 200)
    assert '<main id="main-content"' in text


def test_api_docs_are_served(client: TestClient) -> None:
    assert client.get("/api/v1/docs").status_code == 200
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/health", "/api/v1/cases", "/api/v1/cases/{case_id}/facts"} <= set(paths)


def test_unknown_page_is_a_404_page(client: TestClient) -> None:
    text = html_page(client, "/no/such/page", 404)

    assert "Not Found" in text


def test_unknown_api_path_is_a_404_json(client: TestClient) -> None:
    response = client.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


@pytest.mark.parametrize(
    ("path", "content_type"), [("/boom", "text/html"), ("/api/v1/boom", "application/json")]
)
def test_a_crash_is_a_500_that_leaks_nothing(
    migrated_settings: Settings, path: str, content_type: str
) -> None:
    app = create_app(migrated_settings)

    def boom() -> None:
        raise RuntimeError(SECRET_MESSAGE)

    app.add_api_route(path, boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get(path)

    assert response.status_code == 500
    assert response.headers["content-type"].startswith(content_type)
    assert SECRET_MESSAGE not in response.text
    assert "Traceback" not in response.text
    assert "RuntimeError" not in response.text
