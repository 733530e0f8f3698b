"""UK national minimum / living wage arrears, pay reference period by pay reference period.

The rules are rates-and-forms.md 1.3 (each cited by its number):

* R1/R2: the worker enters one row per pay reference period (PRP): never longer than a calendar
  month (a worker who was never paid has monthly PRPs).
* R3/R4: the rate, and the accommodation offset, are those in force on the PRP's FIRST day, for the
  band of the worker's age on that day.
* R5: underpayment A = rate x hours - minimum wage pay, if positive. Where deductions and charges
  exceed the pay (minimum wage pay below zero), A is capped at rate x hours and the excess is
  noted as a separate claim: the calculator never claims more than the wage due as minimum wage.
* R6/R7: ``pay`` is everything paid for the period before deductions; ``non_counting_pay`` is the
  part of it that does not count (tips, overtime premiums, expenses, loans, benefits in kind).
* R8: ``reducing_deductions`` are deductions (or payments by the worker) for the employer's own use
  and benefit or for expenses of the job; they reduce minimum wage pay. Deductions for the
  worker's own choices do not, and are not entered.
* R9: the accommodation offset: free accommodation adds offset x days; a charge up to the offset
  has no effect; a charge above it reduces pay by the excess.
* R10: arrears are the higher of A and A / R1 x R2, R2 being today's rate (at the "time of
  determination") for the band the worker was in at the time (NMWA 1998 s.17(4), since 6 April
  2009). Where that band no longer exists (R10b) R2 is today's rate for the worker's age then,
  and the period is marked unconfirmed.

Money is exact ``Decimal``, rounded half up to the penny per period (due, underpayment and
arrears), so the totals are the sums of the figures shown. The two time limits are marked per
period as estimates, taking the period's last day as the payment date: the Employment Tribunal
can award only deductions from wages paid in the 2 years before the claim (ERA 1996 s.23(4A)); a
notice of underpayment cannot cover a period that ended more than 6 years before it (NMWA s.19).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from workflows.dates import add_years, age_on, end_of_period_beginning_with
from workflows.wages.uk_rate_table import RateRow, RateTable, default_rate_table

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_PERIODS = 520  # ten years of weekly periods
ACCOMMODATION_OFFSET_DAILY_FROM = date(2003, 10, 1)  # before then an hourly method also applied (U)


class PayPeriodError(ValueError):
    """Pay periods that cannot be calculated: ``errors`` maps (row index, field) to a message."""

    def __init__(self, errors: dict[tuple[int, str], str]) -> None:
        self.errors = errors
        first = next(iter(errors.items()))
        (row, name), message = first
        super().__init__(f"period {row + 1}, {name}: {message}")


@dataclass(frozen=True, slots=True)
class PayPeriod:
    """One pay reference period as the advocate enters it."""

    start: date
    end: date
    hours: Decimal
    pay: Decimal = ZERO
    non_counting_pay: Decimal = ZERO
    reducing_deductions: Decimal = ZERO
    accommodation_days: int = 0
    accommodation_charge: Decimal = ZERO
    apprentice: bool = False

    @property
    def days(self) -> int:
        """Calendar days in the period, both ends included."""
        return (self.end - self.start).days + 1


@dataclass(frozen=True, slots=True)
class PeriodWorking:
    """The calculation for one period, every step shown."""

    period: PayPeriod
    age: int
    band: str | None  # None: no minimum wage band covered the worker then
    rate: Decimal | None  # R1
    rate_confidence: str
    rate_sources: tuple[str, ...]
    offset_daily: Decimal
    accommodation_effect: Decimal
    nmw_pay: Decimal
    due: Decimal
    underpayment: Decimal  # A
    current_band: str | None
    current_rate: Decimal | None  # R2
    uplifted: bool
    arrears: Decimal
    within_et_two_years: bool
    within_six_years: bool
    unconfirmed: bool
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Calculation:
    """Every period's working and the totals, as of ``determination_date``."""

    date_of_birth: date
    determination_date: date
    periods: tuple[PeriodWorking, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def total_underpayment(self) -> Decimal:
        """The sum of A, before any uplift."""
        return sum((p.underpayment for p in self.periods), ZERO)

    @property
    def total_arrears(self) -> Decimal:
        """The sum of the arrears owed (with the uplift to today's rates where higher)."""
        return sum((p.arrears for p in self.periods), ZERO)

    @property
    def et_recoverable_arrears(self) -> Decimal:
        """Arrears of the periods within the tribunal's two-year limit (an estimate)."""
        return sum((p.arrears for p in self.periods if p.within_et_two_years), ZERO)

    @property
    def six_year_arrears(self) -> Decimal:
        """Arrears of the periods within six years (county court, state enforcement)."""
        return sum((p.arrears for p in self.periods if p.within_six_years), ZERO)

    @property
    def unconfirmed(self) -> bool:
        """Whether any period rests on an unconfirmed rule or rate."""
        return any(p.unconfirmed for p in self.periods)


def calculate(
    periods: Sequence[PayPeriod],
    date_of_birth: date,
    determination_date: date,
    table: RateTable | None = None,
) -> Calculation:
    """The arrears for ``periods`` of a worker born on ``date_of_birth``, as of ``determination_date``.

    Raises :class:`PayPeriodError` naming every period and field that cannot be used.
    """
    table = table or default_rate_table()
    check_periods(periods, date_of_birth, determination_date, table)
    ordered = sorted(periods, key=lambda p: p.start)
    limits = (add_years(determination_date, -2), add_years(determination_date, -6))
    workings = tuple(_work(p, date_of_birth, determination_date, table, limits) for p in ordered)
    notes: list[str] = []
    if any(w.unconfirmed for w in workings):
        notes.append(
            "Some figures rest on unconfirmed rates or rules: see each period's notes before relying on them."
        )
    return Calculation(date_of_birth, determination_date, workings, tuple(notes))


def check_periods(
    periods: Sequence[PayPeriod], date_of_birth: date, today: date, table: RateTable | None = None
) -> None:
    """Refuse periods the calculation cannot use; every problem is reported, not only the first."""
    table = table or default_rate_table()
    errors: dict[tuple[int, str], str] = {}
    if not periods:
        raise PayPeriodError({(0, "start"): "enter at least one pay period"})
    if len(periods) > MAX_PERIODS:
        raise PayPeriodError({(MAX_PERIODS, "start"): f"enter at most {MAX_PERIODS} pay periods"})
    first_rate = table.first_rate_date()
    for i, p in enumerate(periods):
        if p.end < p.start:
            errors[(i, "end")] = "the period ends before it starts"
        elif p.end > end_of_period_beginning_with(p.start, 1, "months"):
            errors[(i, "end")] = "a pay reference period is never longer than a calendar month; split it"
        if p.start < first_rate:
            errors[(i, "start")] = f"the minimum wage began on {first_rate.isoformat()}"
        elif p.start < date_of_birth:
            errors[(i, "start")] = "the period starts before the date of birth"
        if p.end > today:
            errors[(i, "end")] = "the period has not ended yet; enter periods up to today"
        if p.hours < 0 or p.hours > 24 * max(p.days, 1):
            errors[(i, "hours")] = f"hours must be between 0 and {24 * max(p.days, 1)} for this period"
        for name in ("pay", "non_counting_pay", "reducing_deductions", "accommodation_charge"):
            if getattr(p, name) < 0:
                errors[(i, name)] = "must be zero or more"
        if p.non_counting_pay > p.pay:
            errors[(i, "non_counting_pay")] = "cannot be more than the pay for the period"
        if not 0 <= p.accommodation_days <= max(p.days, 0):
            errors[(i, "accommodation_days")] = (
                f"must be between 0 and {max(p.days, 0)} (the days in the period)"
            )
    ordered = sorted(range(len(periods)), key=lambda i: periods[i].start)
    for a, b in zip(ordered, ordered[1:], strict=False):
        if periods[b].start <= periods[a].end and (b, "start") not in errors:
            errors[(b, "start")] = f"overlaps the period starting {periods[a].start.isoformat()}"
    if errors:
        raise PayPeriodError(errors)


def _work(
    p: PayPeriod, birth: date, today: date, table: RateTable, limits: tuple[date, date]
) -> PeriodWorking:
    """The working of one period; ``limits`` are the days 2 and 6 years before ``today``."""
    notes: list[str] = []
    unconfirmed = False
    age = age_on(birth, p.start)
    row = table.rate_for(p.start, age, apprentice=p.apprentice)
    offset = table.offset_for(p.start)
    offset_daily = offset.daily if offset is not None else ZERO
    if p.accommodation_days and offset is None:
        notes.append("No accommodation offset is recorded for this date; none was applied.")
    if p.accommodation_days and p.start < ACCOMMODATION_OFFSET_DAILY_FROM:
        notes.append("Before October 2003 a lower hourly offset could also apply; it is not confirmed (U).")
        unconfirmed = True
    if p.accommodation_days and offset is not None and "U" in offset.confidence:
        notes.append(f"Accommodation offset {offset.daily}/day is unconfirmed ({offset.confidence}).")
        unconfirmed = True
    effect = _accommodation_effect(
        offset_daily * p.accommodation_days, p.accommodation_charge, p.accommodation_days
    )
    nmw_pay = _pennies(p.pay - p.non_counting_pay - p.reducing_deductions + effect)
    if row is None:
        notes.append(f"No minimum wage band covered a worker aged {age} on {p.start.isoformat()}.")
        return PeriodWorking(
            period=p, age=age, band=None, rate=None, rate_confidence="", rate_sources=(),
            offset_daily=offset_daily, accommodation_effect=_pennies(effect), nmw_pay=nmw_pay, due=ZERO,
            underpayment=ZERO, current_band=None, current_rate=None, uplifted=False, arrears=ZERO,
            within_et_two_years=p.end > limits[0], within_six_years=p.end > limits[1],
            unconfirmed=unconfirmed, notes=tuple(notes),
        )  # fmt: skip
    if "U" in row.confidence:
        notes.append(f"The {row.band} rate of {row.rate} is unconfirmed ({row.confidence}).")
        unconfirmed = True
    due = _pennies(row.rate * p.hours)
    if nmw_pay < 0:
        # Conservative: the minimum wage shortfall never exceeds the wage due for the hours.
        notes.append(
            "Deductions and charges exceed the pay: the shortfall is capped at the wage due; "
            "claim the excess separately (unlawful deductions, ERA 1996 s.13)."
        )
    underpayment = max(ZERO, due - max(nmw_pay, ZERO))
    current = _current_row(row, age, today, table)
    arrears, uplifted = underpayment, False
    if current is not None and current.rate > row.rate and underpayment > 0:
        arrears, uplifted = _pennies(underpayment / row.rate * current.rate), True
    if current is None:
        notes.append("No current rate covers this band; arrears are not uplifted.")
    elif current.band != row.band:
        notes.append(
            f"The {row.band} band no longer exists; today's rate for a worker aged {age} ({current.band}) "
            "is used for the uplift. HMRC's rule for abolished bands is unconfirmed (U)."
        )
        unconfirmed = True
    return PeriodWorking(
        period=p,
        age=age,
        band=row.band,
        rate=row.rate,
        rate_confidence=row.confidence,
        rate_sources=row.sources,
        offset_daily=offset_daily,
        accommodation_effect=_pennies(effect),
        nmw_pay=nmw_pay,
        due=due,
        underpayment=underpayment,
        current_band=current.band if current else None,
        current_rate=current.rate if current else None,
        uplifted=uplifted,
        arrears=arrears,
        within_et_two_years=p.end > limits[0],
        within_six_years=p.end > limits[1],
        unconfirmed=unconfirmed,
        notes=tuple(notes),
    )


def _accommodation_effect(allowance: Decimal, charge: Decimal, days: int) -> Decimal:
    """R9: free accommodation adds the offset; a charge above it takes away the excess."""
    if days == 0:
        return ZERO
    if charge == 0:
        return allowance
    if charge <= allowance:
        return ZERO
    return -(charge - allowance)


def _current_row(then: RateRow, age: int, today: date, table: RateTable) -> RateRow | None:
    """R2: today's rate for the band the worker was in (the apprentice band stays apprentice)."""
    return table.rate_for(today, age, apprentice=then.band == "apprentice")


def _pennies(amount: Decimal) -> Decimal:
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


# --- a pattern of periods --------------------------------------------------------------------------


def pattern_periods(
    first_day: date,
    last_day: date,
    *,
    monthly: bool,
    hours: Decimal,
    pay: Decimal,
    housed_free: bool = False,
) -> list[PayPeriod]:
    """Consecutive periods from ``first_day`` to ``last_day`` (weeks of 7 days, or calendar months
    counted from ``first_day``) with the same hours and pay each: how a survivor usually
    remembers the work ("60 hours a week, £100, for a year"). A last, shorter period gets hours
    and pay in proportion to its days. ``housed_free``: free accommodation on every day.

    Raises ``ValueError`` when the range is empty or needs more than :data:`MAX_PERIODS` periods.
    """
    if last_day < first_day:
        raise ValueError("the last day is before the first")
    periods: list[PayPeriod] = []
    start = first_day
    while start <= last_day:
        if len(periods) == MAX_PERIODS:
            raise ValueError(f"that is more than {MAX_PERIODS} periods; enter a shorter range")
        full_end = end_of_period_beginning_with(start, 1, "months") if monthly else start + timedelta(days=6)
        end = min(full_end, last_day)
        days = (end - start).days + 1
        share = Decimal(days) / Decimal((full_end - start).days + 1)
        periods.append(
            PayPeriod(
                start,
                end,
                (hours * share).quantize(PENNY, rounding=ROUND_HALF_UP),
                _pennies(pay * share),
                accommodation_days=days if housed_free else 0,
            )
        )
        start = end + timedelta(days=1)
    return periods


# --- CSV ---------------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "period_start", "period_end", "age_at_start", "band", "rate_gbp", "rate_confidence", "rate_sources",
    "hours", "pay_gbp", "non_counting_pay_gbp", "reducing_deductions_gbp", "accommodation_days",
    "accommodation_charge_gbp", "offset_daily_gbp", "accommodation_effect_gbp", "nmw_pay_gbp", "due_gbp",
    "underpayment_gbp", "current_band", "current_rate_gbp", "uplifted", "arrears_gbp",
    "within_et_two_years", "within_six_years", "notes",
)  # fmt: skip


