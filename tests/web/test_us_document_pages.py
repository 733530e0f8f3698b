"""The US set's lawyer-facing documents on the documents pages (real app and database, fictional
data): the Form I-914 worksheet is offered with the T visa and the state compensation summary with
state compensation (a lawyer shown one application sees only its documents), a request without
the answers a document needs is refused naming them, and the worker's version says what the
answers say, with the home address kept off the worksheet. A copy of the fillable I-914 (built
by the test) is uploaded, refused clearly when unusable, filled by the worker and downloaded."""

from __future__ import annotations

import html
import io
import re

import pytest
from docx import Document
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, select

from api.cases.models import LegalCase
from api.cases.sharing import share_case
from api.documents import form_fill, service
from api.documents.models import DocumentVersion, FormFill
from api.documents.pdf_form import field_values
from api.settings import Settings
from tests.api.cases.builders import NOW, PASSWORD, World, actor, new_case, start
from tests.api.documents.fillable_pdf import fillable_pdf
from tests.api.documents.programs import require_libreoffice
from tests.web.staff_pages import csrf_token, error_summary, location, post_form, sign_in

ADVOCATE = "bea@harbour.example"
PARTNER_LAWYER = "eli@quayside.example"
WORKSHEET = "Form I-914 worksheet"
SUMMARY = "State compensation application summary"
HOME = "77 Imaginary Avenue, Springfield"


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
    assert "The Form I-914 worksheet needs: the person's full name." in html.unescape(worksheet.text)
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


def _upload(site: TestClient, url: str, content: bytes, name: str = "i-914.pdf") -> Response:
    token = csrf_token(site, url)
    return site.post(url, data={"csrf_token": token}, files={"file": (name, content, "application/pdf")})


def test_a_copy_of_the_official_form_is_uploaded_filled_by_the_worker_and_downloaded(
    site: TestClient, db_session: Session, fast: Settings, case: LegalCase
) -> None:
    documents = f"/cases/{case.public_id}/documents"
    form_page = f"{documents}/i914-pdf"
    sign_in(site, ADVOCATE, PASSWORD)
    worksheet_answers = f"{documents}/i914_worksheet/answers"
    saved = post_form(
        site,
        worksheet_answers,
        _fields({"person.full_name": "Rosa Ficticia", "person.date_of_birth": "1999-02-14"}),
        token_page=worksheet_answers,
    )
    assert saved.status_code == 303, saved.text
    assert form_page in site.get(documents).text

    scan = _upload(site, form_page, fillable_pdf((), ()), name="scan.pdf")
    assert scan.status_code == 422
    assert ("file", "This PDF has no fillable fields") in [
        (field, html.unescape(message)[:31]) for field, message in error_summary(scan.text)
    ]
    nothing = _upload(site, form_page, b"", name="")
    assert nothing.status_code == 422
    assert "Choose the blank fillable Form I-914" in nothing.text

    sent = _upload(site, form_page, fillable_pdf())
    assert sent.status_code == 303, sent.text
    assert "Waiting" in site.get(location(sent)).text
    fill = db_session.exec(select(FormFill)).one()
    assert form_fill.run_fill(db_session, fast, fill.id or 0, now=NOW)

    sign_in(site, PARTNER_LAWYER, PASSWORD)  # shown the T visa: the form is theirs to check too
    page = _plain(site.get(form_page).text)
    assert "Part 2, date of birth (P1_Line2_DateOfBirth[0])" in page
    assert "To complete by hand" in page
    assert "Part 3, item 2.A: Complied with reasonable requests" in page
    download = site.get(f"{form_page}/{fill.public_id}/download")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/pdf"
    assert field_values(download.content)["P1_Line2_DateOfBirth[0]"] == "02/14/1999"


def test_a_form_larger_than_an_ordinary_request_reaches_the_page_s_own_check(
    site: TestClient, fast: Settings, case: LegalCase
) -> None:
    form_page = f"/cases/{case.public_id}/documents/i914-pdf"
    sign_in(site, ADVOCATE, PASSWORD)
    bulky = b"GIF89a" + b"\0" * (fast.max_request_bytes + 500_000)  # over the ordinary request limit

    refused = _upload(site, form_page, bulky, name="photo.gif")

    assert refused.status_code == 422  # not a bare 413: the upload path has the files' own limit
    assert "This is not a PDF." in refused.text
