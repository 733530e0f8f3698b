"""Holiday calendars: the ids, the jurisdiction mapping and real holiday facts."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

import holidays
import pytest

from workflows.calendars import (
    CALENDAR_IDS,
    HolidayCalendar,
    UnknownCalendarError,
    calendar_for_jurisdiction,
    get_calendar,
)

D = date


def test_calendar_ids() -> None:
    assert CALENDAR_IDS == ("GB-EAW", "GB-SCT", "GB-NIR", "US")
    for calendar_id in CALENDAR_IDS:
        calendar = get_calendar(calendar_id)
        assert calendar.id == calendar_id
        assert calendar.label
        assert get_calendar(calendar_id) is calendar  # one shared instance


def test_unknown_calendar() -> None:
    with pytest.raises(UnknownCalendarError) as excinfo:
        get_calendar("FR")
    assert isinstance(excinfo.value, KeyError)
    assert str(excinfo.value) == "unknown holiday calendar 'FR'; known: GB-EAW, GB-SCT, GB-NIR, US"


def test_calendars_are_immutable() -> None:
    calendar = get_calendar("GB-EAW")
    with pytest.raises(AttributeError):
        calendar.subdiv = "SCT"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("jurisdiction", "expected"),
    [
        ("GB", "GB-EAW"),
        ("GB-ENG", "GB-EAW"),
        ("GB-WLS", "GB-EAW"),
        ("uk", "GB-EAW"),
        ("UK", "GB-EAW"),
        (" gb-eng ", "GB-EAW"),
        ("GB-EAW", "GB-EAW"),
        ("GB-SCT", "GB-SCT"),
        ("GB-NIR", "GB-NIR"),
        ("US", "US"),
        ("us", "US"),
        ("US-CA", "US"),
        ("us-ny", "US"),
        ("US-DC", "US"),
    ],
)
def test_calendar_for_jurisdiction(jurisdiction: str, expected: str) -> None:
    assert calendar_for_jurisdiction(jurisdiction) == expected


@pytest.mark.parametrize("jurisdiction", ["FR", "", "GB-LND", "US-", "US-CAL", "USA", "eu"])
def test_calendar_for_unknown_jurisdiction(jurisdiction: str) -> None:
    with pytest.raises(UnknownCalendarError, match="no holiday calendar for jurisdiction"):
        calendar_for_jurisdiction(jurisdiction)


def test_england_and_wales_2026() -> None:
    assert get_calendar("GB-EAW").holidays_between(D(2026, 1, 1), D(2026, 12, 31)) == [
        (D(2026, 1, 1), "New Year's Day"),
        (D(2026, 4, 3), "Good Friday"),
        (D(2026, 4, 6), "Easter Monday"),
        (D(2026, 5, 4), "May Day"),
        (D(2026, 5, 25), "Spring Bank Holiday"),
        (D(2026, 8, 31), "Late Summer Bank Holiday"),
        (D(2026, 12, 25), "Christmas Day"),
        (D(2026, 12, 26), "Boxing Day"),  # a Saturday
        (D(2026, 12, 28), "Boxing Day (observed)"),  # its substitute day
    ]


def test_england_and_wales_one_off_bank_holidays() -> None:
    calendar = get_calendar("GB-EAW")
    assert calendar.holiday_name(D(2022, 6, 3)) == "Platinum Jubilee of Elizabeth II"
    assert calendar.holiday_name(D(2022, 9, 19)) == "State Funeral of Queen Elizabeth II"
    assert calendar.holiday_name(D(2023, 5, 8)) == "Coronation of Charles III"


def test_wales_has_the_same_bank_holidays_as_england() -> None:
    years = range(1990, 2061)
    wales = holidays.country_holidays("GB", subdiv="WLS", years=years, language="en_GB")
    ours = get_calendar("GB-EAW").holidays_between(D(1990, 1, 1), D(2060, 12, 31))
    assert ours == sorted(wales.items())


@pytest.mark.parametrize("calendar_id", CALENDAR_IDS)
def test_year_by_year_loading_matches_a_multi_year_load(calendar_id: str) -> None:
    # Observed days can fall in the year before the holiday (US New Year's Day 2022 was
    # observed on Friday 31 December 2021); loading one year at a time must not lose them.
    calendar = get_calendar(calendar_id)
    reference = holidays.country_holidays(
        calendar.country,
        subdiv=calendar.subdiv,
        years=range(1989, 2062),
        categories=calendar.categories,
        language=calendar.language,
    )
    expected = sorted((d, n) for d, n in reference.items() if 1990 <= d.year <= 2060)
    assert calendar.holidays_between(D(1990, 1, 1), D(2060, 12, 31)) == expected


def test_scotland_2026() -> None:
    scotland = get_calendar("GB-SCT")
    assert scotland.holiday_name(D(2026, 1, 2)) == "New Year Holiday"
    assert scotland.holiday_name(D(2026, 8, 3)) == "Summer Bank Holiday"
    assert scotland.holiday_name(D(2026, 11, 30)) == "Saint Andrew's Day"
    assert scotland.is_business_day(D(2026, 4, 6))  # no Easter Monday bank holiday
    assert scotland.is_business_day(D(2026, 8, 31))


def test_northern_ireland_2026() -> None:
    northern_ireland = get_calendar("GB-NIR")
    assert northern_ireland.holiday_name(D(2026, 3, 17)) == "Saint Patrick's Day"
    assert northern_ireland.holiday_name(D(2026, 7, 13)) == "Battle of the Boyne (observed)"
    assert not northern_ireland.is_business_day(D(2026, 4, 6))


def test_us_federal_holidays_2026() -> None:
    assert get_calendar("US").holidays_between(D(2026, 1, 1), D(2026, 12, 31)) == [
        (D(2026, 1, 1), "New Year's Day"),
        (D(2026, 1, 19), "Martin Luther King Jr. Day"),
        (D(2026, 2, 16), "Washington's Birthday"),
        (D(2026, 5, 25), "Memorial Day"),
        (D(2026, 6, 19), "Juneteenth National Independence Day"),
        (D(2026, 7, 3), "Independence Day (observed)"),
        (D(2026, 7, 4), "Independence Day"),
        (D(2026, 9, 7), "Labor Day"),
        (D(2026, 10, 12), "Columbus Day"),
        (D(2026, 11, 11), "Veterans Day"),
        (D(2026, 11, 26), "Thanksgiving Day"),
        (D(2026, 12, 25), "Christmas Day"),
    ]


def test_us_federal_set_boundaries() -> None:
    us = get_calendar("US")
    assert us.is_business_day(D(2020, 6, 19))  # Juneteenth became a federal holiday in 2021
    assert us.holiday_name(D(2021, 6, 18)) == "Juneteenth National Independence Day (observed)"
    assert us.is_business_day(D(2021, 1, 20))  # Inauguration Day: a holiday only around D.C.
    assert us.is_business_day(D(2024, 12, 24))  # Christmas Eve closure by executive order
    assert us.holiday_name(D(2021, 12, 31)) == "New Year's Day (observed)"


def test_business_day_basics() -> None:
    calendar = get_calendar("GB-EAW")
    assert calendar.is_business_day(D(2026, 4, 2))
    assert not calendar.is_business_day(D(2026, 4, 3))  # Good Friday
    assert not calendar.is_business_day(D(2026, 4, 4))  # Saturday
    assert calendar.holiday_name(D(2026, 4, 4)) is None
    assert calendar.holiday_name(D(2026, 12, 26)) == "Boxing Day"


def test_holidays_between_is_inclusive_and_crosses_years() -> None:
    calendar = get_calendar("GB-EAW")
    assert calendar.holidays_between(D(2026, 12, 28), D(2027, 1, 1)) == [
        (D(2026, 12, 28), "Boxing Day (observed)"),
        (D(2027, 1, 1), "New Year's Day"),
    ]
    assert calendar.holidays_between(D(2026, 6, 1), D(2026, 6, 1)) == []
    with pytest.raises(ValueError, match="before start"):
        calendar.holidays_between(D(2026, 2, 1), D(2026, 1, 1))


def test_years_without_holiday_data_fail_loudly() -> None:
    calendar = get_calendar("GB-EAW")
    with pytest.raises(ValueError, match="1872-2100"):
        calendar.is_business_day(D(2101, 1, 3))  # a Monday
    with pytest.raises(ValueError, match="1872-2100"):
        calendar.is_business_day(D(1800, 1, 4))  # a Saturday: still refused


def test_datetimes_are_rejected() -> None:
    calendar = get_calendar("US")
    with pytest.raises(TypeError, match="datetime.date"):
        calendar.holiday_name(datetime(2026, 7, 3, tzinfo=UTC))


def test_concurrent_first_use_of_a_year() -> None:
    calendar: HolidayCalendar = get_calendar("GB-NIR")
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(
            pool.map(lambda _: calendar.holidays_between(D(2087, 1, 1), D(2087, 12, 31)), range(16))
        )
    assert all(result == results[0] for result in results)
    assert (D(2087, 3, 17), "Saint Patrick's Day") in results[0]
