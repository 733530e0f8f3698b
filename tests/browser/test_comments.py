"""Comments in a real browser: a lawyer reviewing a shared case leaves a comment over two lines,
after a refused empty one, and the advocate reads it; axe-core checks every state on the way."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from api.cases.sharing import share_case
from api.settings import Settings
from tests.api.cases.builders import NOW, PASSWORD, actor, id_of, make_world, new_case, start
from tests.browser.conftest import assert_no_serious_axe_violations


def sign_in(page: Page, email: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Passphrase").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/cases$"))


def test_a_lawyer_comments_and_the_advocate_reads_it(
    page: Page, browser: Browser, live_server: str, db_session: Session, migrated_settings: Settings
) -> None:
    world = make_world(db_session, migrated_settings)
    case = new_case(db_session, migrated_settings, world, "Case Kestrel")
    start(db_session, migrated_settings, world, case, "uk.cica")
    advocate = actor(db_session, world.advocate)
    share_case(db_session, advocate, case, lawyer_user_id=id_of(world.partner_lawyer), now=NOW)

    sign_in(page, "eli@quayside.example")
    page.goto(f"/cases/{case.public_id}")
    expect(page.get_by_role("heading", name="Comments")).to_be_visible()
    assert_no_serious_axe_violations(page, "a shared case's task list, as its lawyer")

    page.get_by_role("button", name="Add the comment").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_no_serious_axe_violations(page, "the comment form with an error")
    page.get_by_role("link", name="Enter your comment.").click()
    expect(page.get_by_label("Your comment", exact=True)).to_be_focused()

    page.get_by_label("What is your comment about?").select_option(
        label="Criminal injuries compensation (CICA)"
    )
    page.get_by_label("Your comment", exact=True).fill(
        "The delay reasons need more detail.\nAsk about the hospital stay."
    )
    page.get_by_role("button", name="Add the comment").click()

    expect(page).to_have_url(re.compile(rf"/cases/{case.public_id}#comments$"))
    shown = page.locator(".comment-body")
    expect(shown).to_have_text("The delay reasons need more detail.\nAsk about the hospital stay.")
    lines = shown.evaluate(
        "element => element.getClientRects()[0].height / parseFloat(getComputedStyle(element).lineHeight)"
    )
    assert round(lines) == 2, "the line break is shown"
    expect(page.locator(".comment-meta")).to_contain_text("on Criminal injuries compensation (CICA)")
    assert_no_serious_axe_violations(page, "the task list with a comment")

    with browser.new_context(base_url=live_server) as other:
        advocate_page = other.new_page()
        sign_in(advocate_page, "bea@harbour.example")
        advocate_page.goto(f"/cases/{case.public_id}")
        expect(advocate_page.locator(".comment-meta")).to_contain_text("Eli Lawyer")
        expect(advocate_page.locator(".comment-body")).to_contain_text("Ask about the hospital stay.")
