"""The minimum wage calculator in a real browser: from the case page, enter two weeks across the
April 2024 rate change, see the working, then an error linked to its field; axe-core checks each
state of the page. All people and figures are fictional."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from api.cases import service as cases_service
from api.db.migrate import upgrade_to_head
from api.settings import Settings
from tests.api.cases.builders import PASSWORD, actor, make_world, new_case
from tests.browser.conftest import assert_no_serious_axe_violations
from tests.web.staff_pages import cheap


@pytest.fixture
def migrated_settings(settings: Settings) -> Settings:
    """The live server's settings: migrated, with the cheapest Argon2 (sign-in in milliseconds)."""
    upgrade_to_head(settings.database_url)
    return cheap(settings)


def test_an_advocate_works_out_minimum_wage_arrears(
    page: Page, db_session: Session, migrated_settings: Settings
) -> None:
    world = make_world(db_session, migrated_settings)
    case = new_case(db_session, migrated_settings, world, reference="Case Wren")
    now = datetime.now(UTC)
    cases_service.change_facts(
        db_session, migrated_settings, actor(db_session, world.advocate), case,
        {"person.date_of_birth": "1990-01-01"}, source="advocate", now=now, today=now.date(),
    )  # fmt: skip

    page.goto(f"/cases/{case.public_id}")
    page.get_by_label("Email address").fill(world.advocate.email or "")
    page.get_by_label("Passphrase").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Minimum wage calculator").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Minimum wage calculator")
    assert_no_serious_axe_violations(page, "the empty calculator")
    for row, (start, end) in enumerate((("2024-03-28", "2024-04-03"), ("2024-04-04", "2024-04-10")), 1):
        page.get_by_label(f"Period {row}: Start").fill(start)
        page.get_by_label(f"Period {row}: End").fill(end)
        page.get_by_label(f"Period {row}: Hours worked").fill("40")
        page.get_by_label(f"Period {row}: Pay (£)").fill("200")
    page.get_by_role("button", name="Save and calculate").click()

    expect(page.get_by_role("status").filter(has_text="The pay periods are saved")).to_be_visible()
    expect(page.locator(".summary-list .row").first).to_contain_text("£550.65")
    expect(page.get_by_role("link", name="Download the working (CSV)")).to_have_attribute(
        "href", re.compile(r"/wages/working\.csv$")
    )
    assert_no_serious_axe_violations(page, "the calculator with its working")

    page.get_by_label("Period 3: Start").fill("2024-04-11")
    page.get_by_label("Period 3: End").fill("2024-04-17")
    page.get_by_role("button", name="Save and calculate").click()

    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_no_serious_axe_violations(page, "the calculator with an error")
    page.get_by_role("link", name="Period 3: enter the hours worked.").click()
    expect(page.get_by_label("Period 3: Hours worked")).to_be_focused()

    # A pattern adds rows to the table (nothing saved yet).
    page.get_by_label("First day").fill("2024-04-11")
    page.get_by_label("Last day").fill("2024-05-01")
    page.get_by_label("Hours worked in each period").fill("60")
    page.get_by_label("Pay for each period (£, 0 if none)").fill("0")
    page.get_by_label("The employer housed the person free of charge every day").check()
    page.get_by_role("button", name="Add these periods").click()
    expect(page.get_by_role("status").filter(has_text="3 periods added below")).to_be_visible()
    expect(page.get_by_label("Period 5: Days housed")).to_have_value("7")
    assert_no_serious_axe_violations(page, "the calculator with rows from a pattern")
