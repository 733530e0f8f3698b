"""Value types shared by the fact dictionary, the condition language and the engine.

Fact values travel through the engine as plain Python values: ``datetime.date`` for dates,
``bool``, ``int``/``Decimal`` for numbers, ``str`` for enum/text/country values, ``tuple[str, ...]``
for lists of enum values, and :class:`Money` for amounts. A fact with no answer is absent from
the mapping; an expression that depends on it evaluates to :data:`UNKNOWN`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Final


class FactType(StrEnum):
    """The type of a fact in the fact dictionary."""

    DATE = "date"
    BOOL = "bool"
    ENUM = "enum"
    LIST = "list"  # a list of enum values
    TEXT = "text"
    COUNTRY = "country"  # ISO 3166-1 alpha-2, or ISO 3166-2 style subdivision (GB-ENG, US-CA)
    MONEY = "money"
    NUMBER = "number"


@dataclass(frozen=True, slots=True)
class FactSignature:
    """What the condition language needs to know about a fact: its key, type and options."""

    key: str
    type: FactType
    options: tuple[str, ...] = ()  # allowed values of an enum, or of each item of a list


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in one currency (ISO 4217 code)."""

    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{self.currency} {self.amount:.2f}"


class _Unknown:
    """The value of an expression that depends on a fact nobody has answered yet."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        # Refuse truthiness: three-valued logic must be handled explicitly, never by accident.
        raise TypeError("UNKNOWN has no truth value; compare with `is UNKNOWN`")


UNKNOWN: Final = _Unknown()
