"""The UK minimum wage rate table: hourly rates by band and the accommodation offset, as data.

The rows live in CSV files beside this module (``uk_nmw_rates.csv``,
``uk_accommodation_offsets.csv``), each with the date it takes effect, the keys of its sources
(``uk_nmw_sources.csv``: key, URL, what it supports) and its confidence, copied from
``shared/domain/rates-and-forms.md`` 1.2.1. A rate applies to pay reference periods that BEGIN on or
after its ``effective_from`` (rates-and-forms 1.3 R3); the band is fixed by the worker's age on
that first day (R4). Loading checks every row and refuses the whole table, listing each problem
with its line, rather than compute with a half-read one.
"""

from __future__ import annotations

import csv
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import cached_property, lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).parent
APPRENTICE_BAND = "apprentice"


class RateTableError(ValueError):
    """The rate files are malformed; the message lists each problem with its file and line."""


@dataclass(frozen=True, slots=True)
class Source:
    """Where a row comes from."""

    key: str
    url: str
    supports: str


@dataclass(frozen=True, slots=True)
class RateRow:
    """One band's hourly rate for pay reference periods starting in a date range."""

    effective_from: date
    effective_to: date | None
    band: str
    min_age: int | None
    max_age_exclusive: int | None
    rate: Decimal
    is_nlw: bool
    sources: tuple[str, ...]
    confidence: str

    def in_force_on(self, day: date) -> bool:
        """Whether a period starting on ``day`` uses this row's range."""
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def covers_age(self, age: int) -> bool:
        """Whether a worker of ``age`` falls in this (age) band."""
        if self.band == APPRENTICE_BAND or self.min_age is None:
            return False
        return age >= self.min_age and (self.max_age_exclusive is None or age < self.max_age_exclusive)


@dataclass(frozen=True, slots=True)
class OffsetRow:
    """The accommodation offset for pay reference periods starting in a date range."""

    effective_from: date
    effective_to: date | None
    daily: Decimal
    weekly_max: Decimal
    sources: tuple[str, ...]
    confidence: str

    def in_force_on(self, day: date) -> bool:
        """Whether a period starting on ``day`` uses this offset."""
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


@dataclass(frozen=True)
class RateTable:
    """All rates, offsets and their sources."""

    rates: tuple[RateRow, ...]
    offsets: tuple[OffsetRow, ...]
    sources: dict[str, Source]

    @cached_property
    def _segments(self) -> tuple[tuple[date, ...], tuple[tuple[RateRow, ...], ...]]:
        """The rows in force between each pair of boundary dates, for lookups by bisection
        (a calculation of ten years of weekly periods looks rates up about a thousand times)."""
        bounds = sorted(
            {r.effective_from for r in self.rates}
            | {r.effective_to + timedelta(days=1) for r in self.rates if r.effective_to is not None}
        )
        return tuple(bounds), tuple(tuple(r for r in self.rates if r.in_force_on(b)) for b in bounds)

    def _in_force(self, day: date) -> tuple[RateRow, ...]:
        bounds, rows = self._segments
        index = bisect_right(bounds, day) - 1
        return rows[index] if index >= 0 else ()

    def rate_for(self, period_start: date, age: int, *, apprentice: bool = False) -> RateRow | None:
        """The row for a period starting on ``period_start`` for a worker of ``age`` (None: no
        band covers that age then, e.g. under 18 before October 2004).

        ``apprentice``: the apprentice rate applies (under 19, or in the first year of the
        apprenticeship); where no apprentice rate was in force (before October 2010) the age
        band applies.
        """
        in_force = self._in_force(period_start)
        if apprentice:
            for row in in_force:
                if row.band == APPRENTICE_BAND:
                    return row
        return next((row for row in in_force if row.covers_age(age)), None)

    def offset_for(self, period_start: date) -> OffsetRow | None:
        """The accommodation offset for a period starting on ``period_start``."""
        return next((row for row in self.offsets if row.in_force_on(period_start)), None)

    def first_rate_date(self) -> date:
        """The first day the table has rates for (the minimum wage began on 1 April 1999)."""
        return min(row.effective_from for row in self.rates)

    def source_urls(self, keys: Iterable[str]) -> tuple[str, ...]:
        """The URLs of the given source keys, in order."""
        return tuple(self.sources[key].url for key in keys if key in self.sources and self.sources[key].url)


