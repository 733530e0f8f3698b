"""The ``redress`` command.

``redress serve`` runs the whole embedded site (see :mod:`web.serve`), ``redress migrate``
brings the database schema up to date, ``redress createadmin`` sets up the first organisation and
its admin, ``redress rotate-keys`` re-wraps the stored data keys after a new key is put first in
``REDRESS_KEYS``, and ``redress check`` / ``redress evaluate`` run the workflow engine
(:mod:`web.engine_commands`).
"""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError

from api.settings import Settings, get_settings
from web import engine_commands

# The database, Alembic and the web server are imported inside the commands that use them:
# `redress check` and `redress evaluate` then start in a fraction of the time.

app = typer.Typer(
    name="redress",
    help="Redress: guided legal workflows for survivors of human trafficking.",
    no_args_is_help=True,
    add_completion=False,
)


def _load_settings() -> Settings:
    """Read the settings, or explain on stderr which variable is wrong and exit 2."""
    try:
        return get_settings()
    except ValidationError as exc:
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"])
            message = str(error["msg"]).removeprefix("Value error, ")
            where = f"REDRESS_{field.upper()}: " if field else ""
            typer.echo(f"redress: configuration error: {where}{message}", err=True)
        raise typer.Exit(2) from None


def _migrate(settings: Settings) -> None:
    from sqlalchemy.engine import make_url

    from api.db.migrate import upgrade_to_head

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    revision = upgrade_to_head(settings.database_url)
    shown_url = make_url(settings.database_url).render_as_string(hide_password=True)
    typer.echo(f"Database {shown_url} is at migration {revision}.")


@app.command()
def serve(
    host: Annotated[
        str | None,
        typer.Option(help="Address to listen on.", show_default="REDRESS_HOST, else 127.0.0.1"),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(min=1, max=65535, help="Port to listen on.", show_default="REDRESS_PORT, else 8000"),
    ] = None,
    no_worker: Annotated[
        bool,
        typer.Option(
            "--no-worker",
            help="Serve pages only, without the Celery worker and beat: no reminders run.",
        ),
    ] = False,
    web_processes: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Web processes to run.",
            show_default="REDRESS_WEB_PROCESSES, else one per CPU core",
        ),
    ] = None,
) -> None:
    """Apply migrations, then run the web app and the Celery worker with beat until Ctrl-C."""
    from web.serve import ServeError, run_server

    settings = _load_settings()
    if web_processes is not None:
        settings = settings.model_copy(update={"web_processes": web_processes})
    _migrate(settings)
    try:
        status = run_server(
            settings,
            host=host or settings.host,
            port=port or settings.port,
            with_worker=not no_worker,
        )
    except ServeError as exc:
        typer.echo(f"redress: {exc}", err=True)
        raise typer.Exit(1) from None
    raise typer.Exit(status)


@app.command()
def migrate() -> None:
    """Apply every pending database migration and print the current revision."""
    _migrate(_load_settings())


