"""Each workflow of the UK set (issue 7) walked in the pages, as an advocate would: from the
application's page, one question at a time, to "check your answers", which then shows the
deadlines and findings the answers lead to. All data fictional."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.cases import service as cases_service
from api.settings import Settings
from tests.api.cases.builders import World, actor, make_world, new_case
from tests.web.staff_pages import browser, cheap, location
from tests.web.test_interview_pages import csrf, sign_in

FormData = dict[str, str | list[str]]
YES: FormData = {"answer": "yes"}
NO: FormData = {"answer": "no"}
DONT_KNOW: FormData = {"answer": "", "dont_know": "1"}


def on(value: str) -> FormData:
    return {"answer": value}


def gbp(amount: str) -> FormData:
    return {"answer_amount": amount, "answer_currency": "GBP"}


# The answers each walk gives, by fact; the order is the engine's, not this dictionary's.
PLANS: dict[str, tuple[dict[str, FormData], tuple[str, ...]]] = {
    "uk.vts": (
        {
            "nrm.cg_decision": on("positive"),
            "nrm.cg_decision_date": on("2026-06-01"),
            "person.british_citizen": NO,
            "vts.existing_leave": NO,
            "immigration.asylum_claim_pending": NO,
            "immigration.deportation_order": NO,
            "vts.public_order_concern": NO,
            "vts.recovery_need": YES,
            "vts.treatment_available_abroad": NO,
            "vts.compensation_claim": YES,
            "vts.compensation_from_abroad": NO,
            "vts.cooperation_requested": NO,
            "vts.decision": on("granted"),
            "vts.expiry_date": on("2027-05-31"),
            "vts.extension_applied": NO,
        },
        ("31 May 2027", "Apply to extend the permission", "does not lead to settlement"),
    ),
    "uk.et_wages": (
        {
            "employment.claim_types": {"answer": ["unpaid_wages", "discrimination"]},
            "employment.ended": YES,
            "employment.termination_date": on("2026-09-30"),
            "employment.last_payment_date": on("2026-09-15"),
            "employment.discrimination_last_act_date": on("2026-08-31"),
            "employment.right_to_work": NO,
            "acas.contacted": YES,
            "acas.day_a": on("2026-10-01"),
            "acas.day_b": on("2026-10-15"),
            "acas.certificate_number": on("R000001/26/01"),
            "wages.nmw_arrears_total": gbp("1234.56"),
        },
        # 14 Dec 2026 + 14 days of conciliation; the discrimination limit 30 Nov + 14 days.
        ("28 December 2026", "14 December 2026", "Hounga v Allen"),
    ),
    "uk.civil_claim": (
        {
            "civil.claim_types": {"answer": ["personal_injury", "human_rights"]},
            "person.date_of_birth": on("1990-01-01"),
            "civil.accrual_date": on("2024-05-10"),
            "civil.date_of_knowledge": DONT_KNOW,
            "civil.hra_act_date": on("2026-02-10"),
            "civil.concealment": NO,
        },
        ("10 May 2027", "9 February 2027", "Human Rights Act 1998 s.7(5)"),
    ),
    "uk.stro": (
        {
            "stro.prosecution_stage": on("convicted"),
            "stro.msa_offence": YES,
            "stro.confiscation": YES,
            "stro.sentence_date": on("2026-12-15"),
            "stro.loss_types": {"answer": ["unpaid_wages", "injury"]},
            "wages.nmw_arrears_total": gbp("500.00"),
            "stro.victim_statement_made": YES,
        },
        ("15 December 2026", "must consider making one"),
    ),
    "uk.legal_aid": (
        {
            "nrm.rg_decision": on("positive"),
            "nrm.cg_decision": on("pending"),
            "legal_aid.matters": {"answer": ["immigration", "employment", "cica"]},
            "legal_aid.provider_found": NO,
        },
        ("not covered by legal aid", "In scope: applications for permission to stay"),
    ),
}


@pytest.fixture
def fast_settings(migrated_settings: Settings) -> Settings:
    return cheap(migrated_settings)


@pytest.fixture
def client(fast_settings: Settings) -> Iterator[TestClient]:
    with browser(fast_settings) as test_client:
        yield test_client


@pytest.fixture
def world(db_session: Session, fast_settings: Settings) -> World:
    return make_world(db_session, fast_settings)


@pytest.mark.parametrize("workflow_id", sorted(PLANS))
def test_the_workflow_is_walked_from_start_to_check_your_answers(
    workflow_id: str, client: TestClient, db_session: Session, fast_settings: Settings, world: World
) -> None:
    settings = fast_settings
    plan, expected = PLANS[workflow_id]
    case = new_case(db_session, settings, world, reference=f"Walk {workflow_id}")
    application = cases_service.start_application(
        db_session,
        settings,
        actor(db_session, world.advocate),
        case,
        workflow_id,
        now=datetime.now(UTC),
        today=datetime.now(UTC).date(),
    )
    sign_in(client, db_session, settings, world.advocate)
    base = f"/cases/{case.public_id}/applications/{application.public_id}"

    response = client.get(base)
    asked: list[str] = []
    while location(response) != f"{base}/check-answers":
        assert response.status_code == 303, response.text
        url = location(response)
        fact = url.removeprefix(f"{base}/questions/")
        assert fact in plan, (
            f"{workflow_id} asked {fact}, which the walk does not expect (asked so far: {asked})"
        )
        assert fact not in asked, f"{fact} asked twice"
        page = client.get(url)
        assert page.status_code == 200
        assert "Why we ask:" in page.text
        asked.append(fact)
        response = client.post(url, data={**plan[fact], "csrf_token": csrf(client, url)})

    assert set(asked) == set(plan), f"not asked: {set(plan) - set(asked)}"
    page = client.get(f"{base}/check-answers")
    assert page.status_code == 200
    assert "Check your answers" in page.text
    for text in expected:
        assert text in page.text, text
