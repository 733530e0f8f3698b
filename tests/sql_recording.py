"""The SQL statements an engine runs inside a block, for tests that keep a page's or a service's
budget of statements, or look at one statement's plan."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event


@dataclass(frozen=True)
class Statement:
    """One statement as the driver received it."""

    sql: str
    parameters: Any

    @property
    def head(self) -> str:
        """Its first three words, e.g. ``INSERT INTO case_event`` or ``UPDATE application SET``."""
        return " ".join(self.sql.split()[:3])


@contextmanager
def recorded_statements(engine: Engine) -> Iterator[list[Statement]]:
    """The statements run on ``engine`` inside the block, in order."""
    seen: list[Statement] = []

    def record(_conn: Any, _cursor: Any, sql: str, parameters: Any, *_args: Any) -> None:
        seen.append(Statement(sql, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
