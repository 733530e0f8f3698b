"""The fact dictionary (``workflows/facts.yaml``) and the validation of fact values.

Every answer in Redress is a *fact* keyed by the dictionary. The dictionary says each fact's
type, its options, how sensitive it is and whether the survivor may see it; this module turns
raw input (JSON from the CLI or the API, form strings later) into typed values, or a one-line
error that names the field and says what is wrong.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from workflows.problems import DefinitionError, Problem
from workflows.types import FactSignature, FactType, Money
from workflows.yaml_source import YamlSyntaxError, load_yaml

FACTS_PATH = Path(__file__).with_name("facts.yaml")

_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
# ISO 3166-1 alpha-2, optionally with an ISO 3166-2 style subdivision (GB-ENG, US-CA).
_COUNTRY_RE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
_DEFAULT_TEXT_LIMIT = 5000


class Sensitivity(StrEnum):
    """How a fact must be protected. Everything but ``general`` is encrypted at rest."""

    GENERAL = "general"
    PERSONAL = "personal"
    SENSITIVE = "sensitive"
    CONFIDENTIAL = "confidential"


class FactSpec(BaseModel):
    """One entry of the fact dictionary."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    type: FactType
    label: Annotated[str, Field(min_length=1)]
    help: str | None = None
    options: dict[str, str] = Field(default_factory=dict)
    sensitivity: Sensitivity
    survivor_visible: bool
    # An advocate may ask the survivor this question on their own pages (in their language):
    # only facts they may see, each with the question (``ask``), an optional hint (``ask_help``)
    # and ``why`` written to them ("why we ask"); ``label`` and ``help`` are written for staff.
    ask_survivor: bool = False
    ask: str | None = None
    ask_help: str | None = None
    why: str | None = None
    past_only: bool = False
    not_before: tuple[str, ...] = ()  # (date) other date facts this one cannot precede
    max_length: Annotated[int, Field(gt=0)] = _DEFAULT_TEXT_LIMIT
    min: Decimal | None = None
    max: Decimal | None = None
    currencies: tuple[str, ...] = ("GBP", "USD", "EUR")

    @model_validator(mode="after")
    def _options_match_type(self) -> FactSpec:
        has_options = self.type in (FactType.ENUM, FactType.LIST)
        if has_options and not self.options:
            raise ValueError(f"a {self.type} fact needs `options`")
        if not has_options and self.options:
            raise ValueError(f"`options` only belong to enum and list facts, not {self.type}")
        if (self.past_only or self.not_before) and self.type is not FactType.DATE:
            raise ValueError("`past_only` and `not_before` only apply to date facts")
        if self.ask_survivor and not self.survivor_visible:
            raise ValueError("`ask_survivor` needs `survivor_visible: true`: never ask what they may not see")
        if self.ask_survivor and not self.why:
            raise ValueError("a fact with `ask_survivor` needs `why`: why we ask, written to the survivor")
        if self.why and not self.ask_survivor:
            raise ValueError("`why` is only shown to survivors: set `ask_survivor: true` or remove it")
        if self.ask_survivor and not self.ask:
            raise ValueError("a fact with `ask_survivor` needs `ask`: the question as the survivor reads it")
        for field, text in (("ask", self.ask), ("ask_help", self.ask_help)):
            if text and not self.ask_survivor:
                raise ValueError(
                    f"`{field}` is only shown to survivors: set `ask_survivor: true` or remove it"
                )
        return self

    @property
    def survivor_question(self) -> str:
        """The question as the survivor reads it (``ask``). A question asked before its fact
        stopped being ``ask_survivor`` has no ``ask`` any more: the staff label stands in, so
        the survivor's pages and their copy of their data still name it."""
        return self.ask or self.label

    @property
    def signature(self) -> FactSignature:
        """The part of the spec the condition language type-checks against."""
        return FactSignature(self.key, self.type, tuple(self.options))

    @property
    def encrypted(self) -> bool:
        """Whether values of this fact are encrypted at rest."""
        return self.sensitivity is not Sensitivity.GENERAL


