"""Input and output shapes of signing in and API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from api.auth.models import API_TOKEN_NAME_MAX_LENGTH

# What must follow a correct password: nothing, a TOTP code, or enrolling an authenticator first.
SecondFactor = Literal["none", "verify", "enrol"]


class LoginForm(BaseModel):
    """An email and password, as typed."""

    email: str = Field(max_length=400)
    password: SecretStr


class SecondFactorForm(BaseModel):
    """A TOTP code, as typed (spaces allowed)."""

    code: str = Field(max_length=20)


class LoginOutcome(BaseModel):
    """Whether the password was right and what must happen before a session starts."""

    user_id: int
    second_factor: SecondFactor


class ApiTokenCreate(BaseModel):
    """A request for a new personal API token."""

    name: str = Field(max_length=API_TOKEN_NAME_MAX_LENGTH)
    scopes: list[str] = Field(min_length=1)


class ApiTokenPublic(BaseModel):
    """A token as listed to its owner: never the token itself."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    scopes: str = Field(description="Space-separated, e.g. 'cases:read cases:write'.")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiTokenCreated(ApiTokenPublic):
    """A new token, with its secret value: shown this once, never stored in the clear."""

    token: str
