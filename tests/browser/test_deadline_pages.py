"""The deadline and reminder pages in a real browser, checked with axe-core: an advocate confirms
a deadline and enters a letter's date; the notifications and calendar pages; the survivor's
contact preferences."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from api.db.migrate import upgrade_to_head
from api.settings import Settings
from tests.api.cases.builders import PASSPHRASE, PASSWORD, make_world
from tests.api.deadlines.helpers import add_survivor, cica_case
from tests.browser.conftest import assert_no_serious_axe_violations
from tests.web.staff_pages import cheap


@pytest.fixture
def migrated_settings(settings: Settings) -> Settings:
    """The live server's settings: migrated, with the cheapest Argon2 (sign-in in milliseconds)."""
    upgrade_to_head(settings.database_url)
    return cheap(settings)


def test_an_advocate_confirms_a_deadline_and_enters_a_letters_date(
    page: Page, db_session: Session, migrated_settings: Settings
) -> None:
    world = make_world(db_session, migrated_settings)
    case = cica_case(db_session, migrated_settings, world)
    page.goto("/sign-in")
    page.get_by_label("Email address").fill("bea@harbour.example")
    page.get_by_label("Passphrase").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"/cases/{case.public_id}")
    page.get_by_role("link", name="Deadlines and reminders").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deadlines and reminders")
    expect(page.get_by_text("Not confirmed yet")).to_be_visible()
    assert_no_serious_axe_violations(page, "the deadlines page")

    page.get_by_role("button", name=re.compile("^Confirm 10 March 2027")).click()
    expect(page.get_by_role("status")).to_contain_text("Deadline confirmed")
    assert_no_serious_axe_violations(page, "the deadlines page with reminders planned")

    page.get_by_text("Enter a date from a letter").click()
    page.get_by_role("button", name="Save the date from the letter").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_no_serious_axe_violations(page, "the letter's date with errors")
    page.get_by_label("Date in the letter").fill("2027-01-15")
    page.get_by_label("Where the date comes from").fill("CICA letter of 20 November 2026")
    page.get_by_role("button", name="Save the date from the letter").click()
    expect(page.get_by_text("Reason: CICA letter of 20 November 2026")).to_be_visible()

    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    assert_no_serious_axe_violations(page, "the notifications page")
    page.goto("/account/calendar")
    page.get_by_role("button", name="Make a feed address").click()
    expect(page.locator("#feed-url")).to_contain_text("/calendar/")
    assert_no_serious_axe_violations(page, "the calendar feed page")


def test_a_survivor_sets_how_they_want_messages(
    page: Page, db_session: Session, migrated_settings: Settings
) -> None:
    world = make_world(db_session, migrated_settings)
    case = cica_case(db_session, migrated_settings, world)
    survivor = add_survivor(db_session, migrated_settings, world, case)
    page.goto("/survivor/sign-in")
    page.get_by_label("Sign-in name").fill(survivor.sign_in_name or "")
    page.get_by_label("Passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Sign in").click()

    page.locator("#main-content").get_by_role("link", name="How we may contact you").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Messages about your dates")
    assert_no_serious_axe_violations(page, "the survivor's contact preferences")
    page.get_by_label("Yes").check()
    page.get_by_label("Here, when I sign in. This is safe for me.").check()
    page.get_by_label("What should we call you? (optional)").fill("Robin")
    page.get_by_label("From", exact=True).select_option("13")
    page.get_by_label("Until", exact=True).select_option("17")
    page.get_by_label("Not on Saturdays or Sundays.").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.get_by_label("What should we call you? (optional)")).to_have_value("Robin")
    expect(page.get_by_label("From", exact=True)).to_have_value("13")
    expect(page.get_by_label("Until", exact=True)).to_have_value("17")
    expect(page.get_by_label("Not on Saturdays or Sundays.")).to_be_checked()

    # In Arabic (right to left), through the switcher: every label translated, still accessible.
    page.get_by_label("Language", exact=True).select_option("ar")
    page.get_by_role("button", name="Change language").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("رسائل عن تواريخك")
    expect(page.get_by_label("بماذا نناديك؟ (اختياري)")).to_have_value("Robin")
    expect(page.get_by_label("لغة الرسائل")).to_have_value("en")
    expect(page.get_by_label("من", exact=True)).to_have_value("13")
    assert_no_serious_axe_violations(page, "the survivor's contact preferences in Arabic")
