"""Errors of the deadlines domain."""

from __future__ import annotations


class DeadlineNotFound(LookupError):
    """No deadline with this id on this case (or the actor may not see it)."""


class DeadlineInputError(ValueError):
    """A value given for a deadline is wrong; ``field`` names it, ``message`` says how to fix it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
