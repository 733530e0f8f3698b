"""Organisations and people: first run, users and roles, partners, survivors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from api.auth.models import ApiToken, UserSession
from api.auth.service import create_api_token, resolve_api_token, resolve_session, start_session
from api.orgs.models import Membership, Organisation, Role, User
from api.orgs.service import (
    ALREADY_SET_UP,
    AlreadySetUpError,
    OrgError,
    add_membership,
    create_first_organisation,
    create_organisation,
    create_survivor_user,
    create_user,
    deactivate_user,
    find_user_by_email,
    is_set_up,
    is_shareable_lawyer,
    link_partner,
    members_of,
    memberships_of,
    partner_organisation_ids,
    reactivate_user,
    remove_membership,
    set_require_staff_totp,
    set_role,
    shareable_lawyers,
    slugify,
    unlink_partner,
)
from api.security.passwords import verify_password
from api.settings import Settings

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"


def first_run(session: Session, settings: Settings) -> tuple[Organisation, User]:
    """Given an installation set up by Ana Admin of the (fictional) Harbour Light Trust."""
    return create_first_organisation(
        session,
        settings,
        org_name="Harbour Light Trust",
        admin_email="Ana.Admin@Harbour.example ",
        admin_name="Ana Admin",
        password=PASSWORD,
        now=NOW,
    )


def org_id(organisation: Organisation) -> int:
    assert organisation.id is not None
    return organisation.id


def user_id(user: User) -> int:
    assert user.id is not None
    return user.id


def staff(
    session: Session, settings: Settings, organisation: Organisation, email: str, role: Role = Role.ADVOCATE
) -> User:
    return create_user(
        session,
        settings,
        organisation_id=org_id(organisation),
        email=email,
        display_name=email.split("@")[0].title(),
        role=role,
        password=PASSWORD,
        now=NOW,
    )


# --- first run ------------------------------------------------------------------------------------


def test_first_run_creates_the_organisation_and_its_admin(
    db_session: Session, cheap_settings: Settings
) -> None:
    assert not is_set_up(db_session)

    organisation, admin = first_run(db_session, cheap_settings)

    assert is_set_up(db_session)
    assert (organisation.name, organisation.slug, organisation.timezone) == (
        "Harbour Light Trust",
        "harbour-light-trust",
        "Europe/London",
    )
    assert not organisation.require_staff_totp
    assert organisation.created_at == NOW
    assert admin.email == "ana.admin@harbour.example"
    assert admin.display_name == "Ana Admin"
    assert admin.is_active
    assert verify_password(admin.password_hash, PASSWORD)
    assert PASSWORD not in admin.password_hash
    assert memberships_of(db_session, user_id(admin)) == {org_id(organisation): Role.ADMIN}


def test_first_run_is_refused_once_set_up(db_session: Session, cheap_settings: Settings) -> None:
    first_run(db_session, cheap_settings)

    with pytest.raises(AlreadySetUpError, match=ALREADY_SET_UP):
        create_first_organisation(
            db_session,
            cheap_settings,
            org_name="Intruder Org",
            admin_email="mallory@intruder.example",
            admin_name="Mallory",
            password=PASSWORD,
        )

    assert len(db_session.exec(select(Organisation)).all()) == 1
    assert find_user_by_email(db_session, "mallory@intruder.example") is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"org_name": "   "}, "org_name", "Enter the organisation's name"),
        ({"admin_email": "ana.harbour.example"}, "email", "right format"),
        ({"admin_email": ""}, "email", "Enter an email address"),
        ({"admin_name": ""}, "name", "Enter your name"),
        ({"password": "short"}, "password", "at least 10 characters"),
        ({"password": "password123"}, "password", "most common passwords"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "is not a time zone"),
    ],
)
def test_first_run_refuses_bad_input_and_writes_nothing(
    db_session: Session, cheap_settings: Settings, changes: dict[str, str], field: str, message: str
) -> None:
    values = {
        "org_name": "Harbour Light Trust",
        "admin_email": "ana@harbour.example",
        "admin_name": "Ana Admin",
        "password": PASSWORD,
    } | changes

    with pytest.raises(OrgError, match=message) as caught:
        create_first_organisation(db_session, cheap_settings, **values)

    assert caught.value.field == field
    db_session.rollback()
    assert not is_set_up(db_session)
    assert db_session.exec(select(User)).all() == []


def test_slugs_are_ascii_and_unique(db_session: Session, cheap_settings: Settings) -> None:
    first_run(db_session, cheap_settings)

    again = create_organisation(db_session, name="Harbour Light Trust", now=NOW)
    third = create_organisation(db_session, name="Harbour  Light Trust!", now=NOW)
    spanish = create_organisation(db_session, name="Fundación Esperanza", timezone="America/Los_Angeles")

    assert (again.slug, third.slug) == ("harbour-light-trust-2", "harbour-light-trust-3")
    assert spanish.slug == "fundacion-esperanza"
    assert spanish.timezone == "America/Los_Angeles"
    assert slugify("¡¡¡") == "organisation"
    assert len(slugify("x" * 500)) <= 70


# --- people ---------------------------------------------------------------------------------------


def test_create_user_normalises_the_email_and_keeps_it_unique(
    db_session: Session, cheap_settings: Settings
) -> None:
    organisation, _ = first_run(db_session, cheap_settings)

    bea = staff(db_session, cheap_settings, organisation, "  Bea.Advocate@Harbour.Example")

    assert bea.email == "bea.advocate@harbour.example"
    assert find_user_by_email(db_session, "BEA.ADVOCATE@harbour.example") == bea
    assert memberships_of(db_session, user_id(bea)) == {org_id(organisation): Role.ADVOCATE}
    with pytest.raises(OrgError, match="already has an account") as caught:
        staff(db_session, cheap_settings, organisation, "bea.advocate@HARBOUR.example", Role.LAWYER)
    assert caught.value.field == "email"


@pytest.mark.parametrize(
    ("role", "message"),
    [("survivor", "access code"), ("owner", "Choose a role: admin, advocate, lawyer")],
)
def test_create_user_accepts_staff_roles_only(
    db_session: Session, cheap_settings: Settings, role: str, message: str
) -> None:
    organisation, _ = first_run(db_session, cheap_settings)

    with pytest.raises(OrgError, match=message) as caught:
        create_user(
            db_session,
            cheap_settings,
            organisation_id=org_id(organisation),
            email="someone@harbour.example",
            display_name="Someone",
            role=role,
            password=PASSWORD,
        )

    assert caught.value.field == "role"


def test_create_user_in_a_missing_organisation_is_refused(
    db_session: Session, cheap_settings: Settings
) -> None:
    with pytest.raises(OrgError, match="organisation does not exist"):
        create_user(
            db_session,
            cheap_settings,
            organisation_id=999,
            email="someone@harbour.example",
            display_name="Someone",
            role=Role.ADVOCATE,
            password=PASSWORD,
        )


def test_members_are_listed_by_name_with_their_role(db_session: Session, cheap_settings: Settings) -> None:
    organisation, admin = first_run(db_session, cheap_settings)
    zoe = staff(db_session, cheap_settings, organisation, "zoe@harbour.example", Role.LAWYER)
    bea = staff(db_session, cheap_settings, organisation, "bea@harbour.example")

    members = members_of(db_session, org_id(organisation))

    assert members == [(admin, Role.ADMIN), (bea, Role.ADVOCATE), (zoe, Role.LAWYER)]


def test_roles_change_but_an_organisation_keeps_an_admin(
    db_session: Session, cheap_settings: Settings
) -> None:
    organisation, admin = first_run(db_session, cheap_settings)
    bea = staff(db_session, cheap_settings, organisation, "bea@harbour.example")
    oid = org_id(organisation)

    with pytest.raises(OrgError, match="at least one admin"):
        set_role(db_session, organisation_id=oid, user_id=user_id(admin), role=Role.ADVOCATE)

    set_role(db_session, organisation_id=oid, user_id=user_id(bea), role=Role.ADMIN)
    set_role(db_session, organisation_id=oid, user_id=user_id(admin), role="lawyer")

    assert memberships_of(db_session, user_id(admin)) == {oid: Role.LAWYER}
    assert memberships_of(db_session, user_id(bea)) == {oid: Role.ADMIN}
    with pytest.raises(OrgError, match="not in the organisation"):
        set_role(db_session, organisation_id=oid + 1, user_id=user_id(bea), role=Role.ADVOCATE)


def test_an_inactive_admin_does_not_count_as_the_remaining_admin(
    db_session: Session, cheap_settings: Settings
) -> None:
    organisation, admin = first_run(db_session, cheap_settings)
    other = staff(db_session, cheap_settings, organisation, "otto@harbour.example", Role.ADMIN)
    oid = org_id(organisation)
    deactivate_user(db_session, organisation_id=oid, user_id=user_id(other), now=NOW)

    with pytest.raises(OrgError, match="at least one admin"):
        deactivate_user(db_session, organisation_id=oid, user_id=user_id(admin), now=NOW)


def test_deactivating_ends_sessions_and_tokens_at_once(db_session: Session, cheap_settings: Settings) -> None:
    organisation, _ = first_run(db_session, cheap_settings)
    bea = staff(db_session, cheap_settings, organisation, "bea@harbour.example")
    cookie = start_session(db_session, cheap_settings, bea, NOW)
    _, token = create_api_token(db_session, bea, "laptop", ["cases:read"], NOW)

    deactivated = deactivate_user(
        db_session, organisation_id=org_id(organisation), user_id=user_id(bea), now=NOW
    )

    assert not deactivated.is_active
    later = NOW + timedelta(seconds=5)
    assert resolve_session(db_session, cheap_settings, cookie, later) is None
    assert resolve_api_token(db_session, token, later) is None
    assert all(row.revoked_at == NOW for row in db_session.exec(select(UserSession)).all())
    assert all(row.revoked_at == NOW for row in db_session.exec(select(ApiToken)).all())

    reactivate_user(db_session, organisation_id=org_id(organisation), user_id=user_id(bea))
    assert find_user_by_email(db_session, "bea@harbour.example") is not None
    # Reactivation restores sign-in, not the old sessions.
    assert resolve_session(db_session, cheap_settings, cookie, later) is None


def test_a_member_of_two_organisations_is_removed_not_deactivated(
    db_session: Session, cheap_settings: Settings
) -> None:
    harbour, _ = first_run(db_session, cheap_settings)
    firm = create_organisation(db_session, name="Pro Bono Partners LLP", now=NOW)
    lou = staff(db_session, cheap_settings, firm, "lou@probono.example", Role.ADMIN)
    add_membership(db_session, organisation_id=org_id(harbour), user_id=user_id(lou), role=Role.LAWYER)

    with pytest.raises(OrgError, match="another organisation"):
        deactivate_user(db_session, organisation_id=org_id(harbour), user_id=user_id(lou), now=NOW)

    remove_membership(db_session, organisation_id=org_id(harbour), user_id=user_id(lou), now=NOW)

    db_session.refresh(lou)
    assert lou.is_active
    assert memberships_of(db_session, user_id(lou)) == {org_id(firm): Role.ADMIN}


def test_removing_the_last_membership_deactivates_the_account(
    db_session: Session, cheap_settings: Settings
) -> None:
    organisation, _ = first_run(db_session, cheap_settings)
    bea = staff(db_session, cheap_settings, organisation, "bea@harbour.example")

    remove_membership(db_session, organisation_id=org_id(organisation), user_id=user_id(bea), now=NOW)

    db_session.refresh(bea)
    assert not bea.is_active
    assert memberships_of(db_session, user_id(bea)) == {}


def test_add_membership_refuses_duplicates_and_survivors(
    db_session: Session, cheap_settings: Settings
) -> None:
    organisation, admin = first_run(db_session, cheap_settings)
    survivor = create_survivor_user(
        db_session,
        cheap_settings,
        organisation_id=org_id(organisation),
        display_name="R.",
        passphrase=PASSWORD,
    )
    firm = create_organisation(db_session, name="Pro Bono Partners LLP")

    with pytest.raises(OrgError, match="already in the organisation"):
        add_membership(
            db_session, organisation_id=org_id(organisation), user_id=user_id(admin), role=Role.LAWYER
        )
    with pytest.raises(OrgError, match="survivor"):
        add_membership(db_session, organisation_id=org_id(firm), user_id=user_id(survivor), role=Role.LAWYER)
    with pytest.raises(OrgError, match="staff role"):
        set_role(
            db_session, organisation_id=org_id(organisation), user_id=user_id(survivor), role=Role.ADVOCATE
        )


def test_a_survivor_account_has_no_email_and_the_survivor_role(
    db_session: Session, cheap_settings: Settings
) -> None:
    organisation, _ = first_run(db_session, cheap_settings)

    survivor = create_survivor_user(
        db_session,
        cheap_settings,
        organisation_id=org_id(organisation),
        display_name=" Rosa ",
        passphrase="sunflower river morning",
        now=NOW,
    )

    assert survivor.email is None
    assert survivor.display_name == "Rosa"
    assert verify_password(survivor.password_hash, "sunflower river morning")
    assert memberships_of(db_session, user_id(survivor)) == {org_id(organisation): Role.SURVIVOR}
    with pytest.raises(OrgError, match="at least 10 characters") as caught:
        create_survivor_user(
            db_session,
            cheap_settings,
            organisation_id=org_id(organisation),
            display_name="X",
            passphrase="abc",
        )
    assert caught.value.field == "passphrase"


def test_staff_totp_can_be_required(db_session: Session, cheap_settings: Settings) -> None:
    organisation, _ = first_run(db_session, cheap_settings)

    updated = set_require_staff_totp(db_session, organisation_id=org_id(organisation), required=True)

    assert updated.require_staff_totp


# --- partners -------------------------------------------------------------------------------------


def test_cases_are_shareable_with_own_and_partner_lawyers_only(
    db_session: Session, cheap_settings: Settings
) -> None:
    harbour, _ = first_run(db_session, cheap_settings)
    firm = create_organisation(db_session, name="Pro Bono Partners LLP")
    stranger_firm = create_organisation(db_session, name="Unrelated Chambers")
    own_lawyer = staff(db_session, cheap_settings, harbour, "olga@harbour.example", Role.LAWYER)
    staff(db_session, cheap_settings, harbour, "bea@harbour.example", Role.ADVOCATE)
    partner_lawyer = staff(db_session, cheap_settings, firm, "lou@probono.example", Role.LAWYER)
    staff(db_session, cheap_settings, firm, "pia@probono.example", Role.ADMIN)
    stranger = staff(db_session, cheap_settings, stranger_firm, "sam@chambers.example", Role.LAWYER)
    hid, fid = org_id(harbour), org_id(firm)
    assert [user.email for user in shareable_lawyers(db_session, hid)] == ["olga@harbour.example"]

    link = link_partner(db_session, hid, fid)

    assert link_partner(db_session, hid, fid).id == link.id  # idempotent
    assert partner_organisation_ids(db_session, hid) == [fid]
    assert partner_organisation_ids(db_session, fid) == []  # one-directional
    assert {user.email for user in shareable_lawyers(db_session, hid)} == {
        "olga@harbour.example",
        "lou@probono.example",
    }
    assert is_shareable_lawyer(db_session, organisation_id=hid, user_id=user_id(partner_lawyer))
    assert not is_shareable_lawyer(db_session, organisation_id=hid, user_id=user_id(stranger))
    assert not is_shareable_lawyer(db_session, organisation_id=fid, user_id=user_id(own_lawyer))

    deactivate_user(db_session, organisation_id=fid, user_id=user_id(partner_lawyer), now=NOW)
    assert not is_shareable_lawyer(db_session, organisation_id=hid, user_id=user_id(partner_lawyer))

    assert unlink_partner(db_session, hid, fid)
    assert not unlink_partner(db_session, hid, fid)
    assert partner_organisation_ids(db_session, hid) == []


def test_partner_links_refuse_self_and_unknown_organisations(
    db_session: Session, cheap_settings: Settings
) -> None:
    harbour, _ = first_run(db_session, cheap_settings)

    with pytest.raises(OrgError, match="its own partner"):
        link_partner(db_session, org_id(harbour), org_id(harbour))
    with pytest.raises(OrgError, match="does not exist"):
        link_partner(db_session, org_id(harbour), 999)


def test_the_role_column_refuses_unknown_roles(db_session: Session, cheap_settings: Settings) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    organisation, admin = first_run(db_session, cheap_settings)

    with pytest.raises(IntegrityError):
        db_session.execute(
            text("UPDATE membership SET role = 'owner' WHERE user_id = :user_id"), {"user_id": user_id(admin)}
        )
    db_session.rollback()
    membership = db_session.exec(select(Membership).where(col(Membership.user_id) == user_id(admin))).one()
    assert membership.role is Role.ADMIN
    assert membership.organisation_id == org_id(organisation)
