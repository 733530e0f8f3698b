"""Sharing a case, or one application, with a lawyer; revoking the share."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from api.audit.models import CaseEvent
from api.cases import service
from api.cases.errors import AccessDenied, CaseNotFound, ShareError
from api.cases.sharing import revoke_share, share_case, shares_of
from api.settings import Settings
from tests.api.cases.builders import NOW, TODAY, World, actor, id_of, new_case, start


def test_share_with_own_or_partner_lawyers_only(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    advocate = actor(db_session, world.advocate)
    own = share_case(db_session, advocate, case, lawyer_user_id=id_of(world.lawyer), now=NOW)
    partner = share_case(db_session, advocate, case, lawyer_user_id=id_of(world.partner_lawyer), now=NOW)
    assert (own.shared_by_user_id, own.application_id, own.revoked_at) == (id_of(world.advocate), None, None)
    assert shares_of(db_session, case) == [own, partner]
    # Not a lawyer of an unlinked firm, another organisation's advocate, or a colleague who is no lawyer
    for user in (world.unlinked_lawyer, world.foreign_advocate, world.admin):
        with pytest.raises(ShareError, match="not a lawyer in your organisation or in a partner"):
            share_case(db_session, advocate, case, lawyer_user_id=id_of(user), now=NOW)
    events = db_session.exec(select(CaseEvent).where(CaseEvent.action == "case.shared")).all()
    assert [e.subject for e in events] == [
        f"lawyer:{id_of(world.lawyer)}",
        f"lawyer:{id_of(world.partner_lawyer)}",
    ]


def test_sharing_twice_returns_the_same_share(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)
    advocate = actor(db_session, world.advocate)
    first = share_case(db_session, advocate, case, lawyer_user_id=id_of(world.lawyer), now=NOW)
    again = share_case(
        db_session, advocate, case, lawyer_user_id=id_of(world.lawyer), now=NOW + timedelta(days=1)
    )
    assert again.id == first.id
    assert len(shares_of(db_session, case)) == 1


def test_share_one_application(db_session: Session, cheap_settings: Settings, world: World) -> None:
    case = new_case(db_session, cheap_settings, world)
    cica = start(db_session, cheap_settings, world, case, "uk.cica")
    advocate = actor(db_session, world.advocate)
    share = share_case(
        db_session,
        advocate,
        case,
        lawyer_user_id=id_of(world.partner_lawyer),
        application_public_id=cica.public_id,
        now=NOW,
    )
    assert share.application_id == cica.id
    event = db_session.exec(select(CaseEvent).where(CaseEvent.action == "case.shared")).one()
    assert event.subject == f"lawyer:{id_of(world.partner_lawyer)} application:{cica.public_id}"
    with pytest.raises(ShareError, match="no such application"):
        share_case(
            db_session,
            advocate,
            case,
            lawyer_user_id=id_of(world.partner_lawyer),
            application_public_id="a" * 32,
            now=NOW,
        )


def test_revoking_ends_access_at_once(db_session: Session, cheap_settings: Settings, world: World) -> None:
    case = new_case(db_session, cheap_settings, world)
    advocate = actor(db_session, world.advocate)
    share = share_case(db_session, advocate, case, lawyer_user_id=id_of(world.partner_lawyer), now=NOW)
    lawyer = actor(db_session, world.partner_lawyer)
    assert service.get_case(db_session, lawyer, case.public_id, now=NOW).id == case.id

    revoked = revoke_share(db_session, advocate, case, share_id=id_of(share), now=NOW + timedelta(hours=1))

    assert revoked.revoked_at == NOW + timedelta(hours=1)
    assert shares_of(db_session, case) == []
    with pytest.raises(CaseNotFound):
        service.get_case(db_session, lawyer, case.public_id, now=NOW)
    assert service.list_cases(db_session, lawyer, today=TODAY).total == 0
    with pytest.raises(ShareError):
        revoke_share(db_session, advocate, case, share_id=id_of(share), now=NOW)
    assert db_session.exec(
        select(CaseEvent).where(CaseEvent.action == "case.share_revoked")
    ).one().subject == (f"lawyer:{id_of(world.partner_lawyer)}")


def test_a_share_of_another_case_cannot_be_revoked_through_this_one(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    one = new_case(db_session, cheap_settings, world, "Case One")
    two = new_case(db_session, cheap_settings, world, "Case Two")
    advocate = actor(db_session, world.advocate)
    share = share_case(db_session, advocate, one, lawyer_user_id=id_of(world.lawyer), now=NOW)
    with pytest.raises(ShareError):
        revoke_share(db_session, advocate, two, share_id=id_of(share), now=NOW)


def test_only_caseworkers_share(db_session: Session, cheap_settings: Settings, world: World) -> None:
    case = new_case(db_session, cheap_settings, world)
    share = share_case(
        db_session, actor(db_session, world.admin), case, lawyer_user_id=id_of(world.lawyer), now=NOW
    )
    lawyer = actor(db_session, world.lawyer)
    with pytest.raises(AccessDenied):
        share_case(db_session, lawyer, case, lawyer_user_id=id_of(world.partner_lawyer), now=NOW)
    with pytest.raises(AccessDenied):
        revoke_share(db_session, lawyer, case, share_id=id_of(share), now=NOW)
    with pytest.raises(CaseNotFound):
        share_case(
            db_session,
            actor(db_session, world.foreign_advocate),
            case,
            lawyer_user_id=id_of(world.lawyer),
            now=NOW,
        )
