"""(Re)build the Word templates in claim_templates/ from the text below, with python-docx.

The committed ``template.docx`` files are the source lawyers edit in Word; this script is how
they were first made, kept so that a change to a template's wording can be reviewed as text in
a diff. Running it overwrites the .docx files: do not run it after editing them in Word unless
the edits are also made here.

    .venv/bin/python .dev/build_claim_templates.py

Markup of the lines below: a line is one paragraph; a leading ``#`` is a heading, ``1.`` a
numbered paragraph, ``>`` right-aligned, ``^`` centred, ``!`` bold; ``---`` a page break.
Jinja tags (docxtpl) are written as they are; ``{%p ... %}`` tags stand alone on their line.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

ROOT = Path(__file__).resolve().parent.parent / "claim_templates"

STATEMENT_OF_TRUTH = (
    "I believe that the facts stated in this witness statement are true. I understand that proceedings "
    "for contempt of court may be brought against anyone who makes, or causes to be made, a false "
    "statement in a document verified by a statement of truth without an honest belief in its truth."
)

ACCOUNT_PARAGRAPHS = """{%p for paragraph in account.narrative|paragraphs %}
1.{{ paragraph }}
{%p endfor %}"""

TEMPLATES: dict[str, tuple[str, str]] = {}

TEMPLATES["witness_statement"] = (
    "A4",
    """>!Made on behalf of the {{ proceedings.party_for|lower|replace('the ', '') }}
>Witness: {{ person.full_name|initials_and_surname }}
>Statement: {{ statement.number|ordinal }}
>Exhibits: none
>Dated: {{ doc.date }}
^!{{ proceedings.court|upper }}
^Claim number: {{ proceedings.claim_number }}
!BETWEEN
^!{{ proceedings.claimant|upper }}
>Claimant
^and
^!{{ proceedings.defendant|upper }}
>Defendant
# Witness statement of {{ person.full_name }}
1.I, {{ person.full_name }}{% if person.occupation %}, {{ person.occupation }}{% endif %}, will say as follows. My address is not given here for my safety; it has been given to the court separately.
1.I am {{ proceedings.party_for|lower }} in this claim.
1.The facts in this statement come from my own knowledge unless I say otherwise. Where something comes from another person or a document, I say what the source is and that I believe it to be true.
1.This statement was prepared {{ statement.prepared_how|lower }} with {{ doc.advocate_name }} of {{ doc.organisation_name }}{% if interpreter.name %}, through an interpreter, {{ interpreter.name }}{% endif %}. I gave my account in {{ person.preferred_language }}{% if person.preferred_language.code != 'en' %}; the statement was translated to me in {{ person.preferred_language }} before I signed it, and a translation in my own language is filed with it{% endif %}.
"""
    + ACCOUNT_PARAGRAPHS
    + """
# Statement of truth
"""
    + STATEMENT_OF_TRUTH
    + """
Signed: ______________________________
Name: {{ person.full_name }}
Date: ______________________________
{%p if person.preferred_language.code != 'en' %}
# Interpreter's statement
I, {{ interpreter.name }}, am competent to translate between English and {{ person.preferred_language }}. I translated this statement in full to {{ person.full_name }} in {{ person.preferred_language }}, and they told me that they understood it and that it is true.
Signed: ______________________________
Date: ______________________________
{%p endif %}""",
)

TEMPLATES["cica_claim_pack"] = (
    "A4",
    """# Supporting statement
^!{{ person.full_name }}: application to the Criminal Injuries Compensation Authority
{%p if cica.application_reference %}
CICA reference: {{ cica.application_reference }}
{%p endif %}
1.My name is {{ person.full_name }}. I was born on {{ person.date_of_birth }}.
1.I was injured in a crime of violence on {{ incident.date }}. It was first reported to the police on {{ police.first_report_date }} (crime reference {{ police.crime_reference }}).
"""
    + ACCOUNT_PARAGRAPHS
    + """
1.The facts in this statement are true to the best of my knowledge and belief.
Signed: ______________________________   Date: {{ doc.date }}
---
# Covering letter
>{{ doc.organisation_name }}
>{{ doc.date }}
Criminal Injuries Compensation Authority
!Application for compensation: {{ person.full_name }}{% if cica.application_reference %} (reference {{ cica.application_reference }}){% endif %}
Dear Sir or Madam,
We act for {{ person.full_name }}, a survivor of human trafficking, in their application under the Criminal Injuries Compensation Scheme 2012. Their supporting statement and the evidence listed in the enclosed index are sent with this letter.
The crime was reported to the police on {{ police.first_report_date }} under crime reference {{ police.crime_reference }}. Please contact us rather than the applicant directly: writing to them could put them at risk.
Yours faithfully,
{{ doc.advocate_name }}
{{ doc.organisation_name }}
---
# Evidence index
{%p for item in doc.evidence %}
1.{{ item }}
{%p endfor %}
{%p if not doc.evidence %}
No evidence has been uploaded yet; it will follow.
{%p endif %}""",
)

TEMPLATES["nrm_reconsideration_request"] = (
    "A4",
    """>{{ doc.organisation_name }}
