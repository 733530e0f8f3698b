"""Legal date arithmetic on calendar dates.

Every deadline in the app is a ``datetime.date``: the last whole day on which something can still
be done. Times of day (a CICA portal closing at 11:59pm) belong to the caller's explanation, not
here. Each function below implements one way that statutes, rules and guidance count time; a
workflow definition picks the one its source uses. The conventions, and why:

"N days / months / years after EVENT" (:func:`add_days`, :func:`add_months`, :func:`add_years`)
    The day of the event is excluded and the period ends on the corresponding date N units later
    (Lester v Garland (1808), affirmed in Dodds v Walker [1981] 1 WLR 1027 (HL); in the US the
    same exclusion is FRCP 6(a)(1)(A)). A "month" is a calendar month (Interpretation Act 1978
    Sch. 1). When the corresponding date does not exist the period ends on the last day of that
    month (31 January + 1 month = 28/29 February), the exception Dodds v Walker recognises to
    the corresponding-date rule; the period never spills into the following month.

"N units beginning with EVENT" (:func:`end_of_period_beginning_with`)
    UK statutes often count the event day itself (ERA 1996 ss.23 and 111 "three months beginning
    with", NABA 2022 s.61 "30 days beginning with"). The period then ends on the day BEFORE the
    corresponding date, the practitioners' "three months less one day" (EAT in Tanveer v East
    London Bus & Coach, domain.md 0.3). With no corresponding date (3 months beginning with
    31 August: there is no 31 November) the period ends on the last day of that month, 30 November.

Birthdays (:func:`birthday`, :func:`day_before_birthday`, :func:`age_on`)
    A person attains an age at the commencement of the anniversary of their birth (Family Law
    Reform Act 1969 s.9, England and Wales). Someone born on 29 February has no anniversary in a
    common year; we take 1 March, the first day on which a full number of years has elapsed.
    "Before the Nth birthday" means the act must be done by the day before that birthday.

Business days (:func:`add_business_days`)
    Only where the source says "working" or "business" days (domain.md 0.3: otherwise calendar
    days). Saturdays, Sundays and the jurisdiction's public holidays (:mod:`workflows.calendars`)
    are skipped; the day of the event is not counted, as with calendar days.

Rolling a deadline off a weekend or holiday (:func:`roll_forward`)
    Never implicit. UK statutory limits do not move when they end on a non-working day: the
    Employment Tribunal rule that moves its own deadlines does not reach ERA limits (Miah v Axis
    Security Services, EAT 2018), and the Limitation Act 1980 and the CICA Scheme have no such
    rule. Some US rules do roll (FRCP 6(a)(1)(C); USCIS, for paper filings received from
    29 March 2023, treats a filing due on a Saturday, Sunday or federal holiday as timely on the
    next business day, applying the regulatory definition of "day"). A definition calls
    :func:`roll_forward` only where its source says so; otherwise the unrolled, earlier date
    stands.

All functions are pure, reject a ``datetime`` where a ``date`` is expected (``TypeError``), and
raise ``ValueError`` with a message on values the rule cannot apply to.
"""

from __future__ import annotations

import datetime as dt
from calendar import isleap, monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, get_args

from workflows.calendars import HolidayCalendar

PeriodUnit = Literal["days", "months", "years"]


@dataclass(frozen=True, slots=True)
class BusinessDayResult:
    """The outcome of :func:`add_business_days`, with what was skipped (for the explanation)."""

    date: dt.date
    holidays_skipped: tuple[tuple[dt.date, str], ...]  # weekday holidays passed over, in order
    weekend_days_skipped: int  # Saturdays and Sundays passed over (holiday or not)


@dataclass(frozen=True, slots=True)
class RollResult:
    """The outcome of :func:`roll_forward`: the business day and the holidays rolled over."""

    date: dt.date
    holidays_skipped: tuple[tuple[dt.date, str], ...]


def add_days(d: date, n: int) -> date:
    """The date ``n`` calendar days after ``d`` (before it when ``n`` is negative)."""
    _check_date(d, "d")
    _check_int(n, "n")
    try:
        return d + timedelta(days=n)
    except OverflowError:
        raise ValueError(f"{d.isoformat()} + {n} days is outside years 1-9999") from None


def add_months(d: date, n: int) -> date:
    """The corresponding date ``n`` calendar months after ``d`` (before it when negative).

    When that month is too short the last day of the month is used: 31 Jan + 1 month is
    28 Feb (29 in a leap year); 31 Mar - 1 month is 28/29 Feb.
    """
    _check_date(d, "d")
    _check_int(n, "n")
    year, month = _shift_month(d, n)
    return date(year, month, min(d.day, monthrange(year, month)[1]))


def add_years(d: date, n: int) -> date:
    """The corresponding date ``n`` years after ``d``; 29 Feb + 1 year is 28 Feb."""
    _check_date(d, "d")
    _check_int(n, "n")
    return add_months(d, 12 * n)


