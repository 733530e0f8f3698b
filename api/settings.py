"""Redress's settings, read from ``REDRESS_*`` environment variables.

Every setting has a default that runs the embedded profile (SQLite files and the SQLite-backed
Celery broker inside ``data_dir``), so a fresh clone starts with no configuration at all.
Production sets ``REDRESS_ENVIRONMENT=production`` and must then supply a real
``REDRESS_SECRET_KEY``: the settings refuse to load with the development key or a short one.

Code reads settings through :func:`get_settings`, which caches one instance per process. Tests
change the environment (``monkeypatch.setenv``) and then call ``get_settings.cache_clear()``; the
``settings`` fixture in ``tests/conftest.py`` does both.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Final, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "test", "production"]

# Deliberately recognisable: it must never protect real data, and production refuses it.
DEVELOPMENT_SECRET_KEY: Final = "redress-development-secret-key-do-not-use-in-production"
MIN_SECRET_KEY_LENGTH: Final = 32
SECRET_KEY_HINT: Final = 'generate one with: python3 -c "import secrets; print(secrets.token_urlsafe(48))"'


class Settings(BaseSettings):
    """All of Redress's configuration. Field ``x`` is read from ``REDRESS_X``.

    The three URLs default to SQLite files inside ``data_dir``; an empty value also means
    "use the default".
    """

    model_config = SettingsConfigDict(env_prefix="REDRESS_", extra="ignore")

    environment: Environment = "development"
    data_dir: Path = Path("var")
    database_url: str = ""
    broker_url: str = ""
    result_backend: str = ""
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET_KEY)
    beat_interval_seconds: float = Field(default=60.0, gt=0)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    @field_validator("data_dir")
    @classmethod
    def _absolute_data_dir(cls, value: Path) -> Path:
        # Resolved once, against the working directory at start-up, so that the worker
        # subprocess and any later chdir see the same files.
        return value.expanduser().resolve()

    @model_validator(mode="after")
    def _fill_defaults_and_refuse_unsafe_secrets(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'redress.db'}"
        if not self.broker_url:
            # A separate file from the app database: the broker's tables stay out of
            # migrations, and broker polling never contends with the app's writes.
            self.broker_url = f"sqla+sqlite:///{self.data_dir / 'broker.db'}"
        if not self.result_backend:
            self.result_backend = f"db+sqlite:///{self.data_dir / 'results.db'}"
        if self.environment == "production":
            key = self.secret_key.get_secret_value()
            if key == DEVELOPMENT_SECRET_KEY:
                raise ValueError(
                    "REDRESS_SECRET_KEY is not set: production refuses the development "
                    f"default; {SECRET_KEY_HINT}"
                )
            if len(key) < MIN_SECRET_KEY_LENGTH:
                raise ValueError(
                    f"REDRESS_SECRET_KEY is too short ({len(key)} characters; production needs "
                    f"at least {MIN_SECRET_KEY_LENGTH}); {SECRET_KEY_HINT}"
                )
        return self

    def to_environment(self) -> dict[str, str]:
        """These settings as ``REDRESS_*`` variables, for a child process to read back as-is."""
        values = self.model_dump(mode="json")
        values["secret_key"] = self.secret_key.get_secret_value()
        return {f"REDRESS_{name.upper()}": str(value) for name, value in values.items()}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process's settings, read from the environment on first use.

    Tests that change ``REDRESS_*`` variables must call ``get_settings.cache_clear()``.
    """
    return Settings()
