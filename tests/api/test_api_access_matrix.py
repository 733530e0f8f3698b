"""Who may call which ``/api/v1`` route on whose case: every route × every kind of caller ×
(the home organisation's case, another organisation's case), with the status each must get.

The table ``EXPECTED`` is the specification. ``test_every_api_route_has_a_row`` builds the list
of routes from ``app.routes``, so a route added without a row here fails the suite.

Callers (all with tokens made by the auth service; fictional people of
:mod:`tests.api.cases.builders`): the home organisation's admin and advocate; a partner firm's
lawyer the home case is shared with; a home lawyer it is not shared with; the advocate of the
other organisation (for whom the "foreign" case is their own); the home advocate through a
read-only token; a revoked token; no token at all.

Each cell gets a fresh case of its kind (with a ``uk.cica`` application; a home case is shared
with the partner lawyer), so a write in one cell never changes what another sees. The
organisations, people and tokens are made once for the module: the cells only read them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Final

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from api.access import actor_for
from api.app import API_PREFIX
from api.auth.models import SCOPE_CASES_READ, SCOPE_CASES_WRITE
from api.auth.service import create_api_token, revoke_api_token
from api.cases import service
from api.cases.router import CASE_NOT_FOUND
from api.cases.sharing import share_case
from api.db.engine import create_db_engine
from api.db.migrate import upgrade_to_head
from api.deadlines.models import CaseDeadline
from api.orgs.models import User
from api.settings import Settings
from tests.api.cases.builders import CICA_FACTS, NOW, TODAY, id_of, make_world
from web.app import create_app

HOME, FOREIGN = "home case", "foreign case"
TARGETS: Final = (HOME, FOREIGN)
ACTORS: Final = (
    "admin",
    "advocate",
    "lawyer with share",
    "lawyer without share",
    "other org's advocate",
    "read-only token",
    "revoked token",
    "no token",
)

# Each row: caller -> (status on the home case, status on the foreign case).
READ: Final = {
    "admin": (200, 404),
    "advocate": (200, 404),
    "lawyer with share": (200, 404),
    "lawyer without share": (404, 404),
    "other org's advocate": (404, 200),
    "read-only token": (200, 404),
    "revoked token": (401, 401),
    "no token": (401, 401),
}
# A change on a case: the scope is checked first (403 whatever the case), then visibility (404),
# then the person's rights on the case (a lawyer: 403).
WRITE_CREATED: Final = {
    "admin": (201, 404),
    "advocate": (201, 404),
    "lawyer with share": (403, 404),
    "lawyer without share": (404, 404),
    "other org's advocate": (404, 201),
    "read-only token": (403, 403),
    "revoked token": (401, 401),
    "no token": (401, 401),
}
WRITE_OK: Final = {
    caller: tuple(200 if s == 201 else s for s in row) for caller, row in WRITE_CREATED.items()
}
# A comment is a change, but one a lawyer the case is shared with may make too.
COMMENT_CREATED: Final = {**WRITE_CREATED, "lawyer with share": (201, 404)}
# Routes about no one case: the target is irrelevant to the status.
LIST: Final = {
    "admin": (200, 200),
    "advocate": (200, 200),
    "lawyer with share": (200, 200),
    "lawyer without share": (200, 200),
    "other org's advocate": (200, 200),
    "read-only token": (200, 200),
    "revoked token": (401, 401),
    "no token": (401, 401),
}
OPEN_CASE: Final = {
    "admin": (201, 201),
    "advocate": (201, 201),
    "lawyer with share": (403, 403),
    "lawyer without share": (403, 403),
    "other org's advocate": (201, 201),
    "read-only token": (403, 403),
    "revoked token": (401, 401),
    "no token": (401, 401),
}
PUBLIC: Final = dict.fromkeys(ACTORS, (200, 200))

CASES = f"{API_PREFIX}/cases"
EXPECTED: Final[dict[tuple[str, str], dict[str, tuple[int, int]]]] = {
    ("GET", f"{API_PREFIX}/health"): PUBLIC,
    ("GET", f"{API_PREFIX}/openapi.json"): PUBLIC,
    ("GET", f"{API_PREFIX}/docs"): PUBLIC,
    ("GET", CASES): LIST,
    ("POST", CASES): OPEN_CASE,
    ("GET", f"{CASES}/{{case_id}}"): READ,
    ("GET", f"{CASES}/{{case_id}}/applications"): READ,
    ("POST", f"{CASES}/{{case_id}}/applications"): WRITE_CREATED,
    ("GET", f"{CASES}/{{case_id}}/applications/{{application_id}}"): READ,
    ("GET", f"{CASES}/{{case_id}}/applications/{{application_id}}/evaluation"): READ,
    ("GET", f"{CASES}/{{case_id}}/facts"): READ,
    ("PATCH", f"{CASES}/{{case_id}}/facts"): WRITE_OK,
    ("GET", f"{CASES}/{{case_id}}/comments"): READ,
    ("POST", f"{CASES}/{{case_id}}/comments"): COMMENT_CREATED,
    # Deadlines (issue 5).
    ("GET", f"{CASES}/{{case_id}}/deadlines"): READ,
    ("POST", f"{CASES}/{{case_id}}/deadlines/{{deadline_id}}/confirm"): WRITE_OK,
    ("POST", f"{CASES}/{{case_id}}/deadlines/{{deadline_id}}/override"): WRITE_OK,
}

# What each route is sent (JSON bodies of the changes; the rest have none).
BODIES: Final[dict[tuple[str, str], Callable[[], dict[str, Any]]]] = {
    ("POST", CASES): lambda: {
        "reference": f"Matrix {uuid.uuid4().hex[:8]}",
        "preferred_language": "ro",
        "jurisdiction": "GB-ENG",
    },
    ("POST", f"{CASES}/{{case_id}}/applications"): lambda: {"workflow_id": "uk.nrm"},
    ("PATCH", f"{CASES}/{{case_id}}/facts"): lambda: {"facts": {"police.reported": True}},
    ("POST", f"{CASES}/{{case_id}}/comments"): lambda: {"body": "Please check the police report date."},
    ("POST", f"{CASES}/{{case_id}}/deadlines/{{deadline_id}}/override"): lambda: {
        "due": "2027-01-15",
        "reason": "Decision letter of 2026-11-20",
    },
}


@dataclass(frozen=True)
class Target:
    """One fresh case and its ``uk.cica`` application."""

    case_id: str
    application_id: str
    reference: str
    deadline_id: str = ""  # its deadline UK-CICA-D1


@dataclass
class Matrix:
    """The app, its database and the callers' tokens, shared by the module's cells."""

    client: TestClient
    engine: Engine
    settings: Settings
    headers: dict[str, dict[str, str]]
    home_advocate_id: int
    foreign_advocate_id: int
    partner_lawyer_id: int

    def fresh_target(self, kind: str) -> Target:
        """A new case of the home organisation (shared with the partner lawyer) or of the foreign
        one, with a ``uk.cica`` application."""
        opener_id = self.home_advocate_id if kind == HOME else self.foreign_advocate_id
        reference = f"Matrix {uuid.uuid4().hex[:12]}"
        with Session(self.engine) as session:
            actor = actor_for(session, session.get_one(User, opener_id))
            case = service.create_case(
                session,
                self.settings,
                actor,
                reference=reference,
                preferred_language="ro",
                jurisdiction="GB-ENG",
                now=NOW,
            )
            application = service.start_application(
                session, self.settings, actor, case, "uk.cica", now=NOW, today=TODAY
            )
            if kind == HOME:
                share_case(session, actor, case, lawyer_user_id=self.partner_lawyer_id, now=NOW)
            # Every answer, so that the application has its deadline UK-CICA-D1.
            service.change_facts(
                session, self.settings, actor, case, CICA_FACTS, source="advocate", now=NOW, today=TODAY
            )
            deadline = session.exec(select(CaseDeadline).where(CaseDeadline.case_id == id_of(case))).one()
            return Target(case.public_id, application.public_id, reference, deadline.public_id)


def _token(session: Session, user: User, scopes: tuple[str, ...], *, revoked: bool = False) -> dict[str, str]:
    row, token = create_api_token(session, user, "Matrix", scopes, NOW)
    if revoked:
        assert row.id is not None
        revoke_api_token(session, user_id=id_of(user), token_id=row.id, now=NOW)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    """One database, app and set of callers for the whole module (see the module docstring)."""
    with pytest.MonkeyPatch.context() as env:
        for name in list(os.environ):
            if name.startswith("REDRESS_"):
                env.delenv(name)
        settings = Settings(
            environment="test",
            data_dir=tmp_path_factory.mktemp("matrix") / "var",
            argon2_time_cost=1,
            argon2_memory_cost_kib=8,
            argon2_parallelism=1,
        )
    upgrade_to_head(settings.database_url)
    engine = create_db_engine(settings.database_url)
    both = (SCOPE_CASES_READ, SCOPE_CASES_WRITE)
    with Session(engine) as session:
        world = make_world(session, settings)
        headers = {
            "admin": _token(session, world.admin, both),
            "advocate": _token(session, world.advocate, both),
            "lawyer with share": _token(session, world.partner_lawyer, both),
            "lawyer without share": _token(session, world.lawyer, both),
            "other org's advocate": _token(session, world.foreign_advocate, both),
            "read-only token": _token(session, world.advocate, (SCOPE_CASES_READ,)),
            "revoked token": _token(session, world.admin, both, revoked=True),
            "no token": {},
        }
        ids = (id_of(world.advocate), id_of(world.foreign_advocate), id_of(world.partner_lawyer))
    try:
        with TestClient(create_app(settings)) as client:
            yield Matrix(client, engine, settings, headers, *ids)
    finally:
        engine.dispose()


def api_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) the app serves under the API prefix.

    Through :func:`fastapi.routing.iter_route_contexts`, as FastAPI's own OpenAPI generation
    does: since FastAPI 0.137, ``app.routes`` holds included routers unexpanded, so a plain loop
    over it would find no API route at all (and a check built on it would pass vacuously).
    """
    found: set[tuple[str, str]] = set()
    for context in iter_route_contexts(app.routes):
        path = context.path or ""
        if path == API_PREFIX or path.startswith(f"{API_PREFIX}/"):
            found.update(
                (method, path) for method in context.methods or () if method not in {"HEAD", "OPTIONS"}
            )
    return found


