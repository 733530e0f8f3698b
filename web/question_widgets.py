"""How each type of fact is asked on a page, read back from the submitted form, and shown to people.

One question per page. A fact's *widget* says which inputs ask it and how the page heading ties
to them: a single input (a date, a number, a text) has its ``<label>`` as the heading; several
inputs (radios, checkboxes, an amount with its currency, a place chosen from a list or typed)
sit in a ``<fieldset>`` whose ``<legend>`` is the heading. The templates render a
:class:`Widget` (``web/templates/interview/widgets.html``).

"I don't know" is an answer, not a gap: it is stored as JSON ``null`` ("asked, not known"), so
the interview moves on and never asks again, while a required fact stays on the list of things
missing. Yes/no and choice questions offer it as a radio button; the others as a button beside
"Save and continue".

:func:`read_answer` turns the submitted fields into the raw JSON value that
:func:`api.cases.service.change_facts` validates (it stays the authority on what a fact may
hold), and keeps exactly what was typed so that a page with an error shows it again. The checks
made here are about the form itself (nothing chosen, 30 February, letters in an amount) and
give messages written for the person at the form.

Field names: ``answer`` (and ``answer_other`` for a place typed instead of chosen,
``answer_amount`` and ``answer_currency`` for money); the "I don't know" button is
``dont_know``. Input ids start with ``q-`` and name the fact (``q-incident-date``).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache
from typing import Final

from babel.dates import format_skeleton
from starlette.datastructures import FormData

from web.i18n import N_, local_long_date, local_number, translate
from web.templating import long_date
from workflows.catalogue import default_catalogue
from workflows.conditions import CompiledExpression
from workflows.facts import FactSpec
from workflows.model import Workflow
from workflows.types import FactType, Money

ANSWER: Final = "answer"
ANSWER_OTHER: Final = "answer_other"
ANSWER_AMOUNT: Final = "answer_amount"
ANSWER_CURRENCY: Final = "answer_currency"
DONT_KNOW: Final = "dont_know"  # the "I don't know" submit button's name
# Choice values that can never be a fact option (options are plain words): "I don't know",
# "None of these" (an empty list) and "somewhere else, typed below".
UNKNOWN_CHOICE: Final = "_unknown"
NONE_CHOICE: Final = "_none"
OTHER_PLACE: Final = "_other"
UNKNOWN_TEXT: Final = N_("I don't know")
YES_TEXT: Final = N_("Yes")
NO_TEXT: Final = N_("No")
NONE_TEXT: Final = N_("None of these")
MAX_FIELD_LENGTH: Final = 10_000  # longer than any fact allows; beyond this the form is not read

_COUNTRY_CODE: Final = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
_QUOTED_CODE: Final = re.compile(r"""['"]([A-Z]{2}(?:-[A-Z0-9]{1,3})?)['"]""")
_ISO_DATE: Final = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK_DATE: Final = re.compile(r"^(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})$")
_CURRENCY_SIGNS: Final = {"GBP": "£", "USD": "$", "EUR": "€"}

# Names of the places a person is likely to pick. Any other ISO 3166 code can be typed.
PLACE_NAMES: Final[Mapping[str, str]] = {
    "GB-ENG": "England",
    "GB-NIR": "Northern Ireland",
    "GB-SCT": "Scotland",
    "GB-WLS": "Wales",
    "US-CA": "California",
    "US-MD": "Maryland",
    "US-NC": "North Carolina",
    "US-NY": "New York",
    "US-SC": "South Carolina",
    "US-TX": "Texas",
    "US-VA": "Virginia",
    "US-WV": "West Virginia",
    "AF": "Afghanistan",
    "AL": "Albania",
    "BD": "Bangladesh",
    "BG": "Bulgaria",
    "BR": "Brazil",
    "CM": "Cameroon",
    "CN": "China",
    "CZ": "Czechia",
    "DE": "Germany",
    "EG": "Egypt",
    "ER": "Eritrea",
    "ES": "Spain",
    "ET": "Ethiopia",
    "FR": "France",
    "GB": "United Kingdom",
    "GH": "Ghana",
    "GR": "Greece",
    "GT": "Guatemala",
    "HN": "Honduras",
    "HU": "Hungary",
    "IE": "Ireland",
    "IN": "India",
    "IQ": "Iraq",
    "IR": "Iran",
    "IT": "Italy",
    "JM": "Jamaica",
    "KE": "Kenya",
    "LK": "Sri Lanka",
    "LT": "Lithuania",
    "LV": "Latvia",
    "MA": "Morocco",
    "MD": "Moldova",
    "MX": "Mexico",
    "NG": "Nigeria",
    "NL": "Netherlands",
    "PH": "Philippines",
    "PK": "Pakistan",
    "PL": "Poland",
    "PT": "Portugal",
    "RO": "Romania",
    "SD": "Sudan",
    "SK": "Slovakia",
    "SL": "Sierra Leone",
    "SO": "Somalia",
    "SV": "El Salvador",
    "SY": "Syria",
    "TH": "Thailand",
    "TR": "Turkey",
    "UA": "Ukraine",
    "UG": "Uganda",
    "US": "United States",
    "VN": "Vietnam",
    "ZW": "Zimbabwe",
}

