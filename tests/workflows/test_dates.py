"""Legal date arithmetic: the worked examples of the module docstring, then properties."""

from __future__ import annotations

from calendar import isleap
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.calendars import CALENDAR_IDS, HolidayCalendar, get_calendar
from workflows.dates import (
    BusinessDayResult,
    PeriodUnit,
    RollResult,
    add_business_days,
    add_days,
    add_months,
    add_years,
    age_on,
    birthday,
    day_before_birthday,
    days_between,
    end_of_period_beginning_with,
    roll_forward,
)

D = date
EAW = get_calendar("GB-EAW")
US = get_calendar("US")

# Holiday data is cached per year, so the first examples that touch a year are slower than the
# rest: no per-example deadline, and a modest number of examples keeps the suite fast.
PROPERTY = settings(max_examples=150, deadline=None)
dates = st.dates(min_value=D(1990, 1, 1), max_value=D(2060, 12, 31))
calendars = st.sampled_from(CALENDAR_IDS).map(get_calendar)


# --- calendar-day arithmetic -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("add", "start", "n", "expected"),
    [
        (add_days, D(2026, 1, 31), 1, D(2026, 2, 1)),
        (add_days, D(2024, 2, 28), 1, D(2024, 2, 29)),
        (add_days, D(2025, 2, 28), 1, D(2025, 3, 1)),
        (add_days, D(2026, 12, 31), 1, D(2027, 1, 1)),
        (add_days, D(2026, 3, 1), -1, D(2026, 2, 28)),
        (add_days, D(2026, 5, 5), 0, D(2026, 5, 5)),
        (add_days, D(2026, 11, 22), 90, D(2027, 2, 20)),  # FTT(CIC) appeal: 90 days after the review
        (add_months, D(2025, 1, 31), 1, D(2025, 2, 28)),
        (add_months, D(2024, 1, 31), 1, D(2024, 2, 29)),
        (add_months, D(2025, 3, 31), -1, D(2025, 2, 28)),
        (add_months, D(2025, 8, 31), 3, D(2025, 11, 30)),
        (add_months, D(2026, 11, 30), 2, D(2027, 1, 30)),
        (add_months, D(2026, 12, 31), 2, D(2027, 2, 28)),
        (add_months, D(2026, 1, 15), -13, D(2024, 12, 15)),
        (add_months, D(2026, 10, 15), 6, D(2027, 4, 15)),  # US-U-D1: 6 months after Supplement B signed
        (add_months, D(2026, 5, 5), 0, D(2026, 5, 5)),
        (add_years, D(2024, 2, 29), 1, D(2025, 2, 28)),
        (add_years, D(2024, 2, 29), 4, D(2028, 2, 29)),
        (add_years, D(2024, 2, 29), -1, D(2023, 2, 28)),
        (add_years, D(2023, 3, 1), 1, D(2024, 3, 1)),
        (add_years, D(2026, 12, 31), 2, D(2028, 12, 31)),
        (add_years, D(2026, 3, 10), 2, D(2028, 3, 10)),  # UK-CICA-D1: 2 years after the incident
    ],
)
def test_add_days_months_and_years(
    add: Callable[[date, int], date], start: date, n: int, expected: date
) -> None:
    assert add(start, n) == expected


