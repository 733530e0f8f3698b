"""The FLSA wage calculator: unpaid minimum wage, overtime and liquidated damages, week by week.

Used for the wage part of US restitution (18 U.S.C. 1593(b)(3): the greater of the value of the
work to the defendant and its value "under the minimum wage and overtime guarantees of the Fair
Labor Standards Act") and for wage claims. The rules, from rates-and-forms.md Part 2:

* Minimum wage (29 U.S.C. 206): the federal rate in force on the **first day of the workweek**
  (``us_minimum_wage.csv``, one row per rate with its source). A rate that changes during a week
  applies from the next week; the working says so for that week. With ``rate_basis="state"`` the
  higher of the federal rate and the state's (California, New York, Texas, by category) is used:
  that is a state-law figure, not the FLSA value, and the working says so (rates-and-forms.md
  gap 13: which rate counts for unpaid victims is unconfirmed).
* Overtime (29 U.S.C. 207(a)(1)): hours over 40 in the workweek at 1.5 times the regular rate;
  no daily overtime. The regular rate is the minimum wage, or an agreed hourly rate if higher
  (for unpaid workers courts generally use the minimum wage: unconfirmed, rates-and-forms 2.2).
* What was due: straight time for the first 40 hours at the minimum wage, plus overtime. Money
  actually paid for the week is set first against the minimum wage, then against overtime. The
  DOL example checks it: 46 hours at $6 = 46 x $6 + 6 x $3 = $294.
* Liquidated damages (29 U.S.C. 216(b)): an additional equal amount. A court may reduce them for
  good faith (29 U.S.C. 260, unconfirmed); in restitution they are binding in the Fourth Circuit
  only (United States v. Edwards, 2021).

Money is ``Decimal``; each week's amounts are rounded to the cent (half up) and the totals are
the sums of the rounded weeks, so the CSV adds up. Pure: no I/O but reading the packaged rates.
"""

from __future__ import annotations

import csv
import io
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Literal

RATES_PATH = Path(__file__).with_name("us_minimum_wage.csv")
FEDERAL = "US"
OVERTIME_THRESHOLD = Decimal(40)
OVERTIME_MULTIPLIER = Decimal("1.5")
MAX_HOURS_IN_A_WEEK = Decimal(168)
CENT = Decimal("0.01")
RateBasis = Literal["federal", "state"]

# State categories the rate file has (a state's rate also depends on where and for whom).
STATE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "US-CA": ("26_or_more_employees", "25_or_fewer_employees"),
    "US-NY": ("nyc_large", "nyc_small", "long_island_westchester", "remainder_of_state"),
    "US-TX": ("all",),
}

MINIMUM_WAGE_BASIS = "29 U.S.C. 206 (minimum wage)"
OVERTIME_BASIS = "29 U.S.C. 207(a)(1) (over 40 hours a week at 1.5 times the regular rate)"
LIQUIDATED_BASIS = "29 U.S.C. 216(b) (an additional equal amount as liquidated damages)"


