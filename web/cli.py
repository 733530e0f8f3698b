"""The ``redress`` command.

``redress serve`` runs the whole embedded site (see :mod:`web.serve`), ``redress migrate``
brings the database schema up to date, and ``redress check`` / ``redress evaluate`` run the
workflow engine (:mod:`web.engine_commands`).
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
) -> None:
    """Apply migrations, then run the web app and the Celery worker with beat until Ctrl-C."""
    from web.serve import ServeError, run_server

    settings = _load_settings()
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


app.command("check")(engine_commands.check)
app.command("evaluate")(engine_commands.evaluate)


def main() -> None:
    """Console entry point of ``redress``."""
    app()
