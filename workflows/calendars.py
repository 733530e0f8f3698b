"""Public-holiday calendars per jurisdiction, as data, for business-day arithmetic.

Each calendar is a thin, immutable view over the ``holidays`` package. The choices:

``GB-EAW`` (England and Wales)
    ``holidays.GB`` with subdivision ``ENG``. Wales has exactly the same bank holidays as England
    (Banking and Financial Dealings Act 1971 Sch. 1 lists "England and Wales" together); the
    package's ``WLS`` and ``ENG`` sets are identical for every year 1990-2060, and a test keeps
    checking that. One-off bank holidays (2022 State Funeral, 2023 Coronation) and substitute
    days ("Boxing Day (observed)") are included, because they are real bank holidays.
``GB-SCT`` / ``GB-NIR``
    ``holidays.GB`` with subdivision ``SCT`` / ``NIR`` (2 January, St Andrew's Day, the first
    Monday of August in Scotland; St Patrick's Day and the Battle of the Boyne in Northern Ireland).
``US``
    ``holidays.US`` with no subdivision and only the ``public`` category: the legal public holidays
    of 5 U.S.C. 6103(a) with their observed Friday/Monday (6103(b)), Juneteenth from 2021.
    Inauguration Day is left out: under 6103(c) it is a holiday only for federal employees in the
    Washington, D.C. area, and the package gives it only for subdivision ``DC``. The
    ``government`` category is left out too: it adds days the President closed federal offices by
    executive order (Christmas Eve 2024, 26 December 2025, ...). Those are announced at short
    notice and are not statutory holidays; leaving them out can only make a business-day deadline
    earlier, which is the safe side (DESIGN.md: "compute the earlier date").

Holiday sets are loaded one year at a time and cached for the life of the process (building a
``holidays`` object costs tens of milliseconds; a lookup in the cache costs a dict access). The
cache is bounded: four calendars times the package's supported years. ``functools.cache`` is
safe to call from several threads; two threads missing the same year at once both build it and
one result wins, which is harmless because the function is pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from types import MappingProxyType
from typing import Final

import holidays
from holidays.countries.united_kingdom import UnitedKingdom
from holidays.countries.united_states import UnitedStates

CALENDAR_IDS: Final[tuple[str, ...]] = ("GB-EAW", "GB-SCT", "GB-NIR", "US")


class UnknownCalendarError(KeyError):
    """No holiday calendar is known for the given calendar id or jurisdiction."""

    def __str__(self) -> str:
        # KeyError's own __str__ shows the repr of its argument (quotes and escapes); the
        # message is meant for people, so show it as written.
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True, slots=True)
class HolidayCalendar:
    """The public holidays of one jurisdiction; weekends are never business days.

    Instances are immutable and shared: get one with :func:`get_calendar`.
    """

    id: str
    label: str
    country: str  # ISO 3166-1 alpha-2 code as the ``holidays`` package spells it
    subdiv: str | None
    categories: tuple[str, ...]
    language: str  # holiday names are in English
    first_year: int  # the package has no data outside first_year..last_year
    last_year: int

    def is_business_day(self, d: date) -> bool:
        """True if ``d`` is a weekday (Monday-Friday) that is not a public holiday."""
        # Look the holiday up first so that a bad date fails even when it is a weekend.
        return self.holiday_name(d) is None and d.weekday() < 5

    def holiday_name(self, d: date) -> str | None:
        """The English name of the public holiday on ``d`` (several joined by "; "), else None."""
        return self._year(d.year).get(_as_date(d))

    def holidays_between(self, start: date, end: date) -> list[tuple[date, str]]:
        """Every public holiday from ``start`` to ``end`` inclusive, in date order.

        Holidays on weekends are included (with their substitute days, when there are any).
        """
        start, end = _as_date(start), _as_date(end)
        if end < start:
            raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
        return [
            (day, name)
            for year in range(start.year, end.year + 1)
            for day, name in sorted(self._year(year).items())
            if start <= day <= end
        ]

    def _year(self, year: int) -> Mapping[date, str]:
        if not self.first_year <= year <= self.last_year:
            # Without data every weekday would look like a business day: fail loudly instead.
            raise ValueError(
                f"calendar {self.id} has holiday data for {self.first_year}-{self.last_year} only, not {year}"
            )
        return _load_year(self.id, year)


def _as_date(d: date) -> date:
    # A datetime is a date subclass whose hash and equality differ from the date's, so it would
    # silently miss every holiday; legal dates are plain dates.
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"expected a datetime.date, got {type(d).__name__}")
    return d


def _make(
    calendar_id: str,
    label: str,
    cls: type[holidays.HolidayBase],
    subdiv: str | None,
    language: str,
) -> HolidayCalendar:
    return HolidayCalendar(
        id=calendar_id,
        label=label,
        country=cls.country,
        subdiv=subdiv,
        categories=("public",),
        language=language,
        first_year=cls.start_year,
        last_year=cls.end_year,
    )


_CALENDARS: Final[Mapping[str, HolidayCalendar]] = MappingProxyType(
    {
        cal.id: cal
        for cal in (
            _make("GB-EAW", "England and Wales bank holidays", UnitedKingdom, "ENG", "en_GB"),
            _make("GB-SCT", "Scotland bank holidays", UnitedKingdom, "SCT", "en_GB"),
            _make("GB-NIR", "Northern Ireland bank holidays", UnitedKingdom, "NIR", "en_GB"),
            _make("US", "United States federal holidays", UnitedStates, None, "en_US"),
        )
    }
)


@cache
def _load_year(calendar_id: str, year: int) -> Mapping[date, str]:
    cal = _CALENDARS[calendar_id]
    source = holidays.country_holidays(
        cal.country,
        subdiv=cal.subdiv,
        years=year,
        categories=cal.categories,
        language=cal.language,
    )
    # Keep only this year's dates so each date lives in exactly one cached year. The package
    # files an observed day under the year it falls in (US New Year's Day 2022 observed on
    # 31 Dec 2021 is in the 2021 set), so nothing is lost; a test checks this against a
    # multi-year load.
    return MappingProxyType({d: str(name) for d, name in source.items() if d.year == year})


def get_calendar(calendar_id: str) -> HolidayCalendar:
    """The shared calendar with this id (one of :data:`CALENDAR_IDS`)."""
    try:
        return _CALENDARS[calendar_id]
    except KeyError:
        raise UnknownCalendarError(
            f"unknown holiday calendar {calendar_id!r}; known: {', '.join(CALENDAR_IDS)}"
        ) from None


_JURISDICTION_CALENDARS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "UK": "GB-EAW",  # definitions under workflows/definitions/uk/ are England and Wales law
        "GB": "GB-EAW",
        "GB-ENG": "GB-EAW",
        "GB-WLS": "GB-EAW",
        "GB-EAW": "GB-EAW",
        "GB-SCT": "GB-SCT",
        "GB-NIR": "GB-NIR",
        "US": "US",
    }
)
# Any state or territory (US-CA, US-NY, US-DC, ...): the calendar is the federal one, because
# the deadlines computed in business days here are federal (USCIS, federal courts). State-law
# deadlines are calendar days in this app.
_US_SUBDIVISION: Final = re.compile(r"US-[A-Z0-9]{2}")


def calendar_for_jurisdiction(jurisdiction: str) -> str:
    """The calendar id for an ISO 3166-2 style code (``GB-WLS``, ``US-CA``) or a definition's
    jurisdiction (``uk``, ``us``); case and surrounding spaces are ignored."""
    code = jurisdiction.strip().upper()
    if code in _JURISDICTION_CALENDARS:
        return _JURISDICTION_CALENDARS[code]
    if _US_SUBDIVISION.fullmatch(code):
        return "US"
    raise UnknownCalendarError(
        f"no holiday calendar for jurisdiction {jurisdiction!r}; known: "
        f"{', '.join(sorted(_JURISDICTION_CALENDARS))}, US-XX"
    )
