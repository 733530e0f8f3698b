"""Personal API tokens: hashed at rest, scoped, revocable, shown once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from api.auth.models import ApiToken
from api.auth.service import (
    API_TOKEN_PREFIX,
    AuthError,
    create_api_token,
    list_api_tokens,
    resolve_api_token,
    revoke_api_token,
)
from api.security.random_tokens import hash_token
from tests.api.auth.builders import NOW, People, id_of


def test_a_token_is_shown_once_and_stored_as_a_hash(db_session: Session, people: People) -> None:
    row, token = create_api_token(
        db_session, people.advocate, "  Case sync  ", ["cases:write", "cases:read"], NOW
    )

    assert token.startswith(API_TOKEN_PREFIX)
    assert row.token_hash == hash_token(token)
    assert token not in {stored.token_hash for stored in db_session.exec(select(ApiToken)).all()}
    assert (row.name, row.scopes, row.created_at, row.last_used_at) == (
        "Case sync",
        "cases:read cases:write",
        NOW,
        None,
    )
    assert resolve_api_token(db_session, token, NOW) == (
        people.advocate,
        frozenset({"cases:read", "cases:write"}),
    )


@pytest.mark.parametrize(
    ("name", "scopes", "field", "message"),
    [
        ("sync", [], "scopes", "at least one scope"),
        ("sync", ["cases:read", "admin"], "scopes", "Unknown scope admin"),
        ("   ", ["cases:read"], "name", "Give the token a name"),
        ("x" * 101, ["cases:read"], "name", "at most 100"),
    ],
)
def test_names_and_scopes_are_checked(
    db_session: Session, people: People, name: str, scopes: list[str], field: str, message: str
) -> None:
    with pytest.raises(AuthError, match=message) as caught:
        create_api_token(db_session, people.advocate, name, scopes, NOW)

    assert caught.value.field == field
    assert db_session.exec(select(ApiToken)).all() == []


def test_survivors_cannot_have_tokens(db_session: Session, people: People) -> None:
    with pytest.raises(AuthError, match="cannot have API tokens"):
        create_api_token(db_session, people.survivor, "mine", ["cases:read"], NOW)


@pytest.mark.parametrize("token", ["", "redress_", "redress_forged", "not-even-prefixed"])
def test_unknown_tokens_resolve_to_nobody(db_session: Session, people: People, token: str) -> None:
    create_api_token(db_session, people.advocate, "sync", ["cases:read"], NOW)

    assert resolve_api_token(db_session, token, NOW) is None


def test_use_is_recorded_at_most_once_a_minute(db_session: Session, people: People) -> None:
    row, token = create_api_token(db_session, people.advocate, "sync", ["cases:read"], NOW)

    resolve_api_token(db_session, token, NOW + timedelta(seconds=1))
    resolve_api_token(db_session, token, NOW + timedelta(seconds=30))
    db_session.refresh(row)
    assert row.last_used_at == NOW + timedelta(seconds=1)

    resolve_api_token(db_session, token, NOW + timedelta(seconds=61))
    db_session.refresh(row)
    assert row.last_used_at == NOW + timedelta(seconds=61)


def test_only_the_owner_revokes_and_revoked_tokens_stop_working(db_session: Session, people: People) -> None:
    row, token = create_api_token(db_session, people.advocate, "sync", ["cases:read"], NOW)
    other_row, other = create_api_token(db_session, people.advocate, "backup", ["cases:read"], NOW)
    token_id = id_of_token(row)

    with pytest.raises(AuthError, match="no such token"):
        revoke_api_token(db_session, user_id=id_of(people.lawyer), token_id=token_id, now=NOW)
    with pytest.raises(AuthError, match="no such token"):
        revoke_api_token(db_session, user_id=id_of(people.advocate), token_id=9999, now=NOW)

    revoked = revoke_api_token(db_session, user_id=id_of(people.advocate), token_id=token_id, now=NOW)
    again = revoke_api_token(
        db_session, user_id=id_of(people.advocate), token_id=token_id, now=NOW + timedelta(1)
    )

    assert revoked.revoked_at == again.revoked_at == NOW
    assert resolve_api_token(db_session, token, NOW) is None
    assert resolve_api_token(db_session, other, NOW) is not None
    assert [t.name for t in list_api_tokens(db_session, id_of(people.advocate))] == ["backup", "sync"]
    assert list_api_tokens(db_session, id_of(people.lawyer)) == []
    assert other_row.revoked_at is None


def test_a_deactivated_owner_makes_the_token_useless(db_session: Session, people: People) -> None:
    _, token = create_api_token(db_session, people.lawyer, "sync", ["cases:read"], NOW)
    people.lawyer.is_active = False
    db_session.add(people.lawyer)
    db_session.commit()

    assert resolve_api_token(db_session, token, NOW) is None
    with pytest.raises(AuthError, match="cannot have API tokens"):
        create_api_token(db_session, people.lawyer, "another", ["cases:read"], NOW)


def id_of_token(row: ApiToken) -> int:
    assert row.id is not None
    return row.id
