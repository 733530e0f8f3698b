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
}
