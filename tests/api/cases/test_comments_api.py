"""The comments JSON API (``/api/v1/cases/{case_id}/comments``) through HTTP, with real tokens.

Who may call it on whose case is also a row of ``tests/api/test_api_access_matrix.py``; here: what
the routes answer, what a lawyer may write, and the errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.audit.models import CaseEvent
from api.auth.models import SCOPE_CASES_READ, SCOPE_CASES_WRITE, ApiToken
from api.auth.service import create_api_token
from api.cases.comments import NO_SUCH_APPLICATION, ONLY_THE_SHARED_APPLICATION
from api.cases.models import CaseComment
from api.cases.router import CASE_NOT_FOUND, request_time
from api.cases.sharing import share_case
from api.cases.survivor_access import issue_access_code, redeem_access_code
from api.orgs.models import User
from api.security.random_tokens import hash_token
from api.settings import Settings
from tests.api.cases.builders import NOW, PASSPHRASE, World, actor, id_of, new_case, start

CASES = "/api/v1/cases"
BOTH_SCOPES = (SCOPE_CASES_READ, SCOPE_CASES_WRITE)

Json = dict[str, Any]


@pytest.fixture
def api(client: TestClient) -> Iterator[TestClient]:
    """The site's test client, its request clock fixed at ``NOW``."""
    app = cast(FastAPI, client.app)
    app.dependency_overrides[request_time] = lambda: NOW
    yield client
    app.dependency_overrides.clear()


def bearer(session: Session, user: User, scopes: tuple[str, ...] = BOTH_SCOPES) -> dict[str, str]:
    """The header presenting a new personal API token of ``user``."""
    _, token = create_api_token(session, user, "Test client", scopes, NOW)
    return {"Authorization": f"Bearer {token}"}


def test_an_advocate_comments_and_reads_the_comment_back(
    api: TestClient, db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    headers = bearer(db_session, world.advocate)
    url = f"{CASES}/{case.public_id}/comments"

    created = api.post(url, json={"body": "Line one.\nLine two.  "}, headers=headers)

    assert created.status_code == 201, created.text
    comment = created.json()
    assert set(comment) == {"id", "body", "author", "author_id", "application_id", "created_at"}
    assert comment["body"] == "Line one.\nLine two."
    assert comment["author"] == "Bea Advocate"
    assert comment["author_id"] == id_of(world.advocate)
    assert comment["application_id"] is None
    assert comment["created_at"].startswith("2026-11-22T09:00:00")
    listed = api.get(url, headers=headers)
    assert listed.status_code == 200
    assert listed.json() == {"items": [comment]}
    event = db_session.exec(select(CaseEvent).where(CaseEvent.action == "comment.added")).one()
    assert event.subject == comment["id"]


def test_a_lawyer_with_the_case_shared_comments_through_a_write_token_but_changes_no_fact(
    api: TestClient, db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    cica = start(db_session, cheap_settings, world, case, "uk.cica")
    share_case(
        db_session,
        actor(db_session, world.advocate),
        case,
        lawyer_user_id=id_of(world.partner_lawyer),
        now=NOW,
    )
    headers = bearer(db_session, world.partner_lawyer)
    base = f"{CASES}/{case.public_id}"

    on_case = api.post(f"{base}/comments", json={"body": "The CICA claim looks late."}, headers=headers)
    on_cica = api.post(
        f"{base}/comments",
        json={"body": "Ask about the delay reasons.", "application_id": cica.public_id},
        headers=headers,
    )
    refused = api.patch(f"{base}/facts", json={"facts": {"police.reported": True}}, headers=headers)

    assert (on_case.status_code, on_cica.status_code) == (201, 201)
    assert on_cica.json()["application_id"] == cica.public_id
    assert on_cica.json()["author"] == "Eli Lawyer"
    assert refused.status_code == 403
    advocate_view = api.get(f"{base}/comments", headers=bearer(db_session, world.advocate)).json()
    assert [c["body"] for c in advocate_view["items"]] == [
        "The CICA claim looks late.",
        "Ask about the delay reasons.",
    ]


def test_a_lawyer_with_one_application_shared_comments_and_reads_only_there(
    api: TestClient, db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    cica = start(db_session, cheap_settings, world, case, "uk.cica")
    nrm = start(db_session, cheap_settings, world, case, "uk.nrm")
    advocate = bearer(db_session, world.advocate)
    url = f"{CASES}/{case.public_id}/comments"
    api.post(url, json={"body": "Internal: on the whole case."}, headers=advocate)
    api.post(url, json={"body": "Internal: on the NRM.", "application_id": nrm.public_id}, headers=advocate)
    share_case(
        db_session,
        actor(db_session, world.advocate),
        case,
        lawyer_user_id=id_of(world.lawyer),
        application_public_id=cica.public_id,
        now=NOW,
    )
    lawyer = bearer(db_session, world.lawyer)

    on_cica = api.post(url, json={"body": "Fine.", "application_id": cica.public_id}, headers=lawyer)
    on_case = api.post(url, json={"body": "On the case?"}, headers=lawyer)
    on_nrm = api.post(url, json={"body": "On the NRM?", "application_id": nrm.public_id}, headers=lawyer)
    seen = api.get(url, headers=lawyer).json()

    assert on_cica.status_code == 201
    assert (on_case.status_code, on_case.json()) == (
        422,
        {"detail": [{"field": "application_id", "message": ONLY_THE_SHARED_APPLICATION}]},
    )
    # Not shared with them: answered exactly as an application that does not exist.
    assert (on_nrm.status_code, on_nrm.json()) == (
        422,
        {"detail": [{"field": "application_id", "message": NO_SUCH_APPLICATION}]},
    )
    unknown = api.post(url, json={"body": "?", "application_id": "0" * 32}, headers=lawyer)
    assert unknown.json() == on_nrm.json()
    assert [c["body"] for c in seen["items"]] == ["Fine."]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"body": "   "}, "body", "Enter your comment."),
        ({"body": "x" * 5001}, "body", "Use at most 5,000 characters for a comment (5,001 now)."),
        ({}, "body", "Field required"),
        ({"body": "Fine.", "colour": "red"}, "colour", "Extra inputs are not permitted"),
        ({"body": 42}, "body", "Input should be a valid string"),
    ],
    ids=["blank", "too long", "missing", "unknown field", "not text"],
)
def test_an_invalid_comment_is_422_naming_the_field_and_nothing_is_saved(
    api: TestClient,
    db_session: Session,
    cheap_settings: Settings,
    world: World,
    body: Json,
    field: str,
    message: str,
) -> None:
    case = new_case(db_session, cheap_settings, world)

    response = api.post(
        f"{CASES}/{case.public_id}/comments", json=body, headers=bearer(db_session, world.advocate)
    )

    assert response.status_code == 422
    assert response.json() == {"detail": [{"field": field, "message": message}]}
    assert db_session.exec(select(CaseComment)).first() is None


