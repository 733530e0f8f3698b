"""Fixtures of the survivor questions tests."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from api.settings import Settings
from tests.api.cases.builders import World, make_world


@pytest.fixture
def world(db_session: Session, cheap_settings: Settings) -> World:
    """The organisations and people of :mod:`tests.api.cases.builders`."""
    return make_world(db_session, cheap_settings)