def end_of_period_beginning_with(d: date, n: int, unit: PeriodUnit) -> date:
    """The last day of a period of ``n`` units "beginning with" ``d`` (``d`` is day one).

    Days: ``d + n - 1``. Months and years: the day before the corresponding date; where the
    corresponding date does not exist, the last day of that month (see the module docstring):

    * 15 Mar + 3 months -> 14 Jun; 1 Mar + 3 months -> 31 May;
    * 31 Aug + 3 months -> 30 Nov (no 31 Nov); 30 Nov 2025 + 3 months -> 28 Feb 2026;
    * 29 Feb 2024 + 12 months (or 1 year) -> 28 Feb 2025.
    """
    _check_date(d, "d")
    _check_int(n, "n")
    if unit not in get_args(PeriodUnit):
        raise ValueError(f"unit must be one of {', '.join(get_args(PeriodUnit))}, not {unit!r}")
    if n < 1:
        raise ValueError(f"a period beginning with a date must last at least 1 {unit}, not {n}")
    if unit == "days":
        return add_days(d, n - 1)
    year, month = _shift_month(d, n if unit == "months" else 12 * n)
    last_day = monthrange(year, month)[1]
    if d.day > last_day:
        return date(year, month, last_day)
    return date(year, month, d.day) - timedelta(days=1)


def birthday(birth: date, age: int) -> date:
    """The date of the ``age``-th birthday (``age`` 0 is the date of birth).

    A 29 February birthday falls on 1 March in common years: under FLRA 1969 s.9 the age is
    attained at the start of the anniversary, and in a common year the full number of years has
    elapsed only when 28 February ends. :func:`age_on` uses the same rule.
    """
    _check_date(birth, "birth")
    _check_int(age, "age")
    if age < 0:
        raise ValueError(f"age must be 0 or more, not {age}")
    year = birth.year + age
    if year > date.max.year:
        raise ValueError(f"birthday {age} of {birth.isoformat()} is after year {date.max.year}")
    if (birth.month, birth.day) == (2, 29) and not isleap(year):
        return date(year, 3, 1)
    return birth.replace(year=year)


def day_before_birthday(birth: date, age: int) -> date:
    """The last day that is "before the ``age``-th birthday" (``age`` >= 1).

    For a 29 February birth in a common year this is 28 February. A reader who put that
    birthday on 28 February would get 27 February; a caller that treats the point as uncertain
    should show the earlier date too.
    """
    _check_int(age, "age")
    if age < 1:
        raise ValueError(f"age must be 1 or more, not {age}")
    return birthday(birth, age) - timedelta(days=1)


def age_on(birth: date, on: date) -> int:
    """Completed years of age on ``on``: the largest n with ``birthday(birth, n) <= on``."""
    _check_date(birth, "birth")
    _check_date(on, "on")
    if on < birth:
        raise ValueError(f"{on.isoformat()} is before the date of birth {birth.isoformat()}")
    years = on.year - birth.year
    return years if birthday(birth, years) <= on else years - 1


def days_between(a: date, b: date) -> int:
    """``b - a`` in days (negative when ``b`` is before ``a``)."""
    _check_date(a, "a")
    _check_date(b, "b")
    return (b - a).days


def add_business_days(d: date, n: int, calendar: HolidayCalendar) -> BusinessDayResult:
    """The ``n``-th business day after ``d`` (``d`` itself is not counted).

    Negative ``n`` counts backwards ("N business days before"). ``n == 0`` returns ``d`` if it
    is a business day, else the next one. Weekday public holidays passed over are reported with
    their names; weekend days (a holiday on a Saturday included) are only counted.
    """
    _check_date(d, "d")
    _check_int(n, "n")
    step = 1 if n >= 0 else -1
    holidays_skipped: list[tuple[date, str]] = []
    weekend_days = 0

    def skip(day: date) -> None:
        nonlocal weekend_days
        if day.weekday() >= 5:
            weekend_days += 1
        else:
            holidays_skipped.append((day, calendar.holiday_name(day) or ""))

    current = d
    if n == 0:
        while not calendar.is_business_day(current):
            skip(current)
            current = add_days(current, 1)
    remaining = abs(n)
    while remaining:
        current = add_days(current, step)
        if calendar.is_business_day(current):
            remaining -= 1
        else:
            skip(current)
    return BusinessDayResult(
        date=current,
        holidays_skipped=tuple(sorted(holidays_skipped)),
        weekend_days_skipped=weekend_days,
    )


def roll_forward(d: date, calendar: HolidayCalendar) -> RollResult:
    """``d`` if it is a business day, else the next business day.

    Only for rules that say so (see the module docstring): most limits here do not roll.
    """
    result = add_business_days(d, 0, calendar)
    return RollResult(date=result.date, holidays_skipped=result.holidays_skipped)


def _shift_month(d: date, n: int) -> tuple[int, int]:
    """(year, month) of the month ``n`` months after ``d``'s month."""
    year, month0 = divmod(d.year * 12 + d.month - 1 + n, 12)
    if not date.min.year <= year <= date.max.year:
        raise ValueError(f"{d.isoformat()} + {n} months is outside years 1-9999")
    return year, month0 + 1


def _check_date(value: object, name: str) -> None:
    # datetime is a subclass of date: arithmetic on it would carry a time of day (and, naive,
    # no time zone) into a legal date, so refuse it rather than truncate silently.
    if isinstance(value, dt.datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a datetime.date, not {type(value).__name__}")


def _check_int(value: object, name: str) -> None:
    # bool is an int subclass; True months is a bug in the caller, not 1 month.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
