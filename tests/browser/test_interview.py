"""The guided interview in a real browser: an advocate answers ``uk.cica`` up to "check your
answers", goes back and forward, changes an earlier answer and sees the deadline move. axe-core
checks every page on the way. The case is fictional and seeded through the services."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlmodel import Session

from api.auth import service as auth_service
from api.cases import service as cases_service
from api.cases.models import LegalCase
from api.db.migrate import upgrade_to_head
from api.settings import Settings
from tests.api.cases.builders import World, actor, make_world, new_case
from tests.browser.conftest import assert_no_serious_axe_violations
from web.identity import SESSION_COOKIE


@pytest.fixture
def migrated_settings(settings: Settings) -> Settings:
    """The live server's settings: migrated, with the cheapest Argon2."""
    upgrade_to_head(settings.database_url)
    return settings.model_copy(
        update={"argon2_time_cost": 1, "argon2_memory_cost_kib": 8, "argon2_parallelism": 1}
    )


@dataclass(frozen=True)
class Seeded:
    """The fictional world, a case with a CICA application, and the interview's address."""

    world: World
    case: LegalCase
    base: str


def seed(
    session: Session, settings: Settings, context: BrowserContext, live_server: str, reference: str
) -> Seeded:
    """Seed a case with a ``uk.cica`` application and sign the advocate in on ``context``."""
    world = make_world(session, settings)
    case = new_case(session, settings, world, reference)
    now = datetime.now(UTC)
    application = cases_service.start_application(
        session, settings, actor(session, world.advocate), case, "uk.cica", now=now, today=now.date()
    )
    token = auth_service.start_session(session, settings, world.advocate, now)
    context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": live_server}])
    return Seeded(world, case, f"/cases/{case.public_id}/applications/{application.public_id}")


def save(page: Page, question: str) -> None:
    """Press "Save and continue" on the question shown and wait for the next page."""
    expect(page.get_by_role("heading", level=1)).to_have_text(question)
    assert_no_serious_axe_violations(page, f"the question “{question}”")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text(question)