>{{ doc.date }}
Single Competent Authority, Home Office
!Request for reconsideration of a negative decision: {{ person.full_name }}{% if nrm.home_office_reference %} (reference {{ nrm.home_office_reference }}){% endif %}
Dear Sir or Madam,
We ask the Single Competent Authority to reconsider its {% if nrm.cg_decision_date %}conclusive grounds decision of {{ nrm.cg_decision_date }}{% else %}reasonable grounds decision of {{ nrm.rg_decision_date }}{% endif %} on {{ person.full_name }}.
{%p if nrm.late_reasons %}
This request is made after the time limit, for these exceptional reasons: {{ nrm.late_reasons }}
{%p else %}
This request is made within the time limit for reconsideration requests.
{%p endif %}
# Grounds relied on
{%p for ground in nrm.reconsideration_grounds|paragraphs %}
1.{{ ground }}
{%p endfor %}
# New evidence
{%p for item in nrm.new_evidence|lines %}
1.{{ item }}
{%p endfor %}
# The person's account
"""
    + ACCOUNT_PARAGRAPHS
    + """
Yours faithfully,
{{ doc.advocate_name }}
{{ doc.organisation_name }}""",
)

TEMPLATES["vts_representations"] = (
    "A4",
    """>{{ doc.organisation_name }}
>{{ doc.date }}
Home Office: Temporary Permission to Stay for Victims of Human Trafficking or Slavery
!Representations for temporary permission to stay: {{ person.full_name }}{% if nrm.home_office_reference %} (reference {{ nrm.home_office_reference }}){% endif %}
Dear Sir or Madam,
{{ person.full_name }} received a positive conclusive grounds decision on {{ nrm.cg_decision_date }}. We ask that they be granted temporary permission to stay on the grounds below.
{%p if 'recovery' in vts.grounds|map(attribute='code') %}
# Recovery from the exploitation
Permission is necessary to assist the person in their recovery from physical or psychological harm arising from their exploitation. The evidence is:
{%p for item in vts.recovery_evidence|lines %}
1.{{ item }}
{%p endfor %}
{%p endif %}
{%p if 'compensation' in vts.grounds|map(attribute='code') %}
# Seeking compensation
Permission is necessary for the person to seek compensation for their exploitation. The evidence is:
{%p for item in vts.compensation_evidence|lines %}
1.{{ item }}
{%p endfor %}
{%p endif %}
{%p if 'cooperation' in vts.grounds|map(attribute='code') %}
# Cooperation with the police
Permission is necessary for the person to cooperate with a police investigation or criminal proceedings. The evidence is:
{%p for item in vts.cooperation_evidence|lines %}
1.{{ item }}
{%p endfor %}
{%p endif %}
Yours faithfully,
{{ doc.advocate_name }}
{{ doc.organisation_name }}""",
)

TEMPLATES["us_declaration_1746"] = (
    "Letter",
    """^!DECLARATION OF {{ person.full_name|upper }} IN SUPPORT OF FORM I-914, APPLICATION FOR T NONIMMIGRANT STATUS
1.My name is {{ person.full_name }}. I was born on {{ person.date_of_birth }}. I make this declaration from my own personal knowledge.
1.I gave this declaration in {{ person.preferred_language }}{% if interpreter.name %}, through an interpreter, {{ interpreter.name }}, who has signed a separate certificate of translation{% endif %}. It was read back to me in {{ person.preferred_language }} before I signed it.
"""
    + ACCOUNT_PARAGRAPHS
    + """
{%p if us.declaration_place.code == 'outside_us' %}
I declare under penalty of perjury under the laws of the United States of America that the foregoing is true and correct.
{%p else %}
I declare under penalty of perjury that the foregoing is true and correct.
{%p endif %}
Executed on ______________________________ (date)
Signature: ______________________________
{{ person.full_name }}""",
)

TEMPLATES["t_visa_cover_letter"] = (
    "Letter",
    """>{{ doc.organisation_name }}
>{{ doc.date }}
U.S. Citizenship and Immigration Services
!Re: Form I-914, Application for T Nonimmigrant Status: {{ person.full_name }}, born {{ person.date_of_birth }}
Dear Officer,
Please find enclosed the application of {{ person.full_name }} for T nonimmigrant status, with the applicant's signed declaration and the supporting evidence listed below. Please send all correspondence to us: contact with the applicant's former address could put them at risk.
# Exhibit list
{%p for item in us.t.exhibits|lines %}
1.Exhibit {{ loop.index }}: {{ item }}
{%p endfor %}
Sincerely,
{{ doc.advocate_name }}
{{ doc.organisation_name }}""",
)


TEMPLATES["et1_grounds_rider"] = (
    "A4",
    """^!IN THE EMPLOYMENT TRIBUNALS