FormValues = dict[str, str | tuple[str, ...]]


class WidgetKind(StrEnum):
    """Which inputs ask a fact (the name of the template macro that renders them)."""

    DATE = "date"
    YES_NO = "yes_no"
    RADIOS = "radios"
    CHECKBOXES = "checkboxes"
    TEXT = "text"
    PLACE = "place"
    MONEY = "money"
    NUMBER = "number"


@dataclass(frozen=True, slots=True)
class Choice:
    """One radio button or checkbox."""

    value: str
    label: str
    input_id: str


@dataclass(frozen=True, slots=True)
class PlaceGroup:
    """A group of places in the place list (``<optgroup>``)."""

    label: str
    places: tuple[tuple[str, str], ...]  # (code, name)


@dataclass(frozen=True, slots=True)
class Widget:
    """What a template needs to ask one fact."""

    key: str
    kind: WidgetKind
    label: str
    help: str | None
    input_id: str  # the input the error summary links to (the first radio, the amount …)
    grouped: bool  # several inputs: a fieldset whose legend is the page heading
    choices: tuple[Choice, ...] = ()
    place_groups: tuple[PlaceGroup, ...] = ()
    currencies: tuple[str, ...] = ()
    max_length: int | None = None

    @property
    def unknown_is_a_choice(self) -> bool:
        """Whether "I don't know" is one of the radio buttons (else it is a button)."""
        return self.kind in (WidgetKind.YES_NO, WidgetKind.RADIOS)

    def id_for(self, suffix: str) -> str:
        """The id of a further input of this widget (``q-incident-date-other``)."""
        return f"{self.input_id}-{suffix}"


@dataclass(frozen=True, slots=True)
class Answer:
    """A submitted answer: the raw JSON value for the fact, or why the form cannot give one.

    ``values`` is what was submitted, to show again. ``blank``: nothing was entered or chosen
    (someone leaving with "Save and come back later" then saves nothing). ``raw`` is None for
    "I don't know"; it is meaningful only when ``error`` is None.
    """

    values: FormValues
    raw: object = None
    blank: bool = False
    error: str | None = None
    error_input_id: str | None = None
    # The error as a catalogue msgid and its values, for the survivor's language (``error`` is
    # the English text): see :func:`error_in`.
    error_msgid: str | None = None
    error_params: Mapping[str, object] | None = None


def _english(value: object) -> str:
    if isinstance(value, date):
        return long_date(value)
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _localised(value: object, language: str) -> str:
    if isinstance(value, date):
        return local_long_date(value, language)
    if isinstance(value, int):
        return local_number(value, language)
    if isinstance(value, MonthOfYear):
        return value.name_in(language)
    return str(value)


@dataclass(frozen=True, slots=True)
class MonthOfYear:
    """A month of a year in an error message ("February 2026"), written out per language."""

    year: int
    month: int

    def name_in(self, language: str) -> str:
        """``February 2026`` in ``language``."""
        return format_skeleton("yMMMM", date(self.year, self.month, 1), locale=_format_locale_of(language))

    def __str__(self) -> str:
        return f"{date(self.year, self.month, 1):%B %Y}"


def _format_locale_of(language: str) -> str:
    return "en_GB" if language == "en" else language


