"""Wage calculators: what a worker was owed and not paid, week by week, with the rates' sources."""
