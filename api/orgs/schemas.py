"""Input and output shapes of organisations and people (forms, the JSON API, the CLI)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from api.orgs.models import DEFAULT_TIMEZONE, EMAIL_MAX_LENGTH, NAME_MAX_LENGTH, Role


class FirstRunSetup(BaseModel):
    """What first-run setup asks for: the organisation and its first admin."""

    org_name: str = Field(max_length=NAME_MAX_LENGTH)
    admin_email: str = Field(max_length=EMAIL_MAX_LENGTH)
    admin_name: str = Field(max_length=NAME_MAX_LENGTH)
    password: SecretStr
    timezone: str = DEFAULT_TIMEZONE


class UserCreate(BaseModel):
    """A new staff account in an organisation."""

    email: str = Field(max_length=EMAIL_MAX_LENGTH)
    display_name: str = Field(max_length=NAME_MAX_LENGTH)
    role: Role
    password: SecretStr


class OrganisationPublic(BaseModel):
    """An organisation as shown to its members."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    slug: str
    timezone: str
    require_staff_totp: bool


class UserPublic(BaseModel):
    """A person as shown to the admins of their organisation (never the password hash)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str | None
    display_name: str
    is_active: bool
    has_totp: bool
    last_login_at: datetime | None


class MemberPublic(UserPublic):
    """A person and their role in one organisation."""

    role: Role