^Claimant: {{ person.full_name }}
^Respondent: {{ employment.employer_name }}
# Grounds of claim
!The parties
1.The claimant, {{ person.full_name }}, worked for the respondent, {{ employment.employer_name }}, of {{ employment.employer_address }}, from {{ employment.start_date }}{% if employment.termination_date %} until {{ employment.termination_date }}{% endif %}.
1.The work the claimant did for the respondent: {{ employment.work_done }}
!Early conciliation
1.The claimant notified ACAS on {{ acas.day_a }} (Day A). ACAS issued early conciliation certificate number {{ acas.certificate_number }}, which the claimant received on {{ acas.day_b }} (Day B).
!The claims
1.The claimant brings the following complaints against the respondent.
{%p if 'unpaid_wages' in employment.claim_types|map(attribute='code') %}
1.Unlawful deductions from wages (Employment Rights Act 1996, Part II, sections 13 and 23), including pay below the national minimum wage, which the claimant is entitled to recover as additional remuneration (National Minimum Wage Act 1998, section 17).
{%p endif %}
{%p if 'breach_of_contract' in employment.claim_types|map(attribute='code') %}
1.Breach of contract: sums outstanding on the termination of the claimant's employment (Employment Tribunals Extension of Jurisdiction (England and Wales) Order 1994).
{%p endif %}
{%p if 'discrimination' in employment.claim_types|map(attribute='code') %}
1.Discrimination, harassment or victimisation contrary to the Equality Act 2010.
{%p endif %}
{%p if wages.nmw_arrears_total %}
!National minimum wage arrears
1.The respondent paid the claimant less than the national minimum wage. Calculated {% if wages.calculated_on %}on {{ wages.calculated_on }} {% endif %}at the rate in force for each pay reference period, the arrears total {{ wages.nmw_arrears_total }}.
{%p if doc.nmw_working %}
1.The working, pay reference period by pay reference period, is:
{%p for line in doc.nmw_working %}
{{ line }}
{%p endfor %}
{%p endif %}
{%p if wages.nmw_arrears_et_recoverable %}
1.Of that total, the claimant estimates that {{ wages.nmw_arrears_et_recoverable }} falls within the two years before this claim is presented (Employment Rights Act 1996, section 23(4A)). The claimant claims that sum in the Tribunal and reserves the right to claim any balance in the civil courts.
{%p endif %}
{%p endif %}
!Remedy
1.The claimant asks the Tribunal to declare that the complaints above are well founded and to order the respondent to pay the claimant the sums found due, with any other remedy the Tribunal considers just.
Dated: {{ doc.date }}
{{ doc.advocate_name }}, {{ doc.organisation_name }}, for the claimant""",
)

TEMPLATES["letter_before_claim"] = (
    "A4",
    """>{{ doc.organisation_name }}
>{{ doc.date }}
{{ civil.defendant_name }}
{%p for line in civil.defendant_address|lines %}
{{ line }}
{%p endfor %}
!Letter before claim: {{ person.full_name }}
Dear Sir or Madam,
We act for {{ person.full_name }}. This is a letter before claim under the Practice Direction on Pre-Action Conduct and Protocols. Please write to us, not to our client: do not contact our client directly or through anyone else.
# The claim
1.Our client claims damages from you for:
{%p for claim in civil.claim_types %}
1.{{ claim }}
{%p endfor %}
# The facts relied on
1.Our client's account of what happened, in their own words, is as follows.
"""
    + ACCOUNT_PARAGRAPHS
    + """