def working_csv(calculation: Calculation) -> str:
    """The working as CSV: one row per period, then a TOTAL row. Text cells that a spreadsheet
    would read as a formula are prefixed with an apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for w in calculation.periods:
        p = w.period
        writer.writerow(
            [
                p.start.isoformat(), p.end.isoformat(), w.age, _cell(w.band or ""), _num(w.rate),
                _cell(w.rate_confidence), _cell(";".join(w.rate_sources)), p.hours, _num(p.pay),
                _num(p.non_counting_pay), _num(p.reducing_deductions), p.accommodation_days,
                _num(p.accommodation_charge), _num(w.offset_daily), _num(w.accommodation_effect),
                _num(w.nmw_pay), _num(w.due), _num(w.underpayment), _cell(w.current_band or ""),
                _num(w.current_rate), "yes" if w.uplifted else "no", _num(w.arrears),
                "yes" if w.within_et_two_years else "no", "yes" if w.within_six_years else "no",
                _cell(" ".join(w.notes)),
            ]
        )  # fmt: skip
    total = [""] * len(CSV_COLUMNS)
    total[0] = "TOTAL"
    total[CSV_COLUMNS.index("underpayment_gbp")] = _num(calculation.total_underpayment)
    total[CSV_COLUMNS.index("arrears_gbp")] = _num(calculation.total_arrears)
    total[CSV_COLUMNS.index("notes")] = _cell(
        f"As of {calculation.determination_date.isoformat()}. Within the tribunal's two-year limit "
        f"(estimate): {_num(calculation.et_recoverable_arrears)}. Within six years: "
        f"{_num(calculation.six_year_arrears)}."
    )
    writer.writerow(total)
    return out.getvalue()


def _num(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _cell(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# --- storage as a fact ---------------------------------------------------------------------------------


def periods_to_json(periods: Sequence[PayPeriod]) -> str:
    """The periods as compact JSON text (how the ``wages.pay_periods`` fact stores them)."""
    return json.dumps(
        [
            {
                "start": p.start.isoformat(),
                "end": p.end.isoformat(),
                "hours": str(p.hours),
                "pay": str(p.pay),
                "non_counting_pay": str(p.non_counting_pay),
                "reducing_deductions": str(p.reducing_deductions),
                "accommodation_days": p.accommodation_days,
                "accommodation_charge": str(p.accommodation_charge),
                "apprentice": p.apprentice,
            }
            for p in periods
        ],
        separators=(",", ":"),
    )


def periods_from_json(text: str) -> list[PayPeriod]:
    """Read periods stored by :func:`periods_to_json`; ``ValueError`` if the text is not such data."""
    try:
        items = json.loads(text)
        if not isinstance(items, list):
            raise ValueError("expected a list of pay periods")
        return [
            PayPeriod(
                start=date.fromisoformat(item["start"]),
                end=date.fromisoformat(item["end"]),
                hours=Decimal(item["hours"]),
                pay=Decimal(item["pay"]),
                non_counting_pay=Decimal(item["non_counting_pay"]),
                reducing_deductions=Decimal(item["reducing_deductions"]),
                accommodation_days=int(item["accommodation_days"]),
                accommodation_charge=Decimal(item["accommodation_charge"]),
                apprentice=bool(item["apprentice"]),
            )
            for item in items
        ]
    except (KeyError, TypeError, InvalidOperation, json.JSONDecodeError) as exc:
        raise ValueError(f"stored pay periods cannot be read: {exc}") from None
