"""The built-in functions of the condition language (see :mod:`workflows.conditions`).

:data:`FUNCTIONS` maps each ordinary function to its signature, which the compiler checks calls
against; ``date``, ``answered``, ``deadline`` and ``passed`` (:data:`SPECIAL_FUNCTIONS`) take a literal or a
fact key rather than a value, so the compiler handles them itself.

Each function here receives already evaluated, already type-checked arguments that are never
``UNKNOWN`` (the caller propagates ``UNKNOWN`` before calling). Problems with the values themselves,
such as a date past the year 9999 or a fractional number of days, raise ``ValueError`` or
``OverflowError``; the condition compiler turns them into ``ExpressionRuntimeError`` (or, for an
expression made only of literals, into a compile-time ``ExpressionError``).

The date arithmetic itself lives in :mod:`workflows.dates`; these are thin adapters from the
language's values (``int``/``Decimal`` numbers) to its arguments.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from workflows import calendars, dates
from workflows.condition_runtime import ExprType

_ISO_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


def whole_number(value: object) -> int:
    """Return *value* as an ``int`` when it is a whole number (``3`` or ``Decimal('3.0')``)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a whole number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    raise ValueError(f"expected a whole number, got {value}")


def parse_iso_date(text: str) -> date:
    """Parse exactly ``YYYY-MM-DD`` (``date.fromisoformat`` alone also accepts ``20260101``)."""
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(f"{text!r} is not a date written as YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a real calendar date") from None


def age_on(birth: date, on: date) -> int:
    """Completed years of age on *on* for someone born on *birth*."""
    return dates.age_on(birth, on)


def add_days(start: date, n: int | Decimal) -> date:
    """The date *n* calendar days after *start* (before it when *n* is negative)."""
    return dates.add_days(start, whole_number(n))


def add_months(start: date, n: int | Decimal) -> date:
    """The corresponding date *n* months later; month ends clamp (31 Jan + 1 month = 28/29 Feb)."""
    return dates.add_months(start, whole_number(n))


def add_years(start: date, n: int | Decimal) -> date:
    """The corresponding date *n* years later; 29 Feb clamps to 28 Feb in common years."""
    return dates.add_years(start, whole_number(n))


def add_business_days(calendar_id: str, start: date, n: int | Decimal) -> date:
    """The date *n* business days after *start*, skipping weekends and *calendar_id*'s holidays."""
    calendar = calendars.get_calendar(calendar_id)
    return dates.add_business_days(start, whole_number(n), calendar).date


def days_between(first: date, second: date) -> int:
    """Calendar days from *first* to *second* (negative when *second* is earlier)."""
    return dates.days_between(first, second)


def day_before_birthday(birth: date, age: int | Decimal) -> date:
    """The last day before someone born on *birth* turns *age* ("before the Nth birthday")."""
    return dates.day_before_birthday(birth, whole_number(age))


def later_of(first: date, second: date) -> date:
    """The later of two dates."""
    return max(first, second)


def earlier_of(first: date, second: date) -> date:
    """The earlier of two dates (where sources conflict, the design computes the earlier one)."""
    return min(first, second)


@dataclass(frozen=True, slots=True)
class Function:
    """A function callable from expressions: its signature and implementation."""

    params: tuple[ExprType, ...]
    result: ExprType
    impl: Callable[..., object]
    needs_calendar: bool = False  # impl takes the evaluation's calendar id first


_D, _N = ExprType.DATE, ExprType.NUMBER
FUNCTIONS: Final[Mapping[str, Function]] = {
    "age_on": Function((_D, _D), _N, age_on),
    "add_days": Function((_D, _N), _D, add_days),
    "add_months": Function((_D, _N), _D, add_months),
    "add_years": Function((_D, _N), _D, add_years),
    "add_business_days": Function((_D, _N), _D, add_business_days, needs_calendar=True),
    "days_between": Function((_D, _D), _N, days_between),
    "day_before_birthday": Function((_D, _N), _D, day_before_birthday),
    "later_of": Function((_D, _D), _D, later_of),
    "earlier_of": Function((_D, _D), _D, earlier_of),
    "count": Function((ExprType.LIST,), _N, len),
}
# Functions whose argument is not an ordinary value; the compiler handles each itself.
SPECIAL_FUNCTIONS: Final = ("date", "answered", "deadline", "passed")
ALL_FUNCTIONS: Final = tuple(sorted([*FUNCTIONS, *SPECIAL_FUNCTIONS]))
