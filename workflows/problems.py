"""Problems found in definitions and the fact dictionary, reported as ``file:line: message``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a definition file, where it is and how to fix it."""

    file: Path
    line: int
    message: str
    hint: str | None = None

    def format(self, relative_to: Path | None = None) -> str:
        """Render as ``file:line: message (hint: ...)``, the form editors and CI logs link."""
        path = self.file
        if relative_to is not None:
            try:
                path = self.file.resolve().relative_to(relative_to.resolve())
            except ValueError:
                path = self.file
        text = f"{path}:{self.line}: {self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


class DefinitionError(ValueError):
    """A definition (or the fact dictionary) failed validation; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(p.format() for p in self.problems))
