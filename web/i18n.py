"""The survivor's languages: Babel message catalogues, the chosen language, and local formats.

Catalogues live in ``web/translations/<lang>/LC_MESSAGES/messages.po``. They are compiled in
memory the first time a language is used (no ``.mo`` files to build or commit, so a clean clone
works as is). English is the source language: its catalogue is the identity.

The survivor's choice is kept in the ``redress_lang`` cookie (a language code, nothing personal),
so it holds before they sign in and after a quick exit clears their session. Pages answer in
that language only where a survivor reads them (``/survivor…``, or anyone signed in as a
survivor); staff pages stay in English. Arabic is laid out right to left (``dir="rtl"``).

Templates use the Jinja2 ``i18n`` extension (``{% trans %}``, ``_()``), new-style: variables are
escaped and substituted after translation. The per-request functions are passed in the template
context, which shadows the environment's English defaults, so two requests in two languages at
once never see each other's language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from fastapi import Request
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from api.orgs.models import DEFAULT_TIMEZONE

TRANSLATIONS_DIR: Final = Path(__file__).resolve().parent / "translations"
DEFAULT_LANGUAGE: Final = "en"
# In the order the switcher lists them; each name in its own language, so a person finds theirs.
LANGUAGES: Final = {
    "en": "English",
    "es": "Español",
    "sq": "Shqip",
    "vi": "Tiếng Việt",
    "ro": "Română",
    "ar": "العربية",
}
RIGHT_TO_LEFT: Final = frozenset({"ar"})
# Dates and numbers: English as written in the UK ("14 September 2027"), the rest as is.
FORMAT_LOCALES: Final = {"en": "en_GB"}
LANGUAGE_COOKIE: Final = "redress_lang"
LANGUAGE_COOKIE_MAX_AGE: Final = 365 * 24 * 3600
SURVIVOR_PATH: Final = "/survivor"


def N_(message: str) -> str:  # noqa: N802 - the conventional name Babel extracts
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message


def catalogue_path(language: str) -> Path:
    """Where the ``.po`` catalogue of ``language`` lives."""
    return TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po"


@cache
def translations_for(language: str) -> NullTranslations:
    """The compiled catalogue of ``language`` (English and unknown codes: no translation)."""
    if language not in LANGUAGES:
        return NullTranslations()
    with catalogue_path(language).open("rb") as po_file:
        catalogue = read_po(po_file, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalogue, use_fuzzy=False)
    compiled.seek(0)
    return Translations(fp=compiled)


def is_survivor_request(request: Request) -> bool:
    """Whether the page is one a survivor reads (and so speaks their language)."""
    identity = getattr(request.state, "identity", None)
    if identity is not None and identity.is_survivor:
        return True
    path = request.url.path
    return path == SURVIVOR_PATH or path.startswith(SURVIVOR_PATH + "/")


def chosen_language(request: Request) -> str:
    """The language of this page: the survivor's choice on survivor pages, else English."""
    if not is_survivor_request(request):
        return DEFAULT_LANGUAGE
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def text_direction(language: str) -> str:
    """``rtl`` for a right-to-left language, else ``ltr``."""
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"


def translate(language: str, message: str) -> str:
    """``message`` in ``language`` (itself where the catalogue has no translation)."""
    return translations_for(language).gettext(message)


def _format_locale(language: str) -> Locale:
    return Locale.parse(FORMAT_LOCALES.get(language, language))


def local_long_date(value: date | datetime | None, language: str, timezone: str = DEFAULT_TIMEZONE) -> str:
    """A date written out for ``language`` ("22 November 2026", "22 de noviembre de 2026")."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        local = value.astimezone(ZoneInfo(timezone)) if value.tzinfo is not None else value
        value = local.date()
    return format_date(value, format="long", locale=_format_locale(language))


def local_datetime(value: datetime | None, language: str, timezone: str = DEFAULT_TIMEZONE) -> str:
    """A moment written out for ``language`` in ``timezone``."""
    if value is None:
        return ""
    return format_datetime(value, format="medium", tzinfo=ZoneInfo(timezone), locale=_format_locale(language))


def local_number(value: float | int, language: str) -> str:
    """A number written for ``language`` (digits and separators as its readers expect)."""
    return format_decimal(value, locale=_format_locale(language))


def template_functions(language: str) -> dict[str, Any]:
    """What a template needs to speak ``language``: gettext/ngettext (new-style) and formats."""
    translations = translations_for(language)

    @pass_context
    def gettext(context: Context, message: str, **variables: Any) -> str:
        translated = translations.gettext(message)
        if context.eval_ctx.autoescape:
            translated = Markup(translated)
        # As Jinja's own new-style gettext: always substitute, so "%%" means "%" everywhere.
        return translated % variables

    @pass_context
    def ngettext(context: Context, singular: str, plural: str, num: int, **variables: Any) -> str:
        variables.setdefault("num", num)
        translated = translations.ngettext(singular, plural, num)
        if context.eval_ctx.autoescape:
            translated = Markup(translated)
        return translated % variables

    def tr(message: str) -> str:
        # A message made at run time (a form error): looked up as it is, no "%" substitution.
        return translations.gettext(message)

    def long_date(value: date | datetime | None, timezone: str = DEFAULT_TIMEZONE) -> str:
        return local_long_date(value, language, timezone)

    def number(value: float | int) -> str:
        return local_number(value, language)

    functions: dict[str, Callable[..., str]] = {
        "gettext": gettext,
        "_": gettext,
        "ngettext": ngettext,
        "tr": tr,
        "local_date": long_date,
        "local_number": number,
    }
    return {
        **functions,
        "page_lang": language,
        "page_dir": text_direction(language),
        "languages": LANGUAGES,
    }