def error_in(answer: Answer, language: str) -> str | None:
    """The form error of ``answer`` in ``language`` (its English text where there is no
    translation)."""
    if answer.error_msgid is None:
        return answer.error
    params = {name: _localised(value, language) for name, value in (answer.error_params or {}).items()}
    return translate(language, answer.error_msgid) % params


class _FormError(ValueError):
    """The form cannot give a value; ``input_suffix`` names a further input at fault, if any.

    ``msgid`` is the catalogue's text with ``%(name)s`` placeholders for ``params``.
    """

    def __init__(
        self, msgid: str, input_suffix: str | None = None, params: Mapping[str, object] | None = None
    ) -> None:
        self.msgid = msgid
        self.params = dict(params or {})
        self.message = msgid % {name: _english(value) for name, value in self.params.items()}
        super().__init__(self.message)
        self.input_suffix = input_suffix


def input_id_of(key: str) -> str:
    """The id of the (first) input asking fact ``key``: ``q-`` and the key with dots as hyphens."""
    return "q-" + re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")


def widget_for(spec: FactSpec) -> Widget:
    """The widget that asks ``spec``'s fact."""
    base = input_id_of(spec.key)

    def widget(
        kind: WidgetKind,
        *,
        grouped: bool,
        choices: tuple[Choice, ...] = (),
        place_groups: tuple[PlaceGroup, ...] = (),
        currencies: tuple[str, ...] = (),
        max_length: int | None = None,
    ) -> Widget:
        return Widget(
            key=spec.key,
            kind=kind,
            label=spec.label,
            help=spec.help,
            input_id=base,
            grouped=grouped,
            choices=choices,
            place_groups=place_groups,
            currencies=currencies,
            max_length=max_length,
        )

    if spec.type is FactType.BOOL:
        choices = (("yes", YES_TEXT), ("no", NO_TEXT), (UNKNOWN_CHOICE, UNKNOWN_TEXT))
        return widget(WidgetKind.YES_NO, grouped=True, choices=_choices(base, choices))
    if spec.type is FactType.ENUM:
        options = (*spec.options.items(), (UNKNOWN_CHOICE, UNKNOWN_TEXT))
        return widget(WidgetKind.RADIOS, grouped=True, choices=_choices(base, options))
    if spec.type is FactType.LIST:
        options = (*spec.options.items(), (NONE_CHOICE, NONE_TEXT))
        return widget(WidgetKind.CHECKBOXES, grouped=True, choices=_choices(base, options))
    if spec.type is FactType.COUNTRY:
        return widget(WidgetKind.PLACE, grouped=True, place_groups=places_for(spec.key))
    if spec.type is FactType.MONEY:
        return widget(WidgetKind.MONEY, grouped=True, currencies=spec.currencies)
    if spec.type is FactType.TEXT:
        return widget(WidgetKind.TEXT, grouped=False, max_length=spec.max_length)
    if spec.type is FactType.NUMBER:
        return widget(WidgetKind.NUMBER, grouped=False)
    return widget(WidgetKind.DATE, grouped=False)


def _choices(base: str, options: tuple[tuple[str, str], ...]) -> tuple[Choice, ...]:
    # The first input gets the widget's own id: that is where the error summary links.
    return tuple(
        Choice(value, label, base if index == 0 else f"{base}-{index + 1}")
        for index, (value, label) in enumerate(options)
    )


# --- the places offered ---------------------------------------------------------------------------


def places_for(key: str) -> tuple[PlaceGroup, ...]:
    """The places offered for a country fact: those the definitions test it against, then the
    countries of :data:`PLACE_NAMES`. Parts of a country (``GB-SCT``) come first, in a group of
    their own, because they change which rules apply."""
    used = _codes_definitions_use(key)
    parts = sorted((code for code in used if "-" in code), key=lambda code: _place_name(code))
    countries = sorted(
        {code for code in (*used, *PLACE_NAMES) if "-" not in code}, key=lambda code: _place_name(code)
    )
    groups = []
    if parts:
        groups.append(
            PlaceGroup(N_("Parts of a country"), tuple((code, _place_name(code)) for code in parts))
        )
    groups.append(PlaceGroup(N_("Countries"), tuple((code, _place_name(code)) for code in countries)))
    return tuple(groups)


