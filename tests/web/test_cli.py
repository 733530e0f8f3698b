"""The ``redress`` command's own behaviour (``serve`` end to end is in test_serve.py)."""

from __future__ import annotations

import socket

import pytest
from typer.testing import CliRunner, Result

from api.db.migrate import head_revision
from api.settings import Settings, get_settings
from web.cli import app

runner = CliRunner()


@pytest.mark.sqlite_only
def test_migrate_applies_migrations_and_prints_the_revision(settings: Settings) -> None:
    result = runner.invoke(app, ["migrate"])

    assert result.exit_code == 0, result.output
    assert f"is at migration {head_revision()}" in result.stdout
    assert (settings.data_dir / "redress.db").exists()


def test_unsafe_production_settings_stop_with_a_clear_message(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDRESS_ENVIRONMENT", "production")
    get_settings.cache_clear()

    result = runner.invoke(app, ["migrate"])

    assert result.exit_code == 2
    assert "REDRESS_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.output
    assert not (settings.data_dir / "redress.db").exists()


def test_serve_explains_a_port_in_use(settings: Settings) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = runner.invoke(app, ["serve", "--port", str(port), "--no-worker"])

    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "--port" in result.stderr


@pytest.mark.parametrize("count", ["0", "65", "many"])
def test_serve_refuses_a_bad_web_process_count(settings: Settings, count: str) -> None:
    result = runner.invoke(app, ["serve", "--web-processes", count, "--no-worker"])

    assert result.exit_code == 2
    assert "--web-processes" in result.stderr
    assert not (settings.data_dir / "redress.db").exists()  # refused before anything started


# --- redress createadmin --------------------------------------------------------------------------

ADMIN_PASSWORD = "correct horse battery staple"


@pytest.fixture
def cheap_hashing(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The test's settings with the cheapest Argon2 parameters, as the command will read them."""
    monkeypatch.setenv("REDRESS_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("REDRESS_ARGON2_MEMORY_COST_KIB", "8")
    monkeypatch.setenv("REDRESS_ARGON2_PARALLELISM", "1")
    get_settings.cache_clear()
    return get_settings()


def _admins(settings: Settings) -> list[tuple[str, str | None, str, bool]]:
    """(organisation, email, name, whether ADMIN_PASSWORD verifies) for every admin."""
    from sqlmodel import Session, col, select

    from api.db.engine import create_db_engine
    from api.orgs.models import Membership, Organisation, Role, User
    from api.security.passwords import verify_password

    engine = create_db_engine(settings.database_url)
    try:
        with Session(engine) as session:
            rows = session.exec(
                select(Organisation.name, User)
                .join(Membership, col(Membership.organisation_id) == col(Organisation.id))
                .join(User, col(User.id) == col(Membership.user_id))
                .where(Membership.role == Role.ADMIN)
            ).all()
            return [
                (org, user.email, user.display_name, verify_password(user.password_hash, ADMIN_PASSWORD))
                for org, user in rows
            ]
    finally:
        engine.dispose()


def _createadmin_non_interactive(password: str = ADMIN_PASSWORD) -> Result:
    return runner.invoke(
        app,
        [
            "createadmin",
            "--org",
            "Harbour Light Trust",
            "--email",
            "Ana@Harbour.example",
            "--name",
            "Ana Admin",
        ]
        + ["--password-stdin"],
        input=f"{password}\n",
    )


def test_createadmin_from_options_and_stdin(cheap_hashing: Settings) -> None:
    result = _createadmin_non_interactive()

    assert result.exit_code == 0, result.output
    assert f"is at migration {head_revision()}" in result.stdout
    assert "Created Harbour Light Trust with its admin Ana Admin <ana@harbour.example>." in result.stdout
    assert ADMIN_PASSWORD not in result.output
    assert _admins(cheap_hashing) == [("Harbour Light Trust", "ana@harbour.example", "Ana Admin", True)]


def test_createadmin_asks_for_everything_and_the_password_twice(cheap_hashing: Settings) -> None:
    answers = [
        "Harbour Light Trust",
        "not an email",  # asked again
        "ana@harbour.example",
        "Ana Admin",
        "short",
        "short",  # refused by the policy: asked again
        ADMIN_PASSWORD,
        "a different one entirely",  # the two do not match: asked again
        ADMIN_PASSWORD,
        ADMIN_PASSWORD,
    ]

    result = runner.invoke(app, ["createadmin"], input="\n".join(answers) + "\n")

    assert result.exit_code == 0, result.output
    assert "right format" in result.output
    assert "at least 10 characters" in result.stderr
    assert "do not match" in result.output
    assert ADMIN_PASSWORD not in result.output  # hidden input is not echoed
    assert _admins(cheap_hashing) == [("Harbour Light Trust", "ana@harbour.example", "Ana Admin", True)]


def test_createadmin_refuses_once_set_up_before_asking_anything(cheap_hashing: Settings) -> None:
    assert _createadmin_non_interactive().exit_code == 0

    result = runner.invoke(app, ["createadmin"], input="")

    assert result.exit_code == 1
    assert "Redress is already set up" in result.stderr
    assert "Organisation name" not in result.output
    assert len(_admins(cheap_hashing)) == 1


def test_createadmin_refuses_a_weak_password_from_stdin(cheap_hashing: Settings) -> None:
    result = _createadmin_non_interactive(password="password123")

    assert result.exit_code == 1
    assert "most common passwords" in result.stderr
    assert _admins(cheap_hashing) == []


def test_createadmin_with_password_stdin_needs_every_option(settings: Settings) -> None:
    result = runner.invoke(
        app, ["createadmin", "--org", "Harbour Light Trust", "--password-stdin"], input="x\n"
    )

    assert result.exit_code == 2
    assert "give --org, --email and --name" in result.stderr
    assert not (settings.data_dir / "redress.db").exists()


def test_demo_loads_fictional_cases_and_prints_how_to_sign_in(cheap_hashing: Settings) -> None:
    result = runner.invoke(app, ["demo"])

    assert result.exit_code == 0, result.output
    assert "Demo loaded: fictional cases at different stages." in result.stdout
    assert "advocate@northbridge.example" in result.stdout
    again = runner.invoke(app, ["demo"])
    assert again.exit_code == 1
    assert "already set up" in again.stderr


def test_createadmin_takes_the_organisations_time_zone(cheap_hashing: Settings) -> None:
    """--timezone sets where the organisation works; a name that is not a time zone is refused
    in one line that says what to use, and nothing is created."""
    base = [
        "createadmin",
        "--org",
        "Harbour Light Trust",
        "--email",
        "ana@harbour.example",
        "--name",
        "Ana Admin",
    ]
    refused = runner.invoke(
        app, [*base, "--timezone", "Mars/Base", "--password-stdin"], input=f"{ADMIN_PASSWORD}\n"
    )
    assert refused.exit_code == 1
    assert "is not a time zone. Use a name like Europe/London." in refused.stderr
    assert _admins(cheap_hashing) == []

    created = runner.invoke(
        app, [*base, "--timezone", "America/Chicago", "--password-stdin"], input=f"{ADMIN_PASSWORD}\n"
    )
    assert created.exit_code == 0, created.output
    from sqlmodel import Session, select

    from api.db.engine import create_db_engine
    from api.orgs.models import Organisation

    engine = create_db_engine(cheap_hashing.database_url)
    try:
        with Session(engine) as session:
            assert session.exec(select(Organisation.timezone)).all() == ["America/Chicago"]
    finally:
        engine.dispose()
