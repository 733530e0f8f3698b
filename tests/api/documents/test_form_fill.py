"""Filling a user's copy of the fillable Form I-914 (``api/documents/form_fill.py``): the upload
is checked (a PDF with the I-914's fillable fields) and refused clearly with nothing saved; the
worker fills it from the case's answers through the field table, keeps it editable, stores it
encrypted under the case's key, lists what is left by hand, and records each step. The blank
forms are built by the tests with reportlab; the people are fictional."""

from __future__ import annotations

import io
from typing import Final

import pytest
from pypdf import PdfReader
from sqlmodel import Session, select

from api.audit.models import CaseEvent
from api.cases import service as cases_service
from api.cases.errors import AccessDenied, CaseInputError
from api.cases.models import LegalCase
from api.cases.sharing import share_case
from api.documents import form_fill
from api.documents.models import FormFill
from api.documents.pdf_form import FormFileError, field_values
from api.settings import Settings
from tests.api.cases.builders import NOW, TODAY, World, actor, new_case, start
from tests.api.documents.fillable_pdf import fillable_pdf

HOME: Final = "77 Imaginary Avenue, Springfield"
ANSWERS: Final[dict[str, object]] = {
    "person.full_name": "Rosa Ficticia",
    "person.date_of_birth": "1994-06-12",
    "person.nationality": "RO",
    "person.address": HOME,
    "person.home_mail_safe": False,
    "exploitation.start_date": "2024-03-11",
    "us.t.force_fraud_coercion": True,
    "us.t.extreme_hardship": False,
    "us.lea.contacted": True,
    "us.lea.complied": True,
}


@pytest.fixture
def case(db_session: Session, cheap_settings: Settings, world: World) -> LegalCase:
    case = new_case(db_session, cheap_settings, world, reference="Case Egret", jurisdiction="US-NY")
    start(db_session, cheap_settings, world, case, "us.t_visa")
    cases_service.change_facts(
        db_session,
        cheap_settings,
        actor(db_session, world.advocate),
        case,
        ANSWERS,
        source="advocate",
        now=NOW,
        today=TODAY,
    )
    return case


def _fills(session: Session) -> list[FormFill]:
    return list(session.exec(select(FormFill)).all())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"GIF89a not a pdf", "This is not a PDF."),
        (b"%PDF-1.7\nthis is not really a PDF", "could not be read"),
        (fillable_pdf((), ()), "This PDF has no fillable fields"),
        (
            fillable_pdf(("Applicant_Name[0]",), ("Agree[0]",), title="Another form"),
            "None of Form I-914's known fields",
        ),
    ],
    ids=["empty", "not a pdf", "damaged", "no fields", "another form"],
)
def test_an_unusable_upload_is_refused_with_what_to_do_and_nothing_is_kept(
    db_session: Session, cheap_settings: Settings, world: World, case: LegalCase, content: bytes, message: str
) -> None:
    with pytest.raises(FormFileError, match=message):
        form_fill.request_fill(
            db_session, cheap_settings, actor(db_session, world.advocate), case, content, now=NOW
        )

    assert _fills(db_session) == []


def test_a_file_over_the_limit_is_refused(
    db_session: Session, cheap_settings: Settings, world: World, case: LegalCase
) -> None:
    small = cheap_settings.model_copy(update={"evidence_max_bytes": 1_000})

    with pytest.raises(FormFileError, match="too big: the limit is"):
        form_fill.request_fill(
            db_session, small, actor(db_session, world.advocate), case, fillable_pdf(), now=NOW
        )
    assert _fills(db_session) == []


def test_the_worker_fills_the_form_keeps_it_editable_and_lists_the_rest(
    db_session: Session, cheap_settings: Settings, world: World, case: LegalCase
) -> None:
    advocate = actor(db_session, world.advocate)
    blank = fillable_pdf()
    fill = form_fill.request_fill(db_session, cheap_settings, advocate, case, blank, now=NOW)
    assert fill.status == "queued"
    assert b"%PDF" not in fill.blank_encrypted  # kept encrypted under the case's key

    assert form_fill.run_fill(db_session, cheap_settings, fill.id or 0, now=NOW) is True
    assert form_fill.run_fill(db_session, cheap_settings, fill.id or 0, now=NOW) is False  # once only

    db_session.refresh(fill)
    assert fill.status == "done", fill.error
    assert fill.filled_encrypted is not None
    assert b"%PDF" not in fill.filled_encrypted
    filled = form_fill.download_filled(db_session, cheap_settings, advocate, case, fill.public_id, now=NOW)
    assert filled is not None
    values = field_values(filled)
    assert values["P1_Line2_DateOfBirth[0]"] == "06/12/1994"
    assert values["P1_Line8_InCareofName[0]"] == "Harbour Light Trust"
    assert values["P3_Line11_CountryOfCitizenshipOrNationality[0]"] == "Romania"
    assert values["Q1_yes[0]"] not in (None, "/Off")
    assert values["Q1_no[0]"] in (None, "/Off")
    assert values["Q4_no[0]"] not in (None, "/Off")
    assert values["Q4_yes[0]"] in (None, "/Off")
    assert values["Q6_no[0]"] not in (None, "/Off")  # 29 at the first act
    assert HOME.encode() not in filled
    reader = PdfReader(io.BytesIO(filled))
    assert "/AcroForm" in reader.trailer["/Root"]  # not flattened: the lawyer can still edit it
    assert reader.get_fields() is not None
    report = form_fill.report_of(fill)
    assert report is not None
    assert ("Part 2, date of birth", "P1_Line2_DateOfBirth[0]") in report.filled
    left = {place: reason for place, _label, reason in report.by_hand}
    assert "Q2_yes[0] is not in this copy" in left["Part 3, item 2.A"]
    assert "Ask before filing" in left["Part 3, item 3"]
    assert "briefcaddy" in report.source
    actions = [
        event.action
        for event in db_session.exec(select(CaseEvent).where(CaseEvent.subject == fill.public_id)).all()
    ]
    assert actions == ["form_fill.requested", "form_fill.completed", "form_fill.downloaded"]


def test_a_lawyer_not_shown_the_t_visa_cannot_fill_or_download(
    db_session: Session, cheap_settings: Settings, world: World, case: LegalCase
) -> None:
    advocate = actor(db_session, world.advocate)
    compensation = start(db_session, cheap_settings, world, case, "us.state_compensation")
    share_case(
        db_session,
        advocate,
        case,
        lawyer_user_id=world.partner_lawyer.id or 0,
        now=NOW,
        application_public_id=compensation.public_id,
    )
    fill = form_fill.request_fill(db_session, cheap_settings, advocate, case, fillable_pdf(), now=NOW)
    lawyer = actor(db_session, world.partner_lawyer)

    with pytest.raises(AccessDenied):
        form_fill.request_fill(db_session, cheap_settings, lawyer, case, fillable_pdf(), now=NOW)
    with pytest.raises(AccessDenied):
        form_fill.download_filled(db_session, cheap_settings, lawyer, case, fill.public_id, now=NOW)


def test_a_case_outside_the_us_is_refused(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    british = new_case(db_session, cheap_settings, world, reference="Case Puffin")

    with pytest.raises(CaseInputError, match="cases in the United States"):
        form_fill.request_fill(
            db_session, cheap_settings, actor(db_session, world.advocate), british, fillable_pdf(), now=NOW
        )