def choose(page: Page, question: str, answer: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(question)
    page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
    save(page, question)


def test_an_advocate_answers_cica_checks_the_answers_and_changes_the_incident_date(
    page: Page, context: BrowserContext, live_server: str, db_session: Session, migrated_settings: Settings
) -> None:
    # Given a case of the advocate's organisation with a CICA application, and the advocate signed in
    seeded = seed(db_session, migrated_settings, context, live_server, "Case Wren")
    case, world = seeded.case, seeded.world
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    base = seeded.base

    # The application's address leads to its first question (the language is known already).
    page.goto(base)
    expect(page).to_have_url(re.compile(r"/questions/person\.date_of_birth$"))
    page.get_by_label("Date of birth").fill("1995-04-12")
    save(page, "Date of birth")

    # htmx swapped the next question in and gave it its own address.
    expect(page).to_have_url(re.compile(r"/questions/person\.british_citizen$"))
    expect(page).to_have_title(re.compile(r"^Is the person a British citizen\?"))
    choose(page, "Is the person a British citizen?", "Yes")

    # Back goes to the question before, with its answer; forward returns.
    expect(page).to_have_url(re.compile(r"/questions/exploitation\.types$"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"/questions/person\.british_citizen$"))
    expect(page.get_by_label("Yes", exact=True)).to_be_checked()
    page.go_forward()
    expect(page).to_have_url(re.compile(r"/questions/exploitation\.types$"))
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("What kinds of exploitation happened?")

    # A mistake first: nothing chosen gives an error summary linked to the first box.
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_no_serious_axe_violations(page, "a question with an error")
    page.get_by_role("link", name=re.compile("^Select all that apply")).click()
    expect(page.get_by_label("Sexual exploitation")).to_be_focused()
    page.get_by_label("Labour exploitation").check()
    save(page, "What kinds of exploitation happened?")

    page.get_by_label("Choose a place").select_option("GB-ENG")
    save(page, "Where did the exploitation happen?")
    page.get_by_label("Date of the violent incident").fill("2025-03-10")
    save(page, "Date of the violent incident")
    choose(
        page,
        "Was the person physically attacked, sexually assaulted, or threatened with immediate violence?",
        "Yes",
    )
    choose(page, "Has the crime been reported to the police?", "Yes")
    page.get_by_label("When was it first reported to the police?").fill("2025-04-01")
    save(page, "When was it first reported to the police?")
    page.get_by_label("Police crime reference number").fill("OWL-2291-FERN")
    save(page, "Police crime reference number")
    choose(
        page,
        "Has the person cooperated with the police, including giving a full statement when asked?",
        "Yes",
    )
    for question in (
        "Does the person have an unspent conviction for which they got a custodial sentence, a community "
        "order or another sentence listed in Annex D of the Scheme?",
        "Was the person physically injured?",
        "Is the person claiming for a mental injury?",
        "Was the person unable to work, or had limited ability to work, for more than 28 weeks because of "
        "the injury?",
        "Has the person received other compensation for the injury (a court order, civil damages, "
        "insurance)?",
    ):
        choose(page, question, "No")
    # No decision yet: "I don't know" moves on.
    expect(page.get_by_role("heading", level=1)).to_have_text("Date of the CICA decision")
    assert_no_serious_axe_violations(page, "the CICA decision date")
    page.get_by_role("button", name="I don't know").click()

    # Check your answers, with the two-year deadline counted from the incident.
    expect(page).to_have_url(re.compile(r"/check-answers$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    expect(page.get_by_text("Apply to CICA (two-year limit)")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("^10 March 2027"))).to_be_visible()
    assert_no_serious_axe_violations(page, "check your answers")

    # Change the incident date.
    page.get_by_role("link", name="Change Date of the violent incident").click()
    expect(page).to_have_url(re.compile(r"/questions/incident\.date\?change=1$"))
    expect(page.get_by_label("Date of the violent incident")).to_have_value("2025-03-10")
    assert_no_serious_axe_violations(page, "changing the incident date")
    page.get_by_label("Date of the violent incident").fill("2025-06-01")
    page.get_by_role("button", name="Save and continue").click()

    # Back on "check your answers": the panel says the deadline moved, and the table agrees.
    expect(page).to_have_url(re.compile(r"/check-answers\?changed=[0-9a-f]+$"))
    panel = page.get_by_role("status").filter(has_text="What changed")
    expect(panel).to_contain_text(
        "Deadline moved: Apply to CICA (two-year limit), from 10 March 2027 to 1 June 2027"
    )
    expect(page.get_by_role("cell", name=re.compile("^1 June 2027"))).to_be_visible()
    assert_no_serious_axe_violations(page, "check your answers after a change")
    # A refresh shows the same page, panel included.
    page.reload()
    expect(page.get_by_role("status").filter(has_text="What changed")).to_contain_text("1 June 2027")
    assert errors == []

    # The answers are the case's, saved with who gave them.
    records = cases_service.read_facts(db_session, migrated_settings, case)
    assert records["incident.date"].value == date(2025, 6, 1)
    assert records["cica.decision_date"].is_unknown
    assert records["police.crime_reference"].given_by_user_id == world.advocate.id


def test_the_interview_works_without_javascript(
    browser: Browser, live_server: str, db_session: Session, migrated_settings: Settings
) -> None:
    context = browser.new_context(base_url=live_server, java_script_enabled=False, locale="en-GB")
    try:
        seeded = seed(db_session, migrated_settings, context, live_server, "Case Lark")
        case, base = seeded.case, seeded.base
        page = context.new_page()

        # A plain form post: an error comes back as a page with its summary …
        page.goto(f"{base}/questions/incident.date")
        page.get_by_role("button", name="Save and continue").click()
        expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
        expect(page).to_have_title(re.compile("^Error: Date of the violent incident"))

        # … and an answer is saved, then the browser is redirected to the next question.
        page.get_by_label("Date of the violent incident").fill("2025-03-10")
        page.get_by_role("button", name="Save and continue").click()
        expect(page).to_have_url(re.compile(r"/questions/person\.date_of_birth$"))
        page.get_by_role("button", name="I don't know").click()
        expect(page).to_have_url(re.compile(r"/questions/person\.british_citizen$"))
        records = cases_service.read_facts(db_session, migrated_settings, case)
        assert records["incident.date"].value == date(2025, 3, 10)
        assert records["person.date_of_birth"].is_unknown
    finally:
        context.close()
