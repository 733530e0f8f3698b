"""Compute one deadline from its rule and the facts, with an explanation a person can check.

The explanation names the trigger and its date, the offset and how it is counted, the day type,
any holidays skipped, the rule version in force on the trigger date, conflicting sources (the
earlier date counts, as DESIGN.md requires) and a date taken from a letter instead of the rule.
Dates in explanations are ISO (YYYY-MM-DD): unambiguous for UK and US readers alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from workflows.calendars import HolidayCalendar
from workflows.conditions import EvalEnv, ExpressionRuntimeError, is_true
from workflows.dates import (
    PeriodUnit,
    add_business_days,
    add_days,
    add_months,
    add_years,
    day_before_birthday,
    end_of_period_beginning_with,
)
from workflows.early_conciliation import extend_for_early_conciliation
from workflows.model import Addition, DeadlineRule, LegalBasis, Offset
from workflows.schema import Confidence, Counting, DeadlineKind, Unit
from workflows.types import UNKNOWN

Holiday = tuple[date, str]

_CONFIDENCE_ORDER = {Confidence.VERIFIED: 0, Confidence.SECONDARY: 1, Confidence.UNCONFIRMED: 2}


@dataclass(frozen=True, slots=True)
class ComputedDeadline:
    """A deadline for one case, ready to show, confirm and remind against."""

    id: str
    label: str
    due: date
    kind: DeadlineKind
    basis: str
    confidence: Confidence
    explanation: str
    trigger_label: str
    trigger_date: date
    day_type: str
    holidays_skipped: tuple[Holiday, ...]
    consequence: str
    extension: str | None
    source_url: str | None
    check: str | None
    from_letter: bool
    open_ended: bool = False  # a protected period still waiting for the event it lasts until

    def status(self, today: date) -> str:
        """``passed``, ``today``, ``upcoming`` or, for a period still running past its minimum
        until a later event, ``continuing``."""
        if self.due < today:
            return "continuing" if self.open_ended else "passed"
        return "today" if self.due == today else "upcoming"

    def to_dict(self, today: date) -> dict[str, object]:
        """The JSON shape of DESIGN.md's engine contract, with the details docketing needs."""
        return {
            "id": self.id,
            "label": self.label,
            "due": self.due.isoformat(),
            "kind": self.kind.value,
            "basis": self.basis,
            "confidence": self.confidence.value,
            "explanation": self.explanation,
            "trigger": self.trigger_label,
            "trigger_date": self.trigger_date.isoformat(),
            "day_type": self.day_type,
            "holidays_skipped": [{"date": d.isoformat(), "name": n} for d, n in self.holidays_skipped],
            "consequence": self.consequence,
            "extension": self.extension,
            "source_url": self.source_url,
            "check": self.check,
            "from_letter": self.from_letter,
            "status": self.status(today),
            "days_remaining": (self.due - today).days,
        }


def apply_offset(
    offset: Offset, trigger: date, calendar: HolidayCalendar | None
) -> tuple[date, tuple[Holiday, ...]]:
    """The date ``offset`` from ``trigger`` and the weekday holidays skipped on the way.

    ``calendar`` is None for a definition with ``calendar: none``, which the loader lets count
    calendar days only."""
    if offset.unit is Unit.BUSINESS_DAYS:
        if calendar is None:
            raise ValueError("business days need a holiday calendar; the definition has `calendar: none`")
        result = add_business_days(trigger, offset.amount, calendar)
        return result.date, result.holidays_skipped
    if offset.counting is Counting.BEFORE_BIRTHDAY:
        return day_before_birthday(trigger, offset.amount), ()
    if offset.counting is Counting.BEGINNING_WITH:
        units: dict[Unit, PeriodUnit] = {Unit.DAYS: "days", Unit.MONTHS: "months", Unit.YEARS: "years"}
        # Business days are never counted "beginning with": the schema refuses it.
        return end_of_period_beginning_with(trigger, offset.amount, units[offset.unit]), ()
    adders = {Unit.DAYS: add_days, Unit.MONTHS: add_months, Unit.YEARS: add_years}
    return adders[offset.unit](trigger, offset.amount), ()


