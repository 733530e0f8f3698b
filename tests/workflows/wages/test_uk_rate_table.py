"""The UK minimum wage rate table: every row sourced, spot checks against rates-and-forms.md
1.2, lookups by date and age, and a broken file refused with its line."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from workflows.wages.uk_rate_table import DATA_DIR, RateTableError, default_rate_table, load_rate_table


def test_every_row_has_sources_with_urls_and_a_confidence() -> None:
    table = default_rate_table()
    assert len(table.rates) == 111
    assert len(table.offsets) == 26
    for row in (*table.rates, *table.offsets):
        assert row.sources
        assert row.confidence
        assert table.source_urls(row.sources), row


@pytest.mark.parametrize(
    ("day", "age", "band", "rate"),
    [
        (date(1999, 4, 1), 30, "22+", "3.60"),
        (date(2003, 10, 1), 19, "18-21", "3.80"),  # the Hansard/SI conflict: the SI's £3.80
        (date(2016, 4, 1), 25, "25+", "7.20"),
        (date(2016, 4, 1), 24, "21-24", "6.70"),
        (date(2021, 3, 31), 23, "21-24", "8.20"),
        (date(2021, 4, 1), 23, "23+", "8.91"),
        (date(2024, 3, 31), 22, "21-22", "10.18"),
        (date(2024, 4, 1), 21, "21+", "11.44"),
        (date(2026, 4, 1), 17, "16-17", "8.00"),
        (date(2026, 11, 22), 45, "21+", "12.71"),
    ],
)
def test_rate_lookup_by_first_day_and_age(day: date, age: int, band: str, rate: str) -> None:
    row = default_rate_table().rate_for(day, age)
    assert row is not None
    assert (row.band, row.rate) == (band, D(rate))


def test_offsets() -> None:
    table = default_rate_table()
    first = table.offset_for(date(2003, 10, 1))
    latest = table.offset_for(date(2026, 11, 22))
    assert first is not None
    assert latest is not None
    assert (first.daily, first.weekly_max) == (D("3.50"), D("24.50"))
    assert (latest.daily, latest.weekly_max) == (D("11.10"), D("77.70"))
    assert table.offset_for(date(1999, 3, 31)) is None


def test_no_band_for_under_18s_before_october_2004_nor_2027_rates() -> None:
    table = default_rate_table()
    assert table.rate_for(date(2004, 9, 30), 17) is None
    assert table.rate_for(date(2004, 10, 1), 17) is not None
    # April 2027 rates are unconfirmed: the 2026 rates continue, nothing is invented.
    row = table.rate_for(date(2027, 4, 1), 30)
    assert row is not None
    assert row.rate == D("12.71")


def test_a_broken_file_is_refused_with_file_and_line(tmp_path: Path) -> None:
    for name in ("uk_nmw_rates.csv", "uk_accommodation_offsets.csv", "uk_nmw_sources.csv"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    rates = tmp_path / "uk_nmw_rates.csv"
    text = rates.read_text(encoding="utf-8").replace(
        "2026-04-01,,21+,21,,12.71,1,SA26;GOVQ;HP,G/S", "2026-04-01,,21+,21,,12.71,1,NOPE,G/S"
    )
    rates.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "NOPE" in row)

    with pytest.raises(RateTableError, match=rf"uk_nmw_rates.csv:{line}: unknown source key\(s\) NOPE"):
        load_rate_table(tmp_path)
