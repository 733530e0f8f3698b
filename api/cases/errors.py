"""Errors of the cases domain. Pages and the API turn them into 404, 403 and 422 responses."""

from __future__ import annotations

from collections.abc import Mapping


class CaseNotFound(LookupError):
    """No such case *for this actor*: also raised for another organisation's case, so that a
    404 never confirms that a case id exists somewhere else."""

    def __init__(self, public_id: str | None = None) -> None:
        self.public_id = public_id
        super().__init__("case not found")


class AccessDenied(PermissionError):
    """The actor may see the case but not do this (a lawyer changing facts, say)."""

    def __init__(self, message: str = "You may not do this on this case.") -> None:
        self.message = message
        super().__init__(message)


class ApplicationNotFound(LookupError):
    """No application with that public id in this case."""


class CaseInputError(ValueError):
    """A field of a case form is invalid; ``field`` names it for the error summary."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class ApplicationError(ValueError):
    """An application cannot be started (not in the catalogue, or already started)."""


class FactInputError(ValueError):
    """One or more fact values are invalid; nothing was saved.

    ``key`` and ``message`` describe the first problem; ``errors`` maps every bad key to its
    message, in input order, so a page can show a full error summary at once.
    """

    def __init__(self, key: str, message: str, *, errors: Mapping[str, str] | None = None) -> None:
        self.key = key
        self.message = message
        self.errors: dict[str, str] = dict(errors) if errors else {key: message}
        super().__init__(f"{key}: {message}")


class ConcurrentChange(RuntimeError):
    """Someone else changed the same answers at the same moment; nothing of this change was
    saved. Show the current answers and let the person decide (HTTP 409)."""

    def __init__(self) -> None:
        super().__init__(
            "These answers were changed by someone else at the same moment. Check them and try again."
        )


class ShareError(ValueError):
    """A case cannot be shared with that person, or the share does not exist."""


class AccessCodeError(ValueError):
    """An access code cannot be redeemed; ``message`` is for the survivor.

    Wrong, used and expired codes all give :attr:`GENERIC_MESSAGE`, so that someone trying codes
    learns nothing about which exist. Other messages say only what was typed wrong (a letter
    that never occurs in codes, too few characters), or that there were too many attempts.
    """

    GENERIC_MESSAGE = "This access code is not valid. Ask your advocate for a new one."

    def __init__(self, message: str = GENERIC_MESSAGE) -> None:
        self.message = message
        super().__init__(message)


class AccessCodeThrottled(AccessCodeError):
    """Too many wrong codes recently: nothing was checked; try again later."""