# Losses
{%p if wages.nmw_arrears_total %}
1.Our client was paid less than the national minimum wage for the work they did. The arrears, calculated at the rate in force for each pay period, are {{ wages.nmw_arrears_total }}.
{%p endif %}
{%p if civil.amount_claimed %}
1.Our client claims {{ civil.amount_claimed }}, with interest and costs.
{%p else %}
1.Our client's losses are still being assessed. A schedule of loss will be sent to you when it is ready.
{%p endif %}
# What we ask you to do
1.Please give a full written response within {{ civil.response_days }} days of the date of this letter, saying whether you accept the claim and, if you do not, which parts you dispute and why.
1.Please send with your response copies of the documents you rely on, and keep every document that may be relevant to the claim, including any records of the work done, of hours, of pay and of deductions.
1.The parties are expected to consider whether the claim can be settled without proceedings, including by mediation. If you do not respond, or do not respond in full, our client may issue proceedings without further notice, and the court may take your failure to respond into account when deciding costs.
Yours faithfully,
{{ doc.advocate_name }}
{{ doc.organisation_name }}""",
)

# The wage part of restitution is the greater of two figures (18 U.S.C. 1593(b)(3)); money facts
# arrive formatted ("$12,345.67"), so they are compared as numbers here.
LABOR_VALUE_GREATER = (
    "(us.wages.value_to_defendant|replace('$', '')|replace(',', '')|float)"
    " > (us.wages.flsa_value|replace('$', '')|replace(',', '')|float)"
)

TEMPLATES["restitution_loss_statement"] = (
    "Letter",
    """^!VICTIM'S STATEMENT OF LOSSES FOR RESTITUTION UNDER 18 U.S.C. §1593
{%p if us.criminal.court %}
^{{ us.criminal.court }}
{%p endif %}
{%p if us.criminal.case_number %}
^Case No. {{ us.criminal.case_number }}
{%p endif %}
!For the prosecutor and the probation office
1.My name is {{ person.full_name }}. I am a victim of the offense in this case. I ask the court to order restitution of the full amount of my losses, which 18 U.S.C. §1593 makes mandatory.
1.The case is at this stage: {{ us.criminal.case_status }}.{% if us.criminal.sentencing_date %} Sentencing is set for {{ us.criminal.sentencing_date }}.{% endif %}
# The value of my work
1.Section 1593(b)(3) includes in my losses the greater of the gross income or value to the defendant of my services or labor, and the value of my labor as guaranteed under the minimum wage and overtime guarantees of the Fair Labor Standards Act (FLSA).
1.Under the FLSA, calculated week by week at the federal minimum wage in force in each workweek, the value of my labor is {{ us.wages.flsa_value }}{% if us.wages.unpaid_minimum_wage %}: unpaid minimum wages of {{ us.wages.unpaid_minimum_wage }}{% endif %}{% if us.wages.unpaid_overtime %}, unpaid overtime of {{ us.wages.unpaid_overtime }}{% endif %}{% if us.wages.liquidated_damages %}, and liquidated damages in an equal amount, {{ us.wages.liquidated_damages }} (29 U.S.C. §216(b); United States v. Edwards, 4th Cir. 2021){% endif %}. The week-by-week working is attached.
{%p if us.wages.value_to_defendant %}
1.The gross income or value to the defendant of my work was {{ us.wages.value_to_defendant }}.
{%p if """
    + LABOR_VALUE_GREATER
    + """ %}
1.The greater of the two figures is the value to the defendant, {{ us.wages.value_to_defendant }}. I ask that restitution include it.
{%p else %}
1.The greater of the two figures is the FLSA value, {{ us.wages.flsa_value }}. I ask that restitution include it.
{%p endif %}
{%p else %}
1.I do not know the gross income or value to the defendant of my work. I ask that restitution include the FLSA value, {{ us.wages.flsa_value }}, or the value to the defendant if the investigation shows it to be greater.
{%p endif %}
# Other losses
{%p if us.restitution.other_losses_detail %}
1.My other losses are:
{%p for item in us.restitution.other_losses_detail|lines %}
1.{{ item }}
{%p endfor %}
{%p if us.restitution.other_losses_total %}
1.These other losses total {{ us.restitution.other_losses_total }}. Receipts and statements are attached where I have them.
{%p endif %}
{%p else %}
1.I have no other losses to claim at this time. If I learn of more, I will tell the prosecutor before sentencing.
{%p endif %}
The information in this statement is true to the best of my knowledge.
Signed: ______________________________   Date: ______________________________
{{ person.full_name }}
Prepared with {{ doc.advocate_name }}, {{ doc.organisation_name }}. Please contact {{ doc.organisation_name }} rather than the victim directly.""",
)


TEMPLATES["supplement_b_request_letter"] = (
    "Letter",
    """>{{ doc.organisation_name }}
>{{ doc.date }}
{%p if us.lea.official_name %}
{{ us.lea.official_name }}
{%p endif %}
{{ us.lea.agency }}
{%p for line in us.lea.agency_address|lines %}
{{ line }}
{%p endfor %}
!Re: Request to complete Form I-914 Supplement B, Declaration for Trafficking Victim: {{ person.full_name }}, born {{ person.date_of_birth }}
Dear {% if us.lea.official_name %}{{ us.lea.official_name }}{% else %}Sir or Madam{% endif %},
We represent {{ person.full_name }}, born {{ person.date_of_birth }}, who is applying to U.S. Citizenship and Immigration Services (USCIS) for T nonimmigrant status as a victim of a severe form of trafficking in persons. We ask your agency to complete and sign Form I-914 Supplement B, Declaration for Trafficking Victim, for that application.
# The person and your agency
1.{{ person.full_name }} was trafficked from {{ exploitation.start_date }}{% if exploitation.end_date %} until {{ exploitation.end_date }}{% endif %}. The trafficking is known to your agency: {{ us.lea.agency }}.
{%p if us.lea.complied %}
1.{{ person.full_name }} has complied with the requests for assistance your agency has made in the investigation or prosecution.
{%p elif us.t.trauma_prevents_cooperation %}
1.{{ person.full_name }} has not been able to assist with every request because of the physical or psychological trauma of the trafficking; the application shows this with professional evidence. Supplement B can still describe the victimization and the assistance that was given.
{%p else %}
1.Supplement B also asks about the person's cooperation. Please describe in it the assistance your agency asked for and the assistance given, as your records show them.
{%p endif %}
# About Supplement B
1.Supplement B is optional evidence. Signing it confers no immigration benefit on {{ person.full_name }}: USCIS alone decides whether they are eligible for T nonimmigrant status.
1.A formal investigation or prosecution does not need to have been opened for your agency to sign it.
1.Please complete every field. USCIS needs the form with an original signature in ink: a photocopy or a typed name will not do. The form and its instructions are on the USCIS website (uscis.gov/i-914); please use the edition current when it is signed.
Please return the signed original to us at the address above, and contact us rather than {{ person.full_name }} directly. We are glad to answer any question, or to complete the victim's details in Part 1 for you.
Sincerely,
{{ doc.advocate_name }}
{{ doc.organisation_name }}""",
)


TEMPLATES["stro_loss_statement"] = (
    "A4",
    """^!Statement of losses: {{ person.full_name }}