class FactValueError(ValueError):
    """A value does not fit its fact; the message names the fact and what is expected."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        self.reason = message
        super().__init__(f"{key}: {message}")


class UnknownFactError(FactValueError):
    """The key is not in the fact dictionary."""


@dataclass(frozen=True)
class FactDictionary:
    """All fact specs, by key."""

    specs: Mapping[str, FactSpec]

    def __contains__(self, key: object) -> bool:
        return key in self.specs

    def __iter__(self) -> Iterator[str]:
        return iter(self.specs)

    def __len__(self) -> int:
        return len(self.specs)

    def get(self, key: str) -> FactSpec:
        """The spec of ``key``; :class:`UnknownFactError` with a suggestion if there is none."""
        try:
            return self.specs[key]
        except KeyError:
            raise UnknownFactError(key, _unknown_key_message(key, self.specs)) from None

    @property
    def survivor_askable(self) -> tuple[FactSpec, ...]:
        """The facts an advocate may ask the survivor, in the dictionary's order."""
        return tuple(spec for spec in self.specs.values() if spec.ask_survivor)

    @property
    def signatures(self) -> dict[str, FactSignature]:
        """Fact signatures for compiling conditions."""
        return {key: spec.signature for key, spec in self.specs.items()}

    def parse_value(self, key: str, raw: object, *, today: date) -> object:
        """Validate ``raw`` (a JSON value) for fact ``key`` and return the typed value.

        ``None`` means "asked, but not known" and is kept as ``None``.
        """
        spec = self.get(key)
        if raw is None:
            return None
        return _PARSERS[spec.type](spec, raw, today)

    def parse_facts(self, raw: Mapping[str, object], *, today: date) -> dict[str, object]:
        """Validate a whole mapping of fact values, alone and together; the first bad one raises."""
        values = {key: self.parse_value(key, value, today=today) for key, value in raw.items()}
        self.check_order(values)
        return values

    def check_order(self, values: Mapping[str, object]) -> None:
        """Refuse dates in an impossible order (an incident before the date of birth)."""
        for key, value in values.items():
            if not isinstance(value, date):
                continue
            for earlier_key in self.specs[key].not_before:
                earlier = values.get(earlier_key)
                if isinstance(earlier, date) and value < earlier:
                    label = self.specs[earlier_key].label.lower()
                    when = f"{earlier.isoformat()}, {earlier_key}"
                    raise FactValueError(key, f"{value.isoformat()} is before the {label} ({when})")


def suggest(word: str, candidates: Mapping[str, object] | list[str]) -> str | None:
    """The closest candidate to ``word``, for "did you mean" hints."""
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.75)
    return matches[0] if matches else None


def _unknown_key_message(key: str, specs: Mapping[str, object]) -> str:
    close = suggest(key, specs)
    hint = f"; did you mean {close}?" if close else "; see workflows/facts.yaml for the keys"
    return f"unknown fact{hint}"


# --- value parsers ------------------------------------------------------------------------


def _parse_date(spec: FactSpec, raw: object, today: date) -> date:
    if isinstance(raw, date):
        value = raw
    elif isinstance(raw, str):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            raise FactValueError(spec.key, f"expected a date as YYYY-MM-DD, got {raw!r}")
        try:
            value = date.fromisoformat(raw)
        except ValueError:
            raise FactValueError(spec.key, f"{raw} is not a real calendar date") from None
    else:
        raise FactValueError(spec.key, f"expected a date as YYYY-MM-DD, got {_show(raw)}")
    if spec.past_only and value > today:
        raise FactValueError(
            spec.key,
            f"{value.isoformat()} is after today ({today.isoformat()}); it must be a past date",
        )
    return value


def _parse_bool(spec: FactSpec, raw: object, _today: date) -> bool:
    if isinstance(raw, bool):
        return raw
    raise FactValueError(spec.key, f"expected true or false, got {_show(raw)}")


def _parse_enum(spec: FactSpec, raw: object, _today: date) -> str:
    if isinstance(raw, str) and raw in spec.options:
        return raw
    raise _bad_option(spec, raw)


def _bad_option(spec: FactSpec, raw: object) -> FactValueError:
    options = ", ".join(spec.options)
    return FactValueError(spec.key, f"{_show(raw)} is not one of: {options}")


def _parse_list(spec: FactSpec, raw: object, _today: date) -> tuple[str, ...]:
    if not isinstance(raw, list | tuple):
        raise FactValueError(spec.key, f"expected a list, got {_show(raw)}")
    values: list[str] = []
    for item in raw:
        if not isinstance(item, str) or item not in spec.options:
            raise _bad_option(spec, item)
        if item not in values:
            values.append(item)
    return tuple(values)


def _parse_text(spec: FactSpec, raw: object, _today: date) -> str:
    if not isinstance(raw, str):
        raise FactValueError(spec.key, f"expected text, got {_show(raw)}")
    text = raw.strip()
    if len(text) > spec.max_length:
        raise FactValueError(spec.key, f"is {len(text)} characters; the limit is {spec.max_length}")
    return text


