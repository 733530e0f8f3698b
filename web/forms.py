"""What every page form needs: the CSRF check, reading fields, and the errors for the summary.

State-changing page routes declare ``dependencies=[CsrfProtected]`` (or ``Depends(csrf_protect)``):
a request without this browser's token gets 403 before the route runs.

Routes take the form as ``form: FormDep`` and read fields with :func:`text_field` and
:func:`list_field` rather than FastAPI's ``Form()`` parameters: a missing field must come back as
the page with an error summary, not as a 422 JSON body. Errors are collected in
:class:`FormErrors`, keyed by the *id of the input* at fault, so the error summary can link to it
(``href="#<id>"``) and the field can show its message next to it. The page macros in
``web/templates/staff/forms.html`` render both.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Final

from fastapi import Depends, Request
from starlette.datastructures import FormData

from web.csrf import verify_csrf

# Long enough for any real answer on these forms; a pasted novel is cut rather than stored.
DEFAULT_MAX_LENGTH: Final = 2000


async def csrf_protect(request: Request) -> None:
    """Dependency: refuse (403) an unsafe request without this browser's CSRF token."""
    await verify_csrf(request, request.app.state.settings.secret_key.get_secret_value())


CsrfProtected = Depends(csrf_protect)


async def read_form(request: Request) -> FormData:
    """Dependency: the request's form fields (parsed once; the CSRF check reads the same copy).

    Through a dependency, a plain ``def`` route (run in a worker thread, as every route that
    talks to the database or hashes a password should be) still gets the form.
    """
    return await request.form()


FormDep = Annotated[FormData, Depends(read_form)]


def text_field(form: FormData, name: str, *, max_length: int = DEFAULT_MAX_LENGTH, strip: bool = True) -> str:
    """The text of field ``name``, or "" when it is missing or is a file; at most ``max_length``.

    Passphrases are read with ``strip=False``: spaces may be part of them.
    """
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    value = value[:max_length]
    return value.strip() if strip else value


def list_field(form: FormData, name: str, *, max_length: int = DEFAULT_MAX_LENGTH) -> list[str]:
    """Every text value of field ``name`` (checkboxes, multiple selects), stripped, empty ones dropped."""
    values = [value[:max_length].strip() for value in form.getlist(name) if isinstance(value, str)]
    return [value for value in values if value]


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem: the id of the input at fault and a sentence saying how to fix it."""

    field: str
    message: str

    @property
    def href(self) -> str:
        """The error summary's link to the input."""
        return f"#{self.field}"


class FormErrors:
    """The problems of one submitted form, in the order found; the first per field wins.

    Falsy when there are none. ``errors.get("email")`` is the message to show beside a field;
    iterating gives :class:`FieldError` items for the error summary.
    """

    def __init__(self) -> None:
        self._messages: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        """Record a problem with the input whose id is ``field`` (ignored if it has one already)."""
        self._messages.setdefault(field, message)

    def get(self, field: str) -> str | None:
        """The message for ``field``, or None."""
        return self._messages.get(field)

    def __contains__(self, field: object) -> bool:
        return field in self._messages

    def __bool__(self) -> bool:
        return bool(self._messages)

    def __len__(self) -> int:
        return len(self._messages)

    def __iter__(self) -> Iterator[FieldError]:
        return (FieldError(field, message) for field, message in self._messages.items())

    @classmethod
    def of(cls, field: str, message: str) -> FormErrors:
        """Errors holding one problem (a service refused the form for one field)."""
        errors = cls()
        errors.add(field, message)
        return errors