^For a slavery and trafficking reparation order or a compensation order
{%p if police.crime_reference %}
^Police crime reference: {{ police.crime_reference }}
{%p endif %}
!For the officer in the case and the Crown Prosecution Service
1.My name is {{ person.full_name }}. I am a victim of the offences in this case. I ask that the court be told of my losses before sentence, so that it can consider a slavery and trafficking reparation order (Modern Slavery Act 2015, section 8) or a compensation order.
1.The prosecution is at this stage: {{ stro.prosecution_stage }}.{% if stro.sentence_date %} The sentencing hearing is on {{ stro.sentence_date }}.{% endif %}
{%p if stro.confiscation %}
1.I understand that confiscation proceedings under the Proceeds of Crime Act 2002 are under way or that a confiscation order has been made. A reparation order can be made where a confiscation order is made, and the court must consider making one.
{%p endif %}
# My losses
1.I suffered these kinds of loss:
{%p for loss in stro.loss_types %}
1.{{ loss }}
{%p endfor %}
{%p if wages.nmw_arrears_total %}
1.I was paid less than the national minimum wage for my work. The arrears, calculated at the rate in force for each pay period, are {{ wages.nmw_arrears_total }}.
{%p if doc.nmw_working %}
1.The working, pay reference period by pay reference period, is:
{%p for line in doc.nmw_working %}
{{ line }}
{%p endfor %}
{%p endif %}
{%p endif %}
{%p if stro.losses_detail %}
1.My other losses are:
{%p for item in stro.losses_detail|lines %}
1.{{ item }}
{%p endfor %}
{%p if stro.losses_total %}
1.These other losses total {{ stro.losses_total }}. Receipts and statements are attached where I have them.
{%p endif %}
{%p endif %}
{%p if stro.victim_statement_made %}
1.I have also made a victim personal statement about the effect of the offences on me.
{%p endif %}
The information in this statement is true to the best of my knowledge.
Signed: ______________________________   Date: ______________________________
{{ person.full_name }}
Prepared with {{ doc.advocate_name }}, {{ doc.organisation_name }}. Please contact {{ doc.organisation_name }} rather than me directly.""",
)


LEGAL_AID_POSITIVE = (
    "nrm.cg_decision.code == 'positive' or (nrm.rg_decision.code == 'positive'"
    " and not (nrm.cg_decision and nrm.cg_decision.code == 'negative'))"
)

TEMPLATES["legal_aid_eligibility_note"] = (
    "A4",
    """^!Legal aid eligibility note (for the file)
^{{ person.full_name }}
>Prepared by {{ doc.advocate_name }}, {{ doc.organisation_name }}, on {{ doc.date }}
!This is a scope screen, not a decision: the legal aid provider decides, after checking the person's means and the merits of each matter.
# The decisions relied on
1.Reasonable Grounds decision: {{ nrm.rg_decision }}{% if nrm.rg_decision_date %}, dated {{ nrm.rg_decision_date }}{% endif %}.
{%p if nrm.cg_decision %}
1.Conclusive Grounds decision: {{ nrm.cg_decision }}{% if nrm.cg_decision_date %}, dated {{ nrm.cg_decision_date }}{% endif %}.
{%p endif %}
{%p if """
    + LEGAL_AID_POSITIVE
    + """ %}