def _parse_country(spec: FactSpec, raw: object, _today: date) -> str:
    if isinstance(raw, str) and _COUNTRY_RE.fullmatch(raw.strip().upper()):
        return raw.strip().upper()
    raise FactValueError(spec.key, f"expected a country code such as GB, GB-ENG or US-CA, got {_show(raw)}")


def _parse_number(spec: FactSpec, raw: object, _today: date) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise FactValueError(spec.key, f"expected a number, got {_show(raw)}")
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise FactValueError(spec.key, f"expected a number, got {_show(raw)}") from None
    if not value.is_finite():
        raise FactValueError(spec.key, "expected a finite number")
    if spec.min is not None and value < spec.min:
        raise FactValueError(spec.key, f"must be at least {spec.min}")
    if spec.max is not None and value > spec.max:
        raise FactValueError(spec.key, f"must be at most {spec.max}")
    return value


def _parse_money(spec: FactSpec, raw: object, _today: date) -> Money:
    if not isinstance(raw, Mapping) or set(raw) != {"amount", "currency"}:
        raise FactValueError(spec.key, 'expected {"amount": "123.45", "currency": "GBP"}, got ' + _show(raw))
    currency = raw["currency"]
    if not isinstance(currency, str) or currency not in spec.currencies:
        raise FactValueError(spec.key, f"currency must be one of {', '.join(spec.currencies)}")
    amount_raw = raw["amount"]
    if isinstance(amount_raw, bool) or not isinstance(amount_raw, int | float | str):
        raise FactValueError(spec.key, f"expected an amount, got {_show(amount_raw)}")
    try:
        amount = Decimal(str(amount_raw))
    except InvalidOperation:
        raise FactValueError(spec.key, f"expected an amount, got {_show(amount_raw)}") from None
    if not amount.is_finite() or amount < 0:
        raise FactValueError(spec.key, "the amount must be zero or more")
    return Money(amount.quantize(Decimal("0.01")), currency)


_PARSERS = {
    FactType.DATE: _parse_date,
    FactType.BOOL: _parse_bool,
    FactType.ENUM: _parse_enum,
    FactType.LIST: _parse_list,
    FactType.TEXT: _parse_text,
    FactType.COUNTRY: _parse_country,
    FactType.NUMBER: _parse_number,
    FactType.MONEY: _parse_money,
}


def _show(raw: object) -> str:
    text = repr(raw)
    return text if len(text) <= 40 else text[:37] + "..."


# --- loading ------------------------------------------------------------------------------


def load_fact_dictionary(path: Path = FACTS_PATH) -> FactDictionary:
    """Load and validate the fact dictionary; :class:`DefinitionError` lists every problem."""
    try:
        document = load_yaml(path)
    except YamlSyntaxError as exc:
        raise DefinitionError([Problem(path, exc.line, exc.message)]) from None
    problems = [
        Problem(path, line, f"duplicate fact key {key_path[-1]!r}", "each key appears once")
        for key_path, line in document.duplicate_keys
    ]
    if not isinstance(document.data, dict):
        raise DefinitionError([*problems, Problem(path, 1, "expected a mapping of fact keys")])
    specs: dict[str, FactSpec] = {}
    for key, body in document.data.items():
        line = document.lines.line_for((str(key),))
        if not isinstance(key, str) or not _KEY_RE.fullmatch(key):
            problems.append(Problem(path, line, f"bad fact key {key!r}", "use dotted snake_case: area.name"))
            continue
        if not isinstance(body, dict):
            problems.append(Problem(path, line, f"{key}: expected a mapping of fields"))
            continue
        try:
            specs[key] = FactSpec(key=key, **body)
        except ValidationError as exc:
            for error in exc.errors():
                loc = [str(part) for part in error["loc"]]
                where = document.lines.line_for((key, *loc))
                field = ".".join(loc) or "entry"
                problems.append(Problem(path, where, f"{key}: {field}: {error['msg']}"))
        except TypeError as exc:
            problems.append(Problem(path, line, f"{key}: {exc}"))
    for key, spec in specs.items():
        for other in spec.not_before:
            if other not in specs or specs[other].type is not FactType.DATE:
                line = document.lines.line_for((key, "not_before"))
                message = f"{key}: not_before names {other!r}, which is not a date fact"
                problems.append(Problem(path, line, message))
    if problems:
        raise DefinitionError(problems)
    return FactDictionary(specs)


@lru_cache(maxsize=1)
def default_fact_dictionary() -> FactDictionary:
    """The packaged fact dictionary, loaded once per process."""
    return load_fact_dictionary()
