"""Wage calculators: what a worker was owed and not paid, period by period, with the working
shown and the source of every rate (UK minimum wage; US FLSA and state minimum wages)."""
