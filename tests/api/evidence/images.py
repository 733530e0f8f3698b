"""Test files made on the spot: a photo with a GPS position and a camera name in its EXIF."""

from __future__ import annotations

import io
from typing import Final

from PIL import Image

CAMERA: Final = "HarbourCam 3000"
GPS_IFD: Final = 0x8825
MAKE: Final = 0x010F


def photo(kind: str = "JPEG", size: tuple[int, int] = (64, 48)) -> bytes:
    """A small picture with GPS coordinates and a camera maker in its EXIF data."""
    image = Image.new("RGB", size, (30, 120, 200))
    exif = Image.Exif()
    exif[MAKE] = CAMERA
    exif[GPS_IFD] = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 40.1)}
    output = io.BytesIO()
    image.save(output, format=kind, exif=exif.tobytes())
    return output.getvalue()


def pdf() -> bytes:
    """The smallest document that starts as a PDF does."""
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