class WageInputError(ValueError):
    """The weeks or options cannot be calculated; the message says which week and how to fix it.

    ``row`` (1-based) and ``field`` (``start``, ``repeat``, ``hours``, ``paid``, ``agreed``) say
    which input of the form is wrong, when it is one input.
    """

    def __init__(self, message: str, *, row: int | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.row = row
        self.field = field


@dataclass(frozen=True, slots=True)
class MinimumWageRate:
    """One row of the rate file: a rate in force from a date, with its source."""

    jurisdiction: str
    category: str
    effective_from: date
    usd_per_hour: Decimal
    confidence: str
    source: str
    source_url: str


@dataclass(frozen=True, slots=True)
class WorkWeek:
    """One workweek as the advocate enters it: its first day, hours worked, money paid for it,
    and an agreed hourly rate if there was one."""

    start: date
    hours: Decimal
    paid: Decimal = Decimal(0)
    agreed_rate: Decimal | None = None


@dataclass(frozen=True, slots=True)
class WeekWorking:
    """The working for one week: every figure the CSV and the loss statement show."""

    week: WorkWeek
    minimum_rate: MinimumWageRate
    regular_rate: Decimal
    straight_hours: Decimal
    overtime_hours: Decimal
    minimum_wage_due: Decimal
    overtime_due: Decimal
    unpaid_minimum_wage: Decimal
    unpaid_overtime: Decimal
    liquidated_damages: Decimal
    notes: tuple[str, ...]

    @property
    def end(self) -> date:
        """The last day of the workweek."""
        return self.week.start + timedelta(days=6)

    @property
    def overtime_rate(self) -> Decimal:
        """1.5 times the regular rate, unrounded (10.875 at $7.25)."""
        return self.regular_rate * OVERTIME_MULTIPLIER

    @property
    def total_owed(self) -> Decimal:
        """Unpaid minimum wage, unpaid overtime and liquidated damages for the week."""
        return self.unpaid_minimum_wage + self.unpaid_overtime + self.liquidated_damages


@dataclass(frozen=True, slots=True)
class FlsaResult:
    """The whole calculation: the weeks' working and the totals."""

    weeks: tuple[WeekWorking, ...]
    rate_basis: RateBasis
    state: str | None
    category: str | None
    liquidated_damages_included: bool

    @property
    def unpaid_minimum_wage(self) -> Decimal:
        """Total unpaid minimum wage."""
        return sum((w.unpaid_minimum_wage for w in self.weeks), Decimal("0.00"))

    @property
    def unpaid_overtime(self) -> Decimal:
        """Total unpaid overtime."""
        return sum((w.unpaid_overtime for w in self.weeks), Decimal("0.00"))

    @property
    def liquidated_damages(self) -> Decimal:
        """Total liquidated damages (zero when left out)."""
        return sum((w.liquidated_damages for w in self.weeks), Decimal("0.00"))

    @property
    def flsa_value(self) -> Decimal:
        """Unpaid minimum wage + unpaid overtime + liquidated damages: the figure for restitution."""
        return self.unpaid_minimum_wage + self.unpaid_overtime + self.liquidated_damages

    @property
    def is_flsa_value(self) -> bool:
        """Whether the figures rest on the federal rates only (the FLSA's own guarantees)."""
        return self.rate_basis == "federal"

    def to_facts(self) -> dict[str, object]:
        """The results as raw fact values for ``us.wages.*`` (used by the restitution statement)."""
        facts: dict[str, object] = {
            "us.wages.unpaid_minimum_wage": _money(self.unpaid_minimum_wage),
            "us.wages.unpaid_overtime": _money(self.unpaid_overtime),
            "us.wages.liquidated_damages": _money(self.liquidated_damages),
        }
        if self.is_flsa_value:
            # A state-rate figure is not "the value ... under the FLSA": it is kept out of the fact.
            facts["us.wages.flsa_value"] = _money(self.flsa_value)
        return facts

    def to_csv(self) -> str:
        """The week-by-week working as CSV, with a totals row and the legal bases."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for w in self.weeks:
            writer.writerow(
                [
                    w.week.start.isoformat(),
                    w.end.isoformat(),
                    _plain(w.week.hours),
                    _plain(w.straight_hours),
                    _plain(w.overtime_hours),
                    _plain(w.minimum_rate.usd_per_hour),
                    _rate_label(w.minimum_rate),
                    w.minimum_rate.confidence,
                    _plain(w.regular_rate),
                    _plain(w.overtime_rate),
                    _cents(w.minimum_wage_due),
                    _cents(w.overtime_due),
                    _cents(w.week.paid),
                    _cents(w.unpaid_minimum_wage),
                    _cents(w.unpaid_overtime),
                    _cents(w.liquidated_damages),
                    _cents(w.total_owed),
                    " ".join(w.notes),
                ]
            )
        blank = [""] * 13
        writer.writerow(
            [
                "Total",
                *blank[:-1],
                _cents(self.unpaid_minimum_wage),
                _cents(self.unpaid_overtime),
                _cents(self.liquidated_damages),
                _cents(self.flsa_value),
                "",
            ]
        )
        writer.writerow([])
        for line in self.basis_lines():
            writer.writerow([line])
        return out.getvalue()

    def basis_lines(self) -> list[str]:
        """The legal bases and caveats shown under the working."""
        lines = [f"Minimum wage: {MINIMUM_WAGE_BASIS}.", f"Overtime: {OVERTIME_BASIS}."]
        if self.liquidated_damages_included:
            lines.append(
                f"Liquidated damages: {LIQUIDATED_BASIS}; included in restitution by United States v."
                " Edwards (4th Cir. 2021), binding in the Fourth Circuit only; a court may reduce them"
                " for good faith (29 U.S.C. 260, unconfirmed)."
            )
        else:
            lines.append("Liquidated damages (29 U.S.C. 216(b)) are left out of these figures.")
        if not self.is_flsa_value:
            lines.append(
                "Rates: the higher of the federal and the state minimum wage. This is a state-law figure,"
                " not the value under the FLSA's guarantees (unconfirmed which counts for restitution)."
            )
        return lines


CSV_COLUMNS = (
    "week_start",
    "week_end",
    "hours",
    "straight_time_hours",
    "overtime_hours",
    "minimum_wage_usd_per_hour",
    "rate_source",
    "rate_confidence",
    "regular_rate",
    "overtime_rate",
    "minimum_wage_due",
    "overtime_due",
    "paid",
    "unpaid_minimum_wage",
    "unpaid_overtime",
    "liquidated_damages",
    "total_owed",
    "notes",
)


def calculate(
    weeks: Sequence[WorkWeek],
    *,
    rate_basis: RateBasis = "federal",
    state: str | None = None,
    category: str | None = None,
    include_liquidated_damages: bool = True,
) -> FlsaResult:
    """Work out what is owed for ``weeks`` (in any order; shown in date order).

    Raises :class:`WageInputError` for overlapping weeks, impossible hours, negative amounts, a
    state or category without rates, or a week before the first rate Redress holds.
    """
    if not weeks:
        raise WageInputError("Enter at least one week.")
    if rate_basis == "state":
        _check_state(state, category)
    ordered = sorted(weeks, key=lambda w: w.start)
    for number, week in enumerate(ordered, 1):
        _check_week(number, week)
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if later.start < earlier.start + timedelta(days=7):
            raise WageInputError(
                f"The weeks starting {earlier.start.isoformat()} and {later.start.isoformat()} overlap: "
                "a workweek is seven days, so enter each week once with its first day."
            )
    working = tuple(
        _work_week(week, rate_basis, state, category, include_liquidated_damages) for week in ordered
    )
    return FlsaResult(working, rate_basis, state, category, include_liquidated_damages)


def _work_week(
    week: WorkWeek, basis: RateBasis, state: str | None, category: str | None, liquidated: bool
) -> WeekWorking:
    notes: list[str] = []
    rate = _applicable_rate(week.start, basis, state, category)
    change = _change_within(week.start, basis, state, category)
    if change is not None:
        notes.append(
            f"The minimum wage changed to ${_plain(change.usd_per_hour)} on"
            f" {change.effective_from.isoformat()}, during this week; Redress uses the rate in force on"
            " the week's first day."
        )
    regular = rate.usd_per_hour
    if week.agreed_rate is not None and week.agreed_rate > regular:
        regular = week.agreed_rate
        notes.append("Overtime at 1.5 times the agreed rate, which is above the minimum wage.")
    straight = min(week.hours, OVERTIME_THRESHOLD)
    overtime = max(week.hours - OVERTIME_THRESHOLD, Decimal(0))
    minimum_due = _round(rate.usd_per_hour * straight)
    overtime_due = _round(regular * OVERTIME_MULTIPLIER * overtime)
    paid = week.paid
    unpaid_minimum = max(minimum_due - paid, Decimal("0.00"))
    left_after_minimum = max(paid - minimum_due, Decimal(0))
    unpaid_overtime = max(overtime_due - left_after_minimum, Decimal("0.00"))
    damages = unpaid_minimum + unpaid_overtime if liquidated else Decimal("0.00")
    return WeekWorking(
        week=week,
        minimum_rate=rate,
        regular_rate=regular,
        straight_hours=straight,
        overtime_hours=overtime,
        minimum_wage_due=minimum_due,
        overtime_due=overtime_due,
        unpaid_minimum_wage=unpaid_minimum,
        unpaid_overtime=unpaid_overtime,
        liquidated_damages=damages,
        notes=tuple(notes),
    )


def minimum_wage_on(day: date, jurisdiction: str = FEDERAL, category: str | None = None) -> MinimumWageRate:
    """The minimum-wage row in force on ``day`` for ``jurisdiction`` (``US``, ``US-CA`` ...).

    The federal series runs from 1938 (before 1978 the rate for workers covered by the 1938 Act).
    :class:`WageInputError` when the data hold no rate for that day.
    """
    series = _series(jurisdiction, category)
    position = bisect_right([row.effective_from for row in series], day)
    if position == 0:
        first = series[0].effective_from.isoformat() if series else "none"
        raise WageInputError(
            f"Redress has no {_place(jurisdiction)} minimum wage for {day.isoformat()} (its rates start on"
            f" {first}). Check the date, or use the federal rate."
        )
    return series[position - 1]


def _applicable_rate(day: date, basis: RateBasis, state: str | None, category: str | None) -> MinimumWageRate:
    federal = minimum_wage_on(day)
    if basis == "federal" or state is None:
        return federal
    state_rate = minimum_wage_on(day, state, category)
    return state_rate if state_rate.usd_per_hour > federal.usd_per_hour else federal


def _change_within(
    start: date, basis: RateBasis, state: str | None, category: str | None
) -> MinimumWageRate | None:
    first = _applicable_rate(start, basis, state, category)
    for offset in range(1, 7):
        rate = _applicable_rate(start + timedelta(days=offset), basis, state, category)
        if rate.usd_per_hour != first.usd_per_hour:
            return rate
    return None


@lru_cache(maxsize=32)
def _series(jurisdiction: str, category: str | None) -> tuple[MinimumWageRate, ...]:
    rows = [r for r in load_rates() if r.jurisdiction == jurisdiction]
    if jurisdiction != FEDERAL:
        rows = [r for r in rows if r.category == (category or "all")]
    return tuple(sorted(rows, key=lambda r: r.effective_from))


def _check_state(state: str | None, category: str | None) -> None:
    if state not in STATE_CATEGORIES:
        known = ", ".join(STATE_CATEGORIES)
        raise WageInputError(f"Redress has state minimum wages for {known} only, not {state or 'no state'}.")
    categories = STATE_CATEGORIES[state]
    if (category or "all") not in categories:
        raise WageInputError(
            f"Choose which {_place(state)} rate applies: {', '.join(categories)} (not {category or 'none'})."
        )


def _check_week(number: int, week: WorkWeek) -> None:
    where = f"Week {number} (starting {week.start.isoformat()})"
    if not Decimal(0) <= week.hours <= MAX_HOURS_IN_A_WEEK:
        raise WageInputError(f"{where}: hours must be between 0 and 168, not {_plain(week.hours)}.")
    if week.paid < 0:
        raise WageInputError(f"{where}: the amount paid cannot be negative; enter 0 if nothing was paid.")
    if week.agreed_rate is not None and week.agreed_rate < 0:
        raise WageInputError(f"{where}: the agreed rate cannot be negative.")


@lru_cache(maxsize=1)
def load_rates(path: Path = RATES_PATH) -> tuple[MinimumWageRate, ...]:
    """Every row of the rate file; each must have a source."""
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(_row(number, row) for number, row in enumerate(csv.DictReader(handle), 2))


def _row(line: int, row: dict[str, str]) -> MinimumWageRate:
    try:
        rate = MinimumWageRate(
            jurisdiction=row["jurisdiction"],
            category=row["category"],
            effective_from=date.fromisoformat(row["effective_from"]),
            usd_per_hour=Decimal(row["usd_per_hour"]),
            confidence=row["confidence"],
            source=row["source"],
            source_url=row["source_url"],
        )
    except (KeyError, ValueError, InvalidOperation) as exc:
        raise ValueError(f"{RATES_PATH.name}:{line}: {exc}") from None
    if rate.confidence not in {"V", "S", "U"} or not rate.source or not rate.source_url.startswith("http"):
        raise ValueError(
            f"{RATES_PATH.name}:{line}: every rate needs a confidence (V, S, U), a source and a URL"
        )
    return rate


MAX_REPEAT = 520  # ten years of weeks in one row
MAX_WEEKS = 1560  # thirty years in all: more is a typing mistake, and would slow the page


def parse_weeks(rows: Iterable[Sequence[str]]) -> list[WorkWeek]:
    """Weeks from form text rows: (first day, number of weeks like it, hours, paid, agreed rate).

    A row stands for that many consecutive weeks with the same hours and pay (blank: one week),
    so five years of 100-hour weeks is one row. Blank rows are skipped. :class:`WageInputError`
    names the row and the input that is wrong.
    """
    weeks: list[WorkWeek] = []
    for number, row in enumerate(rows, 1):
        start, repeat, hours, paid, agreed = (*row, "", "", "", "", "")[:5]
        if not any(part.strip() for part in (start, repeat, hours, paid, agreed)):
            continue
        where = f"Row {number}"
        try:
            first_day = date.fromisoformat(start.strip())
        except ValueError:
            message = f"{where}: enter the week's first day as YYYY-MM-DD, not {start!r}."
            raise WageInputError(message, row=number, field="start") from None
        given = _number(number, "repeat", "number of weeks", repeat, required=False)
        count = Decimal(1) if given is None else given
        if count != count.to_integral_value() or not 1 <= count <= MAX_REPEAT:
            raise WageInputError(
                f"{where}: the number of weeks must be a whole number from 1 to {MAX_REPEAT}.",
                row=number,
                field="repeat",
            )
        if len(weeks) + int(count) > MAX_WEEKS:
            raise WageInputError(
                f"{where}: that makes more than {MAX_WEEKS} weeks (30 years); check the number of weeks.",
                row=number,
                field="repeat",
            )
        for offset in range(int(count)):
            weeks.append(
                WorkWeek(
                    start=first_day + timedelta(weeks=offset),
                    hours=_number(number, "hours", "hours", hours, required=True) or Decimal(0),
                    paid=_number(number, "paid", "amount paid", paid, required=False) or Decimal(0),
                    agreed_rate=_number(number, "agreed", "agreed hourly rate", agreed, required=False),
                )
            )
    return weeks


def _number(row: int, field: str, name: str, text: str, *, required: bool) -> Decimal | None:
    where = f"Row {row}"
    clean = text.strip().replace(",", "").removeprefix("$")
    if not clean:
        if required:
            raise WageInputError(f"{where}: enter the {name}.", row=row, field=field)
        return None
    try:
        value = Decimal(clean)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise WageInputError(f"{where}: the {name} must be a number, not {text!r}.", row=row, field=field)
    return value


def _round(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _money(amount: Decimal) -> dict[str, str]:
    return {"amount": _cents(amount), "currency": "USD"}


def _cents(amount: Decimal) -> str:
    return str(_round(amount))


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text if "." not in text or len(text.split(".")[1]) > 1 else f"{text}0"


def _rate_label(rate: MinimumWageRate) -> str:
    where = "federal" if rate.jurisdiction == FEDERAL else f"{rate.jurisdiction} {rate.category}"
    return f"{where} from {rate.effective_from.isoformat()}: {rate.source}"


def _place(jurisdiction: str) -> str:
    return {"US": "federal", "US-CA": "California", "US-NY": "New York", "US-TX": "Texas"}.get(
        jurisdiction, jurisdiction
    )
