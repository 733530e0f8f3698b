"""The Jinja2 environment for pages (autoescaped, templates in ``web/templates``)."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from fastapi.templating import Jinja2Templates

TEMPLATES_DIR: Final = Path(__file__).resolve().parent / "templates"

templates = Jinja2Templates(directory=TEMPLATES_DIR)
