"""The organisation's people page (admins), ``/welcome`` with a set-up code, and changing one's
own passphrase: used through the pages as a person would, with fictional people."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from api.audit.models import CaseEvent
from api.auth.models import UserSession
from api.orgs.models import Role, User
from api.orgs.service import find_user_by_email, memberships_of
from api.settings import Settings
from tests.api.cases.builders import PASSWORD, World, id_of, new_case
from tests.web.staff_pages import browser, error_summary, location, post_form, sign_in

NEW_PASSPHRASE = "lighthouse pebble orchard"
_CODE = re.compile(r'<p class="setup-code" id="setup-code">([A-Z0-9-]+)</p>')


def shown_code(html: str) -> str:
    found = _CODE.search(html)
    assert found is not None, "no set-up code on the page"
    return found.group(1)


def as_admin(site: TestClient) -> None:
    sign_in(site, "ana@harbour.example", PASSWORD)


def welcome(
    site: TestClient, email: str, code: str, passphrase: str = NEW_PASSPHRASE, again: str | None = None
):  # type: ignore[no-untyped-def]
    return post_form(
        site,
        "/welcome",
        {"email": email, "code": code, "passphrase": passphrase, "passphrase_again": again or passphrase},
    )


def test_the_people_page_lists_the_staff_with_their_state(site: TestClient, world: World) -> None:
    as_admin(site)

    page = site.get("/organisation/people")

    assert page.status_code == 200
    for text in ("Ana Admin", "bea@harbour.example", "Cal Lawyer", "Quayside Law", "Eli Lawyer"):
        assert text in page.text
    assert "Dee Advocate" not in page.text  # another organisation's
    assert "Not set up" in page.text  # nobody has an authenticator app
    assert site.get("/account").text.count('href="/organisation/people"') == 1


def test_an_advocate_cannot_open_the_people_page(site: TestClient, world: World) -> None:
    sign_in(site, "bea@harbour.example", PASSWORD)

    assert site.get("/organisation/people").status_code == 403
    assert 'href="/organisation/people"' not in site.get("/account").text


def test_adding_a_person_shows_a_code_once_that_lets_them_choose_a_passphrase(
    site: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    as_admin(site)

    added = post_form(
        site,
        "/organisation/people",
        {"name": "Gia Advocate", "email": "Gia@Harbour.example", "role": "advocate"},
        token_page="/organisation/people",
    )

    assert added.status_code == 200
    code = shown_code(added.text)
    assert "/welcome" in added.text
    assert "gia@harbour.example" in added.text
    assert "Has not set a passphrase yet" in added.text
    again = site.get("/organisation/people")
    assert code not in again.text  # shown once
    gia = find_user_by_email(db_session, "gia@harbour.example")
    assert gia is not None
    assert memberships_of(db_session, id_of(gia)) == {id_of(world.home): Role.ADVOCATE}

    # Gia, in her own browser: no passphrase works before the code is used.
    with browser(fast) as her:
        refused = post_form(her, "/sign-in", {"email": "gia@harbour.example", "password": NEW_PASSPHRASE})
        assert refused.status_code == 422
        done = welcome(her, "gia@harbour.example", code.lower().replace("-", " "))
        assert done.status_code == 303
        assert location(done) == "/sign-in?welcome=1"
        assert "Your passphrase is set" in her.get("/sign-in?welcome=1").text
        sign_in(her, "gia@harbour.example", NEW_PASSPHRASE)
        assert her.get("/cases").status_code == 200
        # The code worked once.
        reused = welcome(her, "gia@harbour.example", code, "another long passphrase")
        assert reused.status_code == 422
    actions = db_session.exec(
        select(CaseEvent.action).where(
            col(CaseEvent.case_id).is_(None), CaseEvent.subject == f"user:{id_of(gia)}"
        )
    ).all()
    assert set(actions) == {"people.added", "people.passphrase_set"}


def test_welcome_keeps_what_was_typed_and_names_the_field(site: TestClient, world: World) -> None:
    wrong = welcome(site, "bea@harbour.example", "ABCD-EFGH-JKMN")
    mismatch = welcome(
        site, "bea@harbour.example", "ABCD-EFGH-JKMN", NEW_PASSPHRASE, "something else entirely"
    )
    short = welcome(site, "bea@harbour.example", "ABCD-EFGH-JKMN", "short")
    empty = post_form(site, "/welcome", {"email": "", "code": "", "passphrase": "", "passphrase_again": ""})

    assert wrong.status_code == 422
    ((field, message),) = error_summary(wrong.text)
    assert field == "code"
    assert "ask your organisation" in message.lower()
    assert 'value="bea@harbour.example"' in wrong.text
    assert 'value="ABCD-EFGH-JKMN"' in wrong.text
    assert NEW_PASSPHRASE not in wrong.text
    assert [f for f, _ in error_summary(mismatch.text)] == ["passphrase_again"]
    assert [f for f, _ in error_summary(short.text)] == ["passphrase"]
    assert [f for f, _ in error_summary(empty.text)] == ["email", "code", "passphrase"]
    # An unknown email gets the same answer as a known one with a wrong code.
    unknown = welcome(site, "nobody@harbour.example", "ABCD-EFGH-JKMN")
    assert error_summary(unknown.text) == error_summary(wrong.text)


def test_the_sign_in_page_links_to_welcome(site: TestClient, world: World) -> None:
    page = site.get("/sign-in")

    assert '<a href="/welcome">Have a set-up code?</a>' in page.text
    assert site.get("/welcome").status_code == 200


def test_adding_someone_who_has_an_account_adds_them_with_the_role(
    site: TestClient, world: World, db_session: Session
) -> None:
    as_admin(site)

    added = post_form(
        site,
        "/organisation/people",
        {"name": "whatever", "email": "dee@northgate.example", "role": "lawyer"},
        token_page="/organisation/people",
    )

    assert added.status_code == 200
    assert "already has a Redress account" in added.text
    assert _CODE.search(added.text) is None
    assert memberships_of(db_session, id_of(world.foreign_advocate))[id_of(world.home)] is Role.LAWYER


def test_adding_a_person_with_bad_input_keeps_it_and_names_the_field(site: TestClient, world: World) -> None:
    as_admin(site)

    bad = post_form(
        site,
        "/organisation/people",
        {"name": "Hal Advocate", "email": "not-an-email", "role": "advocate"},
        token_page="/organisation/people",
    )
    no_role = post_form(
        site,
        "/organisation/people",
        {"name": "", "email": "hal@harbour.example", "role": "survivor"},
        token_page="/organisation/people",
    )

    assert bad.status_code == 422
    assert [field for field, _ in error_summary(bad.text)] == ["email"]
    assert 'value="Hal Advocate"' in bad.text
    assert 'value="not-an-email"' in bad.text
    assert [field for field, _ in error_summary(no_role.text)] == ["name", "role"]


def test_the_last_admin_cannot_be_demoted_and_an_admin_cannot_lock_themself_out(
    site: TestClient, world: World, db_session: Session
) -> None:
    as_admin(site)
    admin_id = id_of(world.admin)
    # Ana is the only admin: the page refuses changing one's own role or account before the
    # service's last-admin rule (tested in tests/api/orgs) would.
    self_demote = post_form(
        site,
        f"/organisation/people/{admin_id}",
        {"action": "role", f"role-{admin_id}": "advocate"},
        token_page="/organisation/people",
    )
    self_deactivate = post_form(
        site, f"/organisation/people/{admin_id}", {"action": "deactivate"}, token_page="/organisation/people"
    )

    assert self_demote.status_code == 422
    assert error_summary(self_demote.text) == [
        (f"role-{admin_id}", "You cannot change your own role here. Ask another administrator to do it.")
    ]
    assert self_deactivate.status_code == 422
    assert "you would be locked out" in error_summary(self_deactivate.text)[0][1]
    db_session.expire_all()
    assert db_session.get_one(User, admin_id).is_active


def test_changing_role_deactivating_reactivating_and_removing(
    site: TestClient, world: World, db_session: Session
) -> None:
    as_admin(site)
    bea = id_of(world.advocate)

    def act(action: str, **fields: str):  # type: ignore[no-untyped-def]
        return post_form(
            site,
            f"/organisation/people/{bea}",
            {"action": action, **fields},
            token_page="/organisation/people",
        )

    assert location(act("role", **{f"role-{bea}": "admin"})) == "/organisation/people?done=role"
    assert memberships_of(db_session, bea)[id_of(world.home)] is Role.ADMIN
    assert location(act("deactivate")) == "/organisation/people?done=deactivate"
    db_session.expire_all()
    assert not db_session.get_one(User, bea).is_active
    assert "Deactivated" in site.get("/organisation/people").text
    assert location(act("reactivate")) == "/organisation/people?done=reactivate"
    db_session.expire_all()
    assert db_session.get_one(User, bea).is_active
    assert location(act("remove")) == "/organisation/people?done=remove"
    assert memberships_of(db_session, bea) == {}
    events = db_session.exec(
        select(CaseEvent.action).where(col(CaseEvent.case_id).is_(None), CaseEvent.subject == f"user:{bea}")
    ).all()
    assert list(events) == [
        "people.role_changed",
        "people.deactivated",
        "people.reactivated",
        "people.removed",
    ]


def test_a_forgotten_passphrase_gets_a_new_code_and_the_old_one_works_until_it_is_used(
    site: TestClient, world: World, fast: Settings
) -> None:
    as_admin(site)
    bea = id_of(world.advocate)

    issued = post_form(
        site, f"/organisation/people/{bea}", {"action": "setup-code"}, token_page="/organisation/people"
    )

    code = shown_code(issued.text)
    with browser(fast) as her:
        sign_in(her, "bea@harbour.example", PASSWORD)  # the old one still works
        assert welcome(her, "bea@harbour.example", code).status_code == 303
        assert her.get("/cases").status_code == 303  # her old session ended
        sign_in(her, "bea@harbour.example", NEW_PASSPHRASE)


def test_a_new_code_is_refused_for_someone_who_works_with_another_organisation(
    site: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    as_admin(site)
    post_form(
        site,
        "/organisation/people",
        {"name": "Dee", "email": "dee@northgate.example", "role": "lawyer"},
        token_page="/organisation/people",
    )
    dee = id_of(world.foreign_advocate)

    refused = post_form(
        site, f"/organisation/people/{dee}", {"action": "setup-code"}, token_page="/organisation/people"
    )

    assert refused.status_code == 422
    assert error_summary(refused.text)[0][0] == f"person-{dee}"
    assert "another organisation" in error_summary(refused.text)[0][1]


def test_a_partner_and_its_lawyer_become_shareable(
    site: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    as_admin(site)

    added = post_form(
        site,
        "/organisation/partners",
        {"action": "add", "partner_name": "Beacon Legal"},
        token_page="/organisation/people",
    )
    assert location(added) == "/organisation/people?done=add-partner#partners"
    page = site.get("/organisation/people").text
    partner_id = re.search(r'<option value="(\d+)">Beacon Legal</option>', page)
    assert partner_id is not None
    lawyer = post_form(
        site,
        "/organisation/partners",
        {
            "action": "lawyer",
            "partner": partner_id.group(1),
            "lawyer_name": "Ivo Lawyer",
            "lawyer_email": "ivo@beacon.example",
        },
        token_page="/organisation/people",
    )
    assert lawyer.status_code == 200
    shown_code(lawyer.text)
    ivo = find_user_by_email(db_session, "ivo@beacon.example")
    assert ivo is not None
    assert memberships_of(db_session, id_of(ivo)) == {int(partner_id.group(1)): Role.LAWYER}

    case = new_case(db_session, fast, world)
    sharing = site.get(f"/cases/{case.public_id}/sharing")
    assert "Ivo Lawyer (ivo@beacon.example)" in sharing.text

    unlinked = post_form(
        site,
        "/organisation/partners",
        {"action": "unlink", "partner": partner_id.group(1)},
        token_page="/organisation/people",
    )
    assert location(unlinked) == "/organisation/people?done=unlink#partners"
    assert "Ivo Lawyer" not in site.get(f"/cases/{case.public_id}/sharing").text


def test_a_partner_without_a_name_is_refused(site: TestClient, world: World) -> None:
    as_admin(site)

    refused = post_form(
        site,
        "/organisation/partners",
        {"action": "add", "partner_name": " "},
        token_page="/organisation/people",
    )

    assert refused.status_code == 422
    assert [field for field, _ in error_summary(refused.text)] == ["partner_name"]


def test_requiring_an_authenticator_app(
    site: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    as_admin(site)

    on = post_form(site, "/organisation/security", {"staff_totp": "on"}, token_page="/organisation/people")

    assert location(on) == "/organisation/people?done=staff-totp-on#security"
    with browser(fast) as bea:
        signing_in = post_form(bea, "/sign-in", {"email": "bea@harbour.example", "password": PASSWORD})
        assert location(signing_in).startswith("/account/second-factor")
    off = post_form(site, "/organisation/security", {"staff_totp": "off"}, token_page="/organisation/people")
    assert location(off) == "/organisation/people?done=staff-totp-off#security"


def test_changing_ones_own_passphrase(
    site: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    with browser(fast) as elsewhere:
        sign_in(elsewhere, "bea@harbour.example", PASSWORD)
        sign_in(site, "bea@harbour.example", PASSWORD)
        wrong = post_form(
            site,
            "/account/passphrase",
            {"current": "not my passphrase", "new": NEW_PASSPHRASE, "new_again": NEW_PASSPHRASE},
            token_page="/account/passphrase",
        )
        weak = post_form(
            site,
            "/account/passphrase",
            {"current": PASSWORD, "new": "aaaaaaaaaaaa", "new_again": "aaaaaaaaaaaa"},
            token_page="/account/passphrase",
        )
        differ = post_form(
            site,
            "/account/passphrase",
            {"current": PASSWORD, "new": NEW_PASSPHRASE, "new_again": "lighthouse pebble"},
            token_page="/account/passphrase",
        )
        changed = post_form(
            site,
            "/account/passphrase",
            {"current": PASSWORD, "new": NEW_PASSPHRASE, "new_again": NEW_PASSPHRASE},
            token_page="/account/passphrase",
        )

        assert [f for f, _ in error_summary(wrong.text)] == ["current"]
        assert [f for f, _ in error_summary(weak.text)] == ["new"]
        assert [f for f, _ in error_summary(differ.text)] == ["new_again"]
        assert location(changed) == "/account?done=passphrase"
        assert "Your passphrase was changed" in site.get("/account?done=passphrase").text
        assert elsewhere.get("/cases").status_code == 303  # the other browser was signed out
    sessions = db_session.exec(
        select(UserSession).where(
            UserSession.user_id == id_of(world.advocate), col(UserSession.revoked_at).is_(None)
        )
    ).all()
    assert len(sessions) == 1
    with browser(fast) as later:
        sign_in(later, "bea@harbour.example", NEW_PASSPHRASE)


def test_someone_removed_by_mistake_and_added_again_is_told_to_be_reactivated(
    site: TestClient, world: World, db_session: Session
) -> None:
    as_admin(site)
    cal = id_of(world.lawyer)
    post_form(site, f"/organisation/people/{cal}", {"action": "remove"}, token_page="/organisation/people")

    again = post_form(
        site,
        "/organisation/people",
        {"name": "Cal Lawyer", "email": "cal@harbour.example", "role": "lawyer"},
        token_page="/organisation/people",
    )

    assert again.status_code == 200
    assert "Their account is deactivated" in again.text
    reactivated = post_form(
        site, f"/organisation/people/{cal}", {"action": "reactivate"}, token_page="/organisation/people"
    )
    assert location(reactivated) == "/organisation/people?done=reactivate"
    db_session.expire_all()
    assert db_session.get_one(User, cal).is_active
