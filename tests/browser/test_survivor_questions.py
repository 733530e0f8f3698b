"""Questions from the advocate in a real browser: an advocate asks one, the survivor starts with an
access code, switches to Arabic and answers it with the keyboard alone, and the advocate sees the
answer as theirs; axe-core on the new pages in all six languages; the interpreter view. The cases
are fictional and seeded through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from api.auth.service import start_session
from api.cases import service as cases_service
from api.cases.survivor_access import issue_access_code, redeem_access_code
from api.db.migrate import upgrade_to_head
from api.orgs.models import User
from api.settings import Settings
from api.survivor_questions import service as questions_service
from tests.api.cases.builders import PASSWORD, actor, make_world
from tests.browser.conftest import assert_no_serious_axe_violations
from web.i18n import LANGUAGE_COOKIE, LANGUAGES
from web.identity import SESSION_COOKIE

PASSPHRASE: Final = "blue kettle on the hill"
MAX_TABS: Final = 60


@pytest.fixture
def migrated_settings(settings: Settings) -> Settings:
    """The live server's settings: migrated, with the cheapest Argon2."""
    upgrade_to_head(settings.database_url)
    return settings.model_copy(
        update={"argon2_time_cost": 1, "argon2_memory_cost_kib": 8, "argon2_parallelism": 1}
    )


@dataclass(frozen=True)
class Seeded:
    """A case (preferred language Arabic) with a uk.cica application, and an access code."""

    case_id: str
    application_id: str
    code: str
    advocate_id: int


@pytest.fixture
def seeded(db_session: Session, migrated_settings: Settings) -> Seeded:
    world = make_world(db_session, migrated_settings)
    advocate = actor(db_session, world.advocate)
    now = datetime.now(UTC)
    case = cases_service.create_case(
        db_session, migrated_settings, advocate, reference="Case Finch", preferred_language="ar",
        jurisdiction="GB-ENG", now=now,
    )  # fmt: skip
    application = cases_service.start_application(
        db_session, migrated_settings, advocate, case, "uk.cica", now=now, today=now.date()
    )
    code = issue_access_code(db_session, migrated_settings, advocate, case, now=now)
    assert world.advocate.id is not None
    return Seeded(case.public_id, application.public_id, code, world.advocate.id)


