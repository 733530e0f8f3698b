"""Comments on the case's task list: a lawyer reviewing a shared case comments, the advocate reads
it; a lawyer sees only what is shared with them; survivors never see or post comments; the form
keeps what was typed when it is refused, and needs the CSRF token (all data fictional)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.cases.comments import ONLY_THE_SHARED_APPLICATION, add_comment
from api.cases.models import Application, CaseComment, LegalCase
from api.cases.sharing import share_case
from api.cases.survivor_access import issue_access_code
from api.settings import Settings
from tests.api.cases.builders import (
    NOW,
    PASSPHRASE,
    PASSWORD,
    World,
    actor,
    id_of,
    new_case,
    start,
)
from tests.web.staff_pages import browser, csrf_token, error_summary, location, post_form, sign_in

if TYPE_CHECKING:
    from httpx2 import Response  # what Starlette's TestClient returns

ADVOCATE = "bea@harbour.example"
HOME_LAWYER = "cal@harbour.example"
PARTNER_LAWYER = "eli@quayside.example"
CICA = "Criminal injuries compensation (CICA)"
NRM = "National Referral Mechanism (recovery period)"


@dataclass(frozen=True)
class Kestrel:
    """Case Kestrel, its two applications, and the URL of its task list."""

    case: LegalCase
    cica: Application
    nrm: Application

    @property
    def url(self) -> str:
        return f"/cases/{self.case.public_id}"


@pytest.fixture
def kestrel(db_session: Session, fast: Settings, world: World) -> Kestrel:
    """Case Kestrel with a CICA and an NRM application, shared whole with the partner firm's lawyer
    and only its CICA application with the home lawyer."""
    case = new_case(db_session, fast, world, "Case Kestrel")
    cica = start(db_session, fast, world, case, "uk.cica")
    nrm = start(db_session, fast, world, case, "uk.nrm")
    advocate = actor(db_session, world.advocate)
    share_case(db_session, advocate, case, lawyer_user_id=id_of(world.partner_lawyer), now=NOW)
    share_case(
        db_session,
        advocate,
        case,
        lawyer_user_id=id_of(world.lawyer),
        application_public_id=cica.public_id,
        now=NOW,
    )
    return Kestrel(case, cica, nrm)


def comment_bodies(page: str) -> list[str]:
    """The text of each comment shown, unescaped."""
    return [html.unescape(body) for body in re.findall(r'<p class="comment-body">(.*?)</p>', page, re.S)]


def options(page: str, name: str) -> list[tuple[str, str]]:
    """(value, text) of each option of the select ``name``."""
    found = re.search(rf'<select id="{name}" name="{name}".*?</select>', page, re.S)
    assert found is not None, f"no select {name}"
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]+)</option>', found.group(0))


def comment(client: TestClient, kestrel: Kestrel, body: str, application_id: str = "") -> Response:
    """Post the comment form of the task list, as the page would."""
    fields = {"body": body, "application_id": application_id}
    return post_form(client, f"{kestrel.url}/comments", fields, token_page=kestrel.url)


def test_a_lawyer_comments_on_a_shared_case_and_the_advocate_reads_it(
    site: TestClient, db_session: Session, fast: Settings, kestrel: Kestrel
) -> None:
    sign_in(site, PARTNER_LAWYER, PASSWORD)
    page = site.get(kestrel.url)
    assert page.status_code == 200
    assert '<h2 id="comments-title">Comments</h2>' in page.text
    assert "No comments yet." in page.text
    assert f'action="{kestrel.url}/comments"' in page.text
    # A reviewer: no controls to answer questions, start applications or share.
    assert "Start the questions" not in page.text
    assert "Start an application" not in page.text
    assert "Share with a lawyer" not in page.text
    assert "View the answers" in page.text
    assert options(page.text, "application_id") == [
        ("", "The whole case"),
        (kestrel.cica.public_id, CICA),
        (kestrel.nrm.public_id, NRM),
    ]
    text = "The police report date looks late.\nPlease check it with <b>Rosa</b> & the officer."

    posted = post_form(
        site, f"{kestrel.url}/comments", {"body": text, "application_id": ""}, token_page=kestrel.url
    )

    assert posted.status_code == 303
    assert location(posted) == f"{kestrel.url}#comments"
    shown = site.get(kestrel.url).text
    assert comment_bodies(shown) == [text]  # the line break is kept, as text
    assert "&lt;b&gt;Rosa&lt;/b&gt; &amp; the officer" in shown  # autoescaped, not markup
    assert "<b>Rosa</b>" not in shown
    assert re.search(
        r"<strong>Eli Lawyer</strong>, \d{1,2} [A-Z][a-z]+ \d{4} at \d\d:\d\d,\s+on the whole case", shown
    )
    with browser(fast) as advocate:
        sign_in(advocate, ADVOCATE, PASSWORD)
        assert comment_bodies(advocate.get(kestrel.url).text) == [text]
    row = db_session.exec(select(CaseComment)).one()
    assert b"police report" not in row.body_encrypted


def test_comments_show_the_author_the_long_date_and_time_and_the_application(
    site: TestClient, db_session: Session, fast: Settings, world: World, kestrel: Kestrel
) -> None:
    add_comment(
        db_session,
        fast,
        actor(db_session, world.advocate),
        kestrel.case,
        body="Ask for the payslips.",
        application_public_id=kestrel.cica.public_id,
        now=NOW,
    )
    sign_in(site, ADVOCATE, PASSWORD)

    page = site.get(kestrel.url).text

    # 09:00 UTC on 22 November is 09:00 in London (GMT).
    assert re.search(
        rf"<strong>Bea Advocate</strong>, 22 November 2026 at 09:00,\s+on {re.escape(CICA)}</p>", page
    )
    assert comment_bodies(page) == ["Ask for the payslips."]


def test_a_lawyer_with_one_application_shared_sees_and_comments_only_there(
    site: TestClient, db_session: Session, fast: Settings, world: World, kestrel: Kestrel
) -> None:
    advocate = actor(db_session, world.advocate)
    for body, application in (("On the case", None), ("On CICA", kestrel.cica), ("On NRM", kestrel.nrm)):
        add_comment(
            db_session,
            fast,
            advocate,
            kestrel.case,
            body=body,
            application_public_id=None if application is None else application.public_id,
            now=NOW,
        )
    sign_in(site, HOME_LAWYER, PASSWORD)

    page = site.get(kestrel.url).text

    assert CICA in page
    assert NRM not in page  # not shared with them
    assert comment_bodies(page) == ["On CICA"]
    # Their view of the case works: the shared application's answers, and nothing else.
    assert site.get(f"{kestrel.url}/applications/{kestrel.cica.public_id}/check-answers").status_code == 200
    assert site.get(f"{kestrel.url}/applications/{kestrel.nrm.public_id}/check-answers").status_code == 404
    assert options(page, "application_id") == [(kestrel.cica.public_id, CICA)]
    assert f'<option value="{kestrel.cica.public_id}" selected>' in page
    posted = comment(site, kestrel, "Fine by me.", kestrel.cica.public_id)
    assert posted.status_code == 303
    assert comment_bodies(site.get(kestrel.url).text) == ["On CICA", "Fine by me."]
    # A forged choice of the whole case, or of the application not shared, is refused.
    whole = comment(site, kestrel, "On the whole case?", "")
    assert whole.status_code == 422
    assert error_summary(whole.text) == [("application_id", ONLY_THE_SHARED_APPLICATION)]
    other = comment(site, kestrel, "On the NRM?", kestrel.nrm.public_id)
    assert other.status_code == 422
    assert [field for field, _ in error_summary(other.text)] == ["application_id"]
    assert NRM not in other.text
    assert len(db_session.exec(select(CaseComment)).all()) == 4


def test_an_empty_comment_shows_the_error_summary(
    site: TestClient, db_session: Session, kestrel: Kestrel
) -> None:
    sign_in(site, ADVOCATE, PASSWORD)

    response = comment(site, kestrel, "   \r\n  ", kestrel.nrm.public_id)

    assert response.status_code == 422
    assert error_summary(response.text) == [("body", "Enter your comment.")]
    assert '<p class="error-message" id="body-error">' in response.text
    assert 'aria-describedby="body-hint body-error" aria-invalid="true"' in response.text
    assert f'<option value="{kestrel.nrm.public_id}" selected>' in response.text  # the choice is kept
    assert response.text.count("<h1>") == 1
    assert db_session.exec(select(CaseComment)).first() is None


def test_a_comment_too_long_is_refused_with_the_text_kept(
    site: TestClient, db_session: Session, kestrel: Kestrel
) -> None:
    sign_in(site, ADVOCATE, PASSWORD)
    text = "A long note about <the> case.\n" + "x" * 5000

    response = comment(site, kestrel, text)

    assert response.status_code == 422
    [(field, message)] = error_summary(response.text)
    assert field == "body"
    assert message.startswith("Use at most 5,000 characters")
    textarea = re.search(r'<textarea id="body" name="body"[^>]*>(.*?)</textarea>', response.text, re.S)
    assert textarea is not None
    assert html.unescape(textarea.group(1)) == text  # nothing typed is lost
    assert db_session.exec(select(CaseComment)).first() is None


def test_a_bad_csrf_token_is_403_and_saves_nothing(
    site: TestClient, db_session: Session, kestrel: Kestrel
) -> None:
    sign_in(site, ADVOCATE, PASSWORD)
    site.get(kestrel.url)

    forged = site.post(f"{kestrel.url}/comments", data={"csrf_token": "forged", "body": "Hello"})
    missing = site.post(f"{kestrel.url}/comments", data={"body": "Hello"})

    assert (forged.status_code, missing.status_code) == (403, 403)
    assert db_session.exec(select(CaseComment)).first() is None


def test_people_who_do_not_see_the_case_cannot_comment(
    site: TestClient, db_session: Session, kestrel: Kestrel
) -> None:
    sign_in(site, "dee@northgate.example", PASSWORD)  # another organisation's advocate

    response = comment(site, kestrel, "Hello", "")

    assert response.status_code == 404
    assert db_session.exec(select(CaseComment)).first() is None


def test_nobody_signed_in_is_sent_to_sign_in(site: TestClient, db_session: Session, kestrel: Kestrel) -> None:
    token = csrf_token(site)

    response = site.post(f"{kestrel.url}/comments", data={"csrf_token": token, "body": "Hello"})

    assert response.status_code == 303
    assert location(response).startswith("/sign-in?next=")
    assert db_session.exec(select(CaseComment)).first() is None


def test_a_survivor_never_sees_comments_and_cannot_post_one(
    site: TestClient, db_session: Session, fast: Settings, world: World, kestrel: Kestrel
) -> None:
    advocate = actor(db_session, world.advocate)
    add_comment(db_session, fast, advocate, kestrel.case, body="Staff note: verify the dates.", now=NOW)
    code = issue_access_code(db_session, fast, advocate, kestrel.case, now=NOW.replace(year=2099))
    start_page = "/survivor/start"
    fields = {"code": code, "display_name": "Mira", "passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE}
    started = post_form(site, start_page, fields, token_page=start_page)
    assert started.status_code == 303
    own_page = site.get("/survivor")
    assert own_page.status_code == 200

    posted = post_form(site, f"{kestrel.url}/comments", {"body": "Hello"}, token_page="/survivor")
    task_list = site.get(kestrel.url)

    assert posted.status_code == 303
    assert location(posted) == "/survivor"  # back to their own page; staff routes are not theirs
    assert location(task_list) == "/survivor"
    assert "Staff note" not in own_page.text
    assert len(db_session.exec(select(CaseComment)).all()) == 1
