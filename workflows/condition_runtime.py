"""Values, errors and evaluators of the condition language (see :mod:`workflows.conditions`).

The compiler (:mod:`workflows.condition_compiler`) turns an expression into a tree of the small
closures built here. Each closure takes an :class:`EvalEnv` and returns a value or ``UNKNOWN``.
``UNKNOWN`` is always propagated with explicit ``is`` tests: it refuses truthiness, and Kleene's
three-valued logic differs from Python's ``and``/``or``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final

from workflows.types import UNKNOWN, FactType, Money


class ExprType(StrEnum):
    """The static type of an expression."""

    BOOL = "bool"
    DATE = "date"
    NUMBER = "number"
    STRING = "string"
    LIST = "list"
    MONEY = "money"
    NULL = "null"


class ExpressionError(ValueError):
    """A problem found when compiling an expression (syntax, a refused construct, a wrong type)."""

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        column: int | None = None,
        source: str | None = None,
    ) -> None:
        self.message = message
        self.hint = hint
        self.column = column  # 0-based offset in the source, when known
        self.source = source
        super().__init__(message)

    def __str__(self) -> str:
        text = self.message
        if self.column is not None:
            text += f" (column {self.column})"
        if self.hint:
            text += f"; {self.hint}"
        return text


class ExpressionRuntimeError(RuntimeError):
    """A value met during evaluation that the compiled expression cannot work with."""

    def __init__(self, message: str, *, source: str, fact_key: str | None = None) -> None:
        self.message = message
        self.source = source
        self.fact_key = fact_key
        super().__init__(f"{message} in `{source}`")


@dataclass(frozen=True, slots=True)
class EvalEnv:
    """What an expression is evaluated against: the case's answers and the date it is judged on."""

    facts: Mapping[str, object]
    today: date
    calendar_id: str = "GB-EAW"  # holidays skipped by add_business_days
    deadlines: Mapping[str, date] = field(default_factory=dict)  # register id -> due date
    # Deadlines whose own condition is false for these facts: they will never be due.
    inapplicable_deadlines: frozenset[str] = frozenset()


Evaluator = Callable[[EvalEnv], object]

FACT_TYPES: Final[Mapping[FactType, ExprType]] = {
    FactType.DATE: ExprType.DATE,
    FactType.BOOL: ExprType.BOOL,
    FactType.ENUM: ExprType.STRING,
    FactType.TEXT: ExprType.STRING,
    FactType.COUNTRY: ExprType.STRING,
    FactType.LIST: ExprType.LIST,
    FactType.MONEY: ExprType.MONEY,
    FactType.NUMBER: ExprType.NUMBER,
}


def _is_list(value: object) -> bool:
    return isinstance(value, tuple | list | frozenset) and all(isinstance(v, str) for v in value)


# Checks of the Python value of each kind of fact (types.py describes the representation).
# `type(v) is date` on purpose: a datetime is a date subclass but does not compare with dates.
_VALID_VALUE: Final[Mapping[ExprType, Callable[[object], bool]]] = {
    ExprType.DATE: lambda v: type(v) is date,
    ExprType.BOOL: lambda v: v is True or v is False,
    ExprType.NUMBER: lambda v: (
        (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, Decimal) and v.is_finite())
    ),
    ExprType.STRING: lambda v: isinstance(v, str),
    ExprType.LIST: _is_list,
    ExprType.MONEY: lambda v: isinstance(v, Money),
}


def constant(value: object) -> Evaluator:
    """An evaluator that always returns *value*."""

    def run(env: EvalEnv) -> object:
        return value

    return run


def contains(item: object, container: Any) -> bool:  # the checker made *container* a list
    return item in container


def not_contains(item: object, container: Any) -> bool:
    return item not in container


def today(env: EvalEnv) -> object:
    """The evaluation date."""
    return env.today


def fact_reader(key: str, type_: ExprType, source: str) -> Evaluator:
    """Read a fact: UNKNOWN when unanswered, an error when its value has the wrong type."""
    valid = _VALID_VALUE[type_]

    def run(env: EvalEnv) -> object:
        value = env.facts.get(key)
        if value is None or value is UNKNOWN:
            return UNKNOWN
        if valid(value):
            return value
        raise ExpressionRuntimeError(
            f"fact {key} should be a {type_} but is {type(value).__name__} {value!r}",
            source=source,
            fact_key=key,
        )

    return run


def deadline_reader(deadline_id: str, source: str) -> Evaluator:
    """The due date the engine computed for a deadline id, or UNKNOWN."""

    def run(env: EvalEnv) -> object:
        due = env.deadlines.get(deadline_id, UNKNOWN)
        if due is UNKNOWN or type(due) is date:
            return due
        raise ExpressionRuntimeError(
            f"deadline {deadline_id} should be a date but is {type(due).__name__}", source=source
        )

    return run


