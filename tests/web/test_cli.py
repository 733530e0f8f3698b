"""The ``redress`` command's own behaviour (``serve`` end to end is in test_serve.py)."""

from __future__ import annotations

import socket

import pytest
from typer.testing import CliRunner

from api.db.migrate import head_revision
from api.settings import Settings, get_settings
from web.cli import app

runner = CliRunner()


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
