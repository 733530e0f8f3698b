"""The survivor's way in, in a real browser: an access code, a passphrase, the sign-in name shown
once, their own case in plain words and nothing else; signing out and in again. axe-core checks
every page on the way. The cases are fictional and seeded through the services."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from api.cases import service as cases_service
from api.cases.survivor_access import issue_access_code
from api.db.migrate import upgrade_to_head
from api.settings import Settings
from tests.api.cases.builders import actor, make_world, new_case
from tests.browser.conftest import assert_no_serious_axe_violations

PASSPHRASE = "blue kettle on the hill"
NEUTRAL_TITLE = re.compile(r"^(?!.*(trafficking|NRM|immigration|compensation|CICA|slavery)).*$", re.I)


@pytest.fixture
def migrated_settings(settings: Settings) -> Settings:
    """The live server's settings: migrated, with the cheapest Argon2."""
    upgrade_to_head(settings.database_url)
    return settings.model_copy(
        update={"argon2_time_cost": 1, "argon2_memory_cost_kib": 8, "argon2_parallelism": 1}
    )


def check_survivor_page(page: Page, what: str) -> None:
    """A neutral title, the way out, and no serious accessibility problem."""
    expect(page).to_have_title(NEUTRAL_TITLE)
    exit_button = page.locator("main").get_by_role("button", name="Exit this page")
    expect(exit_button).to_be_visible()
    expect(exit_button).to_have_attribute("href", "/survivor/exit")
    assert_no_serious_axe_violations(page, what)


def test_a_survivor_redeems_a_code_and_sees_their_own_case_and_nothing_else(
    page: Page, db_session: Session, migrated_settings: Settings
) -> None:
    # Given two cases of one organisation, and an access code for the first
    world = make_world(db_session, migrated_settings)
    advocate = actor(db_session, world.advocate)
    now = datetime.now(UTC)
    case = new_case(db_session, migrated_settings, world, "Case Finch")
    cases_service.start_application(
        db_session, migrated_settings, advocate, case, "uk.cica", now=now, today=now.date()
    )
    cases_service.change_facts(
        db_session,
        migrated_settings,
        advocate,
        case,
        {"person.date_of_birth": "1992-05-30", "incident.date": "2025-08-02", "police.reported": True},
        source="advocate",
        now=now,
        today=now.date(),
    )
    other = new_case(db_session, migrated_settings, world, "Case Tern")
    cases_service.change_facts(
        db_session,
        migrated_settings,
        advocate,
        other,
        {"person.date_of_birth": "1969-11-11"},
        source="advocate",
        now=now,
        today=now.date(),
    )
    code = issue_access_code(db_session, migrated_settings, advocate, case, now=now)

    # The survivor starts with the code; a typo in the second passphrase is caught first.
    page.goto("/survivor/start")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your account")
    check_survivor_page(page, "the survivor's start page")
    page.get_by_label("Access code").fill(code)
    page.get_by_label("Your first name, or any name you would like us to use").fill("Mira")
    page.get_by_label("Choose a passphrase").fill(PASSPHRASE)
    page.get_by_label("Type the passphrase again").fill(PASSPHRASE + "!")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    check_survivor_page(page, "the start page with an error")
    page.get_by_label("Choose a passphrase").fill(PASSPHRASE)
    page.get_by_label("Type the passphrase again").fill(PASSPHRASE)
    page.get_by_role("button", name="Continue").click()

    # The sign-in name, shown once, to write down.
    expect(page.get_by_role("heading", level=1)).to_have_text("Your sign-in name")
    check_survivor_page(page, "the sign-in name")
    sign_in_name = page.locator("strong.code").inner_text()
    assert re.fullmatch(r"[a-z]+-[a-z]+-\d{2}", sign_in_name)
    page.get_by_role("link", name="Continue").click()

    # Before the first use: how to leave quickly, and what that cannot hide.
    expect(page.get_by_role("heading", level=1)).to_have_text("Before you continue")
    check_survivor_page(page, "the interruption page")
    page.get_by_role("button", name="Continue").click()

    # Their own case, in plain words.
    expect(page).to_have_url(re.compile(r"/survivor$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Where things are")
    check_survivor_page(page, "the survivor's view")
    main = page.locator("main")
    expect(main).to_contain_text("A claim for money for the harm done to you")
    expect(main).to_contain_text("2 August 2027")  # the two-year limit from the incident
    expect(main).to_contain_text("Police crime reference number and details of the report")
    page.get_by_text("What your advocate has written down").click()
    expect(main).to_contain_text("30 May 1992")
    expect(main).not_to_contain_text("11 November 1969")
    expect(main).not_to_contain_text("Case Tern")

    # Nothing else: staff pages and the other case stay closed.
    for url in ("/cases", f"/cases/{other.public_id}", f"/cases/{case.public_id}"):
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).not_to_have_text(re.compile("Case (Tern|Finch)"))
        expect(page.locator("body")).not_to_contain_text("11 November 1969")

    # Sign out, then in again with the sign-in name.
    page.goto("/survivor")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You have signed out.")
    check_survivor_page(page, "the survivor's sign-in page")
    page.get_by_label("Sign-in name").fill(sign_in_name.replace("-", " "))
    page.get_by_label("Passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Where things are")
