"""The FLSA wage calculator in a real browser: from a US case's task list, enter weeks, get a
row error, fix it, see the working and save it; axe-core checks every state on the way."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlmodel import Session

from api.settings import Settings
from tests.api.cases.builders import PASSWORD, make_world, new_case
from tests.browser.conftest import assert_no_serious_axe_violations


def test_an_advocate_works_out_unpaid_wages_week_by_week(
    page: Page, live_server: str, db_session: Session, migrated_settings: Settings
) -> None:
    world = make_world(db_session, migrated_settings)
    case = new_case(db_session, migrated_settings, world, "Case Condor", jurisdiction="US-TX")
    page.goto("/sign-in")
    page.get_by_label("Email address").fill("bea@harbour.example")
    page.get_by_label("Passphrase").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/cases$"))

    page.goto(f"/cases/{case.public_id}")
    page.get_by_role("link", name="FLSA wage calculator").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("FLSA wage calculator")
    assert_no_serious_axe_violations(page, "the empty wage calculator")

    page.get_by_label("Row 1: first day").fill("2024-03-04")
    page.get_by_label("Row 1: hours").fill("46")
    page.get_by_label("Row 2: first day").fill("2024-03-11")
    page.get_by_label("Row 2: number of weeks").fill("2")
    page.get_by_label("Row 2: hours").fill("forty")
    page.get_by_role("button", name="Calculate").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_no_serious_axe_violations(page, "the wage calculator with a row error")
    page.get_by_role("link", name=re.compile("Row 2: the hours must be a number")).click()
    expect(page.get_by_label("Row 2: hours")).to_be_focused()
    expect(page.get_by_label("Row 1: hours")).to_have_value("46")

    page.get_by_label("Row 2: hours").fill("40")
    page.get_by_role("button", name="Calculate").click()
    expect(page.get_by_role("heading", name="The working")).to_be_visible()
    # 710.50 for the 46-hour week, 2 x 580.00 for the 40-hour weeks (liquidated damages included).
    expect(page.locator("dl.summary")).to_contain_text("$1,870.50")
    assert_no_serious_axe_violations(page, "the working")

    page.get_by_role("button", name="Save to the case").click()
    expect(page.get_by_role("status")).to_contain_text("The weeks and the totals are saved to the case.")
    expect(page.get_by_label("Row 2: number of weeks")).to_have_value("2")
