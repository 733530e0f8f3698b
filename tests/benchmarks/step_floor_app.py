"""The least an interview step can cost on Redress's stack: a yardstick for bench_interview_step.

``floor_app`` answers the same POST as the real step, on the same database, with only the work
the issue's step requires, each part done the cheapest way the stack allows: statements built
once, on one pooled connection, no ORM objects, no dependencies, no access rules beyond "this
session's user belongs to the case's organisation". The statements run through SQLAlchemy Core
(``BENCH_FLOOR_DRIVER=core``, the default) or, compiled once, straight on the database driver
(``dbapi``: SQLAlchemy's per-statement work gone, below what the stack allows; on SQLite its
writers also skip the queue of ``api.db.engine`` and meet in SQLite's busy handler):

- read the session and its user's memberships, the case, its applications and its current facts
  (4 statements);
- unwrap the case's data key and decrypt every fact (AES-GCM), parse the answer;
- evaluate the application once with the real engine and ``uk.cica``;
- supersede the fact, insert its new encrypted value and the ``fact.changed`` audit event,
  update the application and the case, commit (5 statements);
- render a fragment of the question's size (the bare page's template) with ``HX-Push-Url``.

Left out on purpose, though the real step needs them: the CSRF check, the session's idle and
lifetime checks and its "last seen" write, the access rules' lawyer and survivor branches, the
second evaluation (for the report of what changed), the deadline rows, the generated documents
made stale, the real question's widgets and translations. So the floor is lower than any real
implementation can reach: if its throughput is under the goal's share of the bare page, the
goal is out of reach on this machine for any implementation on this stack.

Imported by uvicorn in each of its processes: the database comes from ``REDRESS_*`` settings.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any, Final

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Dialect, Engine, Executable, Table, bindparam, insert, select, update

from api.audit.models import CaseEvent
from api.auth.models import UserSession
from api.cases.models import Application, CaseFact, LegalCase
from api.db.engine import create_db_engine
from api.orgs.models import Membership
from api.security.crypto import KeyRing, decrypt_field, encrypt_field, fact_aad, unwrap_data_key
from api.security.random_tokens import hash_token
from api.settings import Settings
from tests.benchmarks.bench_interview_step import (
    BARE_CONTEXT,
    BARE_TEMPLATES,
    BARE_THREADS_VARIABLE,
    FLOOR_DRIVER_VARIABLE,
)
from web.identity import SESSION_COOKIE
from web.serve import freeze_startup_objects
from workflows.catalogue import default_catalogue
from workflows.engine import evaluate
from workflows.facts import default_fact_dictionary

_SESSIONS: Final[Table] = UserSession.__table__  # type: ignore[attr-defined]
_MEMBERSHIPS: Final[Table] = Membership.__table__  # type: ignore[attr-defined]
_CASES: Final[Table] = LegalCase.__table__  # type: ignore[attr-defined]
_APPLICATIONS: Final[Table] = Application.__table__  # type: ignore[attr-defined]
_FACTS: Final[Table] = CaseFact.__table__  # type: ignore[attr-defined]
_EVENTS: Final[Table] = CaseEvent.__table__  # type: ignore[attr-defined]

_SIGNED_IN: Final = (
    select(_SESSIONS.c.user_id, _MEMBERSHIPS.c.organisation_id)
    .join(_MEMBERSHIPS, _MEMBERSHIPS.c.user_id == _SESSIONS.c.user_id)
    .where(_SESSIONS.c.id == bindparam("session_id"), _SESSIONS.c.revoked_at.is_(None))
)
_CASE: Final = select(
    _CASES.c.id, _CASES.c.public_id, _CASES.c.organisation_id, _CASES.c.wrapped_data_key
).where(_CASES.c.public_id == bindparam("public_id"))
_APPLICATIONS_OF_CASE: Final = select(
    _APPLICATIONS.c.id, _APPLICATIONS.c.public_id, _APPLICATIONS.c.workflow_id
).where(_APPLICATIONS.c.case_id == bindparam("case_id"))
_CURRENT_FACTS: Final = select(
    _FACTS.c.id, _FACTS.c.key, _FACTS.c.value_encrypted, _FACTS.c.value_plain, _FACTS.c.is_unknown
).where(_FACTS.c.case_id == bindparam("case_id"), _FACTS.c.superseded_at.is_(None))
_SUPERSEDE: Final = update(_FACTS).where(_FACTS.c.id == bindparam("row_id"))
_INSERT_FACT: Final = insert(_FACTS)
_INSERT_EVENT: Final = insert(_EVENTS)
_UPDATE_APPLICATION: Final = update(_APPLICATIONS).where(_APPLICATIONS.c.id == bindparam("row_id"))
_UPDATE_CASE: Final = update(_CASES).where(_CASES.c.id == bindparam("row_id"))
# The columns each write sets (the DBAPI floor compiles its statements for exactly these).
_WRITES: Final = {
    "supersede": (_SUPERSEDE, ["superseded_at"]),
    "insert_fact": (_INSERT_FACT, [
        "case_id", "key", "is_unknown", "source", "given_by_user_id", "given_at", "value_plain",
        "value_encrypted", "superseded_at",
    ]),
    "insert_event": (_INSERT_EVENT, [
        "case_id", "organisation_id", "action", "actor_user_id", "subject", "at",
    ]),
    "update_application": (_UPDATE_APPLICATION, ["progress_answered", "updated_at"]),
    "update_case": (_UPDATE_CASE, ["updated_at"]),
}  # fmt: skip
_READS: Final = {
    "signed_in": _SIGNED_IN,
    "case": _CASE,
    "applications": _APPLICATIONS_OF_CASE,
    "facts": _CURRENT_FACTS,
}
_STATEMENTS: Final = {**_READS, **{name: statement for name, (statement, _keys) in _WRITES.items()}}


class _Compiled:
    """A statement compiled once for a dialect, run on a bare DBAPI cursor: SQLAlchemy's
    per-execution work gone, its type conversions (UTC date-times on SQLite) kept."""

    def __init__(self, statement: Executable, dialect: Dialect, column_keys: list[str] | None = None) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=column_keys)
        self.sql = compiled.string
        self.positions = compiled.positiontup  # None for a driver with named parameters
        processors = {name: bind.type.bind_processor(dialect) for name, bind in compiled.binds.items()}
        self.processors = {name: processor for name, processor in processors.items() if processor}

    def parameters(self, values: dict[str, Any]) -> Any:
        converted = {
            name: self.processors[name](value) if name in self.processors else value
            for name, value in values.items()
        }
        return converted if self.positions is None else tuple(converted[name] for name in self.positions)


class _Statements:
    """The step's statements on one pooled connection, run through SQLAlchemy Core or the DBAPI."""

    def __init__(self, engine: Engine, driver: str) -> None:
        if driver not in {"core", "dbapi"}:
            raise ValueError(f"{FLOOR_DRIVER_VARIABLE} must be core or dbapi, not {driver!r}")
        self.driver = driver
        # Compiled once for the driver's own dialect; Core compiles (and caches) its own.
        self.compiled: dict[str, _Compiled] = {}
        if driver == "dbapi":
            self.compiled = {name: _Compiled(statement, engine.dialect) for name, statement in _READS.items()}
            for name, (statement, keys) in _WRITES.items():
                self.compiled[name] = _Compiled(statement, engine.dialect, keys)

    @contextlib.contextmanager
    def on(self, engine: Engine) -> Iterator[Callable[[str, dict[str, Any]], Sequence[Any]]]:
        """A function running statement ``name`` with ``values`` (rows for reads), then commit."""
        if self.driver == "core":
            with engine.connect() as connection:

                def core(name: str, values: dict[str, Any]) -> Sequence[Any]:
                    result = connection.execute(_STATEMENTS[name], values)
                    return result.all() if result.returns_rows else ()

                yield core
                connection.commit()
            return
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()

            def dbapi(name: str, values: dict[str, Any]) -> Sequence[Any]:
                compiled = self.compiled[name]
                cursor.execute(compiled.sql, compiled.parameters(values))
                return cursor.fetchall() if cursor.description is not None else ()

            yield dbapi
            raw.commit()
        finally:
            raw.close()


