"""An admin adds a colleague in a real browser; the colleague chooses a passphrase at /welcome
with the set-up code, signs in and sees the case list. axe-core checks every page on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from api.db.migrate import upgrade_to_head
from api.settings import Settings
from tests.api.cases.builders import PASSWORD, make_world
from tests.browser.conftest import assert_no_serious_axe_violations
from tests.web.staff_pages import cheap

CHOSEN = "lighthouse pebble orchard"


@pytest.fixture
def migrated_settings(settings: Settings) -> Settings:
    """The live server's settings: migrated, with the cheapest Argon2 (sign-in in milliseconds)."""
    upgrade_to_head(settings.database_url)
    return cheap(settings)


def test_an_admin_adds_an_advocate_who_sets_a_passphrase_with_the_code(
    page: Page, db_session: Session, migrated_settings: Settings
) -> None:
    make_world(db_session, migrated_settings)
    console_errors: list[str] = []
    page.on("pageerror", lambda error: console_errors.append(str(error)))

    page.goto("/sign-in")
    page.get_by_label("Email address").fill("ana@harbour.example")
    page.get_by_label("Passphrase").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/cases$"))

    page.goto("/account")
    page.get_by_role("link", name="People and partners").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People in Harbour Light Trust")
    assert_no_serious_axe_violations(page, "the people page")

    # A mistake first: what was typed stays, and the summary leads to the field.
    page.get_by_label("Their name").fill("Gia Advocate")
    page.get_by_label("Their email address").fill("gia at harbour")
    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_label("Their name")).to_have_value("Gia Advocate")
    assert_no_serious_axe_violations(page, "the people page with errors")
    page.get_by_role("link", name=re.compile("Enter an email address in the right format")).click()
    expect(page.get_by_label("Their email address")).to_be_focused()

    page.get_by_label("Their email address").fill("gia@harbour.example")
    page.get_by_label("Role", exact=True).select_option("advocate")
    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_role("heading", name="Set-up code for Gia Advocate")).to_be_visible()
    code = page.locator("#setup-code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    expect(page.locator("#setup-instructions")).to_contain_text("/welcome")
    expect(page.get_by_role("cell", name=re.compile("Has not set a passphrase yet"))).to_be_visible()
    assert_no_serious_axe_violations(page, "the people page with a new set-up code")
    page.get_by_role("button", name="Sign out").click()

    # Gia, from the sign-in page.
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    page.get_by_role("link", name="Have a set-up code?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your passphrase")
    assert_no_serious_axe_violations(page, "the welcome page")
    page.get_by_label("Email address").fill("gia@harbour.example")
    page.get_by_label("Set-up code").fill(code)
    page.get_by_label("New passphrase", exact=True).fill(CHOSEN)
    page.get_by_label("New passphrase again").fill("not the same passphrase")
    page.get_by_role("button", name="Set my passphrase").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_label("Set-up code")).to_have_value(code)
    assert_no_serious_axe_violations(page, "the welcome page with errors")
    page.get_by_label("New passphrase", exact=True).fill(CHOSEN)
    page.get_by_label("New passphrase again").fill(CHOSEN)
    page.get_by_role("button", name="Set my passphrase").click()

    expect(page.get_by_role("status").filter(has_text="Your passphrase is set")).to_be_visible()
    page.get_by_label("Email address").fill("gia@harbour.example")
    page.get_by_label("Passphrase").fill(CHOSEN)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/cases$"))
    expect(page.get_by_role("heading", name="There are no cases yet")).to_be_visible()

    page.goto("/account/passphrase")
    assert_no_serious_axe_violations(page, "changing one's passphrase")
    assert console_errors == []
