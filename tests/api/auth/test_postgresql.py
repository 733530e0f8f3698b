"""Sign-in end to end on PostgreSQL: first run, throttling, sessions, tokens and case lists.

The same services as on SQLite; this catches SQL that only one of the two databases accepts
(the first-run advisory lock, the throttle's subquery, timestamps with time zones).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from api.access import actor_for, visible_case_filter
from api.auth.service import (
    AuthError,
    ThrottledError,
    authenticate,
    create_api_token,
    resolve_api_token,
    resolve_session,
    start_session,
)
from api.cases.models import LegalCase
from api.db.engine import create_db_engine
from api.db.migrate import upgrade_to_head
from api.orgs.service import AlreadySetUpError, create_first_organisation
from api.settings import Settings
from tests.api.auth.builders import NOW, PASSWORD, make_people

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_session(postgres_database: str) -> Iterator[Session]:
    upgrade_to_head(postgres_database)
    engine = create_db_engine(postgres_database)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def test_sign_in_on_postgresql(pg_session: Session, cheap_settings: Settings) -> None:
    people = make_people(pg_session, cheap_settings)
    with pytest.raises(AlreadySetUpError):
        create_first_organisation(
            pg_session,
            cheap_settings,
            org_name="Second",
            admin_email="x@second.example",
            admin_name="X",
            password=PASSWORD,
        )

    email = "advocate@harbour.example"
    for minute in range(cheap_settings.login_max_failures):
        with pytest.raises(AuthError):
            authenticate(
                pg_session,
                cheap_settings,
                email=email,
                password="wrong!",
                now=NOW + timedelta(minutes=minute),
            )
    with pytest.raises(ThrottledError, match="Wait 10 minutes"):
        authenticate(
            pg_session, cheap_settings, email=email, password=PASSWORD, now=NOW + timedelta(minutes=5)
        )
    later = NOW + timedelta(hours=1)
    result = authenticate(pg_session, cheap_settings, email=email, password=PASSWORD, now=later)
    assert result.user.id == people.advocate.id

    cookie = start_session(pg_session, cheap_settings, result.user, later)
    resolved = resolve_session(pg_session, cheap_settings, cookie, later + timedelta(minutes=2))
    assert resolved is not None
    assert resolved[0].id == people.advocate.id
    assert resolved[1].last_seen_at == later + timedelta(minutes=2)

    _, token = create_api_token(pg_session, result.user, "sync", ["cases:read"], later)
    user, scopes = resolve_api_token(pg_session, token, later) or (None, None)
    assert user is not None
    assert user.id == people.advocate.id
    assert scopes == frozenset({"cases:read"})

    actor = actor_for(pg_session, user, scopes)
    assert pg_session.exec(select(LegalCase).where(visible_case_filter(actor))).all() == []