def test_every_api_route_has_a_row(matrix: Matrix) -> None:
    app = matrix.client.app
    assert isinstance(app, FastAPI)

    assert api_routes(app) == set(EXPECTED), "a route under /api/v1 needs its row in EXPECTED"
    for route, row in EXPECTED.items():
        assert set(row) == set(ACTORS), route


@pytest.mark.parametrize("target_kind", TARGETS)
@pytest.mark.parametrize("caller", ACTORS)
@pytest.mark.parametrize("route", list(EXPECTED), ids=lambda route: " ".join(route))
def test_access(matrix: Matrix, route: tuple[str, str], caller: str, target_kind: str) -> None:
    method, template = route
    target = matrix.fresh_target(target_kind)
    url = template.format(
        case_id=target.case_id, application_id=target.application_id, deadline_id=target.deadline_id
    )
    body = BODIES[route]() if route in BODIES else None
    params = {"q": target.reference} if route == ("GET", CASES) else None

    response = matrix.client.request(method, url, json=body, params=params, headers=matrix.headers[caller])

    expected = EXPECTED[route][caller][TARGETS.index(target_kind)]
    assert response.status_code == expected, response.text
    if expected == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    if expected == 404:
        assert response.json() == {"detail": CASE_NOT_FOUND}  # the same answer as an unknown id
    if route == ("GET", CASES) and expected == 200:
        # The list shows the case exactly when the case itself can be read.
        listed = [case["id"] for case in response.json()["items"]]
        visible = READ[caller][TARGETS.index(target_kind)] == 200
        assert listed == ([target.case_id] if visible else [])
