"""``redress demo``: a fictional organisation, its people, and cases at different stages.

Everything here is invented: organisation and person names, references, dates relative to
today. It goes through the same services as the pages, so what a newcomer sees is what the
product does (encryption, audit events, evaluations included). Refused in production, and on
a database that already has organisations (it would mix invented data with real cases).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from sqlmodel import Session

from api.access import actor_for
from api.cases import service as cases_service
from api.cases.models import ApplicationStatus, LegalCase
from api.cases.sharing import share_case
from api.cases.status import set_application_status
from api.cases.survivor_access import issue_access_code, redeem_access_code
from api.deadlines import service as deadlines_service
from api.orgs import service as orgs_service
from api.orgs.models import Role
from api.settings import Settings
from api.survivor_questions import service as survivor_questions

DEMO_PASSWORD: Final = "demo-passphrase-not-secret"
SURVIVOR_PASSPHRASE: Final = "blue-kettle-morning-walk"


class DemoRefused(RuntimeError):
    """The demo cannot be loaded here (production, or a database already in use)."""


@dataclass(frozen=True)
class DemoLogin:
    """How to sign in as one of the demo people."""

    role: str
    name: str
    sign_in: str
    passphrase: str


def _ago(today: date, days: int) -> str:
    return (today - timedelta(days=days)).isoformat()


def load_demo(session: Session, settings: Settings, *, now: datetime, today: date) -> list[DemoLogin]:
    """Create the demo organisation, people and cases; return how to sign in as each."""
    if settings.environment == "production":
        raise DemoRefused("The demo is not available in production.")
    if orgs_service.is_set_up(session):
        raise DemoRefused(
            "This database is already set up; load the demo into an empty one (new REDRESS_DATA_DIR)."
        )
    organisation, admin = orgs_service.create_first_organisation(
        session,
        settings,
        org_name="Northbridge Support Project (demo)",
        admin_email="admin@northbridge.example",
        admin_name="Priya Admin",
        password=DEMO_PASSWORD,
        now=now,
    )
    org_id = _id(organisation.id)
    advocate = orgs_service.create_user(
        session, settings, organisation_id=org_id, email="advocate@northbridge.example",
        display_name="Sam Advocate", role=Role.ADVOCATE, password=DEMO_PASSWORD, now=now,
    )  # fmt: skip
    clinic = orgs_service.create_organisation(session, name="Fairhaven Legal Clinic (demo)", now=now)
    lawyer = orgs_service.create_user(
        session, settings, organisation_id=_id(clinic.id), email="lawyer@fairhaven.example",
        display_name="Jordan Lawyer", role=Role.LAWYER, password=DEMO_PASSWORD, now=now,
    )  # fmt: skip
    orgs_service.link_partner(session, org_id, _id(clinic.id))
    actor = actor_for(session, advocate)

    def open_case(
        reference: str,
        language: str,
        workflows: list[str],
        facts: dict[str, object],
        jurisdiction: str = "GB-ENG",
    ) -> LegalCase:
        case = cases_service.create_case(
            session, settings, actor, reference=reference, preferred_language=language,
            jurisdiction=jurisdiction, now=now,
        )  # fmt: skip
        for workflow_id in workflows:
            cases_service.start_application(session, settings, actor, case, workflow_id, now=now, today=today)
        if facts:
            cases_service.change_facts(
                session, settings, actor, case, facts, source="advocate", now=now, today=today
            )
        return case

    # 1. Recovery period running; compensation claim started, police report made.
    swallow = open_case(
        "DEMO-001 Swallow", "ro", ["uk.nrm", "uk.cica"],
        {
            "person.date_of_birth": "1994-03-17", "nrm.possibly_child": False, "person.nationality": "RO",
            "exploitation.jurisdiction": "GB-ENG", "exploitation.types": ["labour"],
            "nrm.first_responder_org": True, "nrm.consent_given": True, "nrm.destitute": True,
            "nrm.prior_referral": False, "person.criminal_proceedings": False,
            "immigration.deportation_order": False, "nrm.referral_date": _ago(today, 40),
            "nrm.rg_decision": "positive", "nrm.rg_decision_date": _ago(today, 33),
            "nrm.cg_decision": "pending", "incident.date": _ago(today, 120),
            "incident.violence_or_threat": True, "police.reported": True,
            "police.first_report_date": _ago(today, 45), "police.crime_reference": "DEMO/2201/FICTIONAL",
        },
    )  # fmt: skip
    # 2. A compensation claim in time, nearly ready.
    open_case(
        "DEMO-002 Kestrel", "sq", ["uk.cica"],
        {
            "person.date_of_birth": "1988-11-02", "person.british_citizen": False,
            "exploitation.types": ["sexual"], "exploitation.jurisdiction": "GB-WLS",
            "incident.date": _ago(today, 300), "incident.violence_or_threat": True,
            "police.reported": True, "police.first_report_date": _ago(today, 290),
            "police.cooperating": True, "cica.ordinarily_resident": False, "nrm.referred": True,
            "cica.unspent_listed_conviction": False, "cica.injury_physical": True,
            "cica.injury_mental": False,
        },
    )  # fmt: skip
    # 3. A negative Reasonable Grounds decision: the 30-day reconsideration clock is running.
    heron = open_case(
        "DEMO-003 Heron", "vi", ["uk.nrm"],
        {
            "person.date_of_birth": "1999-07-08", "nrm.possibly_child": False, "person.nationality": "VN",
            "exploitation.jurisdiction": "GB-ENG", "exploitation.types": ["criminal"],
            "nrm.first_responder_org": True, "nrm.consent_given": True, "nrm.destitute": False,
            "nrm.prior_referral": False, "person.criminal_proceedings": True,
            "immigration.deportation_order": False, "nrm.referral_date": _ago(today, 20),
            "nrm.rg_decision": "negative", "nrm.rg_decision_date": _ago(today, 12),
        },
    )  # fmt: skip
    # 4. A child: no consent needed, always referred.
    open_case(
        "DEMO-004 Wren",
        "ar",
        ["uk.nrm"],
        {"person.date_of_birth": _ago(today, 16 * 365 + 100), "exploitation.jurisdiction": "GB-ENG"},
    )
    # 5. A compensation claim out of time: the extension questions apply.
    open_case(
        "DEMO-005 Plover", "es", ["uk.cica"],
        {
            "person.date_of_birth": "1979-01-30", "person.british_citizen": True,
            "exploitation.types": ["domestic_servitude"], "exploitation.jurisdiction": "GB-ENG",
            "incident.date": _ago(today, 3 * 365), "incident.violence_or_threat": True,
            "police.reported": True, "police.first_report_date": _ago(today, 3 * 365 - 10),
        },
    )  # fmt: skip
    # 6. Unpaid wages: early conciliation has started, so the tribunal limit is extended.
    open_case(
        "DEMO-006 Lapwing", "ro", ["uk.et_wages"],
        {
            "employment.claim_types": ["unpaid_wages"], "employment.ended": True,
            "employment.termination_date": _ago(today, 70), "employment.last_payment_date": _ago(today, 75),
            "acas.contacted": True, "acas.day_a": _ago(today, 20), "acas.day_b": _ago(today, 5),
        },
    )  # fmt: skip
    # 7. A T visa in the United States, filed and waiting; US business days and federal holidays.
    egret = open_case(
        "DEMO-007 Egret", "es", ["us.t_visa"],
        {
            "person.date_of_birth": "1994-02-03", "exploitation.start_date": _ago(today, 3 * 365),
            "us.t.force_fraud_coercion": True, "us.t.purpose": "involuntary_servitude",
            "us.t.present_on_account": True, "us.t.left_us_since": False, "us.lea.contacted": True,
            "us.lea.complied": True, "us.t.wants_supp_b": True, "us.t.extreme_hardship": True,
            "us.t.inadmissibility": False, "us.t.in_removal_proceedings": False,
            "us.t.family_members": False, "us.t.filing_date": _ago(today, 60),
        },
        jurisdiction="US-CA",
    )  # fmt: skip
    # The reconsideration deadline of DEMO-003 has been checked by the advocate: it counts.
    for deadline in deadlines_service.list_deadlines(session, settings, actor, heron):
        deadlines_service.confirm_deadline(session, settings, actor, heron, deadline.row.public_id, now=now)
    share_case(session, actor, swallow, lawyer_user_id=_id(lawyer.id), now=now)
    code = issue_access_code(session, settings, actor, swallow, now=now)
    survivor = redeem_access_code(
        session, settings, code=code, passphrase=SURVIVOR_PASSPHRASE, display_name="Ana", now=now
    )
    # The advocate asked the person one question on their own pages, in their language.
    survivor_questions.ask(
        session, settings, actor, swallow, fact_key="exploitation.start_date",
        note="Roughly is fine: the month and year you started working there.", now=now,
    )  # fmt: skip
    (t_visa,) = cases_service.list_applications(session, actor, egret)
    set_application_status(session, actor, egret, t_visa, ApplicationStatus.FILED.value, now=now)
    return [
        DemoLogin("org admin", admin.display_name, "admin@northbridge.example", DEMO_PASSWORD),
        DemoLogin("advocate", advocate.display_name, "advocate@northbridge.example", DEMO_PASSWORD),
        DemoLogin("pro bono lawyer", lawyer.display_name, "lawyer@fairhaven.example", DEMO_PASSWORD),
        DemoLogin(
            "survivor (case DEMO-001)", survivor.display_name, str(survivor.sign_in_name), SURVIVOR_PASSPHRASE
        ),
    ]


def _id(value: int | None) -> int:
    if value is None:
        raise RuntimeError("a saved row has no id")
    return value