def load_rate_table(directory: Path = DATA_DIR) -> RateTable:
    """Read and check the three CSV files in ``directory``; :class:`RateTableError` if any is wrong."""
    problems: list[str] = []
    sources = {s.key: s for s in _read_sources(directory / "uk_nmw_sources.csv", problems)}
    rates = tuple(_read_rates(directory / "uk_nmw_rates.csv", problems, sources))
    offsets = tuple(_read_offsets(directory / "uk_accommodation_offsets.csv", problems, sources))
    _check_no_overlap(
        "uk_nmw_rates.csv", [(r.band, r.effective_from, r.effective_to) for r in rates], problems
    )
    _check_no_overlap(
        "uk_accommodation_offsets.csv",
        [("offset", o.effective_from, o.effective_to) for o in offsets],
        problems,
    )
    if problems:
        raise RateTableError("; ".join(problems))
    return RateTable(rates, offsets, sources)


@lru_cache(maxsize=1)
def default_rate_table() -> RateTable:
    """The packaged table, read once per process."""
    return load_rate_table()


# --- reading ---------------------------------------------------------------------------------------


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row, skipping ``#`` comment lines."""
    with path.open(encoding="utf-8", newline="") as handle:
        numbered = [(number, line) for number, line in enumerate(handle, 1) if not line.startswith("#")]
    reader = csv.DictReader(line for _, line in numbered)
    for (number, _), row in zip(numbered[1:], reader, strict=False):
        yield number, row


def _read_sources(path: Path, problems: list[str]) -> Iterator[Source]:
    for line, row in _rows(path):
        if not row.get("key"):
            problems.append(f"{path.name}:{line}: a source needs a key")
            continue
        yield Source(row["key"], row.get("url") or "", row.get("supports") or "")


def _read_rates(path: Path, problems: list[str], sources: dict[str, Source]) -> Iterator[RateRow]:
    for line, row in _rows(path):
        where = f"{path.name}:{line}"
        try:
            yield RateRow(
                effective_from=date.fromisoformat(row["effective_from"]),
                effective_to=_optional_date(row["effective_to"]),
                band=_required(row["band"], "band"),
                min_age=_optional_int(row["min_age"]),
                max_age_exclusive=_optional_int(row["max_age_exclusive"]),
                rate=_money(row["rate_gbp_per_hour"]),
                is_nlw=row["is_nlw"] == "1",
                sources=_source_keys(row["sources"], sources),
                confidence=_required(row["confidence"], "confidence"),
            )
        except (KeyError, ValueError, InvalidOperation) as exc:
            problems.append(f"{where}: {exc}")


def _read_offsets(path: Path, problems: list[str], sources: dict[str, Source]) -> Iterator[OffsetRow]:
    for line, row in _rows(path):
        where = f"{path.name}:{line}"
        try:
            yield OffsetRow(
                effective_from=date.fromisoformat(row["effective_from"]),
                effective_to=_optional_date(row["effective_to"]),
                daily=_money(row["accom_offset_daily_gbp"]),
                weekly_max=_money(row["accom_offset_weekly_max_gbp"]),
                sources=_source_keys(row["sources"], sources),
                confidence=_required(row["confidence"], "confidence"),
            )
        except (KeyError, ValueError, InvalidOperation) as exc:
            problems.append(f"{where}: {exc}")


def _check_no_overlap(name: str, ranges: list[tuple[str, date, date | None]], problems: list[str]) -> None:
    by_band: dict[str, list[tuple[date, date | None]]] = {}
    for band, start, end in ranges:
        by_band.setdefault(band, []).append((start, end))
    for band, spans in by_band.items():
        spans.sort()
        for (_, end), (next_start, _) in zip(spans, spans[1:], strict=False):
            if end is None or end >= next_start:
                problems.append(f"{name}: {band} rows overlap at {next_start.isoformat()}")


def _required(value: str | None, name: str) -> str:
    if not value:
        raise ValueError(f"missing {name}")
    return value


def _optional_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _optional_int(value: str | None) -> int | None:
    return int(value) if value else None


def _money(value: str | None) -> Decimal:
    amount = Decimal(_required(value, "amount"))
    if amount <= 0:
        raise ValueError(f"amount must be positive, not {amount}")
    return amount


def _source_keys(value: str | None, sources: dict[str, Source]) -> tuple[str, ...]:
    keys = tuple(key.strip() for key in _required(value, "sources").split(";") if key.strip())
    unknown = [key for key in keys if key not in sources]
    if unknown:
        raise ValueError(f"unknown source key(s) {', '.join(unknown)}; add them to uk_nmw_sources.csv")
    return keys
