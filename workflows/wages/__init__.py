"""Wage calculators: what a worker was owed, period by period, with the working shown."""
