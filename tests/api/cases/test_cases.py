"""Opening, reading and listing cases: validation, access and the audit events they leave."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from api.access import Actor
from api.audit.models import CaseEvent
from api.auth.models import SCOPE_CASES_READ
from api.cases import service
from api.cases.errors import AccessDenied, CaseInputError, CaseNotFound
from api.cases.models import CaseFact, CaseStatus, LegalCase
from api.cases.sharing import share_case
from api.orgs.service import add_membership
from api.security.crypto import KeyRing, unwrap_data_key
from api.settings import Settings
from tests.api.cases.builders import NOW, TODAY, World, actor, id_of, new_case


def _events(session: Session, case: LegalCase) -> list[tuple[str, str | None]]:
    rows = session.exec(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(col(CaseEvent.id))
    ).all()
    return [(row.action, row.subject) for row in rows]


# --- create_case ----------------------------------------------------------------------------------


def test_create_case_stores_a_wrapped_key_the_language_fact_and_the_event(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    # Given the home organisation's advocate
    # When they open a case
    case = service.create_case(
        db_session,
        cheap_settings,
        actor(db_session, world.advocate),
        reference="  Case   Kestrel ",
        preferred_language="sq",
        jurisdiction="gb-eng",
        now=NOW,
    )
    # Then it belongs to their organisation, normalised, open, with a public id for URLs
    assert case.organisation_id == id_of(world.home)
    assert case.reference == "Case Kestrel"
    assert case.jurisdiction == "GB-ENG"
    assert case.status == CaseStatus.OPEN
    assert len(case.public_id) == 32
    assert case.created_at == case.updated_at == NOW
    # its data key unwraps only for this case
    key = unwrap_data_key(
        KeyRing.from_settings(cheap_settings), case.wrapped_data_key, case_public_id=case.public_id
    )
    assert len(key) == 32
    # the preferred language is a fact too, stored plain (it is `general`)
    facts = service.read_facts(db_session, cheap_settings, case)
    assert facts["person.preferred_language"].value == "sq"
    assert facts["person.preferred_language"].given_by_user_id == id_of(world.advocate)
    row = db_session.exec(select(CaseFact).where(CaseFact.case_id == case.id)).one()
    assert row.value_plain == '"sq"'
    assert row.value_encrypted is None
    # and the trail says who opened it
    assert _events(db_session, case) == [
        ("case.created", None),
        ("fact.changed", "person.preferred_language"),
    ]


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"reference": "   "}, "reference", "Enter a reference"),
        ({"reference": "K" * 61}, "reference", "at most 60"),
        ({"preferred_language": "xx"}, "preferred_language", "Albanian"),
        ({"jurisdiction": "England"}, "jurisdiction", "GB-ENG"),
        ({"jurisdiction": "GB-"}, "jurisdiction", "ISO 3166-2"),
    ],
)
def test_create_case_refuses_bad_fields_naming_them(
    db_session: Session,
    cheap_settings: Settings,
    world: World,
    fields: dict[str, str],
    field: str,
    words: str,
) -> None:
    values = {"reference": "Case Heron", "preferred_language": "en", "jurisdiction": "GB-ENG", **fields}
    with pytest.raises(CaseInputError) as caught:
        service.create_case(db_session, cheap_settings, actor(db_session, world.advocate), now=NOW, **values)
    assert caught.value.field == field
    assert words in caught.value.message
    assert db_session.exec(select(LegalCase)).all() == []


def test_a_reference_is_unique_within_an_organisation_only(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    # Given a case "Case Kestrel" in the home organisation
    new_case(db_session, cheap_settings, world, "Case Kestrel")
    # When the admin opens another with the same reference, it is refused clearly
    with pytest.raises(CaseInputError) as caught:
        service.create_case(
            db_session,
            cheap_settings,
            actor(db_session, world.admin),
            reference="Case Kestrel",
            preferred_language="en",
            jurisdiction="GB-ENG",
            now=NOW,
        )
    assert caught.value.field == "reference"
    assert "already has a case with the reference 'Case Kestrel'" in caught.value.message
    # but another organisation may use it
    other = service.create_case(
        db_session,
        cheap_settings,
        actor(db_session, world.foreign_advocate),
        reference="Case Kestrel",
        preferred_language="en",
        jurisdiction="GB-WLS",
        now=NOW,
    )
    assert other.organisation_id == id_of(world.foreign)


def _open(
    session: Session, settings: Settings, who: Actor, *, organisation_id: int | None = None
) -> LegalCase:
    return service.create_case(
        session,
        settings,
        who,
        reference="Case Wren",
        preferred_language="en",
        jurisdiction="GB-ENG",
        now=NOW,
        organisation_id=organisation_id,
    )


def test_only_caseworkers_with_write_access_open_cases(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    for user in (world.lawyer, world.partner_lawyer):
        with pytest.raises(AccessDenied):
            _open(db_session, cheap_settings, actor(db_session, user))
    with pytest.raises(AccessDenied):
        _open(db_session, cheap_settings, actor(db_session, world.advocate, (SCOPE_CASES_READ,)))
    # An advocate cannot open a case in an organisation they do not work for
    with pytest.raises(AccessDenied):
        _open(
            db_session,
            cheap_settings,
            actor(db_session, world.advocate),
            organisation_id=id_of(world.foreign),
        )


def test_someone_in_two_organisations_says_which(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    add_membership(
        db_session, organisation_id=id_of(world.foreign), user_id=id_of(world.advocate), role="advocate"
    )
    with pytest.raises(CaseInputError) as caught:
        _open(db_session, cheap_settings, actor(db_session, world.advocate))
    assert caught.value.field == "organisation_id"
    case = _open(
        db_session, cheap_settings, actor(db_session, world.advocate), organisation_id=id_of(world.foreign)
    )
    assert case.organisation_id == id_of(world.foreign)


# --- get_case -------------------------------------------------------------------------------------


def test_get_case_records_the_view(db_session: Session, cheap_settings: Settings, world: World) -> None:
    case = new_case(db_session, cheap_settings, world)
    seen = service.get_case(
        db_session, actor(db_session, world.admin), case.public_id, now=NOW + timedelta(hours=1)
    )
    assert seen.id == case.id
    viewed = db_session.exec(select(CaseEvent).where(CaseEvent.action == "case.viewed")).one()
    assert viewed.actor_user_id == id_of(world.admin)
    assert viewed.at == NOW + timedelta(hours=1)
    assert viewed.organisation_id == id_of(world.home)


def test_a_foreign_or_unknown_case_is_not_found_alike(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    outsiders = (world.foreign_advocate, world.lawyer, world.partner_lawyer, world.unlinked_lawyer)
    for user in outsiders:
        with pytest.raises(CaseNotFound):
            service.get_case(db_session, actor(db_session, user), case.public_id, now=NOW)
    with pytest.raises(CaseNotFound):
        service.get_case(db_session, actor(db_session, world.advocate), "0" * 32, now=NOW)
    # Nothing is recorded for a refused look
    assert db_session.exec(select(CaseEvent).where(CaseEvent.action == "case.viewed")).all() == []


def test_a_lawyer_sees_a_case_once_shared_with_them(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    share_case(
        db_session,
        actor(db_session, world.advocate),
        case,
        lawyer_user_id=id_of(world.partner_lawyer),
        now=NOW,
    )
    seen = service.get_case(db_session, actor(db_session, world.partner_lawyer), case.public_id, now=NOW)
    assert seen.id == case.id


# --- list_cases -----------------------------------------------------------------------------------


def _make_cases(session: Session, settings: Settings, world: World, count: int) -> list[LegalCase]:
    cases = []
    for number in range(count):
        case = service.create_case(
            session,
            settings,
            actor(session, world.advocate),
            reference=f"Case {number:03d}",
            preferred_language="en",
            jurisdiction="GB-ENG",
            now=NOW + timedelta(minutes=number),
        )
        cases.append(case)
    return cases


def test_list_cases_newest_first_paginated_and_capped(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    _make_cases(db_session, cheap_settings, world, 7)
    advocate = actor(db_session, world.advocate)

    first = service.list_cases(db_session, advocate, today=TODAY, per_page=3)
    assert [c.reference for c in first.items] == ["Case 006", "Case 005", "Case 004"]
    assert (first.total, first.page, first.pages) == (7, 1, 3)
    last = service.list_cases(db_session, advocate, today=TODAY, per_page=3, page=3)
    assert [c.reference for c in last.items] == ["Case 000"]
    beyond = service.list_cases(db_session, advocate, today=TODAY, per_page=3, page=9)
    assert beyond.items == []
    assert beyond.total == 7
    # per_page is capped at 100 and at least 1
    assert service.list_cases(db_session, advocate, today=TODAY, per_page=10_000).pages == 1
    assert service.list_cases(db_session, advocate, today=TODAY, per_page=0).pages == 7


def test_list_cases_searches_references_ignoring_case_and_wildcards(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    for reference in ("Kestrel North", "kestrel south", "Heron", "100% Wren", "Wren_1"):
        new_case(db_session, cheap_settings, world, reference)
    advocate = actor(db_session, world.advocate)

    def found(term: str) -> set[str]:
        return {c.reference for c in service.list_cases(db_session, advocate, today=TODAY, search=term).items}

    assert found("KESTREL") == {"Kestrel North", "kestrel south"}
    assert found("rel sou") == {"kestrel south"}
    assert found("%") == {"100% Wren"}  # a LIKE wildcard typed by a person is a plain character
    assert found("_") == {"Wren_1"}
    assert found("   ") == {"Kestrel North", "kestrel south", "Heron", "100% Wren", "Wren_1"}


def test_list_cases_filters_by_status_and_deadline(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    soon, later, none, closed = _make_cases(db_session, cheap_settings, world, 4)
    soon.next_deadline_on = TODAY + timedelta(days=3)
    later.next_deadline_on = TODAY + timedelta(days=40)
    closed.status = CaseStatus.CLOSED.value
    closed.next_deadline_on = TODAY - timedelta(days=1)  # passed: not "within" any window
    for case in (soon, later, closed):
        db_session.add(case)
    db_session.commit()
    advocate = actor(db_session, world.advocate)

    def refs(*, status: str | None = None, deadline_within_days: int | None = None) -> set[str]:
        page = service.list_cases(
            db_session, advocate, today=TODAY, status=status, deadline_within_days=deadline_within_days
        )
        return {c.reference for c in page.items}

    assert refs(status="closed") == {closed.reference}
    assert refs(status="open") == {soon.reference, later.reference, none.reference}
    assert refs(deadline_within_days=7) == {soon.reference}
    assert refs(deadline_within_days=40) == {soon.reference, later.reference}
    assert refs(deadline_within_days=0) == set()
    with pytest.raises(CaseInputError):
        refs(status="lost")
    with pytest.raises(CaseInputError):
        refs(deadline_within_days=-1)


def test_list_cases_shows_each_actor_only_their_cases(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    home_cases = _make_cases(db_session, cheap_settings, world, 3)
    service.create_case(
        db_session,
        cheap_settings,
        actor(db_session, world.foreign_advocate),
        reference="Northgate 1",
        preferred_language="en",
        jurisdiction="GB-ENG",
        now=NOW,
    )
    share_case(
        db_session,
        actor(db_session, world.admin),
        home_cases[1],
        lawyer_user_id=id_of(world.partner_lawyer),
        now=NOW,
    )

    def refs(user_actor: Actor) -> set[str]:
        page = service.list_cases(db_session, user_actor, today=TODAY)
        return {c.reference for c in page.items}

    assert refs(actor(db_session, world.advocate)) == {"Case 000", "Case 001", "Case 002"}
    assert refs(actor(db_session, world.foreign_advocate)) == {"Northgate 1"}
    assert refs(actor(db_session, world.partner_lawyer)) == {"Case 001"}
    assert refs(actor(db_session, world.lawyer)) == set()
    assert refs(actor(db_session, world.unlinked_lawyer)) == set()


def test_counting_stops_at_the_cap(
    db_session: Session, cheap_settings: Settings, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _make_cases(db_session, cheap_settings, world, 5)
    advocate = actor(db_session, world.advocate)
    assert service.list_cases(db_session, advocate, today=TODAY).total_is_exact
    monkeypatch.setattr(service, "COUNT_CAP", 3)
    page = service.list_cases(db_session, advocate, today=TODAY, per_page=2)
    assert (page.total, page.pages, page.total_is_exact) == (3, 2, False)
    # later pages can still be asked for
    assert [
        c.reference for c in service.list_cases(db_session, advocate, today=TODAY, per_page=2, page=3).items
    ] == ["Case 000"]