def compute_deadline(
    rule: DeadlineRule, env: EvalEnv, calendar: HolidayCalendar | None
) -> ComputedDeadline | None:
    """The deadline ``rule`` gives for the facts in ``env``, or None if it does not apply yet."""
    if rule.when is not None and not is_true(rule.when.evaluate(env)):
        return None
    trigger = rule.trigger.evaluate(env)
    if not isinstance(trigger, date):
        return None
    version = next((v for v in rule.versions if v.applies_to(trigger)), None)
    if version is None:
        return None
    counted = version.offset
    parts: list[str] = []
    national = env.facts.get(rule.amount_override.fact) if rule.amount_override else None
    if rule.amount_override is not None and isinstance(national, int | Decimal) and national >= 0:
        counted = Offset(int(national), counted.unit, counted.counting)
        label = rule.amount_override.label
        given = f"{label[:1].upper()}{label[1:]} gives {_length(counted)}"
        # An amount of 0 is a placeholder for "set by the national rule": nothing to compare.
        instead = f" instead of the {_length(version.offset)} of the rule" if version.offset.amount else ""
        parts.append(f"{given}{instead}.")
    due, holidays = apply_offset(counted, trigger, calendar)
    parts.append(f"{counted.describe()} {rule.trigger_label} ({trigger.isoformat()}): {due.isoformat()}.")
    parts.append(_month_end_text(counted, trigger, due))
    parts.append(_day_type_text(counted, holidays, calendar))
    basis, confidence = rule.legal.basis, version.confidence
    if counted is not version.offset and rule.amount_override is not None:
        confidence = _weaker(confidence, rule.amount_override.confidence)
    if len(rule.versions) > 1:
        basis = f"{rule.legal.basis}; {version.basis}"
        note = f" {version.note}" if version.note else ""
        parts.append(f"Rule in force for a trigger on {trigger.isoformat()}: {version.basis}.{note}")
    for alternative in rule.alternatives:
        alt_due, alt_holidays = apply_offset(alternative.offset, trigger, calendar)
        parts.append(
            f"Sources conflict: {version.basis} gives {due.isoformat()}; {alternative.basis} "
            f"({alternative.offset.describe()} {rule.trigger_label}) gives {alt_due.isoformat()}."
        )
        confidence = _weaker(confidence, alternative.confidence)
        if alt_due < due:
            due, holidays, counted = alt_due, alt_holidays, alternative.offset
        parts.append(f"Redress counts the earlier date, {due.isoformat()}.")
    for addition in rule.additions:
        due = _add(addition, env, due, parts)
        if is_true(addition.when.evaluate(env)):
            confidence = _weaker(confidence, addition.confidence)
    open_ended = False
    if rule.until is not None:
        due = _extend_until(rule, env, due, parts)
        open_ended = not isinstance(env.facts.get(rule.until.fact), date)
    if rule.clock_stop is not None:
        due, basis, confidence = _apply_clock_stop(rule, env, due, basis, confidence, parts)
    from_letter = False
    if rule.override is not None:
        stated = env.facts.get(rule.override.fact)
        if isinstance(stated, date):
            without = " ".join(part for part in parts if part)
            parts = [
                f"The date given by {rule.override.label}: {stated.isoformat()}.",
                f"(Without it: {without})",
            ]
            due, holidays, confidence, from_letter = stated, (), rule.override.confidence, True
            basis = f"{rule.override.label}; {basis}"
    if confidence is Confidence.UNCONFIRMED and rule.legal.check:
        parts.append(f"Unconfirmed rule: {rule.legal.check}")
    return ComputedDeadline(
        id=rule.id,
        label=rule.label,
        due=due,
        kind=rule.kind,
        basis=basis,
        confidence=confidence,
        explanation=" ".join(p for p in parts if p),
        trigger_label=rule.trigger_label,
        trigger_date=trigger,
        day_type="business days" if counted.unit is Unit.BUSINESS_DAYS else "calendar days",
        holidays_skipped=holidays,
        consequence=rule.consequence,
        extension=rule.extension,
        source_url=rule.legal.source_url,
        check=None if from_letter else rule.legal.check,
        open_ended=open_ended,
        from_letter=from_letter,
    )


