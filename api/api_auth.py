"""Who is calling the JSON API: a personal API token in ``Authorization: Bearer redress_…``.

The API knows no cookies: a browser session never authorises an API call, so the API needs no
CSRF protection and a page can never be tricked into calling it with someone's session.

- No token, or not a bearer one: **401** with ``WWW-Authenticate: Bearer``.
- An unknown or revoked token, or one whose account was deactivated: **401** with
  ``WWW-Authenticate: Bearer error="invalid_token"`` (RFC 6750).
- A valid token without the scope a route needs: **403** with ``error="insufficient_scope"``,
  before the case is even looked up, so it says nothing about which cases exist.

The token acts as its owner, capped by its scopes (:class:`api.access.Actor`): the services then
apply the same access rules as for the pages (a lawyer reads only what is shared, never writes
facts; another organisation's case is "not found").
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Final

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.access import Actor, actor_for
from api.auth.models import SCOPE_CASES_READ, SCOPE_CASES_WRITE
from api.auth.service import API_TOKEN_PREFIX, resolve_api_token
from api.deps import SessionDep

bearer_token = HTTPBearer(
    scheme_name="ApiToken",
    bearerFormat=f"{API_TOKEN_PREFIX}…",
    description=(
        "A personal API token, created on your account page and shown once. Its scopes cap what "
        f"it may do: `{SCOPE_CASES_READ}` to read cases, `{SCOPE_CASES_WRITE}` to change them too."
    ),
    auto_error=False,  # the 401 below says what is wrong, with the header RFC 6750 asks for
)

NO_TOKEN: Final = f"Send a personal API token: 'Authorization: Bearer {API_TOKEN_PREFIX}…'."
INVALID_TOKEN: Final = "This API token is not valid: it is unknown or revoked, or its account is inactive."


def _unauthorised(message: str, *, error: str | None) -> HTTPException:
    challenge = 'Bearer realm="redress"' if error is None else f'Bearer realm="redress", error="{error}"'
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED, detail=message, headers={"WWW-Authenticate": challenge}
    )


def _insufficient_scope(scope: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_403_FORBIDDEN,
        detail=f"This API token lacks the scope {scope!r}.",
        headers={"WWW-Authenticate": f'Bearer realm="redress", error="insufficient_scope", scope="{scope}"'},
    )


def api_actor(
    session: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_token)]
) -> Actor:
    """The actor of the request's API token (its owner, capped by its scopes); 401 without one."""
    if credentials is None:
        raise _unauthorised(NO_TOKEN, error=None)
    resolved = resolve_api_token(session, credentials.credentials, datetime.now(UTC))
    if resolved is None:
        raise _unauthorised(INVALID_TOKEN, error="invalid_token")
    user, scopes = resolved
    return actor_for(session, user, scopes)


def reading_actor(actor: Annotated[Actor, Depends(api_actor)]) -> Actor:
    """The caller, whose token may read cases (``cases:read`` or ``cases:write``); else 403."""
    if not actor.may_read:
        raise _insufficient_scope(SCOPE_CASES_READ)
    return actor


def writing_actor(actor: Annotated[Actor, Depends(api_actor)]) -> Actor:
    """The caller, whose token may change cases (``cases:write``); else 403."""
    if not actor.may_write:
        raise _insufficient_scope(SCOPE_CASES_WRITE)
    return actor


ReadingActor = Annotated[Actor, Depends(reading_actor)]
WritingActor = Annotated[Actor, Depends(writing_actor)]
