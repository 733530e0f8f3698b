"""The ACAS early-conciliation extension of an Employment Tribunal time limit (ERA 1996 s.207B).

Before most claims a worker must contact ACAS (Employment Tribunals Act 1996 s.18A). Time then
stops and may be extended, by two subsections applied **in sequence** (*Luton Borough Council v
Haque*, EAT 2018; domain.md A9):

* Day A is the day ACAS receives the request; Day B is the day the worker receives the
  certificate.
* s.207B(3): the period beginning with the day after Day A and ending with Day B is not counted,
  so the limit moves on by ``Day B - Day A`` days.
* s.207B(4): if the limit (as moved by (3)) would expire during the period beginning with Day A and
  ending one month after Day B, it expires instead at the end of that period: one month after
  Day B (the corresponding date, month ends clamping as in :func:`workflows.dates.add_months`).

Contacting ACAS after the limit has already expired does not revive it (established practice,
domain.md A9 [U]): the limit is then returned unchanged and the result says so. The Equality Act
2010 s.140B extension is worded the same way and is computed by the same function.

Worked example (*Haque*): dismissal 20 June 2016, primary limit 19 September 2016; Day A 22 July,
Day B 22 August: 31 days are not counted, giving 20 October 2016; one month after Day B is
22 September, before that, so (4) does not apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from workflows.dates import add_months


@dataclass(frozen=True, slots=True)
class EarlyConciliationResult:
    """An extended limit and how it was reached, for the deadline's explanation."""

    limit: date  # the limit after the extension (the primary limit if none applies)
    primary: date
    day_a: date
    day_b: date
    days_not_counted: int  # s.207B(3)
    after_subsection_3: date
    one_month_after_day_b: date
    subsection_4_applied: bool
    contacted_too_late: bool  # Day A after the primary limit: nothing is extended

    def explain(self, label: str) -> str:
        """Plain English, with ISO dates, naming each subsection as it was applied."""
        if self.contacted_too_late:
            return (
                f"{label} began on {self.day_a.isoformat()} (Day A), after the limit of "
                f"{self.primary.isoformat()} had passed: contacting ACAS late does not extend it."
            )
        text = (
            f"{label}: Day A {self.day_a.isoformat()}, Day B {self.day_b.isoformat()}. "
            f"s.207B(3): the {self.days_not_counted} day(s) from the day after Day A to Day B are not "
            f"counted, so {self.primary.isoformat()} becomes {self.after_subsection_3.isoformat()}."
        )
        if self.subsection_4_applied:
            return text + (
                f" s.207B(4): that falls between Day A and one month after Day B, so the limit is "
                f"{self.one_month_after_day_b.isoformat()} (one month after Day B)."
            )
        return text + (
            f" s.207B(4) does not apply: {self.after_subsection_3.isoformat()} is after one month "
            f"after Day B ({self.one_month_after_day_b.isoformat()})."
        )


def extend_for_early_conciliation(primary: date, day_a: date, day_b: date) -> EarlyConciliationResult:
    """The limit ``primary`` after early conciliation from ``day_a`` to ``day_b`` (s.207B(3), (4)).

    Raises ``ValueError`` when Day B is before Day A (the certificate cannot come before the request).
    """
    if day_b < day_a:
        raise ValueError(
            f"Day B ({day_b.isoformat()}) is before Day A ({day_a.isoformat()}): "
            "the certificate cannot be received before ACAS was contacted"
        )
    one_month_after_b = add_months(day_b, 1)
    if day_a > primary:
        return EarlyConciliationResult(
            limit=primary,
            primary=primary,
            day_a=day_a,
            day_b=day_b,
            days_not_counted=0,
            after_subsection_3=primary,
            one_month_after_day_b=one_month_after_b,
            subsection_4_applied=False,
            contacted_too_late=True,
        )
    not_counted = (day_b - day_a).days
    after_3 = primary + timedelta(days=not_counted)
    applies_4 = day_a <= after_3 <= one_month_after_b
    return EarlyConciliationResult(
        limit=one_month_after_b if applies_4 else after_3,
        primary=primary,
        day_a=day_a,
        day_b=day_b,
        days_not_counted=not_counted,
        after_subsection_3=after_3,
        one_month_after_day_b=one_month_after_b,
        subsection_4_applied=applies_4,
        contacted_too_late=False,
    )
