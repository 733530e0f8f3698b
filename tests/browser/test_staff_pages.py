"""The staff pages in a real browser: first run, a new case, an application, the list, sharing,
access codes, the account; axe-core checks every page on the way."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from api.db.migrate import upgrade_to_head
from api.orgs.service import set_require_staff_totp
from api.security.totp import totp_code
from api.settings import Settings
from tests.api.cases.builders import PASSWORD, id_of, make_world
from tests.browser.conftest import assert_no_serious_axe_violations
from tests.web.staff_pages import cheap

PASSPHRASE = "lighthouse keeper at dawn"


@pytest.fixture
def migrated_settings(settings: Settings) -> Settings:
    """The live server's settings: migrated, with the cheapest Argon2 (sign-in in milliseconds)."""
    upgrade_to_head(settings.database_url)
    return cheap(settings)


def test_an_advocate_sets_up_redress_opens_a_case_and_starts_an_application(page: Page) -> None:
    console_errors: list[str] = []
    page.on("pageerror", lambda error: console_errors.append(str(error)))

    # First run: the start page leads to setup.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/setup$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up Redress")
    assert_no_serious_axe_violations(page, "first-run setup")

    page.get_by_label("Name of your organisation").fill("Harbour Light Trust")
    page.get_by_role("button", name="Create the organisation").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_label("Name of your organisation")).to_have_value("Harbour Light Trust")
    assert_no_serious_axe_violations(page, "setup with errors")
    page.get_by_role("link", name="Enter your name.").click()
    expect(page.get_by_label("Your name")).to_be_focused()

    page.get_by_label("Your name").fill("Ana Admin")
    page.get_by_label("Your email address").fill("ana@harbour.example")
    page.get_by_label("Choose a passphrase").fill(PASSPHRASE)
    page.get_by_label("Type the passphrase again").fill(PASSPHRASE)
    page.get_by_role("button", name="Create the organisation").click()

    # Signed in, on an empty case list that says what to do.
    expect(page).to_have_url(re.compile(r"/cases$"))
    expect(page.get_by_role("heading", name="There are no cases yet")).to_be_visible()
    assert_no_serious_axe_violations(page, "the empty case list")

    page.get_by_role("link", name="Create a case").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a case")
    assert_no_serious_axe_violations(page, "the new-case form")
    page.get_by_role("button", name="Create the case").click()
    expect(page.get_by_role("link", name="Enter a reference or pseudonym for the case.")).to_be_visible()
    assert_no_serious_axe_violations(page, "the new-case form with errors")

    page.get_by_label("Reference or pseudonym").fill("Case Kestrel")
    page.get_by_label("Preferred language").select_option("ro")
    page.get_by_label("Where will the case be dealt with?").select_option("GB-ENG")
    page.get_by_role("button", name="Create the case").click()

    # The task list, with the catalogue for England.
    expect(page.get_by_role("heading", level=1)).to_have_text("Case Kestrel")
    assert_no_serious_axe_violations(page, "a new case's task list")
    page.get_by_label("Criminal injuries compensation (CICA)").check()
    page.get_by_role("button", name="Start the application").click()

    expect(
        page.get_by_role("status").filter(has_text="Criminal injuries compensation (CICA) started.")
    ).to_be_visible()
    tasks = page.locator("ul.task-list")
    expect(tasks.get_by_role("link", name="Criminal injuries compensation (CICA)")).to_be_visible()
    expect(tasks).to_contain_text("Draft")
    expect(page.get_by_role("heading", name="Evidence to gather")).to_be_visible()
    expect(
        page.get_by_role("link", name=re.compile(r"questions for Criminal injuries compensation"))
    ).to_be_visible()
    expect(page.get_by_label("National Referral Mechanism (recovery period)")).to_be_visible()
    assert_no_serious_axe_violations(page, "the task list with uk.cica started")

    # Sharing (nobody to share with yet) and an access code for the person.
    page.get_by_role("link", name="Share with a lawyer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Share with a lawyer")
    assert_no_serious_axe_violations(page, "the sharing page")
    page.get_by_role("link", name="Back to the case").click()
    page.get_by_role("button", name="Create an access code").click()
    expect(page.locator("#access-code")).to_have_text(re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$"))
    assert_no_serious_axe_violations(page, "a new access code")

    # The case list, filtered through htmx: the list is swapped and the address follows.
    page.get_by_role("link", name="Cases", exact=True).click()
    expect(page.get_by_role("link", name="Case Kestrel")).to_be_visible()
    page.get_by_label("Search by reference").fill("nothing like it")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("heading", name="No cases found")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/cases\?q=nothing(\+|%20)like(\+|%20)it"))
    assert_no_serious_axe_violations(page, "the case list filtered to nothing")
    page.go_back()
    expect(page.get_by_role("link", name="Case Kestrel")).to_be_visible()
    page.get_by_label("Status").select_option("closed")  # a choice applies itself (htmx)
    expect(page.get_by_role("heading", name="No cases found")).to_be_visible()
    expect(page).to_have_url(re.compile(r"status=closed"))

    # The account: a token shown once.
    page.get_by_role("link", name="Your account").click()
    assert_no_serious_axe_violations(page, "the account page")
    page.get_by_label("Token name").fill("Monthly report")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_text("Copy it now: it will not be shown again.")).to_be_visible()
    expect(page.get_by_label("Token", exact=True)).to_have_value(re.compile(r"^redress_"))
    assert_no_serious_axe_violations(page, "the account page with a new token")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    assert_no_serious_axe_violations(page, "the sign-in page")
    assert console_errors == []


def test_staff_enrol_an_authenticator_and_then_sign_in_with_a_code(
    page: Page, db_session: Session, migrated_settings: Settings
) -> None:
    world = make_world(db_session, migrated_settings)
    set_require_staff_totp(db_session, organisation_id=id_of(world.home), required=True)

    page.goto("/cases")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/cases$"))
    assert_no_serious_axe_violations(page, "the sign-in page")
    page.get_by_label("Email address").fill("bea@harbour.example")
    page.get_by_label("Passphrase").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    assert_no_serious_axe_violations(page, "enrolling an authenticator app")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    expect(page.get_by_label("The key's address, if your app asks for one")).to_have_value(
        re.compile(rf"^otpauth://totp/Redress:bea%40harbour.example\?secret={secret}&")
    )
    page.get_by_label("Code from the app").fill(totp_code(secret, datetime.now(UTC)))
    page.get_by_role("button", name="Turn on the authenticator").click()
    expect(page).to_have_url(re.compile(r"/cases$"))

    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Email address").fill("bea@harbour.example")
    page.get_by_label("Passphrase").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter the code from your authenticator app")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("link", name=re.compile("That code is not right"))).to_be_visible()
    assert_no_serious_axe_violations(page, "the second-factor page with an error")
    # The enrolment used the current step; the next one is new (a used code never works twice).
    page.get_by_label("Code").fill(totp_code(secret, datetime.now(UTC) + timedelta(seconds=30)))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/cases$"))
