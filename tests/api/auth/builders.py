"""Shared data of the auth tests: an organisation with staff and a survivor (all fictional)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session

from api.orgs.models import Organisation, Role, User
from api.orgs.service import create_first_organisation, create_survivor_user, create_user
from api.settings import Settings

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"
PASSPHRASE = "sunflower river morning"


@dataclass(frozen=True)
class People:
    """An organisation with its admin, an advocate, a lawyer and a survivor."""

    organisation: Organisation
    admin: User
    advocate: User
    lawyer: User
    survivor: User


def make_people(session: Session, settings: Settings) -> People:
    """Create the Harbour Light Trust with its admin, an advocate, a lawyer and a survivor."""
    organisation, admin = create_first_organisation(
        session,
        settings,
        org_name="Harbour Light Trust",
        admin_email="ana@harbour.example",
        admin_name="Ana Admin",
        password=PASSWORD,
        now=NOW,
    )
    assert organisation.id is not None
    staff = {
        role: create_user(
            session,
            settings,
            organisation_id=organisation.id,
            email=f"{role.value}@harbour.example",
            display_name=role.value.title(),
            role=role,
            password=PASSWORD,
            now=NOW,
        )
        for role in (Role.ADVOCATE, Role.LAWYER)
    }
    survivor = create_survivor_user(
        session, settings, organisation_id=organisation.id, display_name="Rosa", passphrase=PASSPHRASE
    )
    return People(organisation, admin, staff[Role.ADVOCATE], staff[Role.LAWYER], survivor)


def id_of(row: Organisation | User) -> int:
    """The id of a saved row (typed as int, not ``int | None``)."""
    assert row.id is not None
    return row.id
