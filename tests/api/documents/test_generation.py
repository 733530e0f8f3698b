"""Asking for a document, generating it (the worker's service, called directly here), staleness,
the lawyer's review and the filing record, on the real database."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
from docx import Document
from sqlmodel import Session, select

from api.audit.models import CaseEvent
from api.cases import service as cases_service
from api.cases.errors import AccessDenied, CaseInputError, CaseNotFound
from api.cases.models import LegalCase
from api.cases.sharing import share_case
from api.documents import review, service
from api.documents.bundle import Attachment
from api.documents.models import DocumentVersion, GenerationStatus, ReviewStatus
from api.documents.rendering import MissingFacts
from api.evidence import service as evidence_service
from api.settings import Settings
from api.wages import service as wages_service
from tests.api.cases.builders import NOW, TODAY, World, actor, new_case
from tests.api.documents.fixtures import FACTS
from tests.api.documents.programs import require_libreoffice
from workflows.wages.uk_minimum_wage import PayPeriod

CICA_FACTS = {
    key: FACTS[key]
    for key in (
        "person.full_name",
        "person.date_of_birth",
        "incident.date",
        "police.reported",
        "police.first_report_date",
        "police.crime_reference",
        "account.narrative",
    )
}


def _case_with_facts(session: Session, settings: Settings, world: World) -> LegalCase:
    case = new_case(session, settings, world)
    cases_service.change_facts(
        session,
        settings,
        actor(session, world.advocate),
        case,
        CICA_FACTS,
        source="advocate",
        now=NOW,
        today=TODAY,
    )
    return case


def _generated(session: Session, settings: Settings, world: World, case: LegalCase) -> DocumentVersion:
    version = service.request_generation(
        session, settings, actor(session, world.advocate), case, "cica_claim_pack", now=NOW
    )
    assert version.status == GenerationStatus.QUEUED.value
    assert service.run_generation(session, settings, version.id or 0, now=NOW) == [version.id]
    session.refresh(version)
    return version


def test_a_generated_version_is_encrypted_and_records_what_it_used(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    require_libreoffice()
    case = _case_with_facts(db_session, cheap_settings, world)

    version = _generated(db_session, cheap_settings, world, case)

    assert version.status == GenerationStatus.DONE.value
    assert version.docx_encrypted is not None
    assert b"Mirela" not in version.docx_encrypted  # encrypted at rest
    docx = service.read_part(cheap_settings, case, version, "docx")
    assert docx is not None
    assert hashlib.sha256(docx).hexdigest() == version.docx_sha256
    assert "Mirela Testescu" in "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    pdf = service.read_part(cheap_settings, case, version, "pdf")
    assert pdf is not None
    assert pdf.startswith(b"%PDF-")
    used = service.facts_used(version)
    assert used["police.first_report_date"] is not None
    assert used["cica.application_reference"] is None  # optional, unanswered: a change would matter
    assert version.template_version == "1.0"
    texts = [block.text for block in service.read_blocks(cheap_settings, case, version)]
    assert "Evidence index" in texts


def test_missing_facts_refuse_the_request_by_name_and_save_nothing(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = new_case(db_session, cheap_settings, world)

    with pytest.raises(MissingFacts, match="date of first police report"):
        service.request_generation(
            db_session, cheap_settings, actor(db_session, world.advocate), case, "cica_claim_pack", now=NOW
        )

    assert db_session.exec(select(DocumentVersion)).all() == []


def test_a_repeated_or_late_task_does_nothing(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    require_libreoffice()
    case = _case_with_facts(db_session, cheap_settings, world)
    version = _generated(db_session, cheap_settings, world, case)

    assert service.run_generation(db_session, cheap_settings, version.id or 0, now=NOW) == []


def test_the_sweep_requeues_lost_and_stuck_work(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = _case_with_facts(db_session, cheap_settings, world)
    lost = service.request_generation(
        db_session, cheap_settings, actor(db_session, world.advocate), case, "cica_claim_pack", now=NOW
    )
    lost.status, lost.started_at = GenerationStatus.RUNNING.value, NOW
    db_session.add(lost)
    db_session.commit()

    assert service.sweep(db_session, now=NOW + timedelta(minutes=1)) == []  # running, not yet stuck
    assert service.sweep(db_session, now=NOW + timedelta(minutes=11)) == [lost.id]
    db_session.refresh(lost)
    assert lost.status == GenerationStatus.QUEUED.value


def test_changing_a_fact_marks_the_document_stale_with_the_fact(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    require_libreoffice()
    case = _case_with_facts(db_session, cheap_settings, world)
    version = _generated(db_session, cheap_settings, world, case)

    cases_service.change_facts(
        db_session,
        cheap_settings,
        actor(db_session, world.advocate),
        case,
        {"police.crime_reference": "WY-2024-00043", "nrm.referral_date": "2024-09-06"},
        source="advocate",
        now=NOW,
        today=TODAY,
    )

    db_session.refresh(version)
    assert service.stale_facts(version) == ["police.crime_reference"]  # the NRM date is not used


def test_a_shared_lawyer_approves_and_the_version_is_frozen_with_its_hash(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    require_libreoffice()
    case = _case_with_facts(db_session, cheap_settings, world)
    share_case(
        db_session,
        actor(db_session, world.advocate),
        case,
        lawyer_user_id=world.partner_lawyer.id or 0,
        now=NOW,
    )
    version = _generated(db_session, cheap_settings, world, case)
    lawyer = actor(db_session, world.partner_lawyer)

    with pytest.raises(AccessDenied):
        review.decide(db_session, actor(db_session, world.advocate), case, version, approve=True, now=NOW)
    review.add_comment(
        db_session,
        cheap_settings,
        lawyer,
        case,
        version,
        body="Paragraph 3: add the date.",
        paragraph=3,
        now=NOW,
    )
    approved = review.decide(db_session, lawyer, case, version, approve=True, now=NOW)

    assert approved.review_status == ReviewStatus.APPROVED.value
    docx = service.read_part(cheap_settings, case, approved, "docx")
    assert docx is not None
    assert approved.approved_sha256 == hashlib.sha256(docx).hexdigest()
    with pytest.raises(CaseInputError, match="reviewed already"):
        review.decide(db_session, lawyer, case, version, approve=False, now=NOW)
    comments = review.list_comments(db_session, cheap_settings, case, version)
    assert [(c.body, c.paragraph, c.author_name) for c in comments] == [
        ("Paragraph 3: add the date.", 3, "Eli Lawyer")
    ]
    filing = review.record_filing(
        db_session,
        actor(db_session, world.advocate),
        case,
        approved,
        filed_on=TODAY,
        method="online",
        recipient="CICA",
        today=TODAY,
        now=NOW,
    )
    assert filing.recipient == "CICA"
    actions = db_session.exec(select(CaseEvent.action).where(CaseEvent.subject == version.public_id)).all()
    assert set(actions) >= {"document.requested", "document.commented", "document.approved", "document.filed"}


def test_a_stale_version_cannot_be_approved_and_the_next_one_shows_the_difference(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    require_libreoffice()
    case = _case_with_facts(db_session, cheap_settings, world)
    share_case(
        db_session,
        actor(db_session, world.advocate),
        case,
        lawyer_user_id=world.partner_lawyer.id or 0,
        now=NOW,
    )
    first = _generated(db_session, cheap_settings, world, case)
    lawyer = actor(db_session, world.partner_lawyer)
    review.decide(db_session, lawyer, case, first, approve=False, now=NOW)
    cases_service.change_facts(
        db_session,
        cheap_settings,
        actor(db_session, world.advocate),
        case,
        {"police.crime_reference": "WY-2024-00043"},
        source="advocate",
        now=NOW,
        today=TODAY,
    )
    second = _generated(db_session, cheap_settings, world, case)

    assert review.last_reviewed_before(db_session, second) == first
    changes = review.differences(
        service.read_blocks(cheap_settings, case, first), service.read_blocks(cheap_settings, case, second)
    )
    assert any(line.change == "added" and "WY-2024-00043" in line.text for line in changes)
    assert any(line.change == "removed" and "WY-2024-00042" in line.text for line in changes)
    db_session.refresh(first)
    assert json.loads(first.stale_facts or "[]") == ["police.crime_reference"]


def test_documents_are_for_caseworkers_and_shared_lawyers_only(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    case = _case_with_facts(db_session, cheap_settings, world)
    share_case(
        db_session,
        actor(db_session, world.advocate),
        case,
        lawyer_user_id=world.partner_lawyer.id or 0,
        now=NOW,
    )

    with pytest.raises(CaseNotFound):
        service.list_documents(db_session, actor(db_session, world.lawyer), case)  # not shared with him
    with pytest.raises(AccessDenied):
        service.request_generation(
            db_session,
            cheap_settings,
            actor(db_session, world.partner_lawyer),
            case,
            "cica_claim_pack",
            now=NOW,
        )
    titles = [
        d.manifest.title
        for d in service.list_documents(db_session, actor(db_session, world.partner_lawyer), case)
    ]
    assert "CICA claim pack" in titles
    assert "Declaration under 28 U.S.C. §1746 (Form I-914)" not in titles  # a UK case


def test_an_answer_changed_while_the_version_is_made_leaves_it_stale(
    db_session: Session, cheap_settings: Settings, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_libreoffice()
    case = _case_with_facts(db_session, cheap_settings, world)
    version = service.request_generation(
        db_session, cheap_settings, actor(db_session, world.advocate), case, "cica_claim_pack", now=NOW
    )
    real_conversion = service.convert_docx_batch

    def answered_meanwhile(documents: list[bytes]) -> object:
        # The advocate corrects an answer while LibreOffice is busy with the rendered file.
        cases_service.change_facts(
            db_session,
            cheap_settings,
            actor(db_session, world.advocate),
            case,
            {"police.crime_reference": "WY-2024-00099"},
            source="advocate",
            now=NOW + timedelta(seconds=1),
            today=TODAY,
        )
        return real_conversion(documents)

    monkeypatch.setattr(service, "convert_docx_batch", answered_meanwhile)
    service.run_generation(db_session, cheap_settings, version.id or 0, now=NOW)

    db_session.refresh(version)
    assert version.status == GenerationStatus.DONE.value
    assert service.stale_facts(version) == ["police.crime_reference"]


def test_uploaded_evidence_is_indexed_in_the_claim_pack_and_goes_into_the_bundle(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    require_libreoffice()
    case = _case_with_facts(db_session, cheap_settings, world)
    advocate = actor(db_session, world.advocate)
    scan = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )
    evidence_service.upload(
        db_session, cheap_settings, advocate, case, name="GP letter & scan.pdf", content=scan, now=NOW
    )

    version = _generated(db_session, cheap_settings, world, case)

    docx = service.read_part(cheap_settings, case, version, "docx")
    assert docx is not None
    text = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    assert "GP letter & scan.pdf" in text
    assert "No evidence has been uploaded yet" not in text
    version.review_status, version.approved_sha256 = ReviewStatus.APPROVED.value, version.docx_sha256
    db_session.add(version)
    db_session.commit()
    uploads = evidence_service.evidence_attachments(db_session, cheap_settings, advocate, case)
    bundle = service.build_bundle(
        db_session, cheap_settings, advocate, case, evidence=[Attachment(*upload) for upload in uploads]
    )
    with zipfile.ZipFile(io.BytesIO(bundle.zip_bytes)) as archive:
        assert archive.namelist()[-1] == "03 GP letter _ scan.pdf"  # after the pack's two files


ET1_FACTS = {
    "person.full_name": "Mirela Testescu",
    "person.date_of_birth": "1994-06-12",
    "employment.employer_name": "Fictional Farms Ltd",
    "employment.employer_address": "1 Nowhere Lane, Leeds LS1 1ZZ",
    "employment.start_date": "2024-03-01",
    "employment.work_done": "Picking and packing fruit.",
    "employment.claim_types": ["unpaid_wages"],
    "employment.ended": True,
    "employment.termination_date": "2024-09-02",
    "employment.last_payment_date": "2024-08-30",
    "acas.contacted": True,
    "acas.day_a": "2024-10-01",
    "acas.day_b": "2024-10-15",
    "acas.certificate_number": "R000000/24/00",
}


def test_the_et1_rider_shows_the_minimum_wage_working_period_by_period(
    db_session: Session, cheap_settings: Settings, world: World
) -> None:
    require_libreoffice()
    case = new_case(db_session, cheap_settings, world)
    advocate = actor(db_session, world.advocate)
    cases_service.change_facts(
        db_session, cheap_settings, advocate, case, ET1_FACTS, source="advocate", now=NOW, today=TODAY
    )
    periods = [
        PayPeriod(date(2024, 4, 1), date(2024, 4, 7), Decimal(60), Decimal(100)),
        PayPeriod(date(2024, 4, 8), date(2024, 4, 14), Decimal(60), Decimal(100)),
    ]
    wages_service.save_periods(db_session, cheap_settings, advocate, case, periods, now=NOW, today=TODAY)

    version = service.request_generation(
        db_session, cheap_settings, advocate, case, "et1_grounds_rider", now=NOW
    )
    service.run_generation(db_session, cheap_settings, version.id or 0, now=NOW)
    db_session.refresh(version)
    docx = service.read_part(cheap_settings, case, version, "docx")
    assert docx is not None
    text = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)

    assert "The working, pay reference period by pay reference period, is:" in text
    assert "1 April 2024 to 7 April 2024: 60 hours at £11.44 an hour" in text
    assert "8 April 2024 to 14 April 2024: 60 hours" in text
    # Changing a period makes the rider out of date, naming the periods.
    wages_service.save_periods(
        db_session, cheap_settings, advocate, case, periods[:1], now=NOW + timedelta(hours=1), today=TODAY
    )
    db_session.refresh(version)
    assert "wages.pay_periods" in service.stale_facts(version)