def _apply_clock_stop(
    rule: DeadlineRule,
    env: EvalEnv,
    due: date,
    basis: str,
    confidence: Confidence,
    parts: list[str],
) -> tuple[date, str, Confidence]:
    """Extend ``due`` for early conciliation once Day A and Day B are both known.

    With only Day A known the limit is not extended yet: the earlier, unextended date stands
    until the certificate's date is entered, and the explanation says so.
    """
    assert rule.clock_stop is not None
    stop = rule.clock_stop
    day_a = env.facts.get(stop.start_fact, UNKNOWN)
    day_b = env.facts.get(stop.end_fact, UNKNOWN)
    if not isinstance(day_a, date):
        parts.append(f"No {stop.label} recorded: the limit is not extended.")
        return due, basis, confidence
    if not isinstance(day_b, date):
        parts.append(
            f"{stop.label} began on {day_a.isoformat()} (Day A); the extension is counted once the "
            "certificate's date (Day B) is entered. Until then the unextended date counts."
        )
        return due, basis, confidence
    try:
        result = extend_for_early_conciliation(due, day_a, day_b)
    except ValueError as exc:
        raise ExpressionRuntimeError(str(exc), source=rule.id, fact_key=stop.end_fact) from None
    parts.append(result.explain(stop.label[:1].upper() + stop.label[1:]))
    if result.contacted_too_late or result.limit == due:
        return due, basis, confidence
    return result.limit, f"{basis}; {stop.legal.basis}", _weaker(confidence, stop.legal.confidence)


def _length(offset: Offset) -> str:
    """ "30 days", "1 month": the offset's length without how it is counted."""
    unit = offset.unit.value.replace("_", " ")
    return f"{offset.amount} {unit.removesuffix('s') if offset.amount == 1 else unit}"


def _add(addition: Addition, env: EvalEnv, due: date, parts: list[str]) -> date:
    """``due`` plus the addition's days when its condition holds; unknown adds nothing (the
    earlier date is the safe one) but says what would change it."""
    holds = addition.when.evaluate(env)
    if is_true(holds):
        later = add_days(due, addition.days)
        parts.append(
            f"Plus {addition.days} days because {addition.label} ({addition.basis}): {later.isoformat()}."
        )
        return later
    if holds is UNKNOWN:
        parts.append(
            f"If {addition.label}, add {addition.days} days ({addition.basis}); until that is known"
            f" Redress counts the earlier date."
        )
    return due


def _extend_until(rule: DeadlineRule, env: EvalEnv, due: date, parts: list[str]) -> date:
    """A protected period runs at least to ``due`` and on until the later event, if any."""
    assert rule.until is not None
    later = env.facts.get(rule.until.fact, UNKNOWN)
    label = rule.until.label
    if isinstance(later, date):
        if later > due:
            parts.append(f"The period runs on to {label} ({later.isoformat()}), which came later.")
            return later
        parts.append(f"{label.capitalize()} ({later.isoformat()}) came first, so the minimum period counts.")
        return due
    parts.append(f"This is the minimum: the period continues until {label}, if that comes later.")
    return due


def _month_end_text(offset: Offset, trigger: date, due: date) -> str:
    clamps = offset.unit in (Unit.MONTHS, Unit.YEARS) and offset.counting is Counting.AFTER
    if clamps and due.day != trigger.day:
        return f"There is no day {trigger.day} in that month, so the period ends on its last day."
    return ""


def _day_type_text(offset: Offset, holidays: tuple[Holiday, ...], calendar: HolidayCalendar | None) -> str:
    if offset.unit is not Unit.BUSINESS_DAYS or calendar is None:
        return "Counted in calendar days; a date on a weekend or holiday does not move."
    if not holidays:
        return f"Counted in working days: weekends and {calendar.label} skipped (none fell in the period)."
    names = "; ".join(f"{name} {day.isoformat()}" for day, name in holidays)
    return f"Counted in working days: weekends and {calendar.label} skipped ({names})."


def _weaker(a: Confidence, b: Confidence) -> Confidence:
    return a if _CONFIDENCE_ORDER[a] >= _CONFIDENCE_ORDER[b] else b


def legal_fields(legal: LegalBasis) -> dict[str, object]:
    """The legal-basis fields every rule shows, as JSON."""
    return {
        "basis": legal.basis,
        "confidence": legal.confidence.value,
        "source_url": legal.source_url,
        "check": legal.check,
    }
