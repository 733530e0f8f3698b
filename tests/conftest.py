"""Fixtures shared by the whole suite.

Real services (PostgreSQL, Redis):
    ``require_service(name, check, install_hint)`` runs ``check``; if it raises, the test is
    skipped with the hint, or fails when the ``CI`` environment variable is true (CI must never
    pass by skipping). Fixtures ``postgres_url`` / ``postgres_database`` and ``redis_url`` use it;
    mark such tests ``@pytest.mark.postgres`` / ``@pytest.mark.redis`` as well. The servers are
    found at ``TEST_POSTGRES_URL`` / ``TEST_REDIS_URL`` or at the defaults below.

Settings and database:
    ``settings``: ``Settings`` for one test, with ``environment="test"``, ``data_dir`` at
    ``tmp_path / "var"`` (so every SQLite file is private to the test), none of the developer's
    ``REDRESS_*`` variables, and ``get_settings()`` returning the same values. After every test
    the ``get_settings()`` cache is cleared (autouse), so no test sees another's settings.
    ``migrated_settings``: the same, with the SQLite database migrated to head.
    ``db_session``: a session on that migrated database.
    ``client``: a ``TestClient`` on ``create_app(migrated_settings)``, lifespan started.

The same suite on PostgreSQL:
    With ``REDRESS_TEST_DATABASE=postgresql``, ``settings`` points every test at a new, empty
    database of its own on the local PostgreSQL server (created from a template that is
    migrated once per run when the test asks for ``migrated_settings``), dropped afterwards.
    Tests about SQLite itself are marked ``sqlite_only`` and skipped in that run.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

# Helper modules that assert on behalf of tests: pytest explains their failures as it does a test's.
pytest.register_assert_rewrite("tests.workflows.engine_results")

# The heavy imports (FastAPI, SQLAlchemy, drivers) happen inside the fixtures that need them,
# so test runs that use none of them (tests/workflows) don't pay for them at start-up.
if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from sqlmodel import Session

    from api.settings import Settings

DEFAULT_POSTGRES_URLS = (
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "postgresql+psycopg://root@127.0.0.1:5432/test",
)
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
POSTGRES_HINT = (
    "Start PostgreSQL on 127.0.0.1:5432 with trust auth and a database named test "
    "(Debian: apt-get install -y postgresql; pg_ctlcluster 15 main start; "
    "su postgres -c 'createdb test'), or set TEST_POSTGRES_URL."
)
REDIS_HINT = (
    "Start Redis on 127.0.0.1:6379 (Debian: apt-get install -y redis-server; "
    "redis-server --daemonize yes --bind 127.0.0.1 --save ''), or set TEST_REDIS_URL."
)


def running_in_ci() -> bool:
    """Whether the ``CI`` environment variable is set to a true value."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def require_service(name: str, check: Callable[[], object], install_hint: str) -> None:
    """Skip the test (or fail it under CI) unless ``check()`` returns without raising."""
    try:
        check()
    except Exception as exc:  # whatever the reason, the service is not usable
        message = f"{name} is not available ({type(exc).__name__}: {exc}). {install_hint}"
        if running_in_ci():
            pytest.fail(f"{message} [CI is set: a missing service fails]", pytrace=False)
        pytest.skip(message)