1.On these decisions the person is a victim of trafficking or slavery for the purposes of legal aid (LASPO 2012 Schedule 1 Part 1 paragraph 32): a positive Conclusive Grounds decision, or a positive Reasonable Grounds decision with no negative Conclusive Grounds decision since.
{%p else %}
1.On these decisions paragraph 32 does not apply now: it needs a positive Reasonable Grounds decision (with no negative Conclusive Grounds decision since) or a positive Conclusive Grounds decision. Work to obtain or challenge a decision may still get legal help where it bears on permission to stay: ask an immigration legal aid provider.
{%p endif %}
# The matters screened
{%p for matter in legal_aid.matters %}
{%p if matter.code == 'cica' %}
1.{{ matter }}: not covered by legal aid (out of scope of LASPO 2012 Schedule 1). Some solicitors act without fee and some charities help; Redress's CICA workflow helps the advocate prepare it. [Secondary source]
{%p elif matter.code in ('immigration', 'nrm_decision') %}
1.{{ matter }}: in scope on a positive decision as above, for permission to stay and work towards a Conclusive Grounds decision bearing on it (paragraph 32(1); Lord Chancellor's concession in LL, April 2018). [Verified]
{%p elif matter.code == 'employment' %}
1.{{ matter }}: in scope on a positive decision as above, for employment claims arising in connection with the exploitation (paragraph 32(2)). [Secondary source]
{%p elif matter.code == 'damages' %}
1.{{ matter }}: in scope on a positive decision as above, for damages arising in connection with the trafficking or exploitation (paragraph 32(3)). [Secondary source]
{%p else %}
1.{{ matter }}: not screened by Redress; ask a provider which category, if any, covers it.
{%p endif %}
{%p endfor %}
1.The Modern Slavery Act 2015 extended this scope to victims of slavery, servitude and forced or compulsory labour. The paragraph number used in providers' guidance (32A) is unconfirmed: check it before citing it. [Unconfirmed]
1.Advice under the Nationality and Borders Act 2022 sections 66 and 67 (the NRM "add-on" advice) is not in force and is not relied on here.
# Next step
1.Means and merits: the provider checks income and savings and the prospects of each matter; initial advice is usually Legal Help, and court or tribunal work is certificated through the Legal Aid Agency. Bring what the person has about income, benefits and savings. [Unconfirmed: check the 2013 means and merits regulations and the current forms]
{%p if legal_aid.provider_found %}
1.A legal aid provider has agreed to take the case.
{%p else %}
1.No provider has agreed to take the case yet: find one with a contract in the right category (immigration, employment or civil claims) through the GOV.UK "Find a legal aid adviser" service, and check that they take trafficking cases.
{%p endif %}""",
)


TEMPLATES["i914_worksheet"] = (
    "Letter",
    """^!Form I-914 worksheet (for the lawyer; not filed)
^{{ person.full_name }}
>Prepared by {{ doc.advocate_name }}, {{ doc.organisation_name }}, on {{ doc.date }}
The case's answers mapped to the parts and items of Form I-914, Application for T Nonimmigrant Status (edition {{ doc.i914.edition }}), to transcribe onto the form or to check a completed one.
!Verify before relying on it: the part and item numbers come from a {{ doc.i914.confidence|lower }} keyed to that edition, not from the official form. {{ doc.i914.check }} ({{ doc.i914.source_url }})
!Never leave a required field blank: USCIS may reject a form with an empty required field. Where there is no answer, write "None", "Unknown" or "N/A" as the item says, and ask every Yes/No question before filing.
{%p if doc.i914.unanswered %}
{{ doc.i914.unanswered }} of the items below have no answer yet; each says what to do.
{%p endif %}
# The items
{%p for row in doc.i914.rows %}
!{{ row.place }}: {{ row.label }}
Answer: {% if row.answered %}{{ row.answer }}{% else %}NO ANSWER YET. {{ row.if_unanswered }}{% endif %}
{%p if row.question %}
Ask the person: {{ row.question }}
{%p endif %}
{%p if row.note %}
Note: {{ row.note }}
{%p endif %}
Item number: {{ row.confidence }}.
{%p endfor %}
# Before filing
1.Safe mailing address (Part 2, item 4): the home address is given only when the person has said that letters may go there; otherwise use the representative's office. Check this with the person again before filing.
1.Part 3, item 5 has no box for the law-enforcement agency's name: give the name in Part 9, with the part and item number it belongs to.
1.Every "Yes" in Part 4 needs an explanation in Part 9, including whether it is connected to the trafficking, with records, and may need Form I-192 (waiver) filed with the I-914. The security grounds (Part 4, items 3 to 7) cannot be waived for a T applicant.
1.The applicant signs Part 6 by hand: an unsigned form is rejected.""",
)

TEMPLATES["state_compensation_summary"] = (
    "Letter",
    """^!State crime-victim compensation: application summary
^{{ person.full_name }}
>Prepared by {{ doc.advocate_name }}, {{ doc.organisation_name }}, on {{ doc.date }}
For the advocate filling in the state's application form: the programme, whether the claim is in time, the rules on reporting to the police, what is paid, the evidence and the answers the form asks for. Each rule says its legal basis and how sure its source is. This is not legal advice.
# The programme
{%p if us.state == 'US-CA' %}
1.California Victim Compensation Board (CalVCB), under California Government Code sections 13950 to 13974.5 and 2 CCR 649 and following. [Verified]
{%p elif us.state == 'US-NY' %}
1.New York Office of Victim Services (OVS), under New York Executive Law sections 625 and 631. [Verified]
{%p elif us.state == 'US-TX' %}
1.Texas Crime Victims' Compensation, run by the Office of the Attorney General, under 1 TAC chapter 61 and Code of Criminal Procedure chapter 56B. [Verified for the rules; the current article numbers are unconfirmed]
{%p else %}
1.Redress does not cover the programme of {{ us.state }} yet: only California, New York and Texas. Every state has one: find it through the National Association of Crime Victim Compensation Boards and check its time limit at once.
{%p endif %}
# The filing window
{%p if us.state == 'US-CA' %}
1.The rule: apply within 7 years of the crime, of the 21st birthday or of the discovery of the crime, whichever is latest; a person trafficked as a minor may apply at any time before their 28th birthday (funds are paid after 18). Basis: Cal. Gov. Code 13953; CalVCB. [Verified]
{%p elif us.state == 'US-NY' %}
1.The rule: apply within one year of the crime or its discovery under the old text; the 2023 amendment (S.214-A/A.2105-A) made it three years, and the date it took effect is not confirmed. OVS can accept a late claim for good cause, and must extend the time if the person was not told about the programme. Basis: NY Executive Law 625(2). [Unconfirmed: confirm the effective date of the three-year window]
{%p elif us.state == 'US-TX' %}
1.The rule: apply within 3 years of the crime; a child victim within 3 years of when they (or the claimant) became aware of it, but not after turning 21. A late claim needs good cause (not told about the programme, physical or psychological factors, communication barriers). Basis: 1 TAC 61.202. [Verified; whether age 21 caps the awareness period is unconfirmed]
{%p endif %}
{%p for deadline in doc.findings.deadlines %}
1.{{ deadline.label }}: {{ deadline.due }}, {{ deadline.standing }}. It runs from {{ deadline.trigger }}. Basis: {{ deadline.basis }}. [{{ deadline.confidence }}]
{%p endfor %}
{%p if doc.findings.deadlines %}
1.Redress worked these dates out from the answers below on {{ doc.date }}. Confirm each on the case's Deadlines page before relying on it.
{%p else %}
1.No filing date could be worked out from the answers{% if doc.findings.problem %} ({{ doc.findings.problem }}){% endif %}: check the state's time limit now.
{%p endif %}
# Reporting to the police
{%p if us.state == 'US-CA' %}
1.California cannot deny a trafficking victim's application only because there is no police report. Other proof is accepted: a letter from law enforcement, a signed statement from a human-trafficking caseworker, documents for a special visa, or medical records. Basis: Cal. Gov. Code 13950-13974.5; 2 CCR 649 ff; CalVCB guidance. [Verified]
{%p elif us.state == 'US-NY' %}
1.The crime is generally to be reported within one week. For labour trafficking (PL 135.35) and sex trafficking (PL 230.34, 230.34-a) the report need only be made within a reasonable time, given the victim's condition, and since the 2023 law a police report is no longer mandatory: other evidence can be used. Basis: NY Executive Law 631(1); S.214-A/A.2105-A (2023). [Verified]
{%p elif us.state == 'US-TX' %}
1.The crime must be reported to law enforcement within a reasonable time so as not to hamper the investigation, and a claim is denied without it unless extraordinary circumstances (such as threats) explain the delay. Child victims are exempt. Basis: 1 TAC 61.203; 61.302. [Verified]
{%p endif %}
1.Reported to the police: {% if police.reported is none %}not answered yet{% elif police.reported %}yes{% if police.first_report_date %}, first on {{ police.first_report_date }}{% endif %}{% else %}no{% endif %}. A trafficking offence: {% if us.comp.trafficking_offence is none %}not answered yet{% elif us.comp.trafficking_offence %}yes{% else %}no{% endif %}.
# Warnings for these answers
{%p for rule in doc.findings.warnings %}
1.{{ rule.message }} Basis: {{ rule.basis }}. [{{ rule.confidence }}]
{%p endfor %}
{%p if not doc.findings.warnings %}
1.None: nothing in these answers stands in the way of the claim under the rules Redress has for this state.
{%p endif %}
# What is paid
{%p if us.state == 'US-CA' %}
1.Crime-related expenses, such as medical and counselling bills, on bills and receipts. Basis: the programme's rules. [Secondary source]
1.For victims of human trafficking, income loss of up to $10,000 a year for up to two years (applications from 1 January 2020), supported by a statement under penalty of perjury from the person, a caseworker, an attorney or a witness. Basis: AB 629 (2019); CalVCB. [Verified]
{%p elif us.state == 'US-NY' %}
1.Crime-related expenses, such as medical and counselling bills, on bills and receipts. Basis: the programme's rules. [Secondary source]
1.New York generally pays only where the crime caused a physical injury or made one worse. Basis: NY Executive Law 631(1)(b). [Unconfirmed: check whether the 2023 amendments changed this for trafficking victims]
{%p elif us.state == 'US-TX' %}
1.Crime-related expenses, such as medical and counselling bills, on bills and receipts. Basis: the programme's rules. [Secondary source]
1.A claim is denied if the crime was not reported as the rules require (see above). Basis: 1 TAC 61.302. [Verified]
{%p endif %}
# The evidence
{%p for item in doc.findings.checklist %}
1.{{ item.label }}{% if item.required %} (required){% endif %}. {{ item.why }} Basis: {{ item.basis }}. [{{ item.confidence }}]
{%p endfor %}
# The answers the application asks for
1.The victim's name: {{ person.full_name }}
1.Date of birth: {{ person.date_of_birth }}
1.State where the crime happened: {{ {'US-CA': 'California', 'US-NY': 'New York', 'US-TX': 'Texas'}.get(us.state, us.state) }}
1.Date of the crime (the last act, for a course of conduct): {{ us.comp.crime_date }}
1.Date the crime was discovered: {% if us.comp.discovery_date %}{{ us.comp.discovery_date }}{% else %}not given (the date of the crime counts){% endif %}
{%p if us.state == 'US-NY' %}
1.A physical injury (or one made worse): {% if us.comp.physical_injury is none %}not answered yet: ask before filing{% elif us.comp.physical_injury %}yes{% else %}no{% endif %}
{%p endif %}
1.Police report: {% if police.reported is none %}not answered yet: ask before filing{% elif police.reported %}made{% if police.first_report_date %} on {{ police.first_report_date }}{% else %} (the date is not recorded yet){% endif %}{% else %}none{% endif %}""",
)


def _page_number_footer(section) -> None:  # type: ignore[no-untyped-def]
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run("Page ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    number = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    number.append(text)
    field.append(number)
    run._r.addnext(field)


KEEP_STYLES = {"Normal", "Heading 1", "List Number", "List Paragraph", "Header", "Footer", "Title"}
DROPPED_PARTS = ("stylesWithEffects", "thumbnail", "customXml")


def _slim(document) -> None:  # type: ignore[no-untyped-def]
    """Drop what python-docx's default template carries and the templates never use (about 800 KB
    of styles, a thumbnail): every render parses and writes the whole file, so size is time."""
    styles = document.styles.element
    by_id = {el.get(qn("w:styleId")): el for el in styles.findall(qn("w:style"))}
    keep = {el.get(qn("w:styleId")) for el in by_id.values() if el.get(qn("w:default")) == "1"}
    keep |= {
        sid
        for sid, el in by_id.items()
        if el.find(qn("w:name")) is not None
        and el.find(qn("w:name")).get(qn("w:val")) in {n.lower() for n in KEEP_STYLES} | KEEP_STYLES
    }
    pending = list(keep)
    while pending:  # the styles the kept ones are based on, link to or are followed by
        element = by_id.get(pending.pop())
        if element is None:
            continue
        for tag in ("w:basedOn", "w:link", "w:next"):
            ref = element.find(qn(tag))
            if ref is not None and ref.get(qn("w:val")) not in keep:
                keep.add(ref.get(qn("w:val")))
                pending.append(ref.get(qn("w:val")))
    for sid, element in by_id.items():
        if sid not in keep:
            styles.remove(element)
    latent = styles.find(qn("w:latentStyles"))
    if latent is not None:
        styles.remove(latent)
    for rels in (document.part.rels, document.part.package.rels):
        for rel_id, rel in list(rels.items()):
            if any(part in rel.reltype or part in str(rel.target_ref) for part in DROPPED_PARTS):
                del rels[rel_id]


def build(name: str, paper: str, source: str) -> None:
    """Write claim_templates/<name>/template.docx from ``source``."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    if paper == "A4":
        section.page_width, section.page_height = Mm(210), Mm(297)
        margin = Cm(3.5)  # PD 32 para 19.1: a 3.5 cm margin
    else:
        section.page_width, section.page_height = Mm(215.9), Mm(279.4)
        margin = Cm(2.54)
    section.left_margin = section.right_margin = margin
    section.top_margin = section.bottom_margin = Cm(2.5)
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(12)
    normal.paragraph_format.space_after = Pt(8)
    _page_number_footer(section)
    for raw in source.splitlines():
        line = raw.rstrip()
        if not line:
            continue
        if line == "---":
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            continue
        if line.startswith("#"):
            document.add_heading(line.lstrip("# "), level=1)
            continue
        style = None
        if line.startswith("1."):
            style, line = "List Number", line[2:]
        paragraph = document.add_paragraph(style=style)
        bold = False
        while line[:1] in (">", "^", "!") and not line.startswith("{"):
            marker, line = line[0], line[1:]
            if marker == ">":
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            elif marker == "^":
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            else:
                bold = True
        paragraph.add_run(line).bold = bold or None
    folder = ROOT / name
    folder.mkdir(parents=True, exist_ok=True)
    _slim(document)
    document.core_properties.title = name.replace("_", " ")
    document.core_properties.author = "Redress"
    document.save(str(folder / "template.docx"))


def main() -> None:
    """Build every template."""
    for name, (paper, source) in TEMPLATES.items():
        build(name, paper, source)
        print(f"built claim_templates/{name}/template.docx")


if __name__ == "__main__":
    main()
