"""LibreOffice and poppler for the document tests: skip with a hint, or fail under CI."""

from __future__ import annotations

import shutil

from api.documents.pdf import soffice_path
from tests.conftest import require_service


def _check_programs() -> None:
    if soffice_path() is None:
        raise FileNotFoundError("soffice")
    if shutil.which("pdftotext") is None:
        raise FileNotFoundError("pdftotext")


def require_libreoffice() -> None:
    """Skip (or fail under CI) unless ``soffice`` and ``pdftotext`` are installed."""
    require_service(
        "LibreOffice and pdftotext",
        _check_programs,
        "Install them with .dev/system-packages (libreoffice-writer-nogui, poppler-utils).",
    )