def _tab_to(page: Page, matches: str) -> None:
    """Press Tab until the focused element matches the JavaScript predicate ``matches``."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return {matches}; }}"):
            return
    pytest.fail(f"Tab never reached: {matches}")


def test_asked_by_the_advocate_answered_in_arabic_with_the_keyboard_seen_by_the_advocate(
    page: Page, browser: Browser, live_server: str, seeded: Seeded
) -> None:
    # The advocate signs in and asks a question, with a note.
    page.goto("/sign-in")
    page.get_by_label("Email address").fill("bea@harbour.example")
    page.get_by_label("Passphrase").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/cases/{seeded.case_id}")
    page.get_by_role("link", name="Questions for them to answer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Questions for the person")
    assert_no_serious_axe_violations(page, "the staff page of questions for the person")
    page.get_by_label("Question").select_option("police.reported")
    page.get_by_label("A note for the person (optional)").fill("Take your time.")
    page.get_by_role("button", name="Ask the person").click()
    expect(page.get_by_role("status")).to_contain_text("The question was added")
    asked = page.locator("tbody tr").filter(has_text="Has the crime been reported to the police?")
    expect(asked).to_contain_text("Waiting for an answer")
    expect(asked).to_contain_text("The person reads: “Have the police been told what happened to you?”")

    # The survivor, in their own browser: the access code, then Arabic, then the keyboard only.
    survivor = browser.new_context(base_url=live_server, locale="en-GB", timezone_id="Europe/London")
    phone = survivor.new_page()
    phone.goto("/survivor/start")
    phone.get_by_label("Access code").fill(seeded.code)
    phone.get_by_label("Your first name, or any name you would like us to use").fill("Mira")
    phone.get_by_label("Choose a passphrase").fill(PASSPHRASE)
    phone.get_by_label("Type the passphrase again").fill(PASSPHRASE)
    phone.get_by_role("button", name="Continue").click()
    phone.get_by_role("link", name="Continue").click()
    phone.get_by_role("button", name="Continue").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Where things are")

    _tab_to(phone, "el.id === 'language'")
    phone.keyboard.press("End")  # the last language in the list: Arabic
    phone.keyboard.press("Tab")
    phone.keyboard.press("Enter")
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    expect(phone.get_by_role("heading", name="أسئلة من المرشد الخاص بك")).to_be_visible()

    _tab_to(phone, "el.textContent.trim() === 'أجب عن الأسئلة'")  # "Answer the questions"
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", level=1)).to_have_text("أسئلة من المرشد الخاص بك")
    # The question as written to them ("Have the police been told what happened to you?").
    _tab_to(phone, "el.textContent.trim() === 'هل أُبلغت الشرطة بما حدث لك؟'")
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", level=1)).to_have_text("هل أُبلغت الشرطة بما حدث لك؟")
    expect(phone).to_have_title("سؤال من المرشد الخاص بك – Redress")
    assert "police" not in phone.url
    expect(phone.locator("main")).to_contain_text("Take your time.")

    # Saving with nothing chosen: the error summary, in Arabic, takes the focus.
    _tab_to(phone, "el.textContent.trim() === 'احفظ وتابع'")
    phone.keyboard.press("Enter")
    expect(phone.locator(".error-summary")).to_be_focused()
    expect(phone.locator(".error-summary")).to_contain_text("اختر نعم أو لا أو “لا أعرف”")
    assert_no_serious_axe_violations(phone, "a question with an error, in Arabic")
    _tab_to(phone, "el.type === 'radio'")  # the first choice: "Yes"
    phone.keyboard.press("Space")
    expect(phone.get_by_label("نعم")).to_be_checked()
    _tab_to(phone, "el.textContent.trim() === 'احفظ وتابع'")
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("status")).to_contain_text("تم حفظ إجابتك.")
    expect(phone.locator("main")).to_contain_text("تمت الإجابة")  # "Answered"
    survivor.close()

    # The advocate sees the answer, marked as the person's.
    page.reload()
    row = page.locator("tbody tr").filter(has_text="Has the crime been reported to the police?")
    expect(row).to_contain_text("Answered")
    expect(row).to_contain_text("Yes")
    expect(row).to_contain_text("Given by the person on their own pages")


def test_the_interpreter_view_beside_english(page: Page, seeded: Seeded) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill("bea@harbour.example")
    page.get_by_label("Passphrase").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/cases/{seeded.case_id}/applications/{seeded.application_id}/questions/incident.date")
    page.get_by_role("link", name="Show in Arabic").click()
    block = page.locator("#interpreter-text")
    expect(block).to_have_attribute("lang", "ar")
    expect(block).to_have_attribute("dir", "rtl")
    expect(block).to_contain_text("تاريخ حادثة العنف")
    assert block.evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert_no_serious_axe_violations(page, "the interpreter view")
    # Answered through htmx: the next question keeps the view.
    page.get_by_label("Date of the violent incident").fill("2025-03-10")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#interpreter-text")).to_have_attribute("lang", "ar")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Date of the violent incident")


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_no_serious_accessibility_problem_on_the_question_pages(
    page: Page,
    db_session: Session,
    migrated_settings: Settings,
    live_server: str,
    seeded: Seeded,
    language: str,
) -> None:
    now = datetime.now(UTC)
    user = redeem_access_code(
        db_session, migrated_settings, code=seeded.code, passphrase=PASSPHRASE, display_name="Mira", now=now
    )
    advocate = actor(db_session, db_session.get_one(User, seeded.advocate_id))
    case = cases_service.get_case(db_session, advocate, seeded.case_id, now=now)
    asked = {
        key: questions_service.ask(
            db_session, migrated_settings, advocate, case, fact_key=key, note="Take your time.", now=now
        ).public_id
        for key in ("incident.date", "police.reported", "person.phone")
    }
    token = start_session(db_session, migrated_settings, user, now)
    page.context.add_cookies([
        {"name": LANGUAGE_COOKIE, "value": language, "url": live_server},
        {"name": SESSION_COOKIE, "value": token, "url": live_server},
    ])  # fmt: skip
    for path in ("/survivor", "/survivor/questions", *(f"/survivor/questions/{i}" for i in asked.values())):
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
        assert_no_serious_axe_violations(page, f"{path} in {language}")
    # A question with an error in the language (the date, typed wrong), and the saved notice.
    page.goto(f"/survivor/questions/{asked['incident.date']}")
    page.locator("#q-incident-date").evaluate("el => { el.type = 'text'; el.value = '30/2/2025'; }")
    page.locator("form[action^='/survivor/questions/'] button.button:not([name])").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#q-incident-date")).to_have_value("30/2/2025")
    assert_no_serious_axe_violations(page, f"a question with an error in {language}")
    page.goto("/survivor/questions?saved=1")
    assert_no_serious_axe_violations(page, f"the questions after saving in {language}")
