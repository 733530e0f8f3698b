"""LibreOffice conversion: checked outputs (soffice exits 0 on failure) and conversions side by
side (each with its own profile)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from api.documents.pdf import NOT_A_DOCX, check_pdf, convert_docx_batch
from tests.api.documents.programs import require_libreoffice
from tests.api.documents.test_templates import _render


def test_a_file_that_is_not_a_word_document_gets_no_pdf_and_says_why() -> None:
    require_libreoffice()
    good = _render("t_visa_cover_letter")

    results = convert_docx_batch([b"plain text LibreOffice would happily convert", good])

    assert results[0].pdf is None
    assert results[0].problem == NOT_A_DOCX
    assert results[1].pdf is not None
    assert check_pdf(results[1].pdf) is None


def test_a_pdf_is_checked_not_trusted() -> None:
    assert check_pdf(b"") == "LibreOffice produced no PDF"
    assert check_pdf(b"%PDF-1.4 nothing else").startswith("LibreOffice produced an")


def test_two_conversions_run_at_once_with_their_own_profiles() -> None:
    require_libreoffice()
    documents = [_render("witness_statement"), _render("cica_claim_pack")]

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda document: convert_docx_batch([document])[0], documents))

    assert all(result.pdf is not None for result in results), [result.problem for result in results]