@pytest.mark.parametrize(
    ("start", "n", "unit", "expected"),
    [
        # The corresponding-date rule, less one day.
        (D(2026, 3, 15), 3, "months", D(2026, 6, 14)),
        (D(2026, 3, 1), 3, "months", D(2026, 5, 31)),
        (D(2026, 5, 21), 3, "months", D(2026, 8, 20)),  # dismissed 21 May: last day 20 Aug
        (D(2026, 11, 15), 3, "months", D(2027, 2, 14)),  # across the year end
        (D(2025, 2, 1), 1, "months", D(2025, 2, 28)),
        # No corresponding date: the last day of that month.
        (D(2025, 8, 31), 3, "months", D(2025, 11, 30)),
        (D(2025, 11, 30), 3, "months", D(2026, 2, 28)),
        (D(2027, 11, 30), 3, "months", D(2028, 2, 29)),
        (D(2025, 12, 31), 2, "months", D(2026, 2, 28)),
        (D(2024, 1, 31), 1, "months", D(2024, 2, 29)),
        (D(2025, 1, 29), 1, "months", D(2025, 2, 28)),
        (D(2025, 10, 31), 4, "months", D(2026, 2, 28)),
        # 29 February triggers.
        (D(2024, 2, 29), 12, "months", D(2025, 2, 28)),
        (D(2024, 2, 29), 1, "years", D(2025, 2, 28)),
        (D(2024, 2, 29), 4, "years", D(2028, 2, 28)),  # 29 Feb 2028 exists: the day before
        (D(2024, 3, 1), 2, "years", D(2026, 2, 28)),
        (D(2024, 1, 10), 3, "years", D(2027, 1, 9)),
        # Days: the trigger is day one (NABA s.61: 30 days beginning with the RG decision).
        (D(2026, 1, 1), 30, "days", D(2026, 1, 30)),
        (D(2026, 12, 15), 30, "days", D(2027, 1, 13)),
        (D(2024, 2, 1), 29, "days", D(2024, 2, 29)),
        (D(2026, 6, 1), 1, "days", D(2026, 6, 1)),
    ],
)
def test_end_of_period_beginning_with(start: date, n: int, unit: PeriodUnit, expected: date) -> None:
    assert end_of_period_beginning_with(start, n, unit) == expected


@pytest.mark.parametrize(
    ("anniversary", "birth", "age", "expected"),
    [
        (birthday, D(2005, 6, 15), 18, D(2023, 6, 15)),
        (birthday, D(2006, 12, 31), 20, D(2026, 12, 31)),
        (birthday, D(2000, 2, 29), 18, D(2018, 3, 1)),  # common year: 1 March (FLRA 1969 s.9)
        (birthday, D(2000, 2, 29), 20, D(2020, 2, 29)),  # leap year: the real anniversary
        (birthday, D(2000, 2, 29), 0, D(2000, 2, 29)),
        (birthday, D(1999, 3, 1), 1, D(2000, 3, 1)),
        (day_before_birthday, D(2005, 6, 15), 20, D(2025, 6, 14)),  # UK-CICA-D2a: before the 20th birthday
        (day_before_birthday, D(2007, 1, 1), 20, D(2026, 12, 31)),
        (day_before_birthday, D(2000, 2, 29), 21, D(2021, 2, 28)),
        (day_before_birthday, D(2004, 2, 29), 20, D(2024, 2, 28)),
        (day_before_birthday, D(2000, 3, 1), 20, D(2020, 2, 29)),
    ],
)
def test_birthday_and_the_day_before(
    anniversary: Callable[[date, int], date], birth: date, age: int, expected: date
) -> None:
    assert anniversary(birth, age) == expected


@pytest.mark.parametrize(
    ("birth", "on", "expected"),
    [
        (D(2005, 6, 15), D(2005, 6, 15), 0),
        (D(2005, 6, 15), D(2023, 6, 14), 17),
        (D(2005, 6, 15), D(2023, 6, 15), 18),
        (D(2000, 2, 29), D(2001, 2, 28), 0),
        (D(2000, 2, 29), D(2001, 3, 1), 1),
        (D(2000, 2, 29), D(2004, 2, 28), 3),
        (D(2000, 2, 29), D(2004, 2, 29), 4),
        (D(2006, 12, 31), D(2024, 12, 30), 17),
        (D(2006, 12, 31), D(2024, 12, 31), 18),
        (D(2006, 12, 31), D(2025, 1, 1), 18),
    ],
)
def test_age_on(birth: date, on: date, expected: int) -> None:
    assert age_on(birth, on) == expected


