"""Settings: embedded defaults inside data_dir, and production's refusal of unsafe secrets."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from api import settings as settings_module
from api.settings import (
    DEVELOPMENT_KEY,
    DEVELOPMENT_KEY_ID,
    DEVELOPMENT_KEYS,
    DEVELOPMENT_SECRET_KEY,
    MAX_DEFAULT_WEB_PROCESSES,
    Settings,
    get_settings,
    usable_cpus,
)

STRONG_KEY = "k" * 48
KEY_ONE = bytes(range(32))
KEY_TWO = bytes(range(1, 33))


def encoded(key: bytes, *, padded: bool = False) -> str:
    """``key`` in URL-safe base64, as REDRESS_KEYS holds it."""
    text = base64.urlsafe_b64encode(key).decode()
    return text if padded else text.rstrip("=")


@pytest.fixture
def clean_environment(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The ``settings`` fixture's scrubbed environment, to build ``Settings()`` from."""
    return monkeypatch


@pytest.mark.sqlite_only
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
    clean_environment.setenv("REDRESS_KEYS", f"k1:{encoded(KEY_ONE)}")

    with pytest.raises(ValidationError, match=r"REDRESS_SECRET_KEY is too short.*token_urlsafe"):
        Settings()


def test_production_accepts_a_long_secret(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("REDRESS_ENVIRONMENT", "production")
    clean_environment.setenv("REDRESS_SECRET_KEY", STRONG_KEY)
    clean_environment.setenv("REDRESS_KEYS", f"k1:{encoded(KEY_ONE)}")

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
    clean_environment.setenv("REDRESS_KEYS", f"k2:{encoded(KEY_TWO)},k1:{encoded(KEY_ONE)}")
    clean_environment.setenv("REDRESS_BEAT_INTERVAL_SECONDS", "2.5")
    clean_environment.setenv("REDRESS_ARGON2_TIME_COST", "1")
    clean_environment.setenv("REDRESS_SURVIVOR_SESSION_IDLE_MINUTES", "5")
    original = Settings()

    environment = original.to_environment()
    for name, value in environment.items():
        clean_environment.setenv(name, value)

    assert "**" not in environment["REDRESS_KEYS"]
    assert "**" not in environment["REDRESS_SECRET_KEY"]
    assert Settings() == original
    assert Settings().key_entries() == (("k2", KEY_TWO), ("k1", KEY_ONE))


def test_security_defaults(clean_environment: pytest.MonkeyPatch) -> None:
    settings = Settings()

    assert (settings.argon2_time_cost, settings.argon2_memory_cost_kib, settings.argon2_parallelism) == (
        3,
        65536,
        2,
    )
    assert settings.session_idle_minutes == 30
    assert settings.session_absolute_hours == 12
    assert settings.survivor_session_idle_minutes == 15
    assert (settings.login_max_failures, settings.login_window_minutes) == (5, 15)
    assert settings.access_code_hours == 72
    assert settings.max_request_bytes == 1_000_000


@pytest.mark.parametrize(
    "variable",
    [
        "REDRESS_ARGON2_TIME_COST",
        "REDRESS_ARGON2_PARALLELISM",
        "REDRESS_SESSION_IDLE_MINUTES",
        "REDRESS_SESSION_ABSOLUTE_HOURS",
        "REDRESS_SURVIVOR_SESSION_IDLE_MINUTES",
        "REDRESS_LOGIN_MAX_FAILURES",
        "REDRESS_LOGIN_WINDOW_MINUTES",
        "REDRESS_ACCESS_CODE_HOURS",
        "REDRESS_MAX_REQUEST_BYTES",
    ],
)
def test_security_numbers_must_be_positive(clean_environment: pytest.MonkeyPatch, variable: str) -> None:
    clean_environment.setenv(variable, "0")

    with pytest.raises(ValidationError, match=variable.removeprefix("REDRESS_").lower()):
        Settings()


def test_serve_runs_a_web_process_per_core_with_two_threads_each(
    clean_environment: pytest.MonkeyPatch,
) -> None:
    settings = Settings()

    assert settings.web_processes == 0
    assert settings.web_process_count() == min(usable_cpus(), MAX_DEFAULT_WEB_PROCESSES)
    assert settings.web_threads == 2


@pytest.mark.parametrize(
    ("cpu_max", "expected"),
    [
        ("max 100000\n", "all"),  # no quota
        ("100000 100000\n", 1),
        ("150000 100000\n", 2),  # one and a half CPUs: the second core is partly usable
        ("not a quota\n", "all"),
        ("100000 0\n", "all"),
        (None, "all"),  # no cgroup v2 file at all
    ],
)
def test_a_containers_cpu_quota_limits_the_usable_cores(
    tmp_path: Path, cpu_max: str | None, expected: int | str
) -> None:
    cores = len(os.sched_getaffinity(0))
    path = tmp_path / "cpu.max"
    if cpu_max is not None:
        path.write_text(cpu_max)

    assert usable_cpus(path) == (cores if expected == "all" else min(cores, int(expected)))


def test_a_many_core_machine_gets_at_most_eight_web_processes(
    clean_environment: pytest.MonkeyPatch,
) -> None:
    clean_environment.setattr(settings_module, "usable_cpus", lambda: 64)

    assert Settings().web_process_count() == MAX_DEFAULT_WEB_PROCESSES == 8
    clean_environment.setenv("REDRESS_WEB_PROCESSES", "12")
    assert Settings().web_process_count() == 12  # an explicit count is the operator's choice


def test_an_explicit_web_process_count_wins(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("REDRESS_WEB_PROCESSES", "3")

    assert Settings().web_process_count() == 3


@pytest.mark.parametrize("value", ["-1", "65", "two"])
def test_a_bad_web_process_count_is_refused(clean_environment: pytest.MonkeyPatch, value: str) -> None:
    clean_environment.setenv("REDRESS_WEB_PROCESSES", value)

    with pytest.raises(ValidationError, match="web_processes"):
        Settings()


def test_argon2_memory_must_cover_its_lanes(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("REDRESS_ARGON2_PARALLELISM", "4")
    clean_environment.setenv("REDRESS_ARGON2_MEMORY_COST_KIB", "16")

    with pytest.raises(ValidationError, match="REDRESS_ARGON2_MEMORY_COST_KIB must be at least 8 times"):
        Settings()


@pytest.mark.parametrize("environment", ["development", "test"])
def test_the_development_key_ring_is_the_default_outside_production(
    clean_environment: pytest.MonkeyPatch, environment: str
) -> None:
    clean_environment.setenv("REDRESS_ENVIRONMENT", environment)

    settings = Settings()

    assert settings.key_entries() == ((DEVELOPMENT_KEY_ID, DEVELOPMENT_KEY),)
    assert settings.keys.get_secret_value() == DEVELOPMENT_KEYS
    assert DEVELOPMENT_KEYS not in repr(settings)


def test_an_empty_key_ring_means_the_default(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("REDRESS_KEYS", "  ")

    assert Settings().keys.get_secret_value() == DEVELOPMENT_KEYS


def test_key_ring_entries_keep_their_order(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv(
        "REDRESS_KEYS", f" new-2026:{encoded(KEY_TWO, padded=True)} , old.2025:{encoded(KEY_ONE)}"
    )

    assert Settings().key_entries() == (("new-2026", KEY_TWO), ("old.2025", KEY_ONE))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (encoded(KEY_ONE), "entry 1 must be ID:KEY"),
        (f":{encoded(KEY_ONE)}", "entry 1 must be ID:KEY"),
        (f"bad id:{encoded(KEY_ONE)}", "entry 1 must be ID:KEY"),
        (f"k1:{encoded(KEY_ONE)},", "entry 2 is empty"),
        (f"k1:{encoded(KEY_ONE)},k1:{encoded(KEY_TWO)}", "names the key ID 'k1' twice"),
        ("k1:not*base64", "key 'k1' is not valid base64"),
        ("k1:" + encoded(KEY_ONE)[:-1] + "$", "key 'k1' is not valid base64"),
        ("k1:A", "key 'k1' is not valid base64"),
        ("k1:" + encoded(b"sixteen bytes!!!"), "key 'k1' is 16 bytes long; it must be exactly 32"),
        ("k1:" + encoded(bytes(33)), "key 'k1' is 33 bytes long"),
    ],
)
@pytest.mark.parametrize("environment", ["development", "production"])
def test_malformed_key_rings_are_refused_everywhere(
    clean_environment: pytest.MonkeyPatch, environment: str, value: str, message: str
) -> None:
    clean_environment.setenv("REDRESS_ENVIRONMENT", environment)
    clean_environment.setenv("REDRESS_SECRET_KEY", STRONG_KEY)
    clean_environment.setenv("REDRESS_KEYS", value)

    with pytest.raises(ValidationError, match=f"REDRESS_KEYS {message}"):
        Settings()


def test_key_ring_errors_say_how_to_generate_a_key(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("REDRESS_KEYS", "k1:tooshort")

    with pytest.raises(ValidationError, match=r"generate an entry with: python3 -c .*os\.urandom\(32\)"):
        Settings()


def test_standard_base64_keys_are_accepted(clean_environment: pytest.MonkeyPatch) -> None:
    # What ``openssl rand -base64 32`` prints: the standard alphabet, with padding.
    key = b"\xfb\xff" * 16
    clean_environment.setenv("REDRESS_KEYS", f"k1:{base64.b64encode(key).decode()}")

    assert Settings().key_entries() == (("k1", key),)


@pytest.mark.parametrize(
    "value",
    [None, DEVELOPMENT_KEYS, f"mine:{encoded(DEVELOPMENT_KEY)}", f"k1:{encoded(KEY_ONE)},{DEVELOPMENT_KEYS}"],
    ids=["unset", "default", "renamed", "kept-as-old"],
)
def test_production_refuses_the_development_key(
    clean_environment: pytest.MonkeyPatch, value: str | None
) -> None:
    clean_environment.setenv("REDRESS_ENVIRONMENT", "production")
    clean_environment.setenv("REDRESS_SECRET_KEY", STRONG_KEY)
    if value is not None:
        clean_environment.setenv("REDRESS_KEYS", value)

    with pytest.raises(ValidationError, match=r"REDRESS_KEYS is not set or still holds the development key"):
        Settings()


def test_production_reports_every_unsafe_secret_at_once(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("REDRESS_ENVIRONMENT", "production")

    with pytest.raises(ValidationError) as caught:
        Settings()

    (error,) = caught.value.errors()
    assert "REDRESS_SECRET_KEY is not set" in error["msg"]
    assert "REDRESS_KEYS is not set" in error["msg"]


def test_production_accepts_a_generated_key_ring(clean_environment: pytest.MonkeyPatch) -> None:
    generated = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
    clean_environment.setenv("REDRESS_ENVIRONMENT", "production")
    clean_environment.setenv("REDRESS_SECRET_KEY", STRONG_KEY)
    clean_environment.setenv("REDRESS_KEYS", f"k1:{generated}")

    assert Settings().key_entries()[0][0] == "k1"


def test_validation_errors_never_show_secret_values(clean_environment: pytest.MonkeyPatch) -> None:
    short_secret = "short-but-secret-value"
    key_text = encoded(bytes(range(40)))  # 40 bytes: refused, and must not be echoed
    clean_environment.setenv("REDRESS_ENVIRONMENT", "production")
    clean_environment.setenv("REDRESS_SECRET_KEY", short_secret)
    clean_environment.setenv("REDRESS_KEYS", f"k1:{key_text}")

    with pytest.raises(ValidationError) as caught:
        Settings()

    message = str(caught.value)
    assert "REDRESS_KEYS key 'k1' is 40 bytes long" in message
    assert short_secret not in message
    assert key_text not in message
