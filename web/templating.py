"""The Jinja2 environment for pages (autoescaped, templates in ``web/templates``).

Filters for what people read:

- ``long_date``: "22 November 2026" (UK style: no leading zero, month in words). A datetime is
  first shown in the organisation's time zone (``Europe/London`` unless given), so a timestamp
  stored in UTC just after midnight is not shown as the day before.
- ``long_datetime``: "22 November 2026 at 14:05" for events such as "last used".
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from fastapi.templating import Jinja2Templates

from api.orgs.models import DEFAULT_TIMEZONE

TEMPLATES_DIR: Final = Path(__file__).resolve().parent / "templates"


def _local(value: datetime, timezone: str) -> datetime:
    return value.astimezone(ZoneInfo(timezone)) if value.tzinfo is not None else value


def long_date(value: date | datetime | None, timezone: str = DEFAULT_TIMEZONE) -> str:
    """``22 November 2026``; "" for None (a missing date shows as nothing, not "None")."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value, timezone).date()
    return f"{value.day} {value:%B %Y}"


def long_datetime(value: datetime | None, timezone: str = DEFAULT_TIMEZONE) -> str:
    """``22 November 2026 at 14:05`` in ``timezone``; "" for None."""
    if value is None:
        return ""
    local = _local(value, timezone)
    return f"{long_date(local.date())} at {local:%H:%M}"


templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.add_extension("jinja2.ext.i18n")
# English by default; survivor pages pass their language's functions in the context (web.i18n).
templates.env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
templates.env.globals["tr"] = str  # a run-time message (form error), untranslated in English
templates.env.filters["long_date"] = long_date
templates.env.filters["long_datetime"] = long_datetime
