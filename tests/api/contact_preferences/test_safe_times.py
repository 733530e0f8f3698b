"""The hours a survivor marked as safe: when an email may arrive, and the next safe hour after a
moment, on the organisation's clock (daylight saving included)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from api.contact_preferences.safe_times import (
    BOTH_HOURS,
    SAME_HOURS,
    SafeTimes,
    SafeTimesError,
    checked,
    describe,
    is_safe_at,
    next_safe_instant,
)

LONDON = ZoneInfo("Europe/London")
AFTERNOONS = SafeTimes(13, 17)


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)  # type: ignore[misc]


def test_any_time_is_always_safe() -> None:
    moment = london(2027, 1, 2, 3, 4)
    assert SafeTimes().any_time
    assert next_safe_instant(SafeTimes(), moment, LONDON) == moment


@pytest.mark.parametrize(
    ("hour", "safe"), [(12, False), (13, True), (16, True), (17, False), (23, False), (0, False)]
)
def test_a_window_includes_its_start_and_excludes_its_end(hour: int, safe: bool) -> None:
    assert is_safe_at(AFTERNOONS, london(2027, 1, 6, hour, 30), LONDON) is safe


def test_a_window_may_wrap_midnight() -> None:
    nights = SafeTimes(22, 6)
    assert is_safe_at(nights, london(2027, 1, 6, 23, 0), LONDON)
    assert is_safe_at(nights, london(2027, 1, 7, 5, 59), LONDON)
    assert not is_safe_at(nights, london(2027, 1, 7, 6, 0), LONDON)
    assert next_safe_instant(nights, london(2027, 1, 7, 9, 0), LONDON) == london(2027, 1, 7, 22, 0)


def test_a_reminder_at_nine_waits_for_the_afternoon_of_the_same_day() -> None:
    moment = london(2027, 1, 6, 9, 0)  # a Wednesday
    assert next_safe_instant(AFTERNOONS, moment, LONDON) == london(2027, 1, 6, 13, 0)


def test_after_the_window_it_waits_until_the_next_day() -> None:
    moment = london(2027, 1, 6, 17, 0)
    assert next_safe_instant(AFTERNOONS, moment, LONDON) == london(2027, 1, 7, 13, 0)


def test_weekdays_only_moves_a_saturday_message_to_monday() -> None:
    weekdays = SafeTimes(13, 17, weekdays_only=True)
    saturday_nine = london(2027, 1, 9, 9, 0)
    assert next_safe_instant(weekdays, saturday_nine, LONDON) == london(2027, 1, 11, 13, 0)
    any_weekday_hour = SafeTimes(weekdays_only=True)
    assert next_safe_instant(any_weekday_hour, saturday_nine, LONDON) == london(2027, 1, 11, 0, 0)


def test_the_window_follows_the_local_clock_across_daylight_saving() -> None:
    # 28 March 2027: London moves from GMT to BST. 13:00 local is 12:00 UTC that day.
    moment = datetime(2027, 3, 28, 8, 0, tzinfo=UTC)
    held = next_safe_instant(AFTERNOONS, moment, LONDON)
    assert held == datetime(2027, 3, 28, 12, 0, tzinfo=UTC)
    assert held.astimezone(LONDON).hour == 13


def test_the_next_safe_instant_is_never_earlier_and_always_safe() -> None:
    windows = [SafeTimes(13, 17), SafeTimes(22, 6, weekdays_only=True), SafeTimes(weekdays_only=True)]
    start = datetime(2027, 3, 25, 0, 17, tzinfo=UTC)  # a week across the change to summer time
    for window in windows:
        for hours in range(0, 24 * 8, 5):
            moment = start + timedelta(hours=hours)
            found = next_safe_instant(window, moment, LONDON)
            assert found >= moment
            assert is_safe_at(window, found, LONDON)
            assert found - moment < timedelta(days=3)


@pytest.mark.parametrize(
    ("times", "message"),
    [(SafeTimes(9, None), BOTH_HOURS), (SafeTimes(None, 9), BOTH_HOURS), (SafeTimes(9, 9), SAME_HOURS)],
)
def test_an_unusable_window_is_refused_with_how_to_fix_it(times: SafeTimes, message: str) -> None:
    with pytest.raises(SafeTimesError, match=message):
        checked(times)


def test_the_advocate_reads_the_window_in_words() -> None:
    assert describe(SafeTimes(), "Europe/London") is None
    text = describe(SafeTimes(13, 17, weekdays_only=True), "Europe/London")
    assert text is not None
    assert "13:00 to 17:00 (Europe/London)" in text
    assert "not on Saturdays or Sundays" in text