def test_days_between() -> None:
    assert days_between(D(2026, 12, 31), D(2027, 1, 1)) == 1
    assert days_between(D(2024, 2, 28), D(2024, 3, 1)) == 2
    assert days_between(D(2026, 3, 1), D(2026, 2, 1)) == -28
    assert days_between(D(2026, 3, 1), D(2026, 3, 1)) == 0


# --- business days -------------------------------------------------------------------------


def test_easter_2026_england_and_wales() -> None:
    result = add_business_days(D(2026, 4, 2), 1, EAW)  # Maundy Thursday
    assert result == BusinessDayResult(
        date=D(2026, 4, 7),
        holidays_skipped=((D(2026, 4, 3), "Good Friday"), (D(2026, 4, 6), "Easter Monday")),
        weekend_days_skipped=2,
    )


def test_nrm_reasonable_grounds_target_over_easter() -> None:
    # UK-NRM-D1: 5 working days after a referral on Monday 30 March 2026.
    result = add_business_days(D(2026, 3, 30), 5, EAW)
    assert result.date == D(2026, 4, 8)
    assert [name for _, name in result.holidays_skipped] == ["Good Friday", "Easter Monday"]


def test_christmas_2026_england_and_wales() -> None:
    # 26 Dec 2026 is a Saturday, so Boxing Day's substitute is Monday 28 December.
    result = add_business_days(D(2026, 12, 23), 5, EAW)
    assert result == BusinessDayResult(
        date=D(2027, 1, 4),
        holidays_skipped=(
            (D(2026, 12, 25), "Christmas Day"),
            (D(2026, 12, 28), "Boxing Day (observed)"),
            (D(2027, 1, 1), "New Year's Day"),
        ),
        weekend_days_skipped=4,  # 26-27 Dec, 2-3 Jan
    )


def test_scotland_has_its_own_august_bank_holiday() -> None:
    friday = D(2026, 7, 31)
    assert add_business_days(friday, 1, EAW).date == D(2026, 8, 3)
    scotland = add_business_days(friday, 1, get_calendar("GB-SCT"))
    assert scotland.date == D(2026, 8, 4)
    assert scotland.holidays_skipped == ((D(2026, 8, 3), "Summer Bank Holiday"),)


def test_us_thanksgiving_2026() -> None:
    result = add_business_days(D(2026, 11, 25), 1, US)
    # The day after Thanksgiving is not a federal holiday.
    assert result == BusinessDayResult(
        date=D(2026, 11, 27),
        holidays_skipped=((D(2026, 11, 26), "Thanksgiving Day"),),
        weekend_days_skipped=0,
    )


def test_us_independence_day_2026_observed_on_friday() -> None:
    # 4 July 2026 is a Saturday: the holiday is observed on Friday 3 July, and the Saturday
    # itself counts as a weekend day, not as a skipped holiday.
    result = add_business_days(D(2026, 7, 2), 1, US)
    assert result == BusinessDayResult(
        date=D(2026, 7, 6),
        holidays_skipped=((D(2026, 7, 3), "Independence Day (observed)"),),
        weekend_days_skipped=2,
    )


def test_zero_business_days_rolls_forward_only_when_needed() -> None:
    assert add_business_days(D(2026, 12, 29), 0, EAW) == BusinessDayResult(D(2026, 12, 29), (), 0)
    assert add_business_days(D(2026, 12, 26), 0, EAW) == BusinessDayResult(
        D(2026, 12, 29), ((D(2026, 12, 28), "Boxing Day (observed)"),), 2
    )


def test_negative_business_days_count_backwards() -> None:
    result = add_business_days(D(2026, 4, 7), -1, EAW)
    assert result == BusinessDayResult(
        date=D(2026, 4, 2),
        holidays_skipped=((D(2026, 4, 3), "Good Friday"), (D(2026, 4, 6), "Easter Monday")),
        weekend_days_skipped=2,
    )
    assert add_business_days(D(2027, 1, 4), -5, EAW).date == D(2026, 12, 23)
    assert add_business_days(D(2026, 7, 6), -1, US).date == D(2026, 7, 2)


