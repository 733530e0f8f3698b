"""Fixtures for the API's tests.

``cheap_settings``: the test's ``settings`` with the cheapest Argon2 parameters, for tests that
hash passwords (creating users, signing in) and are not about hashing itself. Pass it to the
services; it points at the same database as ``migrated_settings`` / ``db_session``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from api.settings import Settings


@pytest.fixture
def cheap_settings(settings: Settings) -> Settings:
    """``settings`` with Argon2 at 1 pass over 8 KiB: milliseconds per hash instead of ~0.1 s."""
    return settings.model_copy(
        update={"argon2_time_cost": 1, "argon2_memory_cost_kib": 8, "argon2_parallelism": 1}
    )
