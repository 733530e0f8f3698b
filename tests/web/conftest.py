"""Fixtures shared by the staff pages' tests: cheap settings, the fictional organisations and
people of :func:`tests.api.cases.builders.make_world`, and a browser on the whole site.

A test module that needs something else under one of these names defines its own, which wins.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.settings import Settings
from tests.api.cases.builders import World, make_world
from tests.web.staff_pages import browser, cheap


@pytest.fixture
def fast(migrated_settings: Settings) -> Settings:
    """The test's settings with Argon2 at its cheapest."""
    return cheap(migrated_settings)


@pytest.fixture
def world(db_session: Session, fast: Settings) -> World:
    """The fictional organisations and people of :mod:`tests.api.cases.builders`."""
    return make_world(db_session, fast)


@pytest.fixture
def site(fast: Settings) -> Iterator[TestClient]:
    """A browser on the whole site: keeps cookies, does not follow redirects by itself."""
    with browser(fast) as client:
        yield client