def _libpq_url(sqlalchemy_url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(False)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """SQLAlchemy URL of the local PostgreSQL server's ``test`` database."""
    import psycopg
    from sqlalchemy.engine import make_url

    override = os.environ.get("TEST_POSTGRES_URL")
    candidates = (override,) if override else DEFAULT_POSTGRES_URLS
    usable: list[str] = []

    def connect_to_any() -> None:
        errors = []
        for url in candidates:
            try:
                with psycopg.connect(_libpq_url(url), connect_timeout=3):
                    usable.append(url)
                    return
            except psycopg.Error as exc:
                errors.append(f"{make_url(url).username}: {str(exc).strip()}")
        raise ConnectionError("; ".join(errors))

    require_service("PostgreSQL", connect_to_any, POSTGRES_HINT)
    return usable[0]


@pytest.fixture
def postgres_database(postgres_url: str) -> Iterator[str]:
    """A new, empty database on the local server for one test (dropped afterwards)."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"redress_test_{uuid.uuid4().hex[:16]}"
    admin_url = _libpq_url(postgres_url)
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(postgres_url).set(database=name).render_as_string(False)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def redis_url() -> str:
    """URL of the local Redis server."""
    import redis

    url = os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS_URL)

    def ping() -> None:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        try:
            client.ping()
        finally:
            client.close()

    require_service("Redis", ping, REDIS_HINT)
    return url


def on_postgresql() -> bool:
    """Whether this run puts the tests' databases on PostgreSQL (``REDRESS_TEST_DATABASE``)."""
    return os.environ.get("REDRESS_TEST_DATABASE", "sqlite").strip().lower() in {"postgresql", "postgres"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In the PostgreSQL run, skip the tests that are about SQLite files themselves."""
    if not on_postgresql():
        return
    skip = pytest.mark.skip(reason="about SQLite itself; this run uses PostgreSQL")
    for item in items:
        if item.get_closest_marker("sqlite_only"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def postgres_template(request: pytest.FixtureRequest) -> Iterator[str]:
    """A database migrated to head once per run, copied for each test that needs one."""
    import psycopg
    from sqlalchemy.engine import make_url

    from api.db.migrate import upgrade_to_head

    server_url: str = request.getfixturevalue("postgres_url")
    name = f"redress_template_{uuid.uuid4().hex[:12]}"
    admin_url = _libpq_url(server_url)
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = make_url(server_url).set(database=name).render_as_string(False)
    try:
        upgrade_to_head(url)
        yield name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def test_database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """The test's own PostgreSQL database in the PostgreSQL run (None: SQLite in data_dir)."""
    if not on_postgresql():
        yield None
        return
    import psycopg
    from sqlalchemy.engine import make_url

    server_url: str = request.getfixturevalue("postgres_url")
    # Tests that migrate the database themselves get an empty one; the rest a migrated copy.
    wants_migrated = "migrated_settings" in request.fixturenames
    template = request.getfixturevalue("postgres_template") if wants_migrated else None
    name = f"redress_test_{uuid.uuid4().hex[:16]}"
    admin_url = _libpq_url(server_url)
    with psycopg.connect(admin_url, autocommit=True) as connection:
        clause = f' TEMPLATE "{template}"' if template else ""
        connection.execute(f'CREATE DATABASE "{name}"{clause}')
    try:
        yield make_url(server_url).set(database=name).render_as_string(False)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, test_database_url: str | None) -> Settings:
    """Settings for one test; ``get_settings()`` returns the same values during the test.

    To change a setting: ``monkeypatch.setenv("REDRESS_…", …)``, then
    ``get_settings.cache_clear()`` and ``get_settings()``.
    """
    from api.settings import get_settings

    for name in list(os.environ):
        if name.startswith("REDRESS_") and name != "REDRESS_TEST_DATABASE":
            monkeypatch.delenv(name)
    monkeypatch.setenv("REDRESS_ENVIRONMENT", "test")
    monkeypatch.setenv("REDRESS_DATA_DIR", str(tmp_path / "var"))
    if test_database_url is not None:
        monkeypatch.setenv("REDRESS_DATABASE_URL", test_database_url)
    get_settings.cache_clear()
    return get_settings()


@pytest.fixture(autouse=True)
def _forget_cached_settings() -> Iterator[None]:
    # get_settings() caches per process: never let one test's settings leak into the next.
    yield
    settings_module = sys.modules.get("api.settings")
    if settings_module is not None:
        settings_module.get_settings.cache_clear()


@pytest.fixture
def migrated_settings(settings: Settings) -> Settings:
    """``settings`` whose database is migrated to head (already so for a PostgreSQL copy)."""
    from api.db.migrate import upgrade_to_head

    upgrade_to_head(settings.database_url)
    return settings


@pytest.fixture
def db_session(migrated_settings: Settings) -> Iterator[Session]:
    """A session on the test's own migrated SQLite database."""
    from sqlmodel import Session

    from api.db.engine import create_db_engine

    engine = create_db_engine(migrated_settings.database_url)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


@pytest.fixture
def client(migrated_settings: Settings) -> Iterator[TestClient]:
    """A test client on the whole site, with the app's lifespan (engine) running."""
    from fastapi.testclient import TestClient

    from web.app import create_app

    with TestClient(create_app(migrated_settings)) as test_client:
        yield test_client