def test_roll_forward() -> None:
    assert roll_forward(D(2026, 12, 25), EAW) == RollResult(
        date=D(2026, 12, 29),
        holidays_skipped=(
            (D(2026, 12, 25), "Christmas Day"),
            (D(2026, 12, 28), "Boxing Day (observed)"),
        ),
    )
    # Saturday 4 July: Sunday is skipped too; the holiday fell on a weekend day.
    assert roll_forward(D(2026, 7, 4), US) == RollResult(D(2026, 7, 6), ())
    assert roll_forward(D(2026, 6, 10), US) == RollResult(D(2026, 6, 10), ())


def test_business_days_outside_holiday_data_fail_loudly() -> None:
    with pytest.raises(ValueError, match="2101"):
        add_business_days(D(2100, 12, 30), 5, EAW)


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "unit"),
    [(0, "months"), (-1, "days"), (-3, "years")],
)
def test_period_must_last_at_least_one_unit(n: int, unit: PeriodUnit) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        end_of_period_beginning_with(D(2026, 1, 1), n, unit)


def test_unknown_period_unit() -> None:
    with pytest.raises(ValueError, match="weeks"):
        end_of_period_beginning_with(D(2026, 1, 1), 2, "weeks")  # type: ignore[arg-type]


def test_bad_ages() -> None:
    with pytest.raises(ValueError, match="0 or more"):
        birthday(D(2000, 1, 1), -1)
    with pytest.raises(ValueError, match="1 or more"):
        day_before_birthday(D(2000, 1, 1), 0)
    with pytest.raises(ValueError, match="before the date of birth"):
        age_on(D(2000, 1, 2), D(2000, 1, 1))


def test_out_of_range_results() -> None:
    with pytest.raises(ValueError, match="outside years"):
        add_days(D(9999, 12, 31), 1)
    with pytest.raises(ValueError, match="outside years"):
        add_months(D(1, 1, 31), -1)
    with pytest.raises(ValueError, match="outside years"):
        add_years(D(9999, 3, 1), 1)
    with pytest.raises(ValueError, match="after year 9999"):
        birthday(D(9990, 1, 1), 10)


def test_datetimes_and_bools_are_rejected() -> None:
    moment = datetime(2026, 1, 1, 12, tzinfo=UTC)
    with pytest.raises(TypeError, match="datetime.date"):
        add_days(moment, 1)
    with pytest.raises(TypeError, match="datetime.date"):
        age_on(D(2000, 1, 1), moment)
    with pytest.raises(TypeError, match="datetime.date"):
        add_business_days(moment, 1, EAW)
    with pytest.raises(TypeError, match="must be an int"):
        add_months(D(2026, 1, 1), True)


def test_results_are_immutable() -> None:
    result = add_business_days(D(2026, 4, 2), 1, EAW)
    with pytest.raises(AttributeError):
        result.date = D(2026, 4, 8)  # type: ignore[misc]


# --- properties --------------------------------------------------------------------------------


@PROPERTY
@given(d=dates, n=st.integers(min_value=-40, max_value=40), cal=calendars)
def test_business_day_result_is_a_business_day(d: date, n: int, cal: HolidayCalendar) -> None:
    assert cal.is_business_day(add_business_days(d, n, cal).date)


@PROPERTY
@given(d=dates, n=st.integers(min_value=1, max_value=40), cal=calendars)
def test_business_days_account_for_every_day(d: date, n: int, cal: HolidayCalendar) -> None:
    # Every calendar day passed over is either counted or reported as skipped.
    result = add_business_days(d, n, cal)
    skipped = len(result.holidays_skipped) + result.weekend_days_skipped
    assert days_between(d, result.date) == n + skipped
    assert all(not cal.is_business_day(day) for day, _ in result.holidays_skipped)


