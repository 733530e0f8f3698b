"""Redress's settings, read from ``REDRESS_*`` environment variables.

Every setting has a default that runs the embedded profile (SQLite files and the SQLite-backed
Celery broker inside ``data_dir``), so a fresh clone starts with no configuration at all.
Production sets ``REDRESS_ENVIRONMENT=production`` and must then supply a real
``REDRESS_SECRET_KEY`` and a real ``REDRESS_KEYS`` (the key-encryption keys): the settings refuse
to load with the development values or weak ones.

``REDRESS_KEYS`` is a ring of key-encryption keys, ``ID:KEY`` entries separated by commas, each
``KEY`` 32 random bytes in base64 (URL-safe or standard, padding optional). The first entry wraps
new case data keys; every entry can unwrap. To rotate: put a new entry first, run
``redress rotate-keys``, then drop the old one. The ring's format is checked in every
environment, so a typo fails at start-up, not at the first decryption.

Code reads settings through :func:`get_settings`, which caches one instance per process. Tests
change the environment (``monkeypatch.setenv``) and then call ``get_settings.cache_clear()``; the
``settings`` fixture in ``tests/conftest.py`` does both.
"""

from __future__ import annotations

import base64
import binascii
import math
import os
import re
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

# The development key-encryption key decodes to b"redress-development-kek-unsafe!!": recognisable in
# any dump, and production refuses it under whatever ID it is given.
DEVELOPMENT_KEY_ID: Final = "development"
DEVELOPMENT_KEY: Final = b"redress-development-kek-unsafe!!"
DEVELOPMENT_KEYS: Final = f"{DEVELOPMENT_KEY_ID}:cmVkcmVzcy1kZXZlbG9wbWVudC1rZWstdW5zYWZlISE"
KEY_BYTES: Final = 32
KEYS_HINT: Final = (
    "REDRESS_KEYS is a comma-separated list of ID:KEY entries, the first one current, each KEY "
    '32 random bytes in base64; generate an entry with: python3 -c "import base64, os; '
    "print('k1:' + base64.urlsafe_b64encode(os.urandom(32)).rstrip(b'=').decode())\""
)
# IDs are stored inside every wrapped data key ("v1:<id>:..."), so no colons, commas or spaces.
_KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,32}")
# URL-safe or standard alphabet (``openssl rand -base64 32`` gives the latter), padding optional.
_BASE64 = re.compile(r"[A-Za-z0-9_+/-]+")


def parse_keys(value: str) -> tuple[tuple[str, bytes], ...]:
    """Parse a ``REDRESS_KEYS`` value into ``(id, 32-byte key)`` pairs, current key first.

    Raises ``ValueError`` with a message that names ``REDRESS_KEYS`` and the faulty entry's
    position or ID, never any key material.
    """
    entries: list[tuple[str, bytes]] = []
    for position, raw_entry in enumerate(value.split(","), start=1):
        entry = raw_entry.strip()
        if not entry:
            raise ValueError(f"REDRESS_KEYS entry {position} is empty; {KEYS_HINT}")
        key_id, colon, encoded = entry.partition(":")
        key_id, encoded = key_id.strip(), encoded.strip()
        if not colon or not _KEY_ID.fullmatch(key_id):
            raise ValueError(
                f"REDRESS_KEYS entry {position} must be ID:KEY with an ID of 1 to 32 letters, "
                f"digits, '.', '_' or '-'; {KEYS_HINT}"
            )
        if any(existing == key_id for existing, _ in entries):
            raise ValueError(f"REDRESS_KEYS names the key ID {key_id!r} twice; each ID must be unique")
        unpadded = encoded.rstrip("=")
        try:
            if not _BASE64.fullmatch(unpadded):
                raise binascii.Error("not base64")
            standard = unpadded.replace("-", "+").replace("_", "/")
            key = base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
        except binascii.Error:
            raise ValueError(f"REDRESS_KEYS key {key_id!r} is not valid base64; {KEYS_HINT}") from None
        if len(key) != KEY_BYTES:
            raise ValueError(
                f"REDRESS_KEYS key {key_id!r} is {len(key)} bytes long; it must be exactly "
                f"{KEY_BYTES}; {KEYS_HINT}"
            )
        entries.append((key_id, key))
    return tuple(entries)


