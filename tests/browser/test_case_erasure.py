"""Erasing a case in a real browser, checked with axe-core: the admin follows the case page's
link, is refused a mistyped reference, then erases the case and lands on the case list."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from api.db.migrate import upgrade_to_head
from api.settings import Settings
from tests.api.cases.builders import PASSWORD, make_world
from tests.api.deadlines.helpers import cica_case
from tests.browser.conftest import assert_no_serious_axe_violations
from tests.web.staff_pages import cheap


@pytest.fixture
def migrated_settings(settings: Settings) -> Settings:
    """The live server's settings: migrated, with the cheapest Argon2 (sign-in in milliseconds)."""
    upgrade_to_head(settings.database_url)
    return cheap(settings)


def test_an_admin_erases_a_case(page: Page, db_session: Session, migrated_settings: Settings) -> None:
    world = make_world(db_session, migrated_settings)
    case = cica_case(db_session, migrated_settings, world)
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(world.admin.email or "")
    page.get_by_label("Passphrase").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"/cases/{case.public_id}")
    page.get_by_role("link", name="Erase this case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Erase Case Kestrel")
    expect(page.get_by_text("1 confirmed deadline")).to_have_count(0)  # none confirmed in this case
    assert_no_serious_axe_violations(page, "the erase-a-case page")

    page.get_by_label("Type the case's reference to confirm").fill("Case")
    page.get_by_role("button", name="Erase this case").click()
    expect(page.get_by_role("alert")).to_contain_text("Type the case's reference, Case Kestrel")
    assert_no_serious_axe_violations(page, "the erase-a-case page with an error")

    page.get_by_label("Type the case's reference to confirm").fill("Case Kestrel")
    page.get_by_role("button", name="Erase this case").click()
    expect(page.get_by_role("status").filter(has_text="erased")).to_have_text("The case was erased.")
    assert_no_serious_axe_violations(page, "the case list after an erasure")
    expect(page.get_by_text("Case Kestrel")).to_have_count(0)
