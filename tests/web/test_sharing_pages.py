"""Sharing a case, or one application, with a lawyer from the case's pages; revoking it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.access import actor_for
from api.cases.models import CaseShare
from api.cases.sharing import share_case
from api.settings import Settings
from tests.api.cases.builders import PASSWORD, World, id_of, new_case, start
from tests.web.staff_pages import browser, csrf_token, error_summary, location, post_form, sign_in


def lawyer_options(html: str) -> list[str]:
    return re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', html)


def test_the_sharing_page_offers_the_organisations_and_partners_lawyers_only(
    site: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    case = new_case(db_session, fast, world)
    sign_in(site, "bea@harbour.example", PASSWORD)

    page = site.get(f"/cases/{case.public_id}/sharing")

    assert page.status_code == 200
    assert "This case is not shared with anyone." in page.text
    # Cal (own organisation) and Eli (partner); never Fay, whose firm is not a partner.
    assert lawyer_options(page.text) == [
        "Cal Lawyer (cal@harbour.example)",
        "Eli Lawyer (eli@quayside.example)",
    ]


def test_sharing_the_whole_case_then_revoking_it(
    site: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    case = new_case(db_session, fast, world, "Case Kestrel")
    sign_in(site, "bea@harbour.example", PASSWORD)

    shared = post_form(
        site,
        f"/cases/{case.public_id}/sharing",
        {"lawyer": str(id_of(world.partner_lawyer)), "scope": "case"},
    )

    assert shared.status_code == 303
    assert location(shared) == f"/cases/{case.public_id}/sharing?done=shared"
    page = site.get(location(shared))
    assert "The case is shared." in page.text
    assert "Eli Lawyer" in page.text
    assert "The whole case" in page.text
    share = db_session.exec(select(CaseShare)).one()

    with browser(fast) as lawyer:
        sign_in(lawyer, "eli@quayside.example", PASSWORD)
        assert lawyer.get(f"/cases/{case.public_id}").status_code == 200

        revoked = post_form(
            site, f"/cases/{case.public_id}/sharing/{share.id}/revoke", {}, token_page="/cases"
        )

        assert location(revoked) == f"/cases/{case.public_id}/sharing?done=revoked"
        assert "The share has ended" in site.get(location(revoked)).text
        assert lawyer.get(f"/cases/{case.public_id}").status_code == 404  # at once
        assert "Case Kestrel" not in lawyer.get("/cases").text
    db_session.refresh(share)
    assert share.revoked_at is not None


def test_sharing_one_application(site: TestClient, world: World, db_session: Session, fast: Settings) -> None:
    case = new_case(db_session, fast, world)
    cica = start(db_session, fast, world, case, "uk.cica")
    start(db_session, fast, world, case, "uk.nrm")
    sign_in(site, "bea@harbour.example", PASSWORD)
    form = site.get(f"/cases/{case.public_id}/sharing").text
    assert f'<option value="{cica.public_id}">Criminal injuries compensation (CICA)</option>' in form

    post_form(
        site,
        f"/cases/{case.public_id}/sharing",
        {"lawyer": str(id_of(world.lawyer)), "scope": cica.public_id},
    )

    share = db_session.exec(select(CaseShare)).one()
    assert share.application_id == cica.id
    page = site.get(f"/cases/{case.public_id}/sharing").text
    assert re.search(r"<td>Criminal injuries compensation \(CICA\)</td>", page)
    with browser(fast) as lawyer:
        sign_in(lawyer, "cal@harbour.example", PASSWORD)
        task_list = lawyer.get(f"/cases/{case.public_id}").text
        assert "Criminal injuries compensation (CICA)" in task_list
        assert "National Referral Mechanism" not in task_list  # not shared with them


def test_sharing_needs_a_lawyer_chosen_and_keeps_the_choice(
    site: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    case = new_case(db_session, fast, world)
    application = start(db_session, fast, world, case, "uk.cica")
    sign_in(site, "bea@harbour.example", PASSWORD)

    response = post_form(
        site, f"/cases/{case.public_id}/sharing", {"lawyer": "", "scope": application.public_id}
    )

    assert response.status_code == 422
    assert error_summary(response.text) == [("lawyer", "Choose the lawyer to share the case with.")]
    assert f'<option value="{application.public_id}" selected>' in response.text
    assert db_session.exec(select(CaseShare)).first() is None


def test_a_lawyer_outside_the_partnership_is_refused(
    site: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    case = new_case(db_session, fast, world)
    sign_in(site, "bea@harbour.example", PASSWORD)

    response = post_form(
        site,
        f"/cases/{case.public_id}/sharing",
        {"lawyer": str(id_of(world.unlinked_lawyer)), "scope": "case"},
    )

    assert response.status_code == 422
    [(field, message)] = error_summary(response.text)
    assert field == "lawyer"
    assert "not a lawyer in your organisation" in message
    unknown = post_form(
        site, f"/cases/{case.public_id}/sharing", {"lawyer": str(id_of(world.lawyer)), "scope": "f" * 32}
    )
    assert error_summary(unknown.text) == [("scope", "This case has no such application.")]
    assert db_session.exec(select(CaseShare)).first() is None


def test_only_caseworkers_manage_shares(
    site: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    case = new_case(db_session, fast, world)
    share = share_case(
        db_session,
        actor_for(db_session, world.advocate),
        case,
        lawyer_user_id=id_of(world.lawyer),
        now=datetime.now(UTC),
    )
    sign_in(site, "cal@harbour.example", PASSWORD)
    token = csrf_token(site, "/cases")

    assert site.get(f"/cases/{case.public_id}/sharing").status_code == 403
    assert (
        site.post(f"/cases/{case.public_id}/sharing", data={"csrf_token": token, "lawyer": "1"}).status_code
        == 403
    )
    assert (
        site.post(
            f"/cases/{case.public_id}/sharing/{share.id}/revoke", data={"csrf_token": token}
        ).status_code
        == 403
    )
    db_session.refresh(share)
    assert share.revoked_at is None


def test_another_organisations_case_cannot_be_shared_or_its_shares_revoked(
    site: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    case = new_case(db_session, fast, world)
    share = share_case(
        db_session,
        actor_for(db_session, world.advocate),
        case,
        lawyer_user_id=id_of(world.lawyer),
        now=datetime.now(UTC),
    )
    sign_in(site, "dee@northgate.example", PASSWORD)
    token = csrf_token(site, "/cases")

    assert site.get(f"/cases/{case.public_id}/sharing").status_code == 404
    assert (
        site.post(f"/cases/{case.public_id}/sharing", data={"csrf_token": token, "lawyer": "1"}).status_code
        == 404
    )
    assert (
        site.post(
            f"/cases/{case.public_id}/sharing/{share.id}/revoke", data={"csrf_token": token}
        ).status_code
        == 404
    )


def test_revoking_a_share_of_another_case_or_twice_is_not_found(
    site: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    first = new_case(db_session, fast, world, "Case One")
    second = new_case(db_session, fast, world, "Case Two")
    share = share_case(
        db_session,
        actor_for(db_session, world.advocate),
        first,
        lawyer_user_id=id_of(world.lawyer),
        now=datetime.now(UTC),
    )
    sign_in(site, "bea@harbour.example", PASSWORD)

    wrong_case = post_form(
        site, f"/cases/{second.public_id}/sharing/{share.id}/revoke", {}, token_page="/cases"
    )
    assert wrong_case.status_code == 404
    assert location(
        post_form(site, f"/cases/{first.public_id}/sharing/{share.id}/revoke", {}, token_page="/cases")
    )
    assert (
        post_form(
            site, f"/cases/{first.public_id}/sharing/{share.id}/revoke", {}, token_page="/cases"
        ).status_code
        == 404
    )


def test_sharing_without_the_csrf_token_is_refused(
    site: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    case = new_case(db_session, fast, world)
    sign_in(site, "bea@harbour.example", PASSWORD)

    response = site.post(
        f"/cases/{case.public_id}/sharing", data={"lawyer": str(id_of(world.lawyer)), "scope": "case"}
    )

    assert response.status_code == 403
    assert db_session.exec(select(CaseShare)).first() is None
