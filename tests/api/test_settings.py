"""Settings: embedded defaults inside data_dir, and production's refusal of unsafe secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from api.settings import DEVELOPMENT_SECRET_KEY, Settings, get_settings

STRONG_KEY = "k" * 48


@pytest.fixture
def clean_environment(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The ``settings`` fixture's scrubbed environment, to build ``Settings()`` from."""
    return monkeypatch


def test_defaults_point_into_the_absolute_data_dir(
    clean_environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_environment.chdir(tmp_path)
    clean_environment.setenv("REDRESS_DATA_DIR", "relative/var")

    settings = Settings()

    data_dir = tmp_path / "relative" / "var"
    assert settings.data_dir == data_dir
    assert settings.database_url == f"sqlite:///{data_dir}/redress.db"
    assert settings.broker_url == f"sqla+sqlite:///{data_dir}/broker.db"
    assert settings.result_backend == f"db+sqlite:///{data_dir}/results.db"
    assert settings.beat_interval_seconds == 60.0
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)


def test_development_is_the_default_and_accepts_the_development_key(
    clean_environment: pytest.MonkeyPatch,
) -> None:
    clean_environment.delenv("REDRESS_ENVIRONMENT")

    settings = Settings()

    assert settings.environment == "development"
    assert settings.secret_key.get_secret_value() == DEVELOPMENT_SECRET_KEY
    assert DEVELOPMENT_SECRET_KEY not in repr(settings)


def test_explicit_urls_are_kept(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("REDRESS_DATABASE_URL", "postgresql+psycopg://app@db/app")
    clean_environment.setenv("REDRESS_BROKER_URL", "redis://127.0.0.1:6379/0")

    settings = Settings()

    assert settings.database_url == "postgresql+psycopg://app@db/app"
    assert settings.broker_url == "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize("secret_key", [None, DEVELOPMENT_SECRET_KEY])
def test_production_refuses_the_development_secret(
    clean_environment: pytest.MonkeyPatch, secret_key: str | None
) -> None:
    clean_environment.setenv("REDRESS_ENVIRONMENT", "production")
    if secret_key is not None:
        clean_environment.setenv("REDRESS_SECRET_KEY", secret_key)

    with pytest.raises(ValidationError, match=r"REDRESS_SECRET_KEY is not set.*token_urlsafe"):
        Settings()


def test_production_refuses_a_short_secret(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("REDRESS_ENVIRONMENT", "production")
    clean_environment.setenv("REDRESS_SECRET_KEY", "short-but-not-default")

    with pytest.raises(ValidationError, match=r"REDRESS_SECRET_KEY is too short.*token_urlsafe"):
        Settings()


def test_production_accepts_a_long_secret(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("REDRESS_ENVIRONMENT", "production")
    clean_environment.setenv("REDRESS_SECRET_KEY", STRONG_KEY)

    assert Settings().secret_key.get_secret_value() == STRONG_KEY


@pytest.mark.parametrize("interval", ["0", "-1"])
def test_beat_interval_must_be_positive(clean_environment: pytest.MonkeyPatch, interval: str) -> None:
    clean_environment.setenv("REDRESS_BEAT_INTERVAL_SECONDS", interval)

    with pytest.raises(ValidationError, match="beat_interval_seconds"):
        Settings()


def test_get_settings_is_cached_until_cleared(clean_environment: pytest.MonkeyPatch) -> None:
    first = get_settings()
    clean_environment.setenv("REDRESS_BEAT_INTERVAL_SECONDS", "5")

    assert get_settings() is first
    get_settings.cache_clear()
    assert get_settings().beat_interval_seconds == 5.0


def test_to_environment_round_trips(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("REDRESS_ENVIRONMENT", "production")
    clean_environment.setenv("REDRESS_SECRET_KEY", STRONG_KEY)
    clean_environment.setenv("REDRESS_BEAT_INTERVAL_SECONDS", "2.5")
    original = Settings()

    for name, value in original.to_environment().items():
        clean_environment.setenv(name, value)

    assert Settings() == original
