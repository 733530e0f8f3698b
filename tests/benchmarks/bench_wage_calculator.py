"""Benchmark: the UK minimum wage calculator on ten years of weekly pay periods (520, the most
the page accepts), and its CSV export.

Run: ``.venv/bin/python tests/benchmarks/bench_wage_calculator.py [repeat]`` (not collected by
pytest). Machines are noisy, so each figure is also given as a ratio to a baseline measured in the
same run: reading the same periods back from their stored JSON (work every page view does
anyway). Goal: a whole calculation in a web request well under 50 ms on the 2-core machine.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from workflows.wages.uk_minimum_wage import (
    PayPeriod,
    calculate,
    periods_from_json,
    periods_to_json,
    working_csv,
)
from workflows.wages.uk_rate_table import default_rate_table

TODAY = date(2026, 11, 22)
BIRTH = date(1999, 6, 15)  # crosses several age bands and every rate change of the decade


def ten_years_of_weeks() -> list[PayPeriod]:
    """520 fictional weekly periods ending before TODAY, some with free accommodation."""
    start = TODAY - timedelta(weeks=521)
    return [
        PayPeriod(
            start + timedelta(weeks=i),
            start + timedelta(weeks=i, days=6),
            Decimal(60),
            Decimal(150),
            accommodation_days=7 if i % 3 == 0 else 0,
        )
        for i in range(520)
    ]


def median_ms(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and 95th percentile of ``fn`` in milliseconds over ``repeat`` calls."""
    for _ in range(min(5, repeat)):
        fn()
    samples = []
    gc.disable()
    try:
        for _ in range(repeat):
            begin = time.perf_counter_ns()
            fn()
            samples.append((time.perf_counter_ns() - begin) / 1e6)
    finally:
        gc.enable()
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def main() -> int:
    """Run the benchmark and print a small report; exit 1 if the goal is missed."""
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    default_rate_table()  # read once per process, as in the app
    periods = ten_years_of_weeks()
    stored = periods_to_json(periods)
    calculation = calculate(periods, BIRTH, TODAY)
    base, _ = median_ms(lambda: periods_from_json(stored), repeat)
    calc, calc_p95 = median_ms(lambda: calculate(periods, BIRTH, TODAY), repeat)
    export, _ = median_ms(lambda: working_csv(calculation), repeat)
    print(f"minimum wage calculator, 520 weekly periods, {repeat} runs each")
    print(f"{'step':28} {'median ms':>10} {'ratio':>7}")
    print(f"{'baseline: read stored JSON':28} {base:10.2f} {1:7.2f}")
    print(f"{'calculate':28} {calc:10.2f} {calc / base:7.2f}   (p95 {calc_p95:.2f} ms)")
    print(f"{'CSV export':28} {export:10.2f} {export / base:7.2f}")
    print(f"total arrears of the fictional worker: £{calculation.total_arrears}")
    goal = 50.0
    print(f"goal: calculate median <= {goal:.0f} ms -> {'met' if calc <= goal else 'MISSED'}")
    return 0 if calc <= goal else 1


if __name__ == "__main__":
    raise SystemExit(main())
