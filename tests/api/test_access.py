"""The access policy as a matrix: role × own organisation / foreign / shared / revoked / survivor.

The rules are checked first as pure functions, then over a real database, where the SQL filter
used by case lists must agree with the per-case checks for every actor and every case.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, col, select

from api.access import (
    Actor,
    CaseAccess,
    Share,
    actor_for,
    can_comment,
    can_edit_facts,
    can_manage_case,
    can_share,
    can_view_application,
    can_view_case,
    may_answer,
    may_comment,
    may_edit_facts,
    may_manage,
    may_manage_organisation,
    may_share,
    may_view,
    may_view_application,
    visible_case_filter,
)
from api.cases.models import Application, CaseShare, LegalCase
from api.orgs.models import Organisation, Role, User
from api.orgs.service import (
    add_membership,
    create_first_organisation,
    create_organisation,
    create_survivor_user,
    create_user,
    link_partner,
)
from api.settings import Settings

OWN, FOREIGN = 1, 2
SHARED_APPLICATION, OTHER_APPLICATION = 7, 8
CASE = CaseAccess(
    organisation_id=OWN,
    survivor_user_id=50,
    shares=(Share(lawyer_user_id=30), Share(lawyer_user_id=31, application_id=SHARED_APPLICATION), Share(33)),
)

ALL = "view comment edit manage share"
VIEW_AND_COMMENT = "view comment"
NOTHING = ""

# (actor, what it may do on CASE)
MATRIX: dict[str, tuple[Actor, str]] = {
    "admin of the case's organisation": (Actor.of(10, {OWN: Role.ADMIN}), ALL),
    "advocate of the case's organisation": (Actor.of(11, {OWN: Role.ADVOCATE}), ALL),
    "admin of another organisation": (Actor.of(12, {FOREIGN: Role.ADMIN}), NOTHING),
    "advocate of another organisation": (Actor.of(13, {FOREIGN: Role.ADVOCATE}), NOTHING),
    "lawyer of the case's organisation, not shared": (Actor.of(14, {OWN: Role.LAWYER}), NOTHING),
    "partner lawyer, case shared": (Actor.of(30, {FOREIGN: Role.LAWYER}), VIEW_AND_COMMENT),
    "partner lawyer, one application shared": (Actor.of(31, {FOREIGN: Role.LAWYER}), VIEW_AND_COMMENT),
    "partner lawyer, share revoked": (Actor.of(32, {FOREIGN: Role.LAWYER}), NOTHING),
    "shared, but no longer a lawyer": (Actor.of(33, {FOREIGN: Role.ADVOCATE}), NOTHING),
    "survivor of the case": (Actor.of(50, {OWN: Role.SURVIVOR}), "view"),
    "another survivor of the organisation": (Actor.of(51, {OWN: Role.SURVIVOR}), NOTHING),
    "the case's survivor id, but a survivor elsewhere": (Actor.of(50, {FOREIGN: Role.SURVIVOR}), NOTHING),
    "advocate here, lawyer elsewhere": (Actor.of(15, {OWN: Role.ADVOCATE, FOREIGN: Role.LAWYER}), ALL),
    "nobody": (Actor.of(99, {}), NOTHING),
}


def abilities(actor: Actor, case: CaseAccess) -> str:
    checks = {
        "view": may_view,
        "comment": may_comment,
        "edit": may_edit_facts,
        "manage": may_manage,
        "share": may_share,
    }
    return " ".join(name for name, check in checks.items() if check(actor, case))


@pytest.mark.parametrize("who", list(MATRIX))
def test_the_policy_matrix(who: str) -> None:
    actor, expected = MATRIX[who]

    assert abilities(actor, CASE) == expected


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("admin of the case's organisation", {SHARED_APPLICATION, OTHER_APPLICATION}),
        ("partner lawyer, case shared", {SHARED_APPLICATION, OTHER_APPLICATION}),
        ("partner lawyer, one application shared", {SHARED_APPLICATION}),
        ("partner lawyer, share revoked", set()),
        ("survivor of the case", {SHARED_APPLICATION, OTHER_APPLICATION}),
        ("admin of another organisation", set()),
    ],
)
def test_a_lawyer_sees_only_the_applications_shared(who: str, visible: set[int]) -> None:
    actor, _ = MATRIX[who]

    seen = {app for app in (SHARED_APPLICATION, OTHER_APPLICATION) if may_view_application(actor, CASE, app)}

    assert seen == visible


@pytest.mark.parametrize(
    ("scopes", "expected"),
    [
        (None, ALL),
        (["cases:read"], "view"),
        (["cases:write"], ALL),
        (["cases:read", "cases:write"], ALL),
        ([], NOTHING),
    ],
)
def test_token_scopes_cap_what_the_person_may_do(scopes: list[str] | None, expected: str) -> None:
    advocate = Actor.of(11, {OWN: Role.ADVOCATE}, scopes)
    lawyer = Actor.of(30, {FOREIGN: Role.LAWYER}, scopes)

    assert abilities(advocate, CASE) == expected
    assert abilities(lawyer, CASE) == " ".join(a for a in expected.split() if a in VIEW_AND_COMMENT)


def test_only_admins_manage_their_organisation_and_never_through_a_token() -> None:
    assert may_manage_organisation(Actor.of(10, {OWN: Role.ADMIN}), OWN)
    assert not may_manage_organisation(Actor.of(10, {OWN: Role.ADMIN}), FOREIGN)
    assert not may_manage_organisation(Actor.of(11, {OWN: Role.ADVOCATE}), OWN)
    assert not may_manage_organisation(Actor.of(10, {OWN: Role.ADMIN}, ["cases:write"]), OWN)


@pytest.mark.parametrize("who", list(MATRIX))
def test_only_caseworkers_and_the_survivor_asked_give_answers(who: str) -> None:
    """Caseworkers may give any answer; the case's survivor only those asked of them (and none
    once the question is withdrawn); nobody else any."""
    actor, allowed = MATRIX[who]
    asked = replace(CASE, asked_facts=frozenset({"incident.date"}))
    caseworker = "edit" in allowed.split()
    survivor = who == "survivor of the case"
    assert may_answer(actor, asked, ["incident.date"]) is (caseworker or survivor)
    assert may_answer(actor, asked, ["incident.date", "police.reported"]) is caseworker
    assert may_answer(actor, CASE, ["incident.date"]) is caseworker  # nothing asked (or withdrawn)
    assert may_answer(actor, asked, []) is caseworker


def test_an_actor_knows_whether_it_is_a_survivor() -> None:
    assert Actor.of(50, {OWN: Role.SURVIVOR}).is_survivor
    assert not Actor.of(11, {OWN: Role.ADVOCATE}).is_survivor
    with pytest.raises(TypeError):
        Actor.of(11, {OWN: Role.ADVOCATE}).memberships[OWN] = Role.ADMIN  # type: ignore[index]


# --- over the database ----------------------------------------------------------------------------

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"


@dataclass
class World:
    """Two organisations with their people and cases, some shared (all fictional)."""

    users: dict[str, User]
    cases: dict[str, LegalCase]
    applications: dict[str, Application]


def _id(row: Organisation | User | LegalCase | Application) -> int:
    assert row.id is not None
    return row.id


def build_world(session: Session, settings: Settings) -> World:
    harbour, admin = create_first_organisation(
        session,
        settings,
        org_name="Harbour Light Trust",
        admin_email="ana@harbour.example",
        admin_name="Ana",
        password=PASSWORD,
    )
    firm = create_organisation(session, name="Pro Bono Partners LLP")
    other = create_organisation(session, name="Northern Refuge")
    link_partner(session, _id(harbour), _id(firm))

    def staff(organisation: Organisation, email: str, role: Role) -> User:
        return create_user(
            session,
            settings,
            organisation_id=_id(organisation),
            email=email,
            display_name=email.split("@")[0],
            role=role,
            password=PASSWORD,
        )

    def survivor(organisation: Organisation, name: str) -> User:
        return create_survivor_user(
            session, settings, organisation_id=_id(organisation), display_name=name, passphrase=PASSWORD
        )

    users = {
        "harbour admin": admin,
        "harbour advocate": staff(harbour, "bea@harbour.example", Role.ADVOCATE),
        "harbour lawyer": staff(harbour, "hal@harbour.example", Role.LAWYER),
        "partner lawyer": staff(firm, "lou@probono.example", Role.LAWYER),
        "partner lawyer, revoked": staff(firm, "rev@probono.example", Role.LAWYER),
        "partner lawyer, one application": staff(firm, "app@probono.example", Role.LAWYER),
        "northern advocate": staff(other, "nia@northern.example", Role.ADVOCATE),
        "rosa": survivor(harbour, "Rosa"),
        "sam": survivor(harbour, "Sam"),
        "nadia": survivor(other, "Nadia"),
    }
    # A northern advocate who also volunteers as a lawyer for the partner firm.
    add_membership(
        session, organisation_id=_id(firm), user_id=_id(users["northern advocate"]), role=Role.LAWYER
    )

    def case(organisation: Organisation, reference: str, survivor_user: User | None) -> LegalCase:
        row = LegalCase(
            organisation_id=_id(organisation),
            reference=reference,
            preferred_language="en",
            jurisdiction="GB-ENG",
            survivor_user_id=None if survivor_user is None else survivor_user.id,
            wrapped_data_key="not used by these tests",
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(row)
        session.flush()
        return row

    cases = {
        "rosa's case": case(harbour, "HLT-001", users["rosa"]),
        "sam's case": case(harbour, "HLT-002", users["sam"]),
        "unassigned harbour case": case(harbour, "HLT-003", None),
        "nadia's case": case(other, "NR-001", users["nadia"]),
    }
    applications = {
        name: Application(
            case_id=_id(cases["sam's case"]),
            workflow_id=workflow,
            workflow_version="1",
            created_at=NOW,
            updated_at=NOW,
        )
        for name, workflow in (("sam cica", "uk.cica"), ("sam nrm", "uk.nrm"))
    }
    session.add_all(applications.values())
    session.flush()

    def share(case_name: str, lawyer: str, *, application: str | None = None, revoked: bool = False) -> None:
        session.add(
            CaseShare(
                case_id=_id(cases[case_name]),
                application_id=None if application is None else _id(applications[application]),
                lawyer_user_id=_id(users[lawyer]),
                shared_by_user_id=_id(users["harbour advocate"]),
                created_at=NOW,
                revoked_at=NOW if revoked else None,
            )
        )

    share("rosa's case", "partner lawyer")
    share("rosa's case", "partner lawyer, revoked", revoked=True)
    share("sam's case", "partner lawyer, one application", application="sam cica")
    session.commit()
    return World(users, cases, applications)


HARBOUR_CASES = {"rosa's case", "sam's case", "unassigned harbour case"}
VISIBLE: dict[str, set[str]] = {
    "harbour admin": HARBOUR_CASES,
    "harbour advocate": HARBOUR_CASES,
    "harbour lawyer": set(),
    "partner lawyer": {"rosa's case"},
    "partner lawyer, revoked": set(),
    "partner lawyer, one application": {"sam's case"},
    "northern advocate": {"nadia's case"},
    "rosa": {"rosa's case"},
    "sam": {"sam's case"},
    "nadia": {"nadia's case"},
}


def test_case_lists_and_case_checks_agree_for_every_actor(
    db_session: Session, cheap_settings: Settings
) -> None:
    world = build_world(db_session, cheap_settings)
    names = {_id(case): name for name, case in world.cases.items()}

    for who, user in world.users.items():
        actor = actor_for(db_session, user)
        listed = {
            names[_id(row)]
            for row in db_session.exec(select(LegalCase).where(visible_case_filter(actor))).all()
        }
        checked = {name for name, case in world.cases.items() if can_view_case(db_session, actor, case)}

        assert listed == checked == VISIBLE[who], who


def test_case_checks_over_the_database(db_session: Session, cheap_settings: Settings) -> None:
    world = build_world(db_session, cheap_settings)
    rosa_case, sam_case = world.cases["rosa's case"], world.cases["sam's case"]
    advocate = actor_for(db_session, world.users["harbour advocate"])
    lawyer = actor_for(db_session, world.users["partner lawyer"])
    app_lawyer = actor_for(db_session, world.users["partner lawyer, one application"])
    rosa = actor_for(db_session, world.users["rosa"])
    northern = actor_for(db_session, world.users["northern advocate"])

    for check in (can_comment, can_edit_facts, can_manage_case, can_share):
        assert check(db_session, advocate, rosa_case)
        assert not check(db_session, rosa, rosa_case)
        assert not check(db_session, northern, rosa_case)
    assert can_comment(db_session, lawyer, rosa_case)
    assert not can_edit_facts(db_session, lawyer, rosa_case)
    assert not can_manage_case(db_session, lawyer, rosa_case)
    assert not can_share(db_session, lawyer, rosa_case)
    assert rosa.is_survivor

    cica, nrm = _id(world.applications["sam cica"]), _id(world.applications["sam nrm"])
    assert can_view_application(db_session, app_lawyer, sam_case, cica)
    assert not can_view_application(db_session, app_lawyer, sam_case, nrm)
    assert can_view_application(db_session, advocate, sam_case, nrm)


def test_a_read_only_token_lists_but_cannot_change(db_session: Session, cheap_settings: Settings) -> None:
    world = build_world(db_session, cheap_settings)
    advocate = world.users["harbour advocate"]
    read_only = actor_for(db_session, advocate, ["cases:read"])
    no_scope = actor_for(db_session, advocate, [])
    rosa_case = world.cases["rosa's case"]

    listed = db_session.exec(select(LegalCase.reference).where(visible_case_filter(read_only))).all()

    assert sorted(listed) == ["HLT-001", "HLT-002", "HLT-003"]
    assert can_view_case(db_session, read_only, rosa_case)
    assert not can_edit_facts(db_session, read_only, rosa_case)
    assert db_session.exec(select(LegalCase).where(visible_case_filter(no_scope))).all() == []
    assert not can_view_case(db_session, no_scope, rosa_case)
    assert db_session.exec(select(col(LegalCase.id))).all()  # the cases are there all the same
