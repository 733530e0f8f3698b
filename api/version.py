"""Redress's version, as installed (from the package metadata)."""

from __future__ import annotations

from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version


@lru_cache(maxsize=1)
def app_version() -> str:
    """The installed ``redress`` distribution's version, or ``"unknown"`` when not installed."""
    try:
        return version("redress")
    except PackageNotFoundError:
        return "unknown"