@app.command()
def createadmin(
    org: Annotated[str | None, typer.Option("--org", help="The organisation's name.")] = None,
    email: Annotated[str | None, typer.Option("--email", help="The admin's email address.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="The admin's name.")] = None,
    timezone: Annotated[
        str,
        typer.Option(
            "--timezone",
            help="Where the organisation works, as an IANA name such as Europe/London or "
            "America/New_York: reminders fire and 'today' turns on its clock.",
        ),
    ] = "Europe/London",
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the password from the first line of standard input instead of prompting "
            "(for scripts; needs --org, --email and --name).",
        ),
    ] = False,
) -> None:
    """Apply migrations, then create the first organisation and its admin.

    Asks for what the options do not give, the password twice and hidden. Refuses once
    Redress is set up: further people are added by the admin, in the app.
    """
    from sqlmodel import Session

    from api.db.engine import create_db_engine
    from api.orgs.service import OrgError, create_first_organisation, is_set_up

    if password_stdin and not (org and email and name):
        typer.echo("redress: with --password-stdin, give --org, --email and --name too", err=True)
        raise typer.Exit(2)
    settings = _load_settings()
    _migrate(settings)
    engine = create_db_engine(settings.database_url)
    try:
        with Session(engine) as session:
            # Checked before asking anything: nobody should type a password only to be refused.
            if is_set_up(session):
                typer.echo("redress: Redress is already set up; admins add people in the app.", err=True)
                raise typer.Exit(1)
            org = org or typer.prompt("Organisation name")
            email = email or typer.prompt("Your email address", value_proc=_checked_email)
            name = name or typer.prompt("Your name")
            password = _read_password() if password_stdin else _prompt_password()
            try:
                organisation, admin = create_first_organisation(
                    session,
                    settings,
                    org_name=org,
                    admin_email=email,
                    admin_name=name,
                    password=password,
                    timezone=timezone,
                )
            except OrgError as exc:
                typer.echo(f"redress: {exc}", err=True)
                raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(f"Created {organisation.name} with its admin {admin.display_name} <{admin.email}>.")
    typer.echo("Run `redress serve` and sign in with that email address and password.")


def _checked_email(value: str) -> str:
    # A typo in an interactive answer is asked again rather than ending the command.
    from api.orgs.service import OrgError, normalise_email

    try:
        return normalise_email(value)
    except OrgError as exc:
        raise typer.BadParameter(str(exc)) from None


def _read_password() -> str:
    line = typer.get_text_stream("stdin").readline()
    return line.removesuffix("\n").removesuffix("\r")


def _prompt_password() -> str:
    from api.security.passwords import check_passphrase

    while True:
        password: str = typer.prompt(
            "Password (at least 10 characters; a few words work well)",
            hide_input=True,
            confirmation_prompt="Repeat the password",
        )
        problem = check_passphrase(password)
        if problem is None:
            return password
        typer.echo(problem, err=True)


@app.command("rotate-keys")
def rotate_keys() -> None:
    """Re-wrap every stored data key under the current key of REDRESS_KEYS.

    Run it after putting a new key first in REDRESS_KEYS (old keys after it); once it has run,
    the old keys can be removed. Safe to run again: keys already under the current key are left.
    """
    from sqlmodel import Session

    from api.auth.service import rewrap_totp_secrets
    from api.cases.key_rotation import rotate_keys as rotate_case_keys
    from api.db.engine import create_db_engine

    settings = _load_settings()
    engine = create_db_engine(settings.database_url)
    try:
        with Session(engine) as session:
            cases = rotate_case_keys(session, settings)
            totp_secrets = rewrap_totp_secrets(session, settings)
    finally:
        engine.dispose()
    typer.echo(f"Re-wrapped {cases} case data key(s) and {totp_secrets} second-factor secret(s).")


@app.command()
def demo() -> None:
    """Load a fictional organisation, its people and cases at different stages (empty database only)."""
    from datetime import UTC, datetime

    from sqlmodel import Session

    from api.db.engine import create_db_engine
    from api.demo.service import DemoRefused, load_demo

    settings = _load_settings()
    _migrate(settings)
    engine = create_db_engine(settings.database_url)
    now = datetime.now(UTC)
    try:
        with Session(engine) as session:
            logins = load_demo(session, settings, now=now, today=now.date())
    except DemoRefused as exc:
        typer.echo(f"redress: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo("Demo loaded: fictional cases at different stages. Sign in at http://127.0.0.1:8000 as:")
    for login in logins:
        typer.echo(f"  {login.role:26} {login.sign_in:32} passphrase: {login.passphrase}")
    typer.echo("Survivors sign in at /survivor/sign-in. All names, references and dates are invented.")


app.command("check")(engine_commands.check)
app.command("evaluate")(engine_commands.evaluate)


def main() -> None:
    """Console entry point of ``redress``."""
    app()
