"""The UK minimum wage calculator against periods worked by hand (rates-and-forms.md 1.2-1.3):
the official R10a example, a rate change, an age-band change, the accommodation offset, what
does not count, bands that no longer exist, the time limits, validation, CSV and storage."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.wages.uk_minimum_wage import (
    PayPeriod,
    PayPeriodError,
    calculate,
    pattern_periods,
    periods_from_json,
    periods_to_json,
    working_csv,
)

TODAY = date(2026, 11, 22)
ADULT = date(1990, 1, 1)


def test_r10a_official_example() -> None:
    """£9.50 x 35 h = £332.50 due; £250 paid; A = £82.50; uplift to £10.42 -> £90.49."""
    result = calculate(
        [PayPeriod(date(2022, 6, 6), date(2022, 6, 12), D(35), D(250))], ADULT, date(2023, 6, 1)
    )

    (w,) = result.periods
    assert (w.rate, w.due, w.underpayment, w.current_rate, w.arrears) == (
        D("9.50"),
        D("332.50"),
        D("82.50"),
        D("10.42"),
        D("90.49"),
    )
    assert w.uplifted


def test_across_the_april_2024_rate_change() -> None:
    """A week starting 28 Mar 2024 keeps the old rate though it runs into April (R3).

    28 Mar-3 Apr: 40 h x £10.42 = £416.80; paid £200; A = £216.80; x 12.71/10.42 = £264.45.
    4-10 Apr:     40 h x £11.44 = £457.60; paid £200; A = £257.60; x 12.71/11.44 = £286.20.
    """
    periods = [
        PayPeriod(date(2024, 3, 28), date(2024, 4, 3), D(40), D(200)),
        PayPeriod(date(2024, 4, 4), date(2024, 4, 10), D(40), D(200)),
    ]
    result = calculate(periods, ADULT, TODAY)

    first, second = result.periods
    assert (first.rate, first.due, first.underpayment, first.arrears) == (
        D("10.42"),
        D("416.80"),
        D("216.80"),
        D("264.45"),
    )
    assert (second.rate, second.due, second.underpayment, second.arrears) == (
        D("11.44"),
        D("457.60"),
        D("257.60"),
        D("286.20"),
    )
    assert result.total_underpayment == D("474.40")
    assert result.total_arrears == D("550.65")
    # Older than two years before today: outside the tribunal's backstop, inside six years.
    assert not first.within_et_two_years
    assert first.within_six_years
    assert result.et_recoverable_arrears == D("0.00")
    assert result.six_year_arrears == D("550.65")


def test_across_a_birthday_the_band_changes_from_the_next_period() -> None:
    """Born 10 Apr 2003. The week 4-10 Apr 2024 starts at 20 (18-20, £8.60) though the birthday
    falls in it; from 11 Apr the worker is 21 (21+, £11.44). 30 h, £150 paid each week.

    A: £258.00 - £150 = £108.00; R2 is today's 18-20 rate, £10.85: 108 x 10.85/8.60 = £136.26.
    B: £343.20 - £150 = £193.20; R2 £12.71: 193.20 x 12.71/11.44 = £214.65.
    """
    periods = [
        PayPeriod(date(2024, 4, 11), date(2024, 4, 17), D(30), D(150)),  # given out of order
        PayPeriod(date(2024, 4, 4), date(2024, 4, 10), D(30), D(150)),
    ]
    result = calculate(periods, date(2003, 4, 10), TODAY)

    a, b = result.periods
    assert (a.age, a.band, a.rate, a.underpayment, a.current_band, a.current_rate, a.arrears) == (
        20,
        "18-20",
        D("8.60"),
        D("108.00"),
        "18-20",
        D("10.85"),
        D("136.26"),
    )
    assert (b.age, b.band, b.rate, b.underpayment, b.current_rate, b.arrears) == (
        21,
        "21+",
        D("11.44"),
        D("193.20"),
        D("12.71"),
        D("214.65"),
    )


@pytest.mark.parametrize(
    ("charge", "effect", "nmw_pay", "underpayment", "arrears"),
    [
        # Free: + £10.66 x 31 = £330.46 counts as pay.
        ("0", "330.46", "1830.46", "123.14", "128.18"),
        # Charged £300, not more than the offset: no effect.
        ("300", "0.00", "1500.00", "453.60", "472.17"),
        # Charged £500: the excess £169.54 reduces pay.
        ("500", "-169.54", "1330.46", "623.14", "648.66"),
    ],
)
def test_accommodation_offset(
    charge: str, effect: str, nmw_pay: str, underpayment: str, arrears: str
) -> None:
    """May 2025, 160 h x £12.21 = £1,953.60 due, £1,500 paid, 31 days housed (offset £10.66/day);
    arrears uplifted by 12.71/12.21."""
    period = PayPeriod(
        date(2025, 5, 1),
        date(2025, 5, 31),
        D(160),
        D(1500),
        accommodation_days=31,
        accommodation_charge=D(charge),
    )
    (w,) = calculate([period], ADULT, TODAY).periods

    assert w.offset_daily == D("10.66")
    assert w.due == D("1953.60")
    assert (w.accommodation_effect, w.nmw_pay, w.underpayment, w.arrears) == (
        D(effect),
        D(nmw_pay),
        D(underpayment),
        D(arrears),
    )
    assert w.within_et_two_years


def test_pay_that_does_not_count_and_deductions_for_the_employer() -> None:
    """£500 paid including £100 tips, £50 taken for tools: £350 counts. 40 h x £12.71 = £508.40."""
    period = PayPeriod(
        date(2026, 5, 4), date(2026, 5, 10), D(40), D(500), non_counting_pay=D(100), reducing_deductions=D(50)
    )
    (w,) = calculate([period], ADULT, TODAY).periods

    assert w.nmw_pay == D("350.00")
    assert w.underpayment == D("158.40")
    assert w.arrears == D("158.40")  # today's rate is the same: no uplift
    assert not w.uplifted


def test_deductions_beyond_the_pay_cap_the_shortfall_at_the_wage_due() -> None:
    """40 h x £12.71 = £508.40 due; £100 paid but £150 taken for "fees": the minimum wage
    shortfall is the £508.40 due, not more; the excess £50 is another claim (noted)."""
    period = PayPeriod(date(2026, 5, 4), date(2026, 5, 10), D(40), D(100), reducing_deductions=D(150))
    (w,) = calculate([period], ADULT, TODAY).periods

    assert w.nmw_pay == D("-50.00")
    assert w.underpayment == D("508.40")
    assert "exceed the pay" in w.notes[0]


def test_no_underpayment_means_no_arrears() -> None:
    (w,) = calculate([PayPeriod(date(2026, 5, 4), date(2026, 5, 10), D(10), D(200))], ADULT, TODAY).periods
    assert (w.underpayment, w.arrears) == (D("0.00"), D("0.00"))


def test_a_17_year_old_before_october_2004_was_not_covered() -> None:
    (w,) = calculate(
        [PayPeriod(date(2002, 1, 1), date(2002, 1, 31), D(100), D(0))], date(1985, 1, 1), TODAY
    ).periods
    assert w.band is None
    assert w.arrears == D("0.00")
    assert "No minimum wage band" in w.notes[0]


def test_a_band_that_no_longer_exists_is_uplifted_and_marked_unconfirmed() -> None:
    """Aged 24 in June 2020 (21-24, £8.20): 100 h = £820 due, £300 paid; A £520; x 12.71/8.20 = £806.00."""
    result = calculate(
        [PayPeriod(date(2020, 6, 1), date(2020, 6, 30), D(100), D(300))], date(1996, 6, 1), TODAY
    )

    (w,) = result.periods
    assert (w.band, w.current_band, w.arrears) == ("21-24", "21+", D("806.00"))
    assert w.unconfirmed
    assert result.unconfirmed
    assert "unconfirmed" in w.notes[0]


def test_apprentice_rate() -> None:
    """An apprentice in May 2025: £7.55/h; 30 h = £226.50; paid £150; A £76.50; x 8.00/7.55 = £81.06."""
    period = PayPeriod(date(2025, 5, 5), date(2025, 5, 11), D(30), D(150), apprentice=True)
    (w,) = calculate([period], date(2008, 1, 1), TODAY).periods
    assert (w.band, w.rate, w.arrears) == ("apprentice", D("7.55"), D("81.06"))


def test_every_problem_is_reported_with_its_period_and_field() -> None:
    periods = [
        PayPeriod(date(2026, 1, 1), date(2026, 2, 1), D(10), D(0)),  # longer than a month
        PayPeriod(date(2026, 3, 1), date(2026, 3, 7), D(-1), D(0)),
        PayPeriod(date(2026, 3, 5), date(2026, 3, 11), D(10), D(5), non_counting_pay=D(6)),  # overlaps
        PayPeriod(date(2026, 11, 20), date(2026, 11, 26), D(10), D(0), accommodation_days=8),  # future
    ]
    with pytest.raises(PayPeriodError) as raised:
        calculate(periods, ADULT, TODAY)

    errors = raised.value.errors
    assert "never longer than a calendar month" in errors[(0, "end")]
    assert "hours" in errors[(1, "hours")] or errors[(1, "hours")]
    assert "overlaps" in errors[(2, "start")]
    assert "cannot be more than the pay" in errors[(2, "non_counting_pay")]
    assert "not ended yet" in errors[(3, "end")]
    assert "between 0 and 7" in errors[(3, "accommodation_days")]
    with pytest.raises(PayPeriodError, match="at least one"):
        calculate([], ADULT, TODAY)


def test_a_period_is_at_most_a_calendar_month() -> None:
    """31 Jan-28 Feb 2026 is one month (no 31 Feb); 15 Jan-14 Feb too; 15 Jan-15 Feb is longer.
    A period starting 31 Jan 2026 uses the rate of April 2025, £12.21: 10 h = £122.10."""
    (w,) = calculate([PayPeriod(date(2026, 1, 31), date(2026, 2, 28), D(10), D(0))], ADULT, TODAY).periods
    assert w.due == D("122.10")
    calculate([PayPeriod(date(2026, 1, 15), date(2026, 2, 14), D(10), D(0))], ADULT, TODAY)
    with pytest.raises(PayPeriodError, match="never longer than a calendar month"):
        calculate([PayPeriod(date(2026, 1, 15), date(2026, 2, 15), D(10), D(0))], ADULT, TODAY)


def test_csv_shows_each_period_and_the_totals() -> None:
    periods = [
        PayPeriod(date(2024, 3, 28), date(2024, 4, 3), D(40), D(200)),
        PayPeriod(date(2025, 5, 1), date(2025, 5, 31), D(160), D(1500), accommodation_days=31),
    ]
    result = calculate(periods, ADULT, TODAY)

    rows = list(csv.DictReader(io.StringIO(working_csv(result))))
    assert len(rows) == 3
    assert rows[0]["period_start"] == "2024-03-28"
    assert rows[0]["rate_gbp"] == "10.42"
    assert rows[0]["arrears_gbp"] == "264.45"
    assert rows[0]["rate_sources"] == "SA;GOVACC"
    assert rows[1]["accommodation_effect_gbp"] == "330.46"
    assert rows[2]["period_start"] == "TOTAL"
    assert rows[2]["arrears_gbp"] == str(result.total_arrears) == "392.63"
    assert "two-year limit (estimate): 128.18" in rows[2]["notes"]


def test_periods_are_stored_and_read_back_exactly() -> None:
    periods = [
        PayPeriod(
            date(2025, 5, 1), date(2025, 5, 31), D("160.5"), D("1500.10"), D("1"), D("2"), 31, D("3.33"), True
        )
    ]
    assert periods_from_json(periods_to_json(periods)) == periods
    with pytest.raises(ValueError, match="cannot be read"):
        periods_from_json('[{"start": "2025-05-01"}]')


# --- properties that hold for any periods ----------------------------------------------------------

_money = st.decimals(min_value=0, max_value=2000, places=2)


@st.composite
def weekly_periods(draw: st.DrawFn) -> list[PayPeriod]:
    """Up to 12 consecutive fictional weeks between 2005 and 2026, with any pay and housing."""
    start = draw(st.dates(min_value=date(2005, 1, 1), max_value=date(2026, 8, 1)))
    periods = []
    for i in range(draw(st.integers(min_value=1, max_value=12))):
        begin = start + timedelta(weeks=i)
        pay = draw(_money)
        periods.append(
            PayPeriod(
                begin,
                begin + timedelta(days=6),
                draw(st.decimals(min_value=0, max_value=80, places=1)),
                pay,
                non_counting_pay=min(pay, draw(_money)),
                reducing_deductions=draw(_money),
                accommodation_days=draw(st.integers(min_value=0, max_value=7)),
                accommodation_charge=draw(_money),
            )
        )
    return periods


@settings(max_examples=60, deadline=None)
@given(periods=weekly_periods(), birth=st.dates(min_value=date(1950, 1, 1), max_value=date(1990, 1, 1)))
def test_arrears_are_never_below_the_underpayment_and_totals_add_up(
    periods: list[PayPeriod], birth: date
) -> None:
    result = calculate(periods, birth, TODAY)

    for w in result.periods:
        assert w.underpayment == max(D("0.00"), w.due - max(w.nmw_pay, D("0.00")))
        assert w.underpayment <= w.due  # never more than the wage due for the hours
        assert w.arrears >= w.underpayment
        if w.uplifted:
            assert w.current_rate is not None
            assert w.rate is not None
            assert w.current_rate > w.rate
        else:
            assert w.arrears == w.underpayment
    assert result.total_arrears == sum((w.arrears for w in result.periods), D("0.00"))
    rows = list(csv.DictReader(io.StringIO(working_csv(result))))
    assert rows[-1]["arrears_gbp"] == f"{result.total_arrears:.2f}"


def test_a_weekly_pattern_with_a_shorter_last_week() -> None:
    """5-18 Jan 2026 is two weeks; to 21 Jan adds 3 days at 3/7 of the hours and pay."""
    periods = pattern_periods(
        date(2026, 1, 5), date(2026, 1, 21), monthly=False, hours=D(70), pay=D(140), housed_free=True
    )

    assert [(p.start, p.end) for p in periods] == [
        (date(2026, 1, 5), date(2026, 1, 11)),
        (date(2026, 1, 12), date(2026, 1, 18)),
        (date(2026, 1, 19), date(2026, 1, 21)),
    ]
    assert [(p.hours, p.pay, p.accommodation_days) for p in periods] == [
        (D("70.00"), D("140.00"), 7),
        (D("70.00"), D("140.00"), 7),
        (D("30.00"), D("60.00"), 3),
    ]
    calculate(periods, ADULT, TODAY)  # every generated period is one the calculator accepts


def test_a_monthly_pattern_follows_calendar_months_from_the_first_day() -> None:
    periods = pattern_periods(date(2026, 1, 31), date(2026, 3, 30), monthly=True, hours=D(200), pay=D(0))

    assert [(p.start, p.end) for p in periods] == [
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 30)),
    ]
    assert periods[1].hours == D("193.55")  # 30 of the 31 days of March 2026
    with pytest.raises(ValueError, match="before the first"):
        pattern_periods(date(2026, 3, 1), date(2026, 2, 1), monthly=True, hours=D(1), pay=D(0))
    with pytest.raises(ValueError, match="more than 520"):
        pattern_periods(date(2000, 1, 1), date(2026, 1, 1), monthly=False, hours=D(1), pay=D(0))
