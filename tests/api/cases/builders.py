"""Shared data of the cases tests: organisations, people, actors and cases (all fictional).

The Harbour Light Trust (the home organisation) has an admin, an advocate and a lawyer; it
shares cases with the lawyers of its partner, Quayside Law. Northgate Aid is a foreign
organisation with its own advocate; Lantern Chambers is a law firm nobody is linked to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import Session

from api.access import Actor, actor_for
from api.cases import service
from api.cases.models import Application, CaseShare, LegalCase
from api.orgs.models import Organisation, Role, User
from api.orgs.service import create_first_organisation, create_organisation, create_user, link_partner
from api.settings import Settings

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)
PASSWORD = "correct horse battery staple"
PASSPHRASE = "sunflower river morning"

# A complete, fictional adult case for uk.cica, reported to the police.
CICA_FACTS: dict[str, object] = {
    "person.date_of_birth": "1995-04-12",
    "person.british_citizen": True,
    "exploitation.types": ["labour"],
    "exploitation.jurisdiction": "GB-ENG",
    "incident.date": "2025-03-10",
    "incident.violence_or_threat": True,
    "police.reported": True,
    "police.first_report_date": "2025-04-01",
    "police.crime_reference": "ZEBRA-4471-QUOKKA",
    "police.cooperating": True,
}


@dataclass(frozen=True)
class World:
    """Every organisation and person the cases tests use."""

    home: Organisation
    foreign: Organisation
    partner: Organisation
    unlinked: Organisation
    admin: User
    advocate: User
    lawyer: User
    foreign_advocate: User
    partner_lawyer: User
    unlinked_lawyer: User


def make_world(session: Session, settings: Settings) -> World:
    """Create the organisations and people described in the module docstring."""
    home, admin = create_first_organisation(
        session,
        settings,
        org_name="Harbour Light Trust",
        admin_email="ana@harbour.example",
        admin_name="Ana Admin",
        password=PASSWORD,
        now=NOW,
    )
    foreign = create_organisation(session, name="Northgate Aid", now=NOW)
    partner = create_organisation(session, name="Quayside Law", now=NOW)
    unlinked = create_organisation(session, name="Lantern Chambers", now=NOW)
    link_partner(session, id_of(home), id_of(partner))

    def person(org: Organisation, email: str, name: str, role: Role) -> User:
        return create_user(
            session,
            settings,
            organisation_id=id_of(org),
            email=email,
            display_name=name,
            role=role,
            password=PASSWORD,
            now=NOW,
        )

    return World(
        home=home,
        foreign=foreign,
        partner=partner,
        unlinked=unlinked,
        admin=admin,
        advocate=person(home, "bea@harbour.example", "Bea Advocate", Role.ADVOCATE),
        lawyer=person(home, "cal@harbour.example", "Cal Lawyer", Role.LAWYER),
        foreign_advocate=person(foreign, "dee@northgate.example", "Dee Advocate", Role.ADVOCATE),
        partner_lawyer=person(partner, "eli@quayside.example", "Eli Lawyer", Role.LAWYER),
        unlinked_lawyer=person(unlinked, "fay@lantern.example", "Fay Lawyer", Role.LAWYER),
    )


def actor(session: Session, user: User, scopes: tuple[str, ...] | None = None) -> Actor:
    """The actor of ``user`` (with an API token's ``scopes``, if given)."""
    return actor_for(session, user, scopes)


def new_case(
    session: Session,
    settings: Settings,
    world: World,
    reference: str = "Case Kestrel",
    *,
    jurisdiction: str = "GB-ENG",
) -> LegalCase:
    """A case of the home organisation opened by its advocate."""
    return service.create_case(
        session,
        settings,
        actor(session, world.advocate),
        reference=reference,
        preferred_language="ro",
        jurisdiction=jurisdiction,
        now=NOW,
    )


def start(
    session: Session, settings: Settings, world: World, case: LegalCase, workflow_id: str
) -> Application:
    """Start ``workflow_id`` on ``case`` as the home advocate."""
    return service.start_application(
        session, settings, actor(session, world.advocate), case, workflow_id, now=NOW, today=TODAY
    )


def id_of(row: Organisation | User | LegalCase | Application | CaseShare) -> int:
    """The id of a saved row (typed as int, not ``int | None``)."""
    assert row.id is not None
    return row.id
