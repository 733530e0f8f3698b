"""Guards on arguments that every cases service shares."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class _Row(Protocol):
    id: int | None


def require_aware(now: datetime) -> None:
    """Refuse a naive ``now``: its meaning would depend on the server's clock."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"'now' must be timezone-aware, got {now!r}")


def saved_id(row: _Row) -> int:
    """The id of a saved row. Rows are flushed before their id is read, so None is a bug."""
    if row.id is None:
        raise RuntimeError(f"{type(row).__name__} has no id yet: flush before reading it")
    return row.id