class Settings(BaseSettings):
    """All of Redress's configuration. Field ``x`` is read from ``REDRESS_X``.

    The three URLs default to SQLite files inside ``data_dir``; an empty value also means
    "use the default".
    """

    # hide_input_in_errors: a validation error must not print the environment's secrets.
    model_config = SettingsConfigDict(env_prefix="REDRESS_", extra="ignore", hide_input_in_errors=True)

    environment: Environment = "development"
    data_dir: Path = Path("var")
    database_url: str = ""
    broker_url: str = ""
    result_backend: str = ""
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET_KEY)
    keys: SecretStr = SecretStr(DEVELOPMENT_KEYS)
    beat_interval_seconds: float = Field(default=60.0, gt=0)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    # Argon2id password hashing; the defaults follow RFC 9106's second recommended option
    # (64 MiB). Tests lower them to keep the suite fast.
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_cost_kib: int = Field(default=65536, ge=8)
    argon2_parallelism: int = Field(default=2, ge=1)

    session_idle_minutes: int = Field(default=30, gt=0)
    session_absolute_hours: int = Field(default=12, gt=0)
    # Shorter for survivors: their device may be shared with the person they are escaping.
    survivor_session_idle_minutes: int = Field(default=15, gt=0)
    login_max_failures: int = Field(default=5, gt=0)
    login_window_minutes: int = Field(default=15, gt=0)
    access_code_hours: int = Field(default=72, gt=0)
    max_request_bytes: int = Field(default=1_000_000, gt=0)
    # Web processes ``redress serve`` runs on one listening socket; 0: one per CPU core this
    # process may use (:func:`usable_cpus`), at most MAX_DEFAULT_WEB_PROCESSES. Handlers are
    # mostly Python, which runs one thread at a time in a process: processes, not threads, are
    # what put a second core to work.
    web_processes: int = Field(default=0, ge=0, le=64)
    # Threads that run the page and API handlers of one web process (and as many database
    # connections). Two keep the core busy while one waits for the database; more only add
    # switching between threads fighting for the interpreter lock: with 8, the survivor's status
    # page served 30 % fewer pages at twice the p99 (tests/benchmarks).
    web_threads: int = Field(default=2, gt=0, le=200)

    # Reminders by email (issue 5). Kept as text so that a wrong value never stops Redress from
    # starting: api.reminders.mail checks them, warns at start and email alone stays off.
    smtp_host: str = ""  # empty: no email reminders (in-app ones still work)
    smtp_port: str = "25"
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_from: str = ""  # e.g. "Redress <reminders@example.org>"
    smtp_starttls: str = "false"  # "true" to upgrade the connection with STARTTLS
    # How long a worker holds a claimed reminder before another may recover it (see
    # api.reminders.sweep); longer than the slowest send (SMTP timeout 30 s).
    reminder_lease_seconds: float = Field(default=120.0, gt=0)
    reminder_max_attempts: int = Field(default=5, ge=1)
    reminder_retry_base_seconds: float = Field(default=60.0, gt=0)
    # Where links in reminder emails point, e.g. "https://redress.example.org".
    public_base_url: str = ""
    # Issue 6: where "Exit this page" sends a survivor (a site that shows nothing personal, as the
    # GOV.UK component suggests); an http(s) URL.
    survivor_exit_url: str = Field(default="https://www.bbc.co.uk/weather", pattern=r"^https?://\S+$")
    # Issue 6: the largest evidence file accepted (a phone photo is 2-6 MB).
    evidence_max_bytes: int = Field(default=10_000_000, gt=0)

    @field_validator("data_dir")
    @classmethod
    def _absolute_data_dir(cls, value: Path) -> Path:
        # Resolved once, against the working directory at start-up, so that the worker
        # subprocess and any later chdir see the same files.
        return value.expanduser().resolve()

    @field_validator("keys")
    @classmethod
    def _valid_key_ring(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            value = SecretStr(DEVELOPMENT_KEYS)  # empty means "use the default", as for the URLs
        parse_keys(value.get_secret_value())  # raises on a malformed ring, in every environment
        return value

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
            # Every unsafe secret in one message, so an operator fixes them in one go.
            problems = []
            key = self.secret_key.get_secret_value()
            if key == DEVELOPMENT_SECRET_KEY:
                problems.append(
                    "REDRESS_SECRET_KEY is not set: production refuses the development "
                    f"default; {SECRET_KEY_HINT}"
                )
            elif len(key) < MIN_SECRET_KEY_LENGTH:
                problems.append(
                    f"REDRESS_SECRET_KEY is too short ({len(key)} characters; production needs "
                    f"at least {MIN_SECRET_KEY_LENGTH}); {SECRET_KEY_HINT}"
                )
            if any(kek == DEVELOPMENT_KEY for _, kek in self.key_entries()):
                problems.append(
                    "REDRESS_KEYS is not set or still holds the development key: production "
                    f"refuses it; {KEYS_HINT}"
                )
            if problems:
                raise ValueError("\n".join(problems))
        if self.argon2_memory_cost_kib < 8 * self.argon2_parallelism:
            raise ValueError(
                "REDRESS_ARGON2_MEMORY_COST_KIB must be at least 8 times REDRESS_ARGON2_PARALLELISM "
                f"({8 * self.argon2_parallelism}); Argon2 needs 8 KiB per lane"
            )
        return self

    def web_process_count(self) -> int:
        """How many web processes to run: ``web_processes``, or one per usable CPU core, at most
        :data:`MAX_DEFAULT_WEB_PROCESSES`."""
        if self.web_processes:
            return self.web_processes
        return min(usable_cpus(), MAX_DEFAULT_WEB_PROCESSES)

    def key_entries(self) -> tuple[tuple[str, bytes], ...]:
        """The parsed ``REDRESS_KEYS`` ring: ``(id, key)`` pairs, the current key first."""
        return parse_keys(self.keys.get_secret_value())

    def to_environment(self) -> dict[str, str]:
        """These settings as ``REDRESS_*`` variables, for a child process to read back as-is."""
        values = self.model_dump(mode="json")
        # model_dump masks secrets as "**********": pass the real values on.
        for name, value in self:
            if isinstance(value, SecretStr):
                values[name] = value.get_secret_value()
        return {f"REDRESS_{name.upper()}": str(value) for name, value in values.items()}


# Each web process holds the loaded app (about 150 MB); past this many, the database's one
# writer at a time (SQLite) or its connections (PostgreSQL) limit more than the cores do.
MAX_DEFAULT_WEB_PROCESSES: Final = 8
CGROUP_CPU_MAX: Final = Path("/sys/fs/cgroup/cpu.max")


def usable_cpus(cpu_max: Path = CGROUP_CPU_MAX) -> int:
    """The CPU cores this process may use: those it may run on, fewer under a container's quota.

    A container limited to two CPUs on a 64-core host still sees 64 cores; its quota is in the
    cgroup (v2) file ``cpu.max`` as "<quota> <period>" ("max" when unlimited).
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        quota, period = cpu_max.read_text().split()[:2]
        if quota != "max":
            cores = min(cores, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError, ZeroDivisionError):  # no cgroup v2 here, or a file we do not understand
        pass
    return max(1, cores)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process's settings, read from the environment on first use.

    Tests that change ``REDRESS_*`` variables must call ``get_settings.cache_clear()``.
    """
    return Settings()