_state: dict[str, Any] = {}


@contextlib.asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    from anyio import to_thread

    to_thread.current_default_thread_limiter().total_tokens = int(os.environ.get(BARE_THREADS_VARIABLE, "40"))
    settings = Settings()
    engine = _state["engine"] = create_db_engine(settings.database_url)
    _state["statements"] = _Statements(engine, os.environ.get(FLOOR_DRIVER_VARIABLE, "core"))
    _state["ring"] = KeyRing.from_settings(settings)
    freeze_startup_objects()  # as redress serve does: definitions loaded, collections kept short
    yield
    engine.dispose()


floor_app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None, lifespan=_lifespan)


@floor_app.get("/ready")
def ready() -> dict[str, bool]:
    """For the benchmark's wait for the server."""
    return {"ready": True}


@floor_app.post("/cases/{case_id}/applications/{application_id}/questions/{fact_key}")
def floor_step(
    request: Request, case_id: str, application_id: str, fact_key: str, answer: Annotated[str, Form()]
) -> HTMLResponse:
    """The interview step's required work, and nothing else (see the module docstring)."""
    dictionary = default_fact_dictionary()
    now = datetime.now(UTC)
    today = now.date()
    statements: _Statements = _state["statements"]
    with statements.on(_state["engine"]) as run:
        token = request.cookies.get(SESSION_COOKIE, "")
        memberships = run("signed_in", {"session_id": hash_token(token)})  # (user_id, organisation_id)
        found = run("case", {"public_id": case_id})  # (id, public_id, organisation_id, wrapped_data_key)
        if not found or found[0][2] not in {organisation_id for _user, organisation_id in memberships}:
            raise HTTPException(status_code=404)
        case_row_id, case_public_id, organisation_id, wrapped_key = found[0]
        user_id = memberships[0][0]
        applications = run("applications", {"case_id": case_row_id})  # (id, public_id, workflow_id)
        application = next((row for row in applications if row[1] == application_id), None)
        if application is None:
            raise HTTPException(status_code=404)
        data_key = unwrap_data_key(_state["ring"], wrapped_key, case_public_id=case_public_id)
        # (id, key, value_encrypted, value_plain, is_unknown)
        rows = {row[1]: row for row in run("facts", {"case_id": case_row_id})}
        facts = {key: _decode(data_key, case_public_id, row) for key, row in rows.items()}
        facts[fact_key] = dictionary.parse_value(fact_key, answer, today=today)
        evaluation = evaluate(default_catalogue().get(application[2], today), facts, today)
        if fact_key in rows:
            run("supersede", {"row_id": rows[fact_key][0], "superseded_at": now})
        encrypted = encrypt_field(
            data_key, json.dumps(answer).encode(), aad=fact_aad(case_public_id, fact_key)
        )
        run("insert_fact", {
            "case_id": case_row_id, "key": fact_key, "is_unknown": False, "source": "advocate",
            "given_by_user_id": user_id, "given_at": now, "value_plain": None, "value_encrypted": encrypted,
            "superseded_at": None,
        })  # fmt: skip
        run("insert_event", {
            "case_id": case_row_id, "organisation_id": organisation_id, "action": "fact.changed",
            "actor_user_id": user_id, "subject": fact_key, "at": now,
        })  # fmt: skip
        run(
            "update_application",
            {"row_id": application[0], "progress_answered": evaluation.answered, "updated_at": now},
        )
        run("update_case", {"row_id": case_row_id, "updated_at": now})
    next_fact = evaluation.next_question or "check-answers"
    next_url = f"/cases/{case_id}/applications/{application_id}/questions/{next_fact}"
    response = BARE_TEMPLATES.TemplateResponse(request, "page.html", {**BARE_CONTEXT, "back_url": next_url})
    response.headers["HX-Push-Url"] = next_url
    return response


def _decode(data_key: bytes, case_public_id: str, row: Sequence[Any]) -> object:
    _id, key, encrypted, plain, is_unknown = row
    if is_unknown:
        return None
    text = (
        decrypt_field(data_key, encrypted, aad=fact_aad(case_public_id, key)).decode() if encrypted else plain
    )
    return default_fact_dictionary().parse_value(key, json.loads(text), today=date.max)
