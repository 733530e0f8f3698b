"""The US set's lawyer-facing documents on the documents pages (real app and database, fictional
data): the Form I-914 worksheet is offered with the T visa and the state compensation summary with
state compensation (a lawyer shown one application sees only its documents), a request without
the answers a document needs is refused naming them, and the worker's version says what the
answers say, with the home address kept off the worksheet."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator

import pytest
from docx import Document
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.cases.models import LegalCase
from api.cases.sharing import share_case
from api.documents import service
from api.documents.models import DocumentVersion
from api.settings import Settings
from tests.api.cases.builders import NOW, PASSWORD, World, actor, make_world, new_case, start
from tests.api.documents.programs import require_libreoffice
from tests.web.staff_pages import browser, cheap, error_summary, location, post_form, sign_in

ADVOCATE = "bea@harbour.example"
PARTNER_LAWYER = "eli@quayside.example"
WORKSHEET = "Form I-914 worksheet"
SUMMARY = "State compensation application summary"
HOME = "77 Imaginary Avenue, Springfield"


@pytest.fixture
def fast(migrated_settings: Settings) -> Settings:
    return cheap(migrated_settings)


@pytest.fixture
def world(db_session: Session, fast: Settings) -> World:
    return make_world(db_session, fast)


@pytest.fixture
def site(fast: Settings) -> Iterator[TestClient]:
    with browser(fast) as client:
        yield client


@pytest.fixture
def case(db_session: Session, fast: Settings, world: World) -> LegalCase:
    """A California case with a T visa and a state compensation application; the partner lawyer
    is shown the T visa application only."""
    case = new_case(db_session, fast, world, reference="Case Heron", jurisdiction="US-CA")
    t_visa = start(db_session, fast, world, case, "us.t_visa")
    start(db_session, fast, world, case, "us.state_compensation")
    share_case(
        db_session,
        actor(db_session, world.advocate),
        case,
        lawyer_user_id=world.partner_lawyer.id or 0,
        now=NOW,
        application_public_id=t_visa.public_id,
    )
    return case


def _fields(answers: dict[str, str]) -> dict[str, str]:
    return {"fact-" + key.replace(".", "-"): value for key, value in answers.items()}


def _plain(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_each_document_is_offered_with_its_workflow_and_names_what_it_needs(
    site: TestClient, case: LegalCase
) -> None:
    documents = f"/cases/{case.public_id}/documents"
    sign_in(site, ADVOCATE, PASSWORD)
    page = site.get(documents).text
    assert WORKSHEET in page
    assert SUMMARY in page

    refused = post_form(site, documents, {"template": "state_compensation_summary"}, token_page=documents)

    assert refused.status_code == 422
    assert (
        "answers-state_compensation_summary",
        "The state compensation application summary needs: the person's full name; "
        "the date of the crime; the date of birth.",  # the state comes from the case's jurisdiction
    ) in [(field, html.unescape(message)) for field, message in error_summary(refused.text)]
    assert f"{documents}/state_compensation_summary/answers" in refused.text
    worksheet = post_form(site, documents, {"template": "i914_worksheet"}, token_page=documents)
    assert worksheet.status_code == 422
    assert "The form I-914 worksheet needs: the person's full name." in html.unescape(worksheet.text)
    answers = site.get(f"{documents}/i914_worksheet/answers").text
    assert "Is it safe for letters about the case to be sent to the person" in html.unescape(answers)

    sign_in(site, PARTNER_LAWYER, PASSWORD)
    shown = site.get(documents).text
    assert WORKSHEET in shown
    assert SUMMARY not in shown


def test_the_worker_makes_both_documents_from_the_answers(
    site: TestClient, db_session: Session, fast: Settings, case: LegalCase
) -> None:
    require_libreoffice()
    documents = f"/cases/{case.public_id}/documents"
    sign_in(site, ADVOCATE, PASSWORD)
    answers_url = f"{documents}/state_compensation_summary/answers"
    saved = post_form(
        site,
        answers_url,
        _fields(
            {
                "person.full_name": "Rosa Ficticia",
                "us.state": "US-CA",
                "us.comp.crime_date": "2025-04-30",
                "person.date_of_birth": "1999-02-14",
                "us.comp.trafficking_offence": "true",
                "police.reported": "false",
            }
        ),
        token_page=answers_url,
    )
    assert saved.status_code == 303, saved.text
    worksheet_answers = f"{documents}/i914_worksheet/answers"
    saved = post_form(
        site,
        worksheet_answers,
        _fields({"person.address": HOME, "person.home_mail_safe": "false", "us.t.extreme_hardship": "true"}),
        token_page=worksheet_answers,
    )
    assert saved.status_code == 303, saved.text

    pages = []
    for template in ("state_compensation_summary", "i914_worksheet"):
        queued = post_form(site, documents, {"template": template}, token_page=documents)
        assert queued.status_code == 303, queued.text
        pages.append(location(queued))
    first = db_session.exec(select(DocumentVersion).order_by(DocumentVersion.id)).first()
    assert first is not None
    assert len(service.run_generation(db_session, fast, first.id or 0, now=NOW)) == 2

    summary, worksheet = (_plain(site.get(url).text) for url in pages)
    assert "Apply to CalVCB (7 years): April 30, 2032, in time" in summary
    assert "cannot deny a trafficking victim's application only because there is no police report" in summary
    assert "Proof of the crime without a police report" in summary
    assert "Police report: none" in summary
    assert "In care of Harbour Light Trust" in worksheet
    assert "Part 3, item 4: Extreme hardship" in worksheet
    assert "NO ANSWER YET" in worksheet
    # The page lists the answers the version was built from (the address among them, for staff);
    # the worksheet itself never gives it while home mail is not safe.
    filed = Document(io.BytesIO(site.get(f"{pages[1]}/download/docx").content))
    text = "\n".join(paragraph.text for paragraph in filed.paragraphs)
    assert "said letters must not go home" in text
    assert "Imaginary Avenue" not in text
    assert site.get(f"{pages[1]}/download/pdf").content.startswith(b"%PDF-")
