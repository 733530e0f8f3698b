"""An admin's management of people and partners (``api.orgs.people``) and the staff set-up
codes behind it (``api.auth.setup_codes``): hashed at rest, single use, expiring, throttled,
one answer for every wrong code; roles, partners and the audit trail. Fictional people."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from api.access import Actor, actor_for
from api.audit.models import CaseEvent
from api.auth.models import StaffSetupCode, UserSession
from api.auth.service import AuthError, ThrottledError, authenticate, start_session
from api.auth.setup_codes import WRONG_SETUP_CODE, redeem_setup_code
from api.cases.errors import AccessDenied
from api.orgs import people
from api.orgs.models import Role, User
from api.orgs.service import (
    NO_PASSPHRASE,
    OrgError,
    find_user_by_email,
    memberships_of,
    set_role,
    shareable_lawyers,
)
from api.security.passwords import verify_password
from api.settings import Settings
from tests.api.cases.builders import NOW, PASSWORD, World, id_of, make_world

CHOSEN = "lighthouse pebble orchard"


@pytest.fixture
def world(db_session: Session, cheap_settings: Settings) -> World:
    return make_world(db_session, cheap_settings)


def admin_of(session: Session, world: World) -> Actor:
    return actor_for(session, world.admin)


def add_gia(session: Session, settings: Settings, world: World) -> people.Invitation:
    return people.add_person(
        session,
        settings,
        admin_of(session, world),
        id_of(world.home),
        name="Gia Advocate",
        email="gia@harbour.example",
        role="advocate",
        now=NOW,
    )


def events(session: Session, action: str) -> list[CaseEvent]:
    return list(
        session.exec(
            select(CaseEvent).where(CaseEvent.action == action, col(CaseEvent.case_id).is_(None))
        ).all()
    )


def test_a_new_person_has_no_usable_passphrase_and_a_code_kept_only_as_a_keyed_hash(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    invitation = add_gia(db_session, cheap_settings, world)

    assert invitation.code is not None
    gia = invitation.user
    assert gia.password_hash == NO_PASSPHRASE
    row = db_session.exec(select(StaffSetupCode).where(StaffSetupCode.user_id == id_of(gia))).one()
    assert invitation.code.code.replace("-", "") not in row.code_hash
    assert len(row.code_hash) == 64
    assert row.created_by_user_id == id_of(world.admin)
    assert row.expires_at == NOW + timedelta(hours=cheap_settings.access_code_hours)
    assert invitation.code.expires_at == row.expires_at
    with pytest.raises(AuthError):  # nothing signs in before the code is used
        authenticate(db_session, cheap_settings, email="gia@harbour.example", password="", now=NOW)
    (event,) = events(db_session, "people.added")
    assert (event.organisation_id, event.actor_user_id, event.subject) == (
        id_of(world.home),
        id_of(world.admin),
        f"user:{id_of(gia)}",
    )


def test_the_code_sets_the_passphrase_once(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    invitation = add_gia(db_session, cheap_settings, world)
    assert invitation.code is not None
    code = invitation.code.code

    user = redeem_setup_code(
        db_session, cheap_settings, email="GIA@harbour.example ", code=code, passphrase=CHOSEN, now=NOW
    )

    assert verify_password(user.password_hash, CHOSEN)
    with pytest.raises(AuthError) as again:
        redeem_setup_code(
            db_session,
            cheap_settings,
            email="gia@harbour.example",
            code=code,
            passphrase="another long one",
            now=NOW,
        )
    assert again.value.message == WRONG_SETUP_CODE
    assert again.value.field == "code"


def test_expired_codes_and_codes_replaced_by_a_newer_one_are_refused_alike(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    admin = admin_of(db_session, world)
    bea = id_of(world.advocate)
    _, first = people.new_setup_code(db_session, cheap_settings, admin, id_of(world.home), bea, now=NOW)
    _, second = people.new_setup_code(db_session, cheap_settings, admin, id_of(world.home), bea, now=NOW)
    later = second.expires_at

    answers = []
    for code, now in ((first.code, NOW), (second.code, later), ("ABCD-EFGH-JKMN", NOW), ("nonsense", NOW)):
        with pytest.raises(AuthError) as refused:
            redeem_setup_code(
                db_session, cheap_settings, email="bea@harbour.example", code=code, passphrase=CHOSEN, now=now
            )
        answers.append((refused.value.field, refused.value.message))
    with pytest.raises(AuthError) as unknown_email:
        redeem_setup_code(
            db_session,
            cheap_settings,
            email="nobody@harbour.example",
            code=second.code,
            passphrase=CHOSEN,
            now=NOW,
        )
    with pytest.raises(AuthError) as someone_elses:
        redeem_setup_code(
            db_session,
            cheap_settings,
            email="cal@harbour.example",
            code=second.code,
            passphrase=CHOSEN,
            now=NOW,
        )

    assert set(answers) == {("code", WRONG_SETUP_CODE)}
    assert unknown_email.value.message == WRONG_SETUP_CODE
    assert someone_elses.value.message == WRONG_SETUP_CODE
    # The old passphrase still works: no code was used.
    assert authenticate(db_session, cheap_settings, email="bea@harbour.example", password=PASSWORD, now=NOW)
    # The newer code still works a moment before it expires.
    redeem_setup_code(
        db_session,
        cheap_settings,
        email="bea@harbour.example",
        code=second.code,
        passphrase=CHOSEN,
        now=later - timedelta(seconds=1),
    )


def test_a_weak_passphrase_is_refused_before_the_code_and_the_code_stays_usable(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    invitation = add_gia(db_session, cheap_settings, world)
    assert invitation.code is not None

    with pytest.raises(AuthError) as weak:
        redeem_setup_code(
            db_session,
            cheap_settings,
            email="gia@harbour.example",
            code=invitation.code.code,
            passphrase="short",
            now=NOW,
        )

    assert weak.value.field == "passphrase"
    redeem_setup_code(
        db_session,
        cheap_settings,
        email="gia@harbour.example",
        code=invitation.code.code,
        passphrase=CHOSEN,
        now=NOW,
    )


def test_redeeming_is_throttled_per_email_and_ends_every_session(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    admin = admin_of(db_session, world)
    bea = db_session.get_one(User, id_of(world.advocate))
    start_session(db_session, cheap_settings, bea, NOW)
    _, issued = people.new_setup_code(
        db_session, cheap_settings, admin, id_of(world.home), id_of(bea), now=NOW
    )
    for _ in range(cheap_settings.login_max_failures):
        with pytest.raises(AuthError):
            redeem_setup_code(
                db_session,
                cheap_settings,
                email="bea@harbour.example",
                code="ABCD-EFGH-JKMN",
                passphrase=CHOSEN,
                now=NOW,
            )

    with pytest.raises(ThrottledError):  # even the right code waits
        redeem_setup_code(
            db_session,
            cheap_settings,
            email="bea@harbour.example",
            code=issued.code,
            passphrase=CHOSEN,
            now=NOW,
        )
    later = NOW + timedelta(minutes=cheap_settings.login_window_minutes + 1)
    redeem_setup_code(
        db_session,
        cheap_settings,
        email="bea@harbour.example",
        code=issued.code,
        passphrase=CHOSEN,
        now=later,
    )
    open_sessions = db_session.exec(
        select(UserSession).where(UserSession.user_id == id_of(bea), col(UserSession.revoked_at).is_(None))
    ).all()
    assert open_sessions == []


def test_an_existing_account_joins_with_the_role_and_keeps_its_passphrase(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    invitation = people.add_person(
        db_session,
        cheap_settings,
        admin_of(db_session, world),
        id_of(world.home),
        name="ignored",
        email="Dee@Northgate.example",
        role="lawyer",
        now=NOW,
    )

    assert invitation.joined_existing
    assert memberships_of(db_session, id_of(world.foreign_advocate)) == {
        id_of(world.foreign): Role.ADVOCATE,
        id_of(world.home): Role.LAWYER,
    }
    assert verify_password(invitation.user.password_hash, PASSWORD)
    with pytest.raises(OrgError, match="already in the organisation"):
        people.add_person(
            db_session,
            cheap_settings,
            admin_of(db_session, world),
            id_of(world.home),
            name="again",
            email="dee@northgate.example",
            role="lawyer",
            now=NOW,
        )
    assert len(events(db_session, "people.added")) == 1  # the refused one left no event


def test_only_the_organisations_admins_manage_it(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    advocate = actor_for(db_session, world.advocate)
    foreign_admin_view = actor_for(db_session, world.admin)

    with pytest.raises(AccessDenied):
        people.people_of(db_session, advocate, id_of(world.home), now=NOW)
    with pytest.raises(AccessDenied):
        people.deactivate(
            db_session, foreign_admin_view, id_of(world.foreign), id_of(world.foreign_advocate), now=NOW
        )
    with pytest.raises(AccessDenied):  # through an API token, even an admin may not
        people.add_partner(
            db_session,
            actor_for(db_session, world.admin, ["cases:write"]),
            id_of(world.home),
            name="X",
            now=NOW,
        )


def test_role_rules_the_last_admin_and_oneself(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    admin = admin_of(db_session, world)
    home = id_of(world.home)
    bea = id_of(world.advocate)

    people.change_role(db_session, admin, home, bea, "admin", now=NOW)
    with pytest.raises(OrgError, match="own role"):
        people.change_role(db_session, admin, home, id_of(world.admin), "advocate", now=NOW)
    with pytest.raises(OrgError, match="locked out"):
        people.deactivate(db_session, admin, home, id_of(world.admin), now=NOW)
    with pytest.raises(OrgError, match="yourself"):
        people.remove(db_session, admin, home, id_of(world.admin), now=NOW)
    with pytest.raises(OrgError, match="Choose a role"):
        people.change_role(db_session, admin, home, bea, "survivor-ish", now=NOW)
    # Bea (an admin now) demotes Ana; then Ana, no longer an admin, cannot act, and the last
    # admin (Bea) cannot be demoted by the service.
    people.change_role(
        db_session, actor_for(db_session, world.advocate), home, id_of(world.admin), "advocate", now=NOW
    )
    with pytest.raises(AccessDenied):
        people.change_role(db_session, actor_for(db_session, world.admin), home, bea, "advocate", now=NOW)
    with pytest.raises(OrgError, match="at least one admin"):
        set_role(db_session, organisation_id=home, user_id=bea, role=Role.ADVOCATE)
    assert [e.subject for e in events(db_session, "people.role_changed")] == [
        f"user:{bea}",
        f"user:{id_of(world.admin)}",
    ]


def test_deactivate_reactivate_and_remove_are_recorded(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    admin = admin_of(db_session, world)
    home = id_of(world.home)
    cal = id_of(world.lawyer)

    people.deactivate(db_session, admin, home, cal, now=NOW)
    assert not db_session.get_one(User, cal).is_active
    people.reactivate(db_session, admin, home, cal, now=NOW)
    assert db_session.get_one(User, cal).is_active
    people.remove(db_session, admin, home, cal, now=NOW)

    assert memberships_of(db_session, cal) == {}
    for action in ("people.deactivated", "people.reactivated", "people.removed"):
        assert [e.subject for e in events(db_session, action)] == [f"user:{cal}"]


def test_a_new_code_only_for_someone_the_organisation_alone_answers_for(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    admin = admin_of(db_session, world)
    home = id_of(world.home)
    people.add_person(
        db_session,
        cheap_settings,
        admin,
        home,
        name="Dee",
        email="dee@northgate.example",
        role="lawyer",
        now=NOW,
    )

    with pytest.raises(OrgError, match="another organisation"):
        people.new_setup_code(db_session, cheap_settings, admin, home, id_of(world.foreign_advocate), now=NOW)
    with pytest.raises(OrgError, match="not in the organisation"):  # a firm that is not a partner
        people.new_setup_code(db_session, cheap_settings, admin, home, id_of(world.unlinked_lawyer), now=NOW)
    with pytest.raises(OrgError, match="not in the organisation"):  # nobody has this id
        people.new_setup_code(db_session, cheap_settings, admin, home, 10**9, now=NOW)
    # The partner firm has no admin of its own: its lawyer's passphrase is the home admin's to reset.
    _, issued = people.new_setup_code(
        db_session, cheap_settings, admin, home, id_of(world.partner_lawyer), now=NOW
    )
    assert issued.code


def test_a_partner_and_its_new_lawyer_become_shareable_and_unlinking_stops_it(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    admin = admin_of(db_session, world)
    home = id_of(world.home)

    firm = people.add_partner(db_session, admin, home, name="Beacon Legal", now=NOW)
    invitation = people.add_partner_lawyer(
        db_session,
        cheap_settings,
        admin,
        home,
        id_of(firm),
        name="Ivo Lawyer",
        email="ivo@beacon.example",
        now=NOW,
    )

    ivo = invitation.user
    assert invitation.code is not None
    assert memberships_of(db_session, id_of(ivo)) == {id_of(firm): Role.LAWYER}
    assert ivo in shareable_lawyers(db_session, home)
    listed = people.partners_of(db_session, admin, home, now=NOW)
    assert [(p.organisation.name, [lawyer.user.display_name for lawyer in p.lawyers]) for p in listed] == [
        ("Beacon Legal", ["Ivo Lawyer"]),
        ("Quayside Law", ["Eli Lawyer"]),
    ]
    with pytest.raises(OrgError, match="not one of your partners"):
        people.add_partner_lawyer(
            db_session,
            cheap_settings,
            admin,
            home,
            id_of(world.unlinked),
            name="X",
            email="x@lantern.example",
            now=NOW,
        )
    people.unlink_partner(db_session, admin, home, id_of(firm), now=NOW)
    assert ivo not in shareable_lawyers(db_session, home)
    assert [e.action for e in events(db_session, "partner.linked")] == ["partner.linked"]
    assert [e.action for e in events(db_session, "partner.lawyer_added")] == ["partner.lawyer_added"]
    assert [e.action for e in events(db_session, "partner.unlinked")] == ["partner.unlinked"]


def test_requiring_an_authenticator_app_is_recorded(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    admin = admin_of(db_session, world)

    organisation = people.require_staff_totp(db_session, admin, id_of(world.home), required=True, now=NOW)

    assert organisation.require_staff_totp
    result = authenticate(db_session, cheap_settings, email="bea@harbour.example", password=PASSWORD, now=NOW)
    assert result.second_factor == "enrol"
    assert len(events(db_session, "organisation.staff_totp_required")) == 1


def test_the_list_shows_who_has_not_chosen_a_passphrase(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    add_gia(db_session, cheap_settings, world)
    admin = admin_of(db_session, world)
    people.deactivate(db_session, admin, id_of(world.home), id_of(world.lawyer), now=NOW)

    listed = {
        p.user.display_name: (p.status, p.code_pending, p.only_here)
        for p in people.people_of(db_session, admin, id_of(world.home), now=NOW)
    }

    assert listed == {
        "Ana Admin": ("active", False, True),
        "Bea Advocate": ("active", False, True),
        "Cal Lawyer": ("deactivated", False, True),
        "Gia Advocate": ("invited", True, True),
    }
    assert find_user_by_email(db_session, "gia@harbour.example") is not None
