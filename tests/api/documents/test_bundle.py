"""The filing bundle: an index page, then every PDF and JPEG, every page numbered; the zip holds
everything; extra attachments (uploaded evidence) go in the same way."""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

from pypdf import PdfReader

from api.documents.bundle import Attachment, IndexEntry, build_pdf, build_zip
from api.documents.pdf import convert_docx_batch
from api.documents.rendering import build_context, render_docx
from tests.api.documents.fixtures import FACTS
from tests.api.documents.programs import require_libreoffice
from workflows.catalogue import TEMPLATES_ROOT
from workflows.facts import default_fact_dictionary
from workflows.manifests import load_manifests


def _statement_pdf() -> bytes:
    from datetime import date

    dictionary = default_fact_dictionary()
    manifest = load_manifests(TEMPLATES_ROOT, dictionary)[0]["cica_claim_pack"]
    values = dictionary.parse_facts(FACTS, today=date(2026, 11, 22))
    builtins = {
        "date": "22 November 2026",
        "advocate_name": "Bea",
        "organisation_name": "Harbour",
        "evidence": [],
    }
    docx = render_docx(manifest, build_context(dictionary, manifest, values, builtins))
    pdf = convert_docx_batch([docx])[0].pdf
    assert pdf is not None
    return pdf


def _text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def test_the_bundle_has_an_index_then_the_files_with_numbered_pages(tmp_path: Path) -> None:
    require_libreoffice()
    statement = _statement_pdf()
    pages = len(PdfReader(io.BytesIO(statement)).pages)
    subprocess.run(
        ["pdftoppm", "-jpeg", "-r", "20", "-singlefile", "-", str(tmp_path / "photo")],
        input=statement,
        check=True,
    )
    photo = (tmp_path / "photo.jpg").read_bytes()
    items = [
        Attachment("CICA claim pack (version 2)", "application/pdf", statement),
        Attachment("Photo of the payslip", "image/jpeg", photo),
        Attachment("Notes.txt", "text/plain", b"notes"),
    ]

    pdf, index = build_pdf("Filing bundle: Case Kestrel", items)

    assert index == [
        IndexEntry("CICA claim pack (version 2)", 2),
        IndexEntry("Photo of the payslip", 2 + pages),
        IndexEntry("Notes.txt", None),
    ]
    total = 1 + pages + 1
    assert len(PdfReader(io.BytesIO(pdf)).pages) == total
    text = " ".join(_text(pdf).split())
    assert "Filing bundle: Case Kestrel Index 1. CICA claim pack (version 2) page 2" in text
    assert "3. Notes.txt in the zip only" in text
    assert "Mirela Testescu" in text
    for number in range(1, total + 1):
        assert f"Page {number} of {total}" in text
    archive = zipfile.ZipFile(io.BytesIO(build_zip(items)))
    assert archive.namelist() == ["01 CICA claim pack (version 2)", "02 Photo of the payslip", "03 Notes.txt"]
    assert archive.read("03 Notes.txt") == b"notes"


def test_a_damaged_file_is_listed_as_zip_only_rather_than_breaking_the_bundle() -> None:
    pdf, index = build_pdf("Bundle", [Attachment("Broken.pdf", "application/pdf", b"%PDF-1.4 broken")])

    assert index == [IndexEntry("Broken.pdf", None)]
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
