"""Every claim template renders with fictional facts, re-opens in python-docx, converts with
LibreOffice, and the PDF's text says the key facts; plus the template lint and the rendering
rules (autoescaping, missing facts by name, confidential facts kept from the other side)."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Final

import pytest
from docx import Document

from api.documents.findings import i914_worksheet, workflow_findings
from api.documents.pdf import convert_docx_batch
from api.documents.rendering import MissingFacts, build_context, render_docx
from api.documents.template_lint import check_template, check_templates, template_source, used_variables
from tests.api.documents.fixtures import AWKWARD_NAME, FACTS, KEY_TEXT
from tests.api.documents.programs import require_libreoffice
from workflows.catalogue import TEMPLATES_ROOT
from workflows.facts import default_fact_dictionary
from workflows.manifests import TemplateManifest, load_manifest, load_manifests

TODAY: Final = date(2026, 11, 22)
BUILTINS: Final = {
    "date": "22 November 2026",
    "advocate_name": "Bea Advocate",
    "organisation_name": "Harbour Light Trust",
    "evidence": ["Police crime report", "GP letter"],
    "nmw_working": ["1 April 2024 to 7 April 2024: 40 hours at £11.44 an hour; arrears £257.60."],
}
EXPECTED_TEMPLATES: Final = {
    "witness_statement",
    "cica_claim_pack",
    "nrm_reconsideration_request",
    "vts_representations",
    "us_declaration_1746",
    "t_visa_cover_letter",
    "et1_grounds_rider",
    "letter_before_claim",
    "restitution_loss_statement",
    "supplement_b_request_letter",
    "stro_loss_statement",
    "legal_aid_eligibility_note",
    "i914_worksheet",
    "state_compensation_summary",
}


def _manifests() -> dict[str, TemplateManifest]:
    manifests, problems = load_manifests(TEMPLATES_ROOT, default_fact_dictionary())
    assert problems == []
    return manifests


def _values(overrides: Mapping[str, object] | None = None) -> dict[str, object]:
    return default_fact_dictionary().parse_facts({**FACTS, **(overrides or {})}, today=TODAY)


def _builtins(manifest: TemplateManifest, values: Mapping[str, object]) -> dict[str, object]:
    """The fixed built-ins, plus the engine's findings and the I-914 rows as the service makes them."""
    return {
        **BUILTINS,
        "findings": workflow_findings(manifest, values, TODAY),
        "i914": i914_worksheet(default_fact_dictionary(), values, str(BUILTINS["organisation_name"])),
    }


def _render(name: str, overrides: Mapping[str, object] | None = None) -> bytes:
    manifest = _manifests()[name]
    values = _values(overrides)
    return render_docx(
        manifest, build_context(default_fact_dictionary(), manifest, values, _builtins(manifest, values))
    )


def _text(docx: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)


def test_the_first_set_of_templates_is_there_with_valid_manifests() -> None:
    manifests = _manifests()

    assert set(manifests) == EXPECTED_TEMPLATES
    assert {m.paper for m in manifests.values() if m.jurisdiction == "GB"} == {"A4"}
    assert {m.paper for m in manifests.values() if m.jurisdiction == "US"} == {"Letter"}


def test_every_template_renders_reopens_converts_and_says_its_key_facts() -> None:
    require_libreoffice()
    names = sorted(EXPECTED_TEMPLATES)
    documents = [_render(name) for name in names]
    for name, docx in zip(names, documents, strict=True):
        assert "Mirela Testescu" in _text(docx), name  # re-opens with python-docx

    conversions = convert_docx_batch(documents)

    for name, conversion in zip(names, conversions, strict=True):
        assert conversion.problem is None, (name, conversion.problem)
        assert conversion.pdf is not None
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=conversion.pdf, capture_output=True, check=True
        ).stdout.decode()
        flat = " ".join(text.split())
        assert "Mirela Testescu" in flat, name
        for key_text in KEY_TEXT[name]:
            assert key_text in flat, (name, key_text)


def test_pages_are_a4_for_the_uk_and_letter_for_the_us() -> None:
    for name, (width_mm, height_mm) in {
        "witness_statement": (210, 297),
        "t_visa_cover_letter": (216, 279),
    }.items():
        section = Document(io.BytesIO(_render(name))).sections[0]
        assert section.page_width is not None
        assert section.page_height is not None
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (width_mm, height_mm)


