"""The survivor's portal in a real browser: their language (Arabic right to left), quick exit with
Shift pressed three times (the session ends on the server and "Back" shows nothing of the case),
axe-core on every survivor page in all six languages, the whole portal with the keyboard alone,
and an expired access code. The cases are fictional and seeded through the services."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

import pytest
from playwright.sync_api import Page, Route, expect
from sqlmodel import Session, select

from api.auth.models import UserSession
from api.auth.service import start_session
from api.cases import service as cases_service
from api.cases.survivor_access import issue_access_code, redeem_access_code
from api.db.migrate import upgrade_to_head
from api.evidence.models import EvidenceFile
from api.orgs.models import User
from api.settings import Settings
from tests.api.cases.builders import actor, make_world, new_case
from tests.api.evidence.images import photo
from tests.browser.conftest import assert_no_serious_axe_violations
from web.i18n import LANGUAGE_COOKIE, LANGUAGES
from web.identity import SESSION_COOKIE

PASSPHRASE: Final = "blue kettle on the hill"
# The neutral site "Exit this page" goes to; the test answers it itself (the network is closed).
NEUTRAL_SITE: Final = "https://weather.example/"
NEUTRAL_PAGE: Final = "<!doctype html><html lang='en'><title>Weather</title><h1>Sunny spells</h1></html>"
CASE_DETAILS: Final = re.compile("Case Finch|30 May 1992")
SESSION_END_TIMEOUT_SECONDS: Final = 5.0


@pytest.fixture
def migrated_settings(settings: Settings) -> Settings:
    """The live server's settings: migrated, the cheapest Argon2, a neutral site we answer."""
    upgrade_to_head(settings.database_url)
    return settings.model_copy(
        update={
            "argon2_time_cost": 1,
            "argon2_memory_cost_kib": 8,
            "argon2_parallelism": 1,
            "survivor_exit_url": NEUTRAL_SITE,
        }
    )


@dataclass(frozen=True)
class Portal:
    """A case with an application and answers, its survivor's account, and a fresh code."""

    sign_in_name: str
    survivor_id: int
    expired_code: str
    code: str  # a fresh one: redeeming it makes a new account for the case


@pytest.fixture
def portal(db_session: Session, migrated_settings: Settings) -> Portal:
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
    first = issue_access_code(db_session, migrated_settings, advocate, case, now=now)
    user = redeem_access_code(
        db_session, migrated_settings, code=first, passphrase=PASSPHRASE, display_name="Mira", now=now
    )
    assert user.sign_in_name
    assert user.id is not None
    long_ago = now - timedelta(hours=migrated_settings.access_code_hours + 1)
    expired = issue_access_code(db_session, migrated_settings, advocate, case, now=long_ago)
    fresh = issue_access_code(db_session, migrated_settings, advocate, case, now=now)
    return Portal(user.sign_in_name, user.id, expired, fresh)


def answer_the_neutral_site(page: Page) -> None:
    def fulfil(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html", body=NEUTRAL_PAGE)

    page.route(NEUTRAL_SITE + "**", fulfil)


def live_sessions(db_session: Session, user_id: int) -> int:
    db_session.expire_all()
    rows = db_session.exec(select(UserSession).where(UserSession.user_id == user_id)).all()
    return sum(1 for row in rows if row.revoked_at is None)


def wait_until_no_live_session(db_session: Session, user_id: int) -> None:
    deadline = time.monotonic() + SESSION_END_TIMEOUT_SECONDS
    while live_sessions(db_session, user_id) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert live_sessions(db_session, user_id) == 0, "the session was not ended on the server"


def sign_in(page: Page, portal: Portal) -> None:
    page.goto("/survivor/sign-in")
    page.get_by_label("Sign-in name").fill(portal.sign_in_name)
    page.get_by_label("Passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Where things are")


def test_access_code_arabic_right_to_left_a_photo_then_quick_exit_with_shift_three_times(
    page: Page, db_session: Session, portal: Portal
) -> None:
    answer_the_neutral_site(page)
    # Start with the access code from the advocate.
    page.goto("/survivor/start")
    page.get_by_label("Access code").fill(portal.code)
    page.get_by_label("Your first name, or any name you would like us to use").fill("Mira")
    page.get_by_label("Choose a passphrase").fill(PASSPHRASE)
    page.get_by_label("Type the passphrase again").fill(PASSPHRASE)
    page.get_by_role("button", name="Continue").click()
    sign_in_name = page.locator("strong.code").inner_text()
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Before you continue")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Where things are")
    survivor_id = db_session.exec(select(User.id).where(User.sign_in_name == sign_in_name)).one()
    assert survivor_id is not None
    assert live_sessions(db_session, survivor_id) == 1

    # The language switcher: Arabic, laid out right to left, remembered on the next page.
    page.get_by_label("Language").select_option("ar")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.get_by_role("heading", level=1)).to_have_text("أين وصلت الأمور")
    assert page.evaluate("() => getComputedStyle(document.body).direction") == "rtl"
    page.get_by_role("link", name="البقاء آمنًا على الإنترنت").first.click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.get_by_role("link", name="أين وصلت الأمور").click()
    expect(page.locator("main")).to_contain_text("30 May 1992")  # the answers, shown as written

    # A photo from the phone: the limit is shown first; it is sent without its location.
    page.get_by_role("link", name="ملفاتك").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ملفاتك")
    expect(page.locator("#file-rules")).to_contain_text("10 MB")
    page.get_by_label("اختر ملفًا").set_input_files(
        {"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": photo()}
    )
    page.get_by_role("button", name="أرسل الملف").click()
    expect(page.get_by_role("status").filter(has_text="تم إرسال ملفك")).to_be_visible()
    expect(page.locator(".file-list")).to_contain_text("IMG_2041.jpg")
    stored = db_session.exec(select(EvidenceFile)).all()
    assert len(stored) == 1
    assert stored[0].metadata_removed
    assert_no_serious_axe_violations(page, "the files page in Arabic, after an upload")

    # Shift three times: progress is announced, then the screen blanks and the neutral site opens.
    page.keyboard.press("Shift")
    expect(page.locator("[data-exit-announce]")).to_have_text(re.compile("Shift"))
    expect(page.locator(".exit-indicator")).to_have_attribute("data-presses", "1")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.wait_for_url(NEUTRAL_SITE)
    expect(page).to_have_title("Weather")
    wait_until_no_live_session(db_session, survivor_id)

    # "Back" does not bring the case back: each page is asked again (never cached), and the server
    # no longer knows this browser: the open advice page, then the sign-in instead of the case.
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text(CASE_DETAILS)


