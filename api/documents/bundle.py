"""The filing bundle: one zip of the files, and one paginated PDF (an index page, then every
document and every piece of evidence that is a PDF or a JPEG photo, each page numbered).

The builder takes plain :class:`Attachment` values (name, content type, bytes), so the approved
documents and the uploaded evidence (from the evidence feature) go in the same way:
``build_pdf(title, [*documents, *evidence])``. Anything that is neither a PDF nor a JPEG (a Word
file, a PNG) is in the zip and listed on the index as "in the zip only".

The index page and the page numbers are drawn as small PDF pages written here (Helvetica, one of
the 14 standard fonts every reader has) and merged with pypdf: no extra dependency. Text on
them is Latin-1 (WinAnsi); other characters show as "?", so titles should be in English.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.errors import PyPdfError

A4: Final = (595.28, 841.89)
MARGIN: Final = 56.0
INDEX_LINES_PER_PAGE: Final = 36
PDF_TYPES: Final = frozenset({"application/pdf"})
JPEG_TYPES: Final = frozenset({"image/jpeg", "image/jpg"})


@dataclass(frozen=True)
class Attachment:
    """One file of the bundle."""

    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class IndexEntry:
    """One line of the index: the file, and its first page in the PDF (None: zip only)."""

    name: str
    first_page: int | None


def build_zip(items: Sequence[Attachment]) -> bytes:
    """Every item in one zip, numbered in order so the files sort as the index does."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, item in enumerate(items, start=1):
            archive.writestr(f"{number:02d} {_safe_name(item.name)}", item.data)
    return out.getvalue()


def build_pdf(title: str, items: Sequence[Attachment]) -> tuple[bytes, list[IndexEntry]]:
    """The paginated bundle and its index. Unreadable PDFs are listed as "in the zip only"."""
    parts: list[tuple[Attachment, PdfReader | None]] = []
    for item in items:
        parts.append((item, _as_pdf(item)))
    index_pages = max(1, -(-len(items) // INDEX_LINES_PER_PAGE))
    entries: list[IndexEntry] = []
    next_page = index_pages + 1
    for item, reader in parts:
        if reader is None:
            entries.append(IndexEntry(item.name, None))
            continue
        entries.append(IndexEntry(item.name, next_page))
        next_page += len(reader.pages)
    total = next_page - 1
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(_index_pdf(title, entries, index_pages))).pages:
        writer.add_page(page)
    for _item, reader in parts:
        if reader is not None:
            for page in reader.pages:
                writer.add_page(page)
    numbers = PdfReader(io.BytesIO(_page_numbers_pdf(total)))
    for number, page in enumerate(writer.pages):
        box = page.mediabox
        # The overlay is A4; shift it so the number sits at the bottom centre of any page size.
        shift = Transformation().translate(
            float(box.left) + (float(box.width) - A4[0]) / 2, float(box.bottom)
        )
        page.merge_transformed_page(numbers.pages[number], shift)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), entries


def _as_pdf(item: Attachment) -> PdfReader | None:
    content_type = item.content_type.split(";", 1)[0].strip().lower()
    try:
        if content_type in PDF_TYPES:
            reader = PdfReader(io.BytesIO(item.data))
            return reader if len(reader.pages) > 0 else None
        if content_type in JPEG_TYPES:
            return PdfReader(io.BytesIO(_jpeg_pdf(item.data)))
    except (PyPdfError, ValueError, OSError, struct.error):
        return None
    return None


def _safe_name(name: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in " ._-()" else "_" for ch in name).strip()
    return cleaned or "file"


# --- small hand-written PDFs ----------------------------------------------------------------------


def _pdf_text(text: str) -> bytes:
    encoded = text.encode("cp1252", errors="replace")
    return b"(" + encoded.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _write_pdf(pages: list[tuple[bytes, bytes]], width: float, height: float) -> bytes:
    """A PDF whose pages have the given (content stream, extra resources) pairs."""
    objects: list[bytes] = []
    kids = []
    font_id = 3
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(b"")  # the page tree, filled in below
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for content, resources in pages:
        stream_id = len(objects) + 1
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        page_id = len(objects) + 1
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> %s >> >>" % (width, height, stream_id, font_id, resources)
        )
        kids.append(page_id)
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids),
        len(kids),
    )
    return _serialise(objects)


def _serialise(objects: list[bytes]) -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _index_pdf(title: str, entries: list[IndexEntry], pages: int) -> bytes:
    width, height = A4
    contents: list[tuple[bytes, bytes]] = []
    for page in range(pages):
        lines = [b"BT /F1 16 Tf %.2f %.2f Td " % (MARGIN, height - MARGIN) + _pdf_text(title) + b" Tj ET"]
        lines.append(
            b"BT /F1 11 Tf %.2f %.2f Td " % (MARGIN, height - MARGIN - 28) + _pdf_text("Index") + b" Tj ET"
        )
        chunk = entries[page * INDEX_LINES_PER_PAGE : (page + 1) * INDEX_LINES_PER_PAGE]
        for row, entry in enumerate(chunk):
            y = height - MARGIN - 60 - row * 18
            number = page * INDEX_LINES_PER_PAGE + row + 1
            where = f"page {entry.first_page}" if entry.first_page is not None else "in the zip only"
            name = entry.name if len(entry.name) <= 70 else entry.name[:69] + "..."
            lines.append(
                b"BT /F1 10 Tf %.2f %.2f Td " % (MARGIN, y) + _pdf_text(f"{number}. {name}") + b" Tj ET"
            )
            lines.append(
                b"BT /F1 10 Tf %.2f %.2f Td " % (width - MARGIN - 90, y) + _pdf_text(where) + b" Tj ET"
            )
        contents.append((b"\n".join(lines), b""))
    return _write_pdf(contents, width, height)


def _page_numbers_pdf(total: int) -> bytes:
    width, height = A4
    return _write_pdf(
        [
            (
                b"BT /F1 9 Tf %.2f 20 Td " % (width / 2 - 30) + _pdf_text(f"Page {n} of {total}") + b" Tj ET",
                b"",
            )
            for n in range(1, total + 1)
        ],
        width,
        height,
    )


def _jpeg_size(data: bytes) -> tuple[int, int]:
    """Width and height from a JPEG's start-of-frame marker."""
    if not data.startswith(b"\xff\xd8"):
        raise ValueError("not a JPEG")
    position = 2
    while position + 9 < len(data):
        if data[position] != 0xFF:
            raise ValueError("damaged JPEG")
        marker = data[position + 1]
        length = struct.unpack(">H", data[position + 2 : position + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return width, height
        position += 2 + length
    raise ValueError("no size in the JPEG")


def _jpeg_pdf(data: bytes) -> bytes:
    """One A4 page showing the photo, scaled to fit inside the margins."""
    pixel_width, pixel_height = _jpeg_size(data)
    width, height = A4
    scale = min((width - 2 * MARGIN) / pixel_width, (height - 2 * MARGIN - 20) / pixel_height)
    shown_width, shown_height = pixel_width * scale, pixel_height * scale
    x, y = (width - shown_width) / 2, (height - shown_height) / 2
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 "
        b"/Filter /DCTDecode /Length %d >>\nstream\n"
        % (pixel_width, pixel_height, len(data))
        + data
        + b"\nendstream",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Contents 5 0 R "
        b"/Resources << /XObject << /Im1 3 0 R >> >> >>" % (width, height),
    ]
    content = b"q %.2f 0 0 %.2f %.2f %.2f cm /Im1 Do Q" % (shown_width, shown_height, x, y)
    objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    return _serialise(objects)
