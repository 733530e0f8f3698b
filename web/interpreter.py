"""The interpreter view of the interview: each question also in the survivor's language.

An advocate interviewing through an interpreter presses "Show in <language>" on a question page;
the question (its label, hint and choices) then also shows in the case's preferred language, in
a block marked with its ``lang`` and ``dir`` (Arabic right to left), for the rest of this
interview. The choice is kept in a cookie scoped to the interview's address (``on`` or nothing;
nothing about the case), so it holds across questions with and without htmx, and the link's
``?interpreter=on|off`` sets or clears it. Texts come from the survivor's catalogues; a question
not translated yet says so instead of repeating the English.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from fastapi import Request, Response

from web import question_widgets as widgets
from web.i18n import DEFAULT_LANGUAGE, LANGUAGES, text_direction
from workflows.facts import FactSpec, default_fact_dictionary

COOKIE: Final = "redress_interpreter"
QUERY: Final = "interpreter"
LANGUAGE_FACT: Final = "person.preferred_language"


@dataclass(frozen=True)
class InterpreterView:
    """What the question page shows of the interpreter view."""

    language: str
    name: str  # in English ("Arabic")
    native_name: str  # in itself ("العربية")
    shown: bool
    toggle_url: str
    widget: widgets.Widget | None  # None: the question has no translation in the language yet

    @property
    def direction(self) -> str:
        """``rtl`` or ``ltr``."""
        return text_direction(self.language)


def is_on(request: Request) -> bool:
    """Whether the interpreter view is on for this request (the link's choice wins)."""
    asked = request.query_params.get(QUERY)
    if asked in ("on", "off"):
        return asked == "on"
    return request.cookies.get(COOKIE) == "on"


def view_for(request: Request, case_language: str, spec: FactSpec, page_url: str) -> InterpreterView | None:
    """The interpreter view of ``spec``'s question, or None when the case's language is English
    or one Redress has no catalogue for."""
    if case_language == DEFAULT_LANGUAGE or case_language not in LANGUAGES:
        return None
    shown = is_on(request)
    separator = "&" if "?" in page_url else "?"
    widget = widgets.widget_for(spec)
    return InterpreterView(
        language=case_language,
        name=default_fact_dictionary().get(LANGUAGE_FACT).options.get(case_language, case_language),
        native_name=LANGUAGES[case_language],
        shown=shown,
        toggle_url=f"{page_url}{separator}{QUERY}={'off' if shown else 'on'}",
        widget=widgets.in_language(widget, case_language)
        if widgets.is_translated(spec, case_language)
        else None,
    )


def remember(request: Request, response: Response, interview_path: str) -> None:
    """Keep the link's choice for the rest of the interview (a cookie on ``interview_path``)."""
    asked = request.query_params.get(QUERY)
    secure = request.url.scheme == "https"
    if asked == "on":
        response.set_cookie(COOKIE, "on", path=interview_path, httponly=True, samesite="lax", secure=secure)
    elif asked == "off":
        response.delete_cookie(COOKIE, path=interview_path, httponly=True, samesite="lax", secure=secure)