def _place_name(code: str) -> str:
    return PLACE_NAMES.get(code, code)


@lru_cache(maxsize=64)
def _codes_definitions_use(key: str) -> frozenset[str]:
    """Place codes quoted in any condition of any definition that reads fact ``key``."""
    codes: set[str] = set()
    for workflow in default_catalogue():
        for expression in _expressions(workflow):
            if key in expression.facts:
                codes.update(_QUOTED_CODE.findall(expression.source))
    return frozenset(codes)


def _expressions(workflow: Workflow) -> list[CompiledExpression]:
    found: list[CompiledExpression | None] = []
    for step in workflow.steps:
        found.append(step.when)
        found.extend(question.when for question in step.questions)
    found.extend(outcome.when for outcome in workflow.outcomes)
    found.extend(rule.when for rule in workflow.evidence)
    for deadline in workflow.deadlines:
        found.extend((deadline.when, deadline.trigger))
    found.extend(document.when for document in workflow.documents)
    return [expression for expression in found if expression is not None]


# --- what the inputs show -------------------------------------------------------------------------


def form_values(spec: FactSpec, value: object, *, is_unknown: bool) -> FormValues:
    """The inputs' contents for a stored answer (``is_unknown``: "I don't know" was answered)."""
    if is_unknown:
        return {ANSWER: UNKNOWN_CHOICE} if spec.type in (FactType.BOOL, FactType.ENUM) else {}
    if value is None:
        return {}
    if isinstance(value, bool):
        return {ANSWER: "yes" if value else "no"}
    if isinstance(value, date):
        return {ANSWER: value.isoformat()}
    if isinstance(value, Money):
        return {ANSWER_AMOUNT: f"{value.amount:.2f}", ANSWER_CURRENCY: value.currency}
    if isinstance(value, tuple | list):
        return {ANSWER: tuple(str(item) for item in value) or (NONE_CHOICE,)}
    if spec.type is FactType.COUNTRY and isinstance(value, str):
        offered = {code for group in places_for(spec.key) for code, _ in group.places}
        return {ANSWER: value} if value in offered else {ANSWER: OTHER_PLACE, ANSWER_OTHER: value}
    return {ANSWER: str(value)}


# --- reading the form -----------------------------------------------------------------------------


def read_answer(spec: FactSpec, form: FormData, *, today: date) -> Answer:
    """The answer to ``spec``'s question in the submitted ``form`` (see :class:`Answer`).

    ``today`` is the organisation's date, for "this date cannot be in the future".
    """
    widget = widget_for(spec)
    values = _submitted(widget, form)
    if form.get(DONT_KNOW) is not None and not widget.unknown_is_a_choice:
        return Answer(values={}, raw=None)
    if _is_blank(values):
        message = _blank_message(widget)
        return Answer(
            values=values, blank=True, error=message, error_input_id=widget.input_id, error_msgid=message
        )
    try:
        raw = _parse(spec, widget, values, today)
    except _FormError as problem:
        target = widget.id_for(problem.input_suffix) if problem.input_suffix else widget.input_id
        return Answer(
            values=values,
            error=problem.message,
            error_input_id=target,
            error_msgid=problem.msgid,
            error_params=problem.params,
        )
    return Answer(values=values, raw=raw)


def _submitted(widget: Widget, form: FormData) -> FormValues:
    def text(name: str) -> str:
        value = form.get(name)
        return value[:MAX_FIELD_LENGTH] if isinstance(value, str) else ""

    if widget.kind is WidgetKind.CHECKBOXES:
        items = [item for item in form.getlist(ANSWER) if isinstance(item, str) and item]
        return {ANSWER: tuple(dict.fromkeys(items))}
    if widget.kind is WidgetKind.MONEY:
        return {ANSWER_AMOUNT: text(ANSWER_AMOUNT).strip(), ANSWER_CURRENCY: text(ANSWER_CURRENCY).strip()}
    if widget.kind is WidgetKind.PLACE:
        return {ANSWER: text(ANSWER).strip(), ANSWER_OTHER: text(ANSWER_OTHER).strip()}
    if widget.kind is WidgetKind.TEXT:
        return {ANSWER: text(ANSWER)}  # kept as typed; the fact dictionary trims it
    return {ANSWER: text(ANSWER).strip()}


