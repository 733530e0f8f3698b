"""DOCX → PDF through LibreOffice headless, many files per call.

Why the shape (see the stack notes):

- ``soffice`` spends 1–2 s starting up and well under a second per document after that, so
  documents are converted **in batches**: one call converts every file given to it.
- Each call gets a **private profile** (``-env:UserInstallation``) in its own temporary folder:
  two calls sharing a profile fail, so batches can run side by side (several workers).
- ``soffice`` **exits 0 even when a conversion fails**: every output is checked (it exists, is
  a PDF, and pypdf reads at least one page from it) and each file gets its own result.
- The DOCX files are written to a private temporary folder (mode 0700) and removed at once:
  they hold a survivor's account in clear for the seconds the conversion takes.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from pypdf import PdfReader
from pypdf.errors import PyPdfError

SOFFICE_NAMES: Final = ("soffice", "libreoffice")
BATCH_TIMEOUT_SECONDS: Final = 300
NICENESS: Final = 10
NOT_A_DOCX: Final = "PDF not made: the file is not a Word document."
NOT_INSTALLED: Final = "PDF not made: LibreOffice is not installed on the server (the Word file is ready)."


def soffice_path() -> str | None:
    """The LibreOffice executable, or None when it is not installed."""
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass(frozen=True)
class Conversion:
    """One file's result: the PDF, or why there is none."""

    pdf: bytes | None
    problem: str | None = None


def check_pdf(data: bytes) -> str | None:
    """Why ``data`` is not a usable PDF, or None if it is one with at least one page."""
    if not data.startswith(b"%PDF-"):
        return "LibreOffice produced no PDF"
    try:
        pages = len(PdfReader(io.BytesIO(data)).pages)
    except (PyPdfError, ValueError, OSError) as exc:
        return f"LibreOffice produced an unreadable PDF ({exc})"
    return None if pages > 0 else "LibreOffice produced an empty PDF"


def is_docx(data: bytes) -> bool:
    """Whether ``data`` is a Word file at all: LibreOffice would happily "convert" plain text."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def convert_docx_batch(
    documents: Sequence[bytes], *, timeout: float = BATCH_TIMEOUT_SECONDS
) -> list[Conversion]:
    """Convert every DOCX in ``documents`` with one ``soffice`` call; a result per document, in order."""
    if not documents:
        return []
    soffice = soffice_path()
    if soffice is None:
        return [Conversion(None, NOT_INSTALLED) for _ in documents]
    with tempfile.TemporaryDirectory(prefix="redress-pdf-") as workdir:
        work = Path(workdir)
        os.chmod(work, 0o700)
        inputs = work / "in"
        outputs = work / "out"
        profile = work / "profile"
        for folder in (inputs, outputs, profile):
            folder.mkdir()
        paths: list[Path | None] = []
        for index, data in enumerate(documents):
            if not is_docx(data):
                paths.append(None)
                continue
            target = inputs / f"document-{index:04d}.docx"
            target.write_bytes(data)
            paths.append(target)
        if not any(paths):
            return [Conversion(None, NOT_A_DOCX) for _ in documents]
        # Background work: at a lower priority, so pages stay quick while documents convert.
        nice = shutil.which("nice")
        command = [
            *([nice, "-n", str(NICENESS)] if nice else []),
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--norestore",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(outputs),
            *(str(path) for path in paths if path is not None),
        ]
        # HOME must be writable for LibreOffice; the private folder is.
        environment = {**os.environ, "HOME": str(work)}
        try:
            completed = subprocess.run(  # noqa: S603 - a fixed executable, our own file names
                command, capture_output=True, timeout=timeout, env=environment, check=False
            )
        except subprocess.TimeoutExpired:
            return [Conversion(None, f"LibreOffice took longer than {timeout:.0f} s") for _ in documents]
        results = []
        for path in paths:
            if path is None:
                results.append(Conversion(None, NOT_A_DOCX))
                continue
            output = outputs / (path.stem + ".pdf")
            if not output.is_file():
                detail = completed.stderr.decode(errors="replace").strip().splitlines()
                reason = detail[-1] if detail else f"exit status {completed.returncode}"
                results.append(Conversion(None, f"LibreOffice could not convert the document ({reason})"))
                continue
            data = output.read_bytes()
            problem = check_pdf(data)
            results.append(Conversion(None, problem) if problem else Conversion(data))
        return results
