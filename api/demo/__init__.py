"""Fictional demonstration data (``redress demo``)."""
