"""The FLSA wage calculator against hand-worked weeks (rates-and-forms.md Part 2).

Every expected figure is worked by hand in the comment beside it, from the federal rate of
$7.25 (29 U.S.C. 206(a)(1)(C), from 24 July 2009) unless stated.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from workflows.wages.flsa import (
    CSV_COLUMNS,
    WageInputError,
    WorkWeek,
    calculate,
    load_rates,
    minimum_wage_on,
    parse_weeks,
)

D = Decimal


def test_an_unpaid_week_with_overtime() -> None:
    # 46 h unpaid: 40 x 7.25 = 290.00; 6 x 10.875 = 65.25; liquidated 355.25; owed 710.50.
    (week,) = calculate([WorkWeek(date(2024, 3, 4), D(46))]).weeks
    assert week.minimum_rate.usd_per_hour == D("7.25")
    assert (week.straight_hours, week.overtime_hours) == (D(40), D(6))
    assert week.overtime_rate == D("10.875")
    assert week.unpaid_minimum_wage == D("290.00")
    assert week.unpaid_overtime == D("65.25")
    assert week.liquidated_damages == D("355.25")
    assert week.total_owed == D("710.50")


def test_payment_goes_first_to_the_minimum_wage_then_to_overtime() -> None:
    result = calculate(
        [
            # 50 h, paid 200: minimum due 290 -> 90.00 unpaid; overtime 10 x 10.875 = 108.75 unpaid.
            WorkWeek(date(2024, 3, 11), D(50), paid=D(200)),
            # 45 h, paid 300: minimum 290 paid in full, 10 left; overtime 5 x 10.875 = 54.375
            # -> 54.38 (half up); unpaid 44.38.
            WorkWeek(date(2024, 3, 18), D(45), paid=D(300)),
        ]
    )
    first, second = result.weeks
    assert (first.unpaid_minimum_wage, first.unpaid_overtime) == (D("90.00"), D("108.75"))
    assert (second.unpaid_minimum_wage, second.unpaid_overtime) == (D("0.00"), D("44.38"))
    # Totals are sums of the rounded weeks: 90 + 0; 108.75 + 44.38; damages equal the two.
    assert result.unpaid_minimum_wage == D("90.00")
    assert result.unpaid_overtime == D("153.13")
    assert result.liquidated_damages == D("243.13")
    assert result.flsa_value == D("486.26")


def test_an_agreed_rate_above_the_minimum_sets_the_overtime_rate() -> None:
    # 44 h at an agreed $10: overtime 4 x 15.00 = 60.00; paid 300 -> 10 left after the 290
    # minimum -> 50.00 unpaid overtime. (The agreed rate for the first 40 hours is a contract
    # claim, not an FLSA guarantee.)
    (week,) = calculate([WorkWeek(date(2024, 3, 4), D(44), paid=D(300), agreed_rate=D(10))]).weeks
    assert week.regular_rate == D(10)
    assert week.unpaid_minimum_wage == D("0.00")
    assert week.unpaid_overtime == D("50.00")
    assert "agreed rate" in week.notes[0]


def test_the_federal_minimum_wage_change_of_24_july_2009() -> None:
    # 6.55 until 23 Jul 2009, 7.25 from Friday 24 Jul. 40 h unpaid each week.
    result = calculate(
        [
            WorkWeek(date(2009, 7, 13), D(40)),  # 40 x 6.55 = 262.00
            WorkWeek(date(2009, 7, 20), D(40)),  # starts on 6.55, the rise falls inside: 262.00
            WorkWeek(date(2009, 7, 27), D(48)),  # 40 x 7.25 = 290.00; 8 x 10.875 = 87.00
        ],
        include_liquidated_damages=False,
    )
    first, changing, after = result.weeks
    assert first.unpaid_minimum_wage == D("262.00")
    assert changing.minimum_rate.usd_per_hour == D("6.55")
    assert changing.unpaid_minimum_wage == D("262.00")
    assert "changed to $7.25 on 2009-07-24" in changing.notes[0]
    assert (after.unpaid_minimum_wage, after.unpaid_overtime) == (D("290.00"), D("87.00"))
    assert result.liquidated_damages == D("0.00")
    assert result.flsa_value == D("901.00")  # 262 + 262 + 290 + 87


def test_california_rate_change_with_overtime_on_the_state_basis() -> None:
    # CA 26+ employees: 15.50 in 2023, 16.00 from 1 Jan 2024.
    result = calculate(
        [
            WorkWeek(date(2023, 12, 25), D(40)),  # 40 x 15.50 = 620.00
            WorkWeek(date(2024, 1, 1), D(48)),  # 40 x 16 = 640.00; 8 x 24.00 = 192.00
        ],
        rate_basis="state",
        state="US-CA",
        category="26_or_more_employees",
    )
    december, january = result.weeks
    assert december.unpaid_minimum_wage == D("620.00")
    assert (january.unpaid_minimum_wage, january.unpaid_overtime) == (D("640.00"), D("192.00"))
    assert result.liquidated_damages == D("1452.00")
    assert not result.is_flsa_value
    assert "us.wages.flsa_value" not in result.to_facts()  # a state figure is not the FLSA value


def test_texas_uses_the_federal_rate() -> None:
    (week,) = calculate(
        [WorkWeek(date(2026, 2, 2), D(40))], rate_basis="state", state="US-TX", category="all"
    ).weeks
    assert week.minimum_rate.usd_per_hour == D("7.25")


def test_results_become_restitution_facts() -> None:
    result = calculate([WorkWeek(date(2024, 3, 4), D(46))])
    assert result.to_facts() == {
        "us.wages.unpaid_minimum_wage": {"amount": "290.00", "currency": "USD"},
        "us.wages.unpaid_overtime": {"amount": "65.25", "currency": "USD"},
        "us.wages.liquidated_damages": {"amount": "355.25", "currency": "USD"},
        "us.wages.flsa_value": {"amount": "710.50", "currency": "USD"},
    }


def test_the_csv_shows_each_week_the_totals_and_the_legal_basis() -> None:
    result = calculate([WorkWeek(date(2024, 3, 11), D(50), paid=D(200)), WorkWeek(date(2024, 3, 4), D(46))])
    rows = list(csv.reader(io.StringIO(result.to_csv())))
    assert tuple(rows[0]) == CSV_COLUMNS
    first = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert first["week_start"] == "2024-03-04"  # in date order
    assert first["week_end"] == "2024-03-10"
    assert first["overtime_rate"] == "10.875"
    assert first["rate_source"].startswith("federal from 2009-07-24: 29 U.S.C. 206(a)(1)(C)")
    assert first["total_owed"] == "710.50"
    total = rows[3]
    assert total[0] == "Total"
    assert total[-5:-1] == ["380.00", "174.00", "554.00", "1108.00"]  # 290+90; 65.25+108.75
    text = "\n".join(row[0] for row in rows[5:] if row)
    assert "29 U.S.C. 216(b)" in text
    assert "Edwards" in text


@pytest.mark.parametrize(
    ("weeks", "kwargs", "message"),
    [
        ([], {}, "at least one week"),
        (
            [WorkWeek(date(2024, 3, 4), D(40)), WorkWeek(date(2024, 3, 8), D(40))],
            {},
            "The weeks starting 2024-03-04 and 2024-03-08 overlap",
        ),
        (
            [WorkWeek(date(2024, 3, 4), D(169))],
            {},
            "Week 1 (starting 2024-03-04): hours must be between 0 and 168",
        ),
        ([WorkWeek(date(2024, 3, 4), D(40), paid=D(-1))], {}, "cannot be negative; enter 0"),
        ([WorkWeek(date(2024, 3, 4), D(40))], {"rate_basis": "state", "state": "US-FL"}, "not US-FL"),
        (
            [WorkWeek(date(2024, 3, 4), D(40))],
            {"rate_basis": "state", "state": "US-NY", "category": "all"},
            "Choose which New York rate applies",
        ),
        (
            [WorkWeek(date(2018, 6, 4), D(40))],
            {"rate_basis": "state", "state": "US-CA", "category": "26_or_more_employees"},
            "no California minimum wage for 2018-06-04 (its rates start on 2019-01-01)",
        ),
    ],
)
def test_bad_input_gets_a_clear_error(weeks: list[WorkWeek], kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(WageInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        calculate(weeks, **kwargs)  # type: ignore[arg-type]


def test_every_rate_has_a_source_and_the_series_are_in_force_through_2026() -> None:
    rates = load_rates()
    assert all(r.source and r.source_url.startswith("http") and r.confidence in "VSU" for r in rates)
    assert minimum_wage_on(date(2026, 11, 22)).usd_per_hour == D("7.25")
    assert minimum_wage_on(date(1997, 9, 1)).usd_per_hour == D("5.15")
    assert minimum_wage_on(date(2026, 1, 1), "US-NY", "remainder_of_state").usd_per_hour == D("16.00")
    assert minimum_wage_on(date(2019, 6, 1), "US-NY", "nyc_small").usd_per_hour == D("13.50")
    assert minimum_wage_on(date(2022, 6, 1), "US-CA", "25_or_fewer_employees").usd_per_hour == D("14.00")


def test_weeks_are_read_from_form_rows() -> None:
    weeks = parse_weeks(
        [
            ("2024-03-04", "", "46", "", ""),
            ("", "", "", "", ""),
            ("2024-03-11", "3", "50.5", "$1,200", "10"),
        ]
    )
    assert weeks == [
        WorkWeek(date(2024, 3, 4), D(46)),
        WorkWeek(date(2024, 3, 11), D("50.5"), paid=D(1200), agreed_rate=D(10)),
        WorkWeek(date(2024, 3, 18), D("50.5"), paid=D(1200), agreed_rate=D(10)),
        WorkWeek(date(2024, 3, 25), D("50.5"), paid=D(1200), agreed_rate=D(10)),
    ]


@pytest.mark.parametrize(
    ("rows", "row", "field", "message"),
    [
        ([("4/3/2024", "", "40", "", "")], 1, "start", "Row 1: enter the week's first day as YYYY-MM-DD"),
        (
            [("2024-03-04", "", "40", "", ""), ("2024-03-11", "", "", "5", "")],
            2,
            "hours",
            "Row 2: enter the hours",
        ),
        ([("2024-03-04", "", "40", "ten", "")], 1, "paid", "Row 1: the amount paid must be a number"),
        ([("2024-03-04", "", "40", "nan", "")], 1, "paid", "Row 1: the amount paid must be a number"),
        ([("2024-03-04", "1.5", "40", "", "")], 1, "repeat", "whole number from 1 to 520"),
        ([("2024-03-04", "0", "40", "", "")], 1, "repeat", "whole number from 1 to 520"),
        (
            [("1990-01-01", "520", "40", "", "")] * 3 + [("2020-01-06", "2", "40", "", "")],
            4,
            "repeat",
            "more than 1560 weeks",
        ),
    ],
)
def test_a_bad_row_names_the_row_and_the_input(
    rows: list[tuple[str, ...]], row: int, field: str, message: str
) -> None:
    with pytest.raises(WageInputError, match=message) as caught:
        parse_weeks(rows)
    assert (caught.value.row, caught.value.field) == (row, field)


def test_five_years_of_100_hour_weeks_in_one_row() -> None:
    # The Edwards pattern: 100 h a week unpaid. Per week 40 x 7.25 = 290.00 and
    # 60 x 10.875 = 652.50, so 942.50; doubled with liquidated damages. 260 weeks from 2010.
    result = calculate(parse_weeks([("2010-01-04", "260", "100", "0", "")]))
    assert len(result.weeks) == 260
    assert result.weeks[-1].week.start == date(2014, 12, 22)
    assert result.unpaid_minimum_wage + result.unpaid_overtime == D("245050.00")  # 260 x 942.50
    assert result.flsa_value == D("490100.00")
