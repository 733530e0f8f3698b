"""What an uploaded file really is (by its first bytes, not its name), and a copy of an image
without its hidden details (EXIF location, camera, dates; XMP; comments).

Accepted: JPEG, PNG, HEIC (phones' photos) and PDF. Images are decoded and written again from
their pixels only, turned upright first (the EXIF orientation is one of the details removed).
HEIC goes through ``pillow-heif``. A PDF is kept as it is: removing its details reliably would
mean rewriting it, so the survivor is told that its details stay.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

pillow_heif.register_heif_opener()

HEIC_BRANDS: Final = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"})
# Decoding a picture bigger than this (in pixels) could exhaust memory: refuse it.
MAX_PIXELS: Final = 60_000_000
JPEG_QUALITY: Final = 92


class FileKind(StrEnum):
    """An accepted kind of file, by its media type."""

    JPEG = "image/jpeg"
    PNG = "image/png"
    HEIC = "image/heic"
    PDF = "application/pdf"


class UnreadableImage(ValueError):
    """The file starts like an image but cannot be decoded (damaged, or not really one)."""


def detect(content: bytes) -> FileKind | None:
    """The kind of file ``content`` is, by its magic bytes; None for anything else."""
    if content.startswith(b"\xff\xd8\xff"):
        return FileKind.JPEG
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileKind.PNG
    if content.startswith(b"%PDF-"):
        return FileKind.PDF
    if len(content) >= 12 and content[4:8] == b"ftyp" and content[8:12] in HEIC_BRANDS:
        return FileKind.HEIC
    return None


@dataclass(frozen=True)
class CleanFile:
    """The bytes to store, and whether hidden details were removed from them."""

    content: bytes
    metadata_removed: bool


def without_hidden_details(kind: FileKind, content: bytes) -> CleanFile:
    """``content`` ready to store: images re-written from their pixels; a PDF as it is."""
    if kind is FileKind.PDF:
        return CleanFile(content, metadata_removed=False)
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise UnreadableImage("the picture is too large to read")
            upright = ImageOps.exif_transpose(image)
            # Only the pixels: a new image carries no EXIF, XMP, ICC or text chunks.
            pixels = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise UnreadableImage(str(exc)) from None
    output = io.BytesIO()
    if kind is FileKind.JPEG:
        rgb = pixels if pixels.mode in ("RGB", "L", "CMYK") else pixels.convert("RGB")
        rgb.save(output, format="JPEG", quality=JPEG_QUALITY)
    elif kind is FileKind.PNG:
        pixels.save(output, format="PNG")
    else:
        rgb = pixels if pixels.mode in ("RGB", "RGBA", "L") else pixels.convert("RGB")
        rgb.save(output, format="HEIF")
    return CleanFile(output.getvalue(), metadata_removed=True)