def test_a_read_only_token_reads_comments_but_cannot_write_one(
    api: TestClient, db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    url = f"{CASES}/{case.public_id}/comments"
    api.post(url, json={"body": "Seen by all of us."}, headers=bearer(db_session, world.advocate))
    read_only = bearer(db_session, world.advocate, (SCOPE_CASES_READ,))

    refused = api.post(url, json={"body": "Another."}, headers=read_only)

    assert refused.status_code == 403
    assert "insufficient_scope" in refused.headers["WWW-Authenticate"]
    assert [c["body"] for c in api.get(url, headers=read_only).json()["items"]] == ["Seen by all of us."]


def test_unknown_and_foreign_cases_are_404_on_both_routes(
    api: TestClient, db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    foreign = bearer(db_session, world.foreign_advocate)

    for case_id, headers in (("0" * 32, bearer(db_session, world.advocate)), (case.public_id, foreign)):
        url = f"{CASES}/{case_id}/comments"
        assert api.get(url, headers=headers).json() == {"detail": CASE_NOT_FOUND}
        posted = api.post(url, json={"body": "Hello"}, headers=headers)
        assert (posted.status_code, posted.json()) == (404, {"detail": CASE_NOT_FOUND})


def test_a_survivor_never_reads_or_writes_comments_even_with_a_planted_token(
    api: TestClient, db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    url = f"{CASES}/{case.public_id}/comments"
    api.post(url, json={"body": "Staff only."}, headers=bearer(db_session, world.advocate))
    code = issue_access_code(db_session, cheap_settings, actor(db_session, world.advocate), case, now=NOW)
    survivor = redeem_access_code(
        db_session, cheap_settings, code=code, passphrase=PASSPHRASE, display_name="Rosa", now=NOW
    )
    # Survivors cannot have tokens; suppose one was written straight into the table.
    planted = "redress_planted-survivor-token"
    db_session.add(
        ApiToken(
            user_id=id_of(survivor),
            name="Planted",
            token_hash=hash_token(planted),
            scopes=" ".join(BOTH_SCOPES),
            created_at=NOW,
        )
    )
    db_session.commit()
    headers = {"Authorization": f"Bearer {planted}"}

    read = api.get(url, headers=headers)
    written = api.post(url, json={"body": "Hello"}, headers=headers)

    assert read.status_code == 403
    assert "Staff only." not in read.text
    assert written.status_code == 403
    assert len(db_session.exec(select(CaseComment)).all()) == 1
