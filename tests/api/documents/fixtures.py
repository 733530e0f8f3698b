"""Fictional facts for every claim template: nobody real, nothing that happened."""

from __future__ import annotations

from typing import Final

from workflows.manifests import LANGUAGE_FACT

# A name with every character autoescaping must keep exactly as typed.
AWKWARD_NAME: Final = 'Ana-Maria O\'Neill & <Sons> "Test"'

ACCOUNT: Final = (
    "In March 2024 I was offered work picking fruit on a farm near Wetherby.\n\n"
    "When I arrived my passport was taken and I was told I owed £4,000 for transport.\n\n"
    "I left on 2 September 2024 with the help of a support worker, Lena Marsh."
)

# Raw JSON-style values, as change_facts takes them.
FACTS: Final[dict[str, object]] = {
    "person.full_name": "Mirela Testescu",
    "person.date_of_birth": "1994-06-12",
    LANGUAGE_FACT: "ro",
    "person.occupation": "Student",
    "person.address": "Flat 9, 1 Fictional Row, Leeds LS1 1ZZ",
    "account.narrative": ACCOUNT,
    "statement.prepared_how": "face_to_face",
    "statement.number": 1,
    "interpreter.name": "Ion Fictivu",
    "proceedings.court": "In the County Court at Leeds",
    "proceedings.claim_number": "K00LS999",
    "proceedings.claimant": "Mirela Testescu",
    "proceedings.defendant": "Wetherby Orchard Holdings Ltd",
    "proceedings.party_for": "claimant",
    "incident.date": "2024-08-30",
    "police.reported": True,
    "police.first_report_date": "2024-09-05",
    "police.crime_reference": "WY-2024-00042",
    "cica.application_reference": "CICA/24/0001",
    "nrm.referral_date": "2024-09-06",
    "nrm.rg_decision": "negative",
    "nrm.rg_decision_date": "2024-09-20",
    "legal_aid.matters": ["immigration", "cica"],
    "legal_aid.provider_found": False,
    "nrm.home_office_reference": "SCA-FICT-77",
    "nrm.reconsideration_grounds": (
        "The decision did not consider the support worker's report.\n\n"
        "The credibility findings ignored trauma."
    ),
    "nrm.new_evidence": "Letter from Lena Marsh, support worker\nGP letter dated 1 October 2024",
    "nrm.cg_decision": "positive",
    "nrm.cg_decision_date": "2024-12-15",
    "vts.grounds": ["recovery", "compensation"],
    "vts.recovery_evidence": "Counsellor's letter of 3 January 2025",
    "vts.compensation_evidence": "CICA acknowledgement CICA/24/0001",
    "us.declaration_place": "outside_us",
    "us.t.exhibits": "Declaration of the applicant\nI-914 Supplement B\nLetter from a service provider",
    # The UK and US set documents.
    "employment.employer_name": "Wetherby Orchard Holdings Ltd",
    "employment.employer_address": "Unit 4, Imaginary Lane, Wetherby LS99 9ZZ",
    "employment.start_date": "2024-03-11",
    "employment.termination_date": "2024-09-02",
    "employment.work_done": "Picking and packing fruit on the respondent's farm, six days a week.",
    "employment.claim_types": ["unpaid_wages", "breach_of_contract"],
    "acas.contacted": True,
    "acas.day_a": "2024-10-01",
    "acas.day_b": "2024-10-29",
    "acas.certificate_number": "R000001/24/01",
    "wages.nmw_arrears_total": {"amount": "8412.50", "currency": "GBP"},
    "wages.nmw_arrears_et_recoverable": {"amount": "8412.50", "currency": "GBP"},
    "wages.calculated_on": "2024-10-15",
    "person.phone": "07700 900999",
    "civil.defendant_name": "Dragan Imaginaru",
    "civil.defendant_address": "12 Nowhere Close\nHarrogate HG9 9ZZ",
    "civil.claim_types": ["other_tort", "contract"],
    "civil.amount_claimed": {"amount": "15000.00", "currency": "GBP"},
    "civil.response_days": 21,
    "us.criminal.case_status": "convicted",
    "us.criminal.federal": True,
    "us.criminal.sentencing_date": "2027-02-15",
    "us.criminal.court": "United States District Court for the District of Nowhere",
    "us.criminal.case_number": "0:26-cr-00099",
    "us.restitution.unpaid_work": True,
    "us.restitution.other_losses": True,
    "us.wages.unpaid_minimum_wage": {"amount": "20300.00", "currency": "USD"},
    "us.wages.unpaid_overtime": {"amount": "6525.00", "currency": "USD"},
    "us.wages.liquidated_damages": {"amount": "26825.00", "currency": "USD"},
    "us.wages.flsa_value": {"amount": "53650.00", "currency": "USD"},
    "us.wages.value_to_defendant": {"amount": "61000.00", "currency": "USD"},
    "us.restitution.other_losses_detail": "Therapy, January to June 2025: $1,800\nBus fares to court: $120",
    "us.restitution.other_losses_total": {"amount": "1920.00", "currency": "USD"},
    "exploitation.start_date": "2024-03-11",
    "exploitation.end_date": "2024-09-02",
    "us.lea.contacted": True,
    "us.lea.agency": "Homeland Security Investigations, Fictional Field Office, case HSI-FICT-0042",
    "us.lea.complied": True,
    "us.lea.official_name": "Special Agent Dana Example",
    "us.lea.agency_address": "100 Pretend Plaza\nSpringfield, ZZ 00000",
    "us.t.trauma_prevents_cooperation": False,
    "us.t.wants_supp_b": True,
    "stro.msa_offence": True,
    "stro.prosecution_stage": "convicted",
    "stro.confiscation": True,
    "stro.sentence_date": "2027-01-20",
    "stro.loss_types": ["unpaid_wages", "deductions_debts", "property"],
    "stro.victim_statement_made": True,
    "stro.losses_detail": "Deductions for rent and transport: £2,600\nPassport replacement fee: £88.50",
    "stro.losses_total": {"amount": "2688.50", "currency": "GBP"},
}