def test_the_exit_button_blanks_the_screen_and_leaves(
    page: Page, db_session: Session, portal: Portal
) -> None:
    sign_in(page, portal)
    # The page reports the moment the overlay is added (before it is replaced by the neutral site).
    seen: list[dict[str, object]] = []

    def report(state: dict[str, object]) -> None:
        seen.append(state)

    page.expose_function("reportOverlay", report)
    page.evaluate(
        """() => new MutationObserver(() => {
            const overlay = document.querySelector(".exit-overlay");
            if (!overlay) { return; }
            const box = overlay.getBoundingClientRect();
            window.reportOverlay({
                covers: box.width >= window.innerWidth && box.height >= window.innerHeight,
                title: document.title,
            });
        }).observe(document.body, { childList: true })"""
    )
    answer_the_neutral_site(page)

    page.locator("main").get_by_role("button", name="Exit this page").click()

    page.wait_for_url(NEUTRAL_SITE)
    assert seen[:1] == [{"covers": True, "title": ""}]
    wait_until_no_live_session(db_session, portal.survivor_id)
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.locator("body")).not_to_contain_text(CASE_DETAILS)


SURVIVOR_PAGES: Final = (
    ("/survivor/start", False),
    ("/survivor/sign-in", False),
    ("/survivor/safety-advice", False),
    ("/survivor", True),
    ("/survivor/before-you-continue", True),
    ("/survivor/files", True),
    ("/survivor/messages", True),
    ("/survivor/my-data", True),
)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_no_serious_accessibility_problem_on_any_survivor_page(
    page: Page,
    db_session: Session,
    migrated_settings: Settings,
    portal: Portal,
    live_server: str,
    language: str,
) -> None:
    page.context.add_cookies([{"name": LANGUAGE_COOKIE, "value": language, "url": live_server}])
    for path, signed_in in SURVIVOR_PAGES:
        if signed_in and not any(c["name"] == SESSION_COOKIE for c in page.context.cookies()):
            user = db_session.get_one(User, portal.survivor_id)
            token = start_session(db_session, migrated_settings, user, datetime.now(UTC))
            page.context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": live_server}])
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
        assert_no_serious_axe_violations(page, f"{path} in {language}")
    # A form with errors, in the language.
    page.context.clear_cookies()
    page.context.add_cookies([{"name": LANGUAGE_COOKIE, "value": language, "url": live_server}])
    page.goto("/survivor/start")
    page.locator("form[action='/survivor/start'] button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_serious_axe_violations(page, f"the start page with errors in {language}")


def test_the_whole_portal_with_the_keyboard_alone(page: Page, db_session: Session, portal: Portal) -> None:
    answer_the_neutral_site(page)
    page.goto("/survivor/sign-in")

    # The first two stops: the skip link, then "Exit this page" (the secondary skip link).
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to main content")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Exit this page")

    # Sign in: Tab to the name field, type, Tab, type, Enter.
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "sign_in_name":
            break
    page.keyboard.type(portal.sign_in_name)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSPHRASE)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Where things are")

    # Change the language with the keyboard: focus the list, choose, submit.
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "language":
            break
    page.keyboard.press("End")  # the last language in the list: Arabic
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text(re.compile("Change language"))
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "ar")

    # Open the answers (a <details>) with the keyboard, then leave with Shift x3.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.tagName") == "SUMMARY":
            break
    page.keyboard.press("Enter")
    expect(page.locator("details")).to_have_attribute("open", "")
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(NEUTRAL_SITE)
    wait_until_no_live_session(db_session, portal.survivor_id)


def test_an_expired_code_gives_a_clear_message_and_how_to_get_a_new_one(page: Page, portal: Portal) -> None:
    page.goto("/survivor/start")
    page.get_by_label("Access code").fill(portal.expired_code)
    page.get_by_label("Your first name, or any name you would like us to use").fill("Mira")
    page.get_by_label("Choose a passphrase").fill(PASSPHRASE)
    page.get_by_label("Type the passphrase again").fill(PASSPHRASE)
    page.get_by_role("button", name="Continue").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("This access code is not valid. Ask your advocate for a new one.")
    expect(page.locator("body")).not_to_contain_text(CASE_DETAILS)
    assert_no_serious_axe_violations(page, "an expired access code")
