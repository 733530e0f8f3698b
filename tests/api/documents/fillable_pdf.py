"""Fillable PDFs the tests build themselves with reportlab: a stand-in for a user's copy of the
official Form I-914 (which cannot be bundled), carrying some of its known field names."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Final

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

# Some of the I-914's field names (workflows/forms/i914_pdf_fields.yaml): text boxes, and Yes/No
# pairs; Part 3 item 2.A's pair (Q2_*) is left out on purpose.
TEXT_FIELDS: Final = (
    "P1_Line2_DateOfBirth[0]",
    "P1_Line8_InCareofName[0]",
    "P3_Line11_CountryOfCitizenshipOrNationality[0]",
)
CHECKBOXES: Final = ("Q1_yes[0]", "Q1_no[0]", "Q4_yes[0]", "Q4_no[0]", "Q6_yes[0]", "Q6_no[0]")


def fillable_pdf(
    text_fields: Sequence[str] = TEXT_FIELDS,
    checkboxes: Sequence[str] = CHECKBOXES,
    *,
    title: str = "Form I-914",
) -> bytes:
    """A one-page PDF with an AcroForm of the given text fields and checkboxes (none: no AcroForm)."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=letter)
    page.drawString(50, 750, f"{title} (a test copy; fictional)")
    form = page.acroForm
    for number, name in enumerate(text_fields):
        form.textfield(name=name, x=50, y=700 - 30 * number, width=300, height=20)
    for number, name in enumerate(checkboxes):
        form.checkbox(name=name, x=50 + 40 * (number % 2), y=400 - 30 * (number // 2), buttonStyle="check")
    page.showPage()
    page.save()
    return buffer.getvalue()
