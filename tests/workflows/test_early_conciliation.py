"""ERA 1996 s.207B (ACAS early conciliation) on its own: the *Haque* worked example of domain.md
A9 (UK-ET-D5), subsection (4), late contact, and properties that hold for any dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.dates import add_months, end_of_period_beginning_with
from workflows.early_conciliation import extend_for_early_conciliation


def test_haque_worked_example() -> None:
    """Dismissal 20 Jun 2016 -> limit 19 Sep 2016; Day A 22 Jul, Day B 22 Aug -> 20 Oct 2016."""
    primary = end_of_period_beginning_with(date(2016, 6, 20), 3, "months")
    assert primary == date(2016, 9, 19)

    result = extend_for_early_conciliation(primary, date(2016, 7, 22), date(2016, 8, 22))

    assert result.days_not_counted == 31
    assert result.after_subsection_3 == date(2016, 10, 20)
    assert result.one_month_after_day_b == date(2016, 9, 22)
    assert not result.subsection_4_applied
    assert result.limit == date(2016, 10, 20)
    text = result.explain("ACAS early conciliation")
    assert "31 day(s)" in text
    assert "2016-10-20" in text
    assert "s.207B(4) does not apply" in text


def test_subsection_4_gives_one_month_after_day_b() -> None:
    """Limit 31 Mar; ACAS from 30 Mar to 31 Mar: (3) gives 1 Apr, inside (4)'s window -> 30 Apr."""
    result = extend_for_early_conciliation(date(2026, 3, 31), date(2026, 3, 30), date(2026, 3, 31))

    assert result.after_subsection_3 == date(2026, 4, 1)
    assert result.subsection_4_applied
    assert result.limit == date(2026, 4, 30)
    assert "one month after Day B" in result.explain("ACAS early conciliation")


def test_subsection_4_month_end_clamps() -> None:
    """Day B 31 Jan: one month after it is 28 Feb (no 31 Feb)."""
    result = extend_for_early_conciliation(date(2026, 1, 30), date(2026, 1, 30), date(2026, 1, 31))

    assert result.limit == date(2026, 2, 28)


def test_contacting_acas_after_the_limit_extends_nothing() -> None:
    result = extend_for_early_conciliation(date(2026, 3, 31), date(2026, 4, 5), date(2026, 4, 20))

    assert result.contacted_too_late
    assert result.limit == date(2026, 3, 31)
    assert "does not extend" in result.explain("ACAS early conciliation")


def test_contact_on_the_last_day_still_counts() -> None:
    """Day A on the last day of the limit is in time; (4) then gives one month after Day B."""
    result = extend_for_early_conciliation(date(2026, 3, 31), date(2026, 3, 31), date(2026, 4, 14))

    assert not result.contacted_too_late
    assert result.after_subsection_3 == date(2026, 4, 14)
    assert result.limit == date(2026, 5, 14)


def test_day_b_before_day_a_is_refused() -> None:
    with pytest.raises(ValueError, match="Day B .* is before Day A"):
        extend_for_early_conciliation(date(2026, 3, 31), date(2026, 3, 10), date(2026, 3, 1))


_dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


@given(primary=_dates, start=_dates, length=st.integers(min_value=0, max_value=120))
def test_the_limit_never_moves_earlier_and_never_beyond_both_extensions(
    primary: date, start: date, length: int
) -> None:
    day_b = start + timedelta(days=length)
    result = extend_for_early_conciliation(primary, start, day_b)

    assert result.limit >= primary
    if start > primary:
        assert result.limit == primary
    else:
        assert result.limit >= primary + timedelta(days=length)
        assert result.limit <= max(primary + timedelta(days=length), add_months(day_b, 1))