def passed_reader(deadline_id: str) -> Evaluator:
    """Whether a deadline has passed: false when it does not apply, UNKNOWN until computable."""

    def run(env: EvalEnv) -> object:
        due = env.deadlines.get(deadline_id)
        if type(due) is date:
            return due < env.today
        if deadline_id in env.inapplicable_deadlines:
            return False
        return UNKNOWN

    return run


def all_of(parts: tuple[Evaluator, ...]) -> Evaluator:
    """Kleene `and`."""

    def run(env: EvalEnv) -> object:
        result: object = True
        for part in parts:
            value = part(env)
            if value is False:
                return False  # false wins over unknown, so stop here
            if value is UNKNOWN:
                result = UNKNOWN
        return result

    return run


def any_of(parts: tuple[Evaluator, ...]) -> Evaluator:
    """Kleene `or`."""

    def run(env: EvalEnv) -> object:
        result: object = False
        for part in parts:
            value = part(env)
            if value is True:
                return True
            if value is UNKNOWN:
                result = UNKNOWN
        return result

    return run


def negation(inner: Evaluator) -> Evaluator:
    """Kleene `not`."""

    def run(env: EvalEnv) -> object:
        value = inner(env)
        return UNKNOWN if value is UNKNOWN else value is False

    return run


def conditional(test: Evaluator, body: Evaluator, orelse: Evaluator) -> Evaluator:
    """`body if test else orelse`; UNKNOWN when the test is unknown."""

    def run(env: EvalEnv) -> object:
        value = test(env)
        if value is True:
            return body(env)
        if value is False:
            return orelse(env)
        return UNKNOWN

    return run


def strict(parts: tuple[Evaluator, ...], func: Callable[..., object]) -> Evaluator:
    """Apply *func* to the values of *parts*; any UNKNOWN makes the result UNKNOWN."""
    if len(parts) == 1:
        (only,) = parts

        def run_one(env: EvalEnv) -> object:
            value = only(env)
            return UNKNOWN if value is UNKNOWN else func(value)

        return run_one
    first, second = parts

    def run_two(env: EvalEnv) -> object:
        a = first(env)
        if a is UNKNOWN:
            return UNKNOWN
        b = second(env)
        return UNKNOWN if b is UNKNOWN else func(a, b)

    return run_two


def compare_with_constant(left: Evaluator, right: object, func: Callable[[Any, Any], object]) -> Evaluator:
    """The common `fact == 'literal'` / `x in [...]`: no call for the right side."""
    if isinstance(right, tuple) and right:
        right = frozenset(right)  # literals are hashable: membership in O(1)

    def run(env: EvalEnv) -> object:
        value = left(env)
        return UNKNOWN if value is UNKNOWN else func(value, right)

    return run


def compare_chain(parts: tuple[Evaluator, ...], funcs: tuple[Callable[[Any, Any], object], ...]) -> Evaluator:
    links = tuple(zip(funcs, parts[1:], strict=True))
    head = parts[0]

    def run(env: EvalEnv) -> object:
        # `a < b < c` is `a < b and b < c` with b evaluated once, combined with Kleene's `and`.
        result: object = True
        left = head(env)
        for func, part in links:
            right = part(env)
            if left is UNKNOWN or right is UNKNOWN:
                result = UNKNOWN
            elif not func(left, right):
                return False
            left = right
        return result

    return run


def money_order(func: Callable[[Any, Any], object], source: str) -> Callable[[Any, Any], object]:
    """Order two amounts, refusing to compare different currencies."""

    def compare(a: Money, b: Money) -> object:
        if a.currency != b.currency:
            raise ExpressionRuntimeError(
                f"cannot compare amounts in {a.currency} and {b.currency}", source=source
            )
        return func(a.amount, b.amount)

    return compare


def call(
    name: str,
    impl: Callable[..., object],
    parts: tuple[Evaluator, ...],
    source: str,
    *,
    needs_calendar: bool,
) -> Evaluator:
    """Call a built-in function; its value errors become ExpressionRuntimeError."""

    def apply(*args: object) -> object:
        try:
            return impl(*args)
        except (ValueError, OverflowError, ArithmeticError, LookupError) as exc:
            raise ExpressionRuntimeError(f"{name}(): {exc}", source=source) from exc

    if not needs_calendar:
        return strict(parts, apply)
    first, second = parts

    def run(env: EvalEnv) -> object:
        a = first(env)
        if a is UNKNOWN:
            return UNKNOWN
        b = second(env)
        return UNKNOWN if b is UNKNOWN else apply(env.calendar_id, a, b)

    return run


FOLDING_ENV: Final = EvalEnv(facts={}, today=date.min)  # constant parts never read it
