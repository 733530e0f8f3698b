"""First run, sign-in (with and without a second factor), sign-out, keep-alive and the account page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.auth import service as auth_service
from api.auth.models import ApiToken, UserSession
from api.orgs.models import Organisation, User
from api.orgs.service import create_survivor_user, set_require_staff_totp
from api.security.totp import totp_code
from api.settings import Settings
from tests.api.cases.builders import PASSWORD, World, id_of
from tests.web.staff_pages import browser, csrf_token, error_summary, location, post_form, sign_in

ADMIN_PASSPHRASE = "lighthouse keeper at dawn"


def setup_fields(**changes: str) -> dict[str, str]:
    fields = {
        "org_name": "Harbour Light Trust",
        "name": "Ana Admin",
        "email": "ana@harbour.example",
        "password": ADMIN_PASSPHRASE,
        "password_confirm": ADMIN_PASSPHRASE,
    }
    return {**fields, **changes}


# --- first run ------------------------------------------------------------------------------------


def test_an_empty_installation_sends_everyone_to_setup(site: TestClient) -> None:
    assert location(site.get("/")) == "/setup"
    assert location(site.get("/sign-in")) == "/setup"

    page = site.get("/setup")

    assert page.status_code == 200
    assert "<h1>Set up Redress</h1>" in page.text
    for field in ("org_name", "name", "email", "password", "password_confirm"):
        assert f'id="{field}"' in page.text
        assert f'for="{field}"' in page.text


def test_setup_creates_the_organisation_signs_the_admin_in_and_closes(
    site: TestClient, db_session: Session
) -> None:
    response = post_form(site, "/setup", setup_fields(), token_page="/setup")

    assert response.status_code == 303
    assert location(response) == "/cases"
    assert "redress_session" in site.cookies
    cases = site.get("/cases")
    assert cases.status_code == 200
    assert "There are no cases yet" in cases.text
    assert 'href="/cases/new"' in cases.text
    assert location(site.get("/")) == "/cases"
    # Set up once: the form is gone for good, also for a direct post.
    assert site.get("/setup").status_code == 404
    again = site.post(
        "/setup", data={"csrf_token": csrf_token(site, "/cases"), **setup_fields(org_name="Other")}
    )
    assert again.status_code == 404
    organisations = db_session.exec(select(Organisation)).all()
    assert [o.name for o in organisations] == ["Harbour Light Trust"]


def test_setup_asks_where_the_organisation_works(site: TestClient, db_session: Session) -> None:
    """A US organisation's reminders must not fire at London's 09:00: the time zone is asked, with
    London first chosen, and a name that is not a time zone is refused with what to do."""
    page = site.get("/setup")
    assert '<option value="Europe/London" selected>Europe/London</option>' in page.text
    assert '<option value="America/New_York">America/New York</option>' in page.text
    refused = post_form(site, "/setup", setup_fields(timezone="Mars/Olympus_Mons"), token_page="/setup")
    assert refused.status_code == 422
    assert [field for field, _ in error_summary(refused.text)] == ["timezone"]
    assert db_session.exec(select(Organisation)).first() is None

    created = post_form(site, "/setup", setup_fields(timezone="America/New_York"), token_page="/setup")
    assert created.status_code == 303
    organisation = db_session.exec(select(Organisation)).one()
    assert organisation.timezone == "America/New_York"


def test_setup_lists_every_missing_value_and_keeps_what_was_typed(
    site: TestClient, db_session: Session
) -> None:
    response = post_form(
        site,
        "/setup",
        setup_fields(org_name="", name="  ", password="", password_confirm=""),
        token_page="/setup",
    )

    assert response.status_code == 422
    assert [field for field, _ in error_summary(response.text)] == ["org_name", "name", "password"]
    assert "<title>Error: Set up Redress" in response.text
    assert 'value="ana@harbour.example"' in response.text  # the email typed is kept
    assert 'aria-describedby="org_name-error"' in response.text
    assert db_session.exec(select(Organisation)).first() is None


def test_setup_refuses_different_passphrases_and_never_echoes_them(site: TestClient) -> None:
    response = post_form(
        site, "/setup", setup_fields(password_confirm="lighthouse keeper at dusk"), token_page="/setup"
    )

    assert response.status_code == 422
    assert error_summary(response.text) == [
        ("password_confirm", "The two passphrases are not the same. Type it again.")
    ]
    assert ADMIN_PASSPHRASE not in response.text
    assert 'value="Harbour Light Trust"' in response.text
    assert 'value="Ana Admin"' in response.text


def test_setup_shows_the_services_verdict_on_the_email(site: TestClient) -> None:
    response = post_form(site, "/setup", setup_fields(email="not an address"), token_page="/setup")

    assert response.status_code == 422
    assert error_summary(response.text) == [
        ("email", "Enter an email address in the right format, like name@example.org.")
    ]
    assert 'value="not an address"' in response.text


def test_setup_without_the_csrf_token_is_refused(site: TestClient, db_session: Session) -> None:
    site.get("/setup")

    response = site.post("/setup", data=setup_fields())

    assert response.status_code == 403
    assert db_session.exec(select(Organisation)).first() is None


def test_an_oversized_form_is_refused_before_it_is_read(site: TestClient, fast: Settings) -> None:
    response = site.post(
        "/setup",
        content=b"org_name=" + b"x" * (fast.max_request_bytes + 1),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 413


def test_the_start_page_sends_each_person_to_their_place(
    site: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    assert location(site.get("/")) == "/sign-in"
    sign_in(site, "bea@harbour.example", PASSWORD)
    assert location(site.get("/")) == "/cases"

    survivor = create_survivor_user(
        db_session,
        fast,
        organisation_id=id_of(world.home),
        display_name="Rosa",
        passphrase="sunflower river morning",
    )
    with browser(fast) as survivor_site:
        survivor_site.cookies.set(
            "redress_session", auth_service.start_session(db_session, fast, survivor, datetime.now(UTC))
        )
        assert location(survivor_site.get("/")) == "/survivor"
        # Staff pages are not for survivors: they go back to their own page.
        assert location(survivor_site.get("/cases")) == "/survivor"


# --- sign in --------------------------------------------------------------------------------------


def test_signing_in_goes_to_the_case_list(site: TestClient, world: World) -> None:
    response = post_form(site, "/sign-in", {"email": "BEA@harbour.example ", "password": PASSWORD})

    assert response.status_code == 303
    assert location(response) == "/cases"
    cookie = response.headers["set-cookie"].lower()
    assert "redress_session=" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert site.get("/cases").status_code == 200


def test_a_wrong_passphrase_says_so_and_keeps_the_email(site: TestClient, world: World) -> None:
    response = post_form(site, "/sign-in", {"email": "bea@harbour.example", "password": "not the one"})

    assert response.status_code == 422
    assert error_summary(response.text) == [("email", auth_service.WRONG_CREDENTIALS)]
    assert 'value="bea@harbour.example"' in response.text
    assert "not the one" not in response.text
    assert "redress_session" not in site.cookies


def test_missing_email_and_passphrase_are_both_listed(site: TestClient, world: World) -> None:
    response = post_form(site, "/sign-in", {"email": "", "password": ""})

    assert response.status_code == 422
    assert [field for field, _ in error_summary(response.text)] == ["email", "password"]


def test_too_many_failures_show_the_wait_message(world: World, fast: Settings) -> None:
    strict = fast.model_copy(update={"login_max_failures": 2})
    with browser(strict) as site:
        for _ in range(2):
            post_form(site, "/sign-in", {"email": "bea@harbour.example", "password": "guess guess guess"})

        response = post_form(site, "/sign-in", {"email": "bea@harbour.example", "password": PASSWORD})

    assert response.status_code == 422
    [(field, message)] = error_summary(response.text)
    assert field == "email"
    assert re.fullmatch(r"Too many attempts\. Wait \d+ minutes? and try again\.", message)


def test_a_page_that_needs_sign_in_sends_there_and_back(site: TestClient, world: World) -> None:
    first = site.get("/cases/new")
    assert first.status_code == 303
    assert location(first) == "/sign-in?next=/cases/new"

    form = site.get(location(first))
    assert 'name="next" value="/cases/new"' in form.text
    response = post_form(
        site, "/sign-in", {"email": "bea@harbour.example", "password": PASSWORD, "next": "/cases/new"}
    )

    assert location(response) == "/cases/new"


def test_sign_in_never_sends_anyone_to_another_site(site: TestClient, world: World) -> None:
    response = post_form(
        site, "/sign-in", {"email": "bea@harbour.example", "password": PASSWORD, "next": "//evil.example/x"}
    )

    assert location(response) == "/cases"


def test_htmx_requests_get_a_redirect_header_instead_of_a_sign_in_form(
    site: TestClient, world: World
) -> None:
    response = site.get("/cases?q=kes", headers={"HX-Request": "true"})

    assert response.status_code == 204
    assert response.headers["hx-redirect"].startswith("/sign-in?next=/cases")


def test_an_idle_session_ends_on_the_server(site: TestClient, world: World, db_session: Session) -> None:
    sign_in(site, "bea@harbour.example", PASSWORD)
    user_session = db_session.exec(select(UserSession)).one()
    user_session.last_seen_at = datetime.now(UTC) - timedelta(hours=2)
    db_session.add(user_session)
    db_session.commit()

    assert location(site.get("/cases")) == "/sign-in?next=/cases"


# --- sign out and keep-alive ----------------------------------------------------------------------


def test_signing_out_ends_the_session(site: TestClient, world: World, db_session: Session) -> None:
    sign_in(site, "bea@harbour.example", PASSWORD)
    token = csrf_token(site, "/cases")

    assert site.post("/sign-out", data={}).status_code == 403  # no CSRF token
    response = site.post("/sign-out", data={"csrf_token": token})

    assert response.status_code == 303
    assert location(response) == "/sign-in"
    assert db_session.exec(select(UserSession)).one().revoked_at is not None
    assert location(site.get("/cases")).startswith("/sign-in")


def test_keep_alive_answers_204_and_needs_the_csrf_token(site: TestClient, world: World) -> None:
    sign_in(site, "bea@harbour.example", PASSWORD)
    token = csrf_token(site, "/cases")

    assert site.post("/session/keep-alive").status_code == 403
    assert site.post("/session/keep-alive", headers={"X-CSRF-Token": token}).status_code == 204


def test_keep_alive_after_the_session_ended_asks_to_sign_in(site: TestClient, world: World) -> None:
    token = csrf_token(site)

    response = site.post("/session/keep-alive", headers={"X-CSRF-Token": token, "HX-Request": "true"})

    assert response.status_code == 204
    assert response.headers["hx-redirect"].startswith("/sign-in")


# --- the second factor ----------------------------------------------------------------------------


def _enrolment_secret(html: str) -> str:
    found = re.search(r'name="secret" value="([A-Z2-7]+)"', html)
    assert found is not None
    return found.group(1)


def test_an_organisation_that_requires_totp_makes_staff_enrol_before_the_session_starts(
    site: TestClient, world: World, db_session: Session
) -> None:
    set_require_staff_totp(db_session, organisation_id=id_of(world.home), required=True)

    response = post_form(site, "/sign-in", {"email": "bea@harbour.example", "password": PASSWORD})

    assert location(response) == "/account/second-factor"
    assert "redress_session" not in site.cookies
    page = site.get("/account/second-factor")
    assert page.status_code == 200
    secret = _enrolment_secret(page.text)
    grouped = re.search(r'id="totp-secret">([^<]+)<', page.text)
    assert grouped is not None
    assert grouped.group(1) == " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    assert f"otpauth://totp/Redress:bea%40harbour.example?secret={secret}" in page.text.replace("&amp;", "&")
    assert "<img" not in page.text  # no QR image from an outside service: the key is never sent away

    wrong = post_form(
        site, "/account/second-factor", {"secret": secret, "code": "000000"}, token_page="/sign-in"
    )
    assert wrong.status_code == 422
    assert error_summary(wrong.text) == [("code", auth_service.WRONG_CODE)]
    assert _enrolment_secret(wrong.text) == secret  # the same key: nothing to re-add in the app

    code = totp_code(secret, datetime.now(UTC))
    done = post_form(site, "/account/second-factor", {"secret": secret, "code": code})
    assert done.status_code == 303
    assert location(done) == "/cases"
    assert site.get("/cases").status_code == 200
    db_session.expire_all()
    assert db_session.get(User, id_of(world.advocate)).has_totp  # type: ignore[union-attr]


def test_a_person_with_an_authenticator_gives_a_code_after_the_passphrase(
    site: TestClient, world: World, db_session: Session, fast: Settings
) -> None:
    secret = auth_service.begin_totp_enrolment(world.advocate).secret
    now = datetime.now(UTC)
    auth_service.enable_totp(
        db_session, fast, world.advocate, secret=secret, code=totp_code(secret, now), now=now
    )

    response = post_form(
        site, "/sign-in", {"email": "bea@harbour.example", "password": PASSWORD, "next": "/account"}
    )

    assert location(response) == "/sign-in/second-factor?next=%2Faccount"
    assert "redress_session" not in site.cookies
    # A correct passphrase alone must not be enough to replace the authenticator.
    assert location(site.get("/account/second-factor")).startswith("/sign-in")
    page = site.get("/sign-in/second-factor?next=/account")
    assert page.status_code == 200
    wrong = post_form(site, "/sign-in/second-factor", {"code": "", "next": "/account"})
    assert error_summary(wrong.text) == [("code", "Enter the 6-digit code from your authenticator app.")]

    later = totp_code(secret, datetime.now(UTC) + timedelta(seconds=30))  # the enrolment used this step
    done = post_form(site, "/sign-in/second-factor", {"code": later, "next": "/account"})

    assert done.status_code == 303
    assert location(done) == "/account"
    assert "Set up: signing in needs a code from it" in site.get("/account").text


def test_the_second_factor_page_without_a_passphrase_first_goes_back_to_sign_in(
    site: TestClient, world: World
) -> None:
    assert location(site.get("/sign-in/second-factor")) == "/sign-in"
    response = post_form(site, "/sign-in/second-factor", {"code": "123456"})
    assert location(response) == "/sign-in"


def test_a_forged_pending_sign_in_cookie_opens_nothing(
    site: TestClient, world: World, db_session: Session
) -> None:
    set_require_staff_totp(db_session, organisation_id=id_of(world.home), required=True)
    site.cookies.set(
        "redress_pending_sign_in", f"{id_of(world.advocate)}.{int(datetime.now(UTC).timestamp())}.00"
    )

    assert location(site.get("/account/second-factor")).startswith("/sign-in")
    assert location(site.get("/sign-in/second-factor")) == "/sign-in"


def test_signed_in_staff_can_add_an_authenticator_from_their_account(
    site: TestClient, world: World, db_session: Session
) -> None:
    sign_in(site, "bea@harbour.example", PASSWORD)
    assert 'href="/account/second-factor"' in site.get("/account").text
    secret = _enrolment_secret(site.get("/account/second-factor").text)

    tampered = post_form(
        site, "/account/second-factor", {"secret": "not base32!", "code": "123456"}, token_page="/account"
    )
    assert tampered.status_code == 422
    assert _enrolment_secret(tampered.text) != secret  # a fresh key to add instead

    done = post_form(
        site,
        "/account/second-factor",
        {"secret": secret, "code": totp_code(secret, datetime.now(UTC))},
        token_page="/account",
    )

    assert location(done) == "/account?done=second-factor"
    assert "Your authenticator app is set up" in site.get("/account?done=second-factor").text
    assert "already set up" in site.get("/account/second-factor").text


# --- API tokens -----------------------------------------------------------------------------------


def test_an_api_token_is_shown_once_and_can_be_revoked(
    site: TestClient, world: World, db_session: Session
) -> None:
    sign_in(site, "bea@harbour.example", PASSWORD)

    created = post_form(
        site, "/account/tokens", {"name": "Monthly report", "scopes": ["cases:read"]}, token_page="/account"
    )

    assert created.status_code == 200
    assert "Copy it now: it will not be shown again." in created.text
    found = re.search(r'id="new-token" readonly value="(redress_[^"]+)"', created.text)
    assert found is not None
    plaintext = found.group(1)
    listing = site.get("/account")
    assert plaintext not in listing.text
    assert "Monthly report" in listing.text
    assert "Never" in listing.text  # not used yet
    resolved = auth_service.resolve_api_token(db_session, plaintext, datetime.now(UTC))
    assert resolved is not None
    assert resolved[0].id == world.advocate.id
    assert resolved[1] == frozenset({"cases:read"})
    assert "Never" not in site.get("/account").text  # "last used" now has a date

    token_id = db_session.exec(select(ApiToken.id)).one()
    revoked = post_form(site, f"/account/tokens/{token_id}/revoke", {}, token_page="/account")
    assert location(revoked) == "/account?done=revoked"
    assert "The token was revoked." in site.get("/account?done=revoked").text
    assert auth_service.resolve_api_token(db_session, plaintext, datetime.now(UTC)) is None


def test_an_api_token_needs_a_name_and_a_scope(site: TestClient, world: World) -> None:
    sign_in(site, "bea@harbour.example", PASSWORD)

    response = post_form(site, "/account/tokens", {"name": " "}, token_page="/account")

    assert response.status_code == 422
    assert [field for field, _ in error_summary(response.text)] == ["name", "scopes"]
    unknown = post_form(
        site, "/account/tokens", {"name": "x", "scopes": ["cases:delete"]}, token_page="/account"
    )
    assert error_summary(unknown.text)[0][0] == "scopes"
    assert 'value="x"' in unknown.text


def test_nobody_revokes_another_persons_token(site: TestClient, world: World, db_session: Session) -> None:
    api_token, _ = auth_service.create_api_token(
        db_session, world.lawyer, "Cal's", ["cases:read"], datetime.now(UTC)
    )
    sign_in(site, "bea@harbour.example", PASSWORD)

    response = post_form(site, f"/account/tokens/{api_token.id}/revoke", {}, token_page="/account")

    assert response.status_code == 404
    db_session.refresh(api_token)
    assert api_token.revoked_at is None
