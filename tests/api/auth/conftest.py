"""Fixtures of the auth tests."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from api.settings import Settings
from tests.api.auth.builders import People, make_people


@pytest.fixture
def people(db_session: Session, cheap_settings: Settings) -> People:
    """The Harbour Light Trust and its people (see :func:`make_people`)."""
    return make_people(db_session, cheap_settings)