def _is_blank(values: FormValues) -> bool:
    if set(values) == {ANSWER_AMOUNT, ANSWER_CURRENCY}:
        return not values[ANSWER_AMOUNT]  # a currency is always selected: it alone is no answer
    return not any(value.strip() if isinstance(value, str) else value for value in values.values())


def _blank_message(widget: Widget) -> str:
    return {
        WidgetKind.DATE: N_("Enter a date, for example 27/3/2024, or press “I don't know”"),
        WidgetKind.YES_NO: N_("Select yes, no or “I don't know”"),
        WidgetKind.RADIOS: N_("Select an answer, or “I don't know”"),
        WidgetKind.CHECKBOXES: N_("Select all that apply, or “None of these”, or press “I don't know”"),
        WidgetKind.TEXT: N_("Enter an answer, or press “I don't know”"),
        WidgetKind.PLACE: N_("Choose a place from the list or type its code, or press “I don't know”"),
        WidgetKind.MONEY: N_("Enter an amount, or press “I don't know”"),
        WidgetKind.NUMBER: N_("Enter a number, or press “I don't know”"),
    }[widget.kind]


def _parse(spec: FactSpec, widget: Widget, values: FormValues, today: date) -> object:
    answer = values.get(ANSWER, "")
    if widget.kind is WidgetKind.CHECKBOXES:
        return _parse_list(spec, answer if isinstance(answer, tuple) else (answer,))
    if widget.kind is WidgetKind.MONEY:
        return _parse_money(spec, str(values[ANSWER_AMOUNT]), str(values[ANSWER_CURRENCY]))
    if widget.kind is WidgetKind.PLACE:
        return _parse_place(str(answer), str(values.get(ANSWER_OTHER, "")))
    text = str(answer)
    if widget.kind is WidgetKind.YES_NO:
        return _parse_choice({"yes": True, "no": False}, text)
    if widget.kind is WidgetKind.RADIOS:
        return _parse_choice({option: option for option in spec.options}, text)
    if widget.kind is WidgetKind.TEXT:
        return _parse_text(spec, text)
    if widget.kind is WidgetKind.NUMBER:
        return _parse_number(text)
    return _parse_date(spec, text, today)


def _parse_choice(options: Mapping[str, object], text: str) -> object:
    if text == UNKNOWN_CHOICE:
        return None
    if text not in options:
        raise _FormError(N_("Select one of the answers shown"))
    return options[text]


def _parse_list(spec: FactSpec, chosen: tuple[str, ...]) -> list[str]:
    if NONE_CHOICE in chosen:
        if len(chosen) > 1:
            raise _FormError(N_("Select “None of these” on its own, or untick it"))
        return []
    unknown = [item for item in chosen if item not in spec.options]
    if unknown:
        raise _FormError(N_("Select from the answers shown"))
    return list(chosen)


def _parse_text(spec: FactSpec, text: str) -> str:
    length = len(text.strip())
    if length > spec.max_length:
        params = {"limit": spec.max_length, "count": length}
        raise _FormError(N_("Use at most %(limit)s characters (you entered %(count)s)"), params=params)
    return text


def _parse_place(chosen: str, typed: str) -> str:
    code = typed if chosen in ("", OTHER_PLACE) else chosen
    if not code:
        raise _FormError(N_("Type the code of the place, for example RO or US-CA"), "other")
    clean = code.strip().upper()
    if not _COUNTRY_CODE.fullmatch(clean):
        suffix = "other" if chosen in ("", OTHER_PLACE) else None
        raise _FormError(
            N_("Enter a two-letter country code such as RO, or a part of a country such as GB-SCT or US-CA"),
            suffix,
        )
    return clean


def _parse_money(spec: FactSpec, amount_text: str, currency: str) -> dict[str, str]:
    cleaned = amount_text.replace(",", "").replace(" ", "")
    cleaned = cleaned.lstrip("".join(_CURRENCY_SIGNS.values()))
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise _FormError(N_("Enter the amount in numbers, like 1250.50")) from None
    if not amount.is_finite() or amount < 0:
        raise _FormError(N_("Enter an amount of zero or more, like 1250.50"))
    if currency not in spec.currencies:
        raise _FormError(N_("Choose the currency"), "currency")
    return {"amount": str(amount), "currency": currency}