def test_special_characters_come_out_exactly_as_typed() -> None:
    docx = _render("witness_statement", {"person.full_name": AWKWARD_NAME})

    assert f"Witness statement of {AWKWARD_NAME}" in _text(docx)
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:  # escaped in the XML, not dropped
        assert "&amp; &lt;Sons&gt;" in archive.read("word/document.xml").decode()


def test_the_witness_statement_has_the_pd32_elements() -> None:
    text = _text(_render("witness_statement"))

    assert "I believe that the facts stated in this witness statement are true." in text
    assert "proceedings for contempt of court may be brought" in text
    assert "own knowledge" in text
    assert "prepared face to face" in text
    assert "Interpreter's statement" in text  # the person gave it in Romanian
    assert "Statement: 1st" in text


def test_no_interpreter_statement_when_the_person_speaks_english() -> None:
    text = _text(_render("witness_statement", {"person.preferred_language": "en", "interpreter.name": None}))

    assert "Interpreter's statement" not in text
    assert "through an interpreter" not in text


def test_the_1746_wording_follows_where_it_is_signed() -> None:
    outside = _text(_render("us_declaration_1746", {"us.declaration_place": "outside_us"}))
    inside = _text(_render("us_declaration_1746", {"us.declaration_place": "inside_us"}))

    assert (
        "under penalty of perjury under the laws of the United States of America that the foregoing"
        in outside
    )
    assert "I declare under penalty of perjury that the foregoing is true and correct." in inside
    assert "laws of the United States" not in inside


def test_a_missing_fact_is_named_not_left_blank() -> None:
    manifest = _manifests()["cica_claim_pack"]
    values = _values()
    del values["police.first_report_date"]

    with pytest.raises(MissingFacts) as raised:
        build_context(default_fact_dictionary(), manifest, values, BUILTINS)

    assert raised.value.keys == ("police.first_report_date",)
    assert str(raised.value) == "The CICA claim pack needs: date of first police report."


def test_the_interpreter_is_required_only_when_the_person_is_not_english_speaking() -> None:
    manifest = _manifests()["witness_statement"]
    values = _values({"interpreter.name": None})

    with pytest.raises(MissingFacts, match="needs: the interpreter's name"):
        build_context(default_fact_dictionary(), manifest, values, BUILTINS)
    build_context(
        default_fact_dictionary(), manifest, {**values, "person.preferred_language": "en"}, BUILTINS
    )


def test_confidential_facts_never_reach_a_document_for_the_other_side(tmp_path: Path) -> None:
    manifest = _manifests()["witness_statement"]
    folder = tmp_path / "leaky"
    shutil.copytree(manifest.folder, folder)
    text = (folder / "manifest.yaml").read_text().replace("optional:\n", "optional:\n    - person.address\n")
    (folder / "manifest.yaml").write_text(text)

    loaded, problems = load_manifest(folder, default_fact_dictionary())

    assert loaded is None
    assert any("person.address is confidential" in problem.message for problem in problems)


def test_template_variables_are_in_the_manifest_and_the_manifest_in_the_dictionary() -> None:
    dictionary = default_fact_dictionary()
    for manifest in _manifests().values():
        used = {variable for variable, _ in used_variables(template_source(manifest.template_path))}
        facts = {v for v in used if not v.startswith("doc.")}
        assert all(any(v == f or v.startswith(f + ".") for f in manifest.facts) for v in facts), manifest.name
        assert set(manifest.facts) <= set(dictionary), manifest.name
        assert check_template(manifest) == [], manifest.name
    assert check_templates(TEMPLATES_ROOT, dictionary) == []


def _broken_copy(tmp_path: Path, old: str, new: str) -> TemplateManifest:
    source = _manifests()["t_visa_cover_letter"]
    folder = tmp_path / "t_visa_cover_letter"
    shutil.copytree(source.folder, folder)
    path = folder / "template.docx"
    document = Document(str(path))
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            if old in run.text:
                run.text = run.text.replace(old, new)
    document.save(str(path))
    manifest, problems = load_manifest(folder, default_fact_dictionary())
    assert problems == []
    assert manifest is not None
    return manifest


