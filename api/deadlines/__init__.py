"""Deadlines as rows: computed by the engine, confirmed or overridden by a person."""