# What each template's PDF must say (besides the name), to show the facts came through.
KEY_TEXT: Final[dict[str, tuple[str, ...]]] = {
    "witness_statement": (
        "K00LS999",
        "Ion Fictivu",
        "contempt of court",
        "passport was taken",
        "M. Testescu",
    ),
    "cica_claim_pack": ("WY-2024-00042", "Evidence index", "30 August 2024", "passport was taken"),
    "nrm_reconsideration_request": ("support worker's report", "GP letter", "within the time limit"),
    "vts_representations": ("Counsellor's letter", "CICA acknowledgement", "15 December 2024"),
    "us_declaration_1746": ("under the laws of the United States of America", "June 12, 1994"),
    "t_visa_cover_letter": ("Exhibit 2: I-914 Supplement B", "June 12, 1994"),
    "et1_grounds_rider": (
        "R000001/24/01",
        "1 October 2024 (Day A)",
        "29 October 2024 (Day B)",
        "Wetherby Orchard Holdings Ltd",
        "£8,412.50",
        "Breach of contract",
    ),
    "letter_before_claim": (
        "Dragan Imaginaru",
        "Harrogate HG9 9ZZ",
        "within 21 days",
        "£15,000.00",
        "£8,412.50",
        "passport was taken",
    ),
    "restitution_loss_statement": (
        "Case No. 0:26-cr-00099",
        "February 15, 2027",
        "$53,650.00",
        "liquidated damages in an equal amount, $26,825.00",
        "greater of the two figures is the value to the defendant, $61,000.00",
        "Bus fares to court: $120",
        "total $1,920.00",
    ),
    "supplement_b_request_letter": (
        "Dear Special Agent Dana Example",
        "HSI-FICT-0042",
        "June 12, 1994",
        "from March 11, 2024 until September 2, 2024",
        "has complied with the requests",
        "confers no immigration benefit",
        "original signature",
    ),
    "legal_aid_eligibility_note": (
        "Mirela Testescu",
        "for the purposes of legal aid",
        "not covered by legal aid",
        "Find a legal aid adviser",
    ),
    "stro_loss_statement": (
        "WY-2024-00042",
        "20 January 2027",
        "Convicted, not yet sentenced",
        "£8,412.50",
        "Passport replacement fee: £88.50",
        "total £2,688.50",
        "confiscation order has been made",
    ),
}