def test_lint_reports_an_unknown_variable_with_template_and_place(tmp_path: Path) -> None:
    manifest = _broken_copy(tmp_path, "{{ person.full_name }}, born", "{{ person.nickname }}, born")

    problems = check_template(manifest)

    assert len(problems) == 1
    assert problems[0].file == manifest.template_path
    assert "unknown variable person.nickname in paragraph" in problems[0].message
    assert "Re: Form I-914" in problems[0].message


def test_lint_reports_a_syntax_error_with_template_and_place(tmp_path: Path) -> None:
    manifest = _broken_copy(tmp_path, "{{ doc.advocate_name }}", "{{ doc.advocate_name }")

    problems = check_template(manifest)

    assert len(problems) == 1
    assert "template syntax error in paragraph" in problems[0].message
    assert problems[0].line > 1


def test_the_letter_before_claim_never_gives_the_survivors_address_or_phone() -> None:
    manifest = _manifests()["letter_before_claim"]
    text = _text(_render("letter_before_claim"))

    assert "Fictional Row" not in text
    assert "07700 900999" not in text
    assert "Dragan Imaginaru" in text
    assert {"person.address", "person.phone"}.isdisjoint(manifest.facts)


def test_the_letter_before_claim_says_when_the_losses_are_not_yet_known() -> None:
    text = _text(
        _render("letter_before_claim", {"civil.amount_claimed": None, "wages.nmw_arrears_total": None})
    )

    assert "losses are still being assessed" in text
    assert "national minimum wage" not in text


def test_the_restitution_statement_asks_for_the_greater_wage_figure() -> None:
    flsa_greater = _text(
        _render(
            "restitution_loss_statement",
            {"us.wages.value_to_defendant": {"amount": "999.99", "currency": "USD"}},
        )
    )
    unknown = _text(_render("restitution_loss_statement", {"us.wages.value_to_defendant": None}))

    assert "greater of the two figures is the FLSA value, $53,650.00" in flsa_greater
    assert "value to the defendant, $999.99" not in flsa_greater
    assert "I do not know the gross income or value to the defendant" in unknown


SET_DOCUMENTS: Final = (
    "et1_grounds_rider",
    "letter_before_claim",
    "restitution_loss_statement",
    "supplement_b_request_letter",
    "stro_loss_statement",
    "legal_aid_eligibility_note",
    "i914_worksheet",
    "state_compensation_summary",
)


def test_every_required_fact_of_the_set_documents_has_a_readable_name() -> None:
    manifests = _manifests()
    for name in SET_DOCUMENTS:
        manifest = manifests[name]
        unnamed = [
            key for key in (*manifest.required, *manifest.when_interpreted) if key not in manifest.names
        ]
        assert unnamed == [], name


def test_the_et1_rider_names_the_missing_acas_certificate() -> None:
    manifest = _manifests()["et1_grounds_rider"]
    values = _values({"acas.certificate_number": None, "employment.employer_address": None})

    with pytest.raises(MissingFacts) as raised:
        build_context(default_fact_dictionary(), manifest, values, BUILTINS)

    assert str(raised.value) == (
        "The ET1 grounds of claim (rider) needs: the employer's address; the ACAS certificate number."
    )


def test_the_et1_rider_leaves_out_the_arrears_when_there_are_none() -> None:
    text = _text(
        _render(
            "et1_grounds_rider",
            {
                "employment.claim_types": ["discrimination"],
                "wages.nmw_arrears_total": None,
                "wages.nmw_arrears_et_recoverable": None,
                "employment.termination_date": None,
            },
        )
    )

    assert "Equality Act 2010" in text
    assert "national minimum wage arrears" not in text.lower()
    assert "Unlawful deductions" not in text
    assert "from 11 March 2024." in text


def test_the_supplement_b_letter_claims_compliance_only_when_there_was_some() -> None:
    trauma = _text(
        _render(
            "supplement_b_request_letter",
            {
                "us.lea.complied": False,
                "us.t.trauma_prevents_cooperation": True,
                "us.lea.official_name": None,
            },
        )
    )
    neither = _text(_render("supplement_b_request_letter", {"us.lea.complied": False}))

    assert "has complied" not in trauma
    assert "because of the physical or psychological trauma" in trauma
    assert "Dear Sir or Madam," in trauma
    assert "has complied" not in neither
    assert "trauma" not in neither
    assert "the assistance your agency asked for" in neither