def _parse_number(text: str) -> str:
    cleaned = text.replace(",", "").replace(" ", "")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise _FormError(N_("Enter a number in figures, like 12")) from None
    if not number.is_finite():
        raise _FormError(N_("Enter a number in figures, like 12"))
    return cleaned


def _parse_date(spec: FactSpec, text: str, today: date) -> str:
    """A date typed as YYYY-MM-DD (what a date picker sends) or DD/MM/YYYY, as ISO text."""
    iso = _ISO_DATE.fullmatch(text)
    uk = _UK_DATE.fullmatch(text)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    elif uk:
        day, month, year = (int(part) for part in uk.groups())
    else:
        raise _FormError(N_("Enter a real date, for example 27/3/2024"))
    if not 1 <= month <= 12:
        raise _FormError(
            N_("There is no month %(month)s: the month must be from 1 to 12"), params={"month": month}
        )
    if year < 1900:
        raise _FormError(N_("Enter a year from 1900 onwards, with four digits"))
    days_in_month = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days_in_month:
        params = {"day": day, "month_of_year": MonthOfYear(year, month), "days": days_in_month}
        raise _FormError(
            N_("%(day)s %(month_of_year)s is not a real date: %(month_of_year)s has %(days)s days"),
            params=params,
        )
    value = date(year, month, day)
    if spec.past_only and value > today:
        raise _FormError(
            N_("The date must be today or in the past (you entered %(date)s)"), params={"date": value}
        )
    return value.isoformat()


# --- showing answers ------------------------------------------------------------------------------


def display_answer(spec: FactSpec, value: object, *, is_unknown: bool) -> str:
    """A stored answer as people read it: "Yes", "22 November 2026", option labels, "£1,250.00"."""
    if is_unknown or value is None:
        return UNKNOWN_TEXT
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return long_date(value)
    if isinstance(value, Money):
        sign = _CURRENCY_SIGNS.get(value.currency)
        return f"{sign}{value.amount:,.2f}" if sign else f"{value.amount:,.2f} {value.currency}"
    if isinstance(value, tuple | list):
        labels = [spec.options.get(str(item), str(item)) for item in value]
        return ", ".join(labels) if labels else "None of these"
    if isinstance(value, Decimal):
        return f"{value.normalize():,f}"
    if spec.type is FactType.ENUM:
        return spec.options.get(str(value), str(value))
    if spec.type is FactType.COUNTRY:
        name = PLACE_NAMES.get(str(value))
        return f"{name} ({value})" if name else str(value)
    return str(value)


# --- in the survivor's language -------------------------------------------------------------------


def in_language(widget: Widget, language: str) -> Widget:
    """``widget`` with its question, hint and choices in ``language`` (each text in English where
    the catalogue has no translation: see :func:`is_translated`)."""
    return replace(
        widget,
        label=translate(language, widget.label),
        help=translate(language, widget.help) if widget.help else None,
        choices=tuple(replace(choice, label=translate(language, choice.label)) for choice in widget.choices),
    )


def survivor_widget(spec: FactSpec, language: str) -> Widget:
    """The widget that asks ``spec``'s fact on the survivor's own pages: the question and hint
    written to them (``survivor_question``, ``ask_help``; ``label`` and ``help`` are written for
    staff), all in ``language``."""
    widget = replace(widget_for(spec), label=spec.survivor_question, help=spec.ask_help)
    return in_language(widget, language)


def is_translated(spec: FactSpec, language: str) -> bool:
    """Whether ``spec``'s question reads in ``language``: its label has a translation (English
    always does). The catalogues translate every fact marked ``ask_survivor`` (web/translations)."""
    return language == "en" or translate(language, spec.label) != spec.label


def shows_as_text(widget: Widget, values: FormValues) -> bool:
    """Whether a date is shown in a text box: what was typed is not a date the date picker can
    hold (``30/02/2026``), and must be shown again as typed."""
    value = values.get(ANSWER, "")
    if widget.kind is not WidgetKind.DATE or not value:
        return False
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return True
    return False