@PROPERTY
@given(d=dates, n=st.integers(min_value=1, max_value=40), cal=calendars)
def test_backwards_then_forwards(d: date, n: int, cal: HolidayCalendar) -> None:
    earlier = add_business_days(d, -n, cal).date
    assert earlier < d
    assert add_business_days(earlier, n, cal).date == roll_forward(d, cal).date


@PROPERTY
@given(d=dates, n=st.integers(min_value=1, max_value=40), cal=calendars)
def test_one_more_business_day_is_later(d: date, n: int, cal: HolidayCalendar) -> None:
    assert add_business_days(d, n + 1, cal).date > add_business_days(d, n, cal).date
    # n == 0 rolls d forward, so from a non-business day it lands where n == 1 does.
    one, zero = add_business_days(d, 1, cal).date, add_business_days(d, 0, cal).date
    assert one > zero if cal.is_business_day(d) else one == zero


@PROPERTY
@given(a=dates, b=dates, n=st.integers(min_value=0, max_value=40), cal=calendars)
def test_later_trigger_never_gives_earlier_business_day(
    a: date, b: date, n: int, cal: HolidayCalendar
) -> None:
    d1, d2 = sorted((a, b))
    assert add_business_days(d1, n, cal).date <= add_business_days(d2, n, cal).date


@PROPERTY
@given(a=dates, b=dates, n=st.integers(min_value=-120, max_value=120))
def test_later_trigger_never_gives_earlier_date_months_years(a: date, b: date, n: int) -> None:
    d1, d2 = sorted((a, b))
    assert add_months(d1, n) <= add_months(d2, n)
    assert add_years(d1, n // 12) <= add_years(d2, n // 12)


@PROPERTY
@given(
    a=dates,
    b=dates,
    n=st.integers(min_value=1, max_value=120),
    unit=st.sampled_from(["days", "months", "years"]),
)
def test_later_trigger_never_gives_earlier_period_end(a: date, b: date, n: int, unit: PeriodUnit) -> None:
    d1, d2 = sorted((a, b))
    assert end_of_period_beginning_with(d1, n, unit) <= end_of_period_beginning_with(d2, n, unit)


@PROPERTY
@given(d=dates, n=st.integers(min_value=1, max_value=1000))
def test_period_of_days_beginning_with(d: date, n: int) -> None:
    assert end_of_period_beginning_with(d, n, "days") == add_days(d, n - 1)


@PROPERTY
@given(d=dates, n=st.integers(min_value=1, max_value=120))
def test_period_of_months_ends_on_or_the_day_before_the_date_months_after(d: date, n: int) -> None:
    end = end_of_period_beginning_with(d, n, "months")
    assert days_between(end, add_months(d, n)) in (0, 1)
    assert end >= d
    if n % 12 == 0:
        assert end == end_of_period_beginning_with(d, n // 12, "years")


@PROPERTY
@given(d=dates, n=st.integers(min_value=-50, max_value=50))
def test_add_years_is_twelve_months(d: date, n: int) -> None:
    assert add_years(d, n) == add_months(d, 12 * n)


@PROPERTY
@given(birth=dates, age=st.integers(min_value=1, max_value=110))
def test_age_on_agrees_with_birthday(birth: date, age: int) -> None:
    day = birthday(birth, age)
    assert age_on(birth, day) == age
    assert age_on(birth, day - timedelta(days=1)) == age - 1
    assert day_before_birthday(birth, age) == day - timedelta(days=1)


@PROPERTY
@given(birth=dates, on=dates)
def test_age_on_is_bracketed_by_birthdays(birth: date, on: date) -> None:
    birth, on = sorted((birth, on))
    age = age_on(birth, on)
    assert birthday(birth, age) <= on < birthday(birth, age + 1)


@PROPERTY
@given(birth=st.sampled_from([D(1996, 2, 29), D(2000, 2, 29), D(2004, 2, 29)]), age=st.integers(1, 60))
def test_leap_day_birthdays(birth: date, age: int) -> None:
    year = birth.year + age
    assert birthday(birth, age) == (D(year, 2, 29) if isleap(year) else D(year, 3, 1))