def test_the_stro_loss_statement_copes_with_only_the_required_facts() -> None:
    bare = {
        key: None
        for key in (
            "police.crime_reference",
            "stro.sentence_date",
            "stro.confiscation",
            "stro.victim_statement_made",
            "wages.nmw_arrears_total",
            "stro.losses_detail",
            "stro.losses_total",
        )
    }
    text = _text(_render("stro_loss_statement", bare))

    assert "Money, documents or belongings taken" in text
    assert "confiscation" not in text
    assert "national minimum wage" not in text
    assert "Fictional Row" not in text


def test_the_legal_aid_note_screens_each_matter_on_a_positive_decision() -> None:
    positive = {
        "nrm.rg_decision": "positive",
        "nrm.cg_decision": "pending",
        "legal_aid.matters": ["employment", "damages", "cica", "other"],
        "legal_aid.provider_found": True,
    }
    text = _text(_render("legal_aid_eligibility_note", positive))

    assert "is a victim of trafficking or slavery for the purposes of legal aid" in text
    assert "employment claims arising in connection with the exploitation (paragraph 32(2))" in text
    assert "(paragraph 32(3))" in text
    assert "not covered by legal aid" in text  # CICA
    assert "not screened by Redress" in text  # "something else"
    assert "A legal aid provider has agreed to take the case." in text
    assert "is not in force and is not relied on here" in text
    negative_cg = _text(_render("legal_aid_eligibility_note", {**positive, "nrm.cg_decision": "negative"}))
    assert "paragraph 32 does not apply now" in negative_cg


def test_the_i914_worksheet_keeps_the_home_address_out_unless_home_mail_is_safe() -> None:
    unsafe = _text(_render("i914_worksheet"))
    unanswered = _text(_render("i914_worksheet", {"person.home_mail_safe": None}))
    safe = _text(_render("i914_worksheet", {"person.home_mail_safe": True}))

    assert "Fictional Row" not in unsafe
    assert "said letters must not go home" in unsafe
    assert "Fictional Row" not in unanswered
    assert "has not said that letters may go home" in unanswered
    assert "Answer: Flat 9, 1 Fictional Row, Leeds LS1 1ZZ" in safe


def test_the_i914_worksheet_names_every_item_and_what_to_write_without_an_answer() -> None:
    text = _text(_render("i914_worksheet", {"us.t.extreme_hardship": None, "person.nationality": None}))

    for place in (
        "Part 2, item 4",
        "Part 3, item 2.A",
        "Part 3, item 5",
        "Part 4, item 1.A-21.C",
        "Part 6, item 1",
    ):
        assert place in text, place
    assert 'Answer: NO ANSWER YET. "Unknown".' in text  # the nationality
    assert "Answer: NO ANSWER YET. Ask before filing: a Yes/No question cannot be left blank." in text
    assert "The form has no box for the agency's name; put it in Part 9." in text
    assert 'Every "Yes" needs an explanation in Part 9' in text
    assert "Form I-192" in text
    assert "Item number: secondary source." in text
    assert "https://www.uscis.gov/i-914" in text


def test_the_compensation_summary_follows_the_state_and_says_when_it_is_late() -> None:
    new_york = _text(
        _render(
            "state_compensation_summary",
            {"us.state": "US-NY", "us.comp.crime_date": "2022-01-10", "us.comp.physical_injury": False},
        )
    )
    texas_child = _text(
        _render(
            "state_compensation_summary",
            {"us.state": "US-TX", "us.comp.crime_date": "2010-05-01", "person.date_of_birth": "1996-01-01"},
        )
    )
    elsewhere = _text(_render("state_compensation_summary", {"us.state": "US-FL"}))

    assert "New York Office of Victim Services" in new_york
    assert "Apply to the New York Office of Victim Services: January 10, 2023, passed" in new_york
    assert "OVS can accept it for good cause." in new_york
    assert "within a reasonable time, given the victim's condition" in new_york
    assert "A physical injury (or one made worse): no" in new_york
    assert "[Unconfirmed: " in new_york
    assert "Child victims are exempt" in texas_child
    assert "child victim, before turning 21" in texas_child
    assert "California" not in texas_child
    assert "does not cover the programme of US-FL" in elsewhere
    assert "No filing date could be worked out" in elsewhere
