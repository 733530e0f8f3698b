"""The condition language: safe, typed, three-valued expressions inside workflow definitions.

Workflow definitions (YAML) decide which question comes next, which outcome applies and when a
deadline starts with small expressions such as::

    police.reported == false and not answered(police.first_report_date)
    nrm.rg_decision == 'positive' and 'sexual' in exploitation.types
    18 <= age_on(person.date_of_birth, incident.date) < 25
    add_business_days(later_of(us.t.decision_date, date('2026-01-05')), 30)

Definitions may be written by contributors we do not fully trust, so an expression can only
*compute a value from the case's facts*; it can never run code, read files or loop.

Grammar (a subset of Python expression syntax)::

    expr     := expr 'if' expr 'else' expr
              | expr ('and' | 'or') expr | 'not' expr
              | sum (cmp_op sum)*                       # chains: 18 <= x < 25
    cmp_op   := '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not' 'in'
    sum      := sum ('+' | '-') unary | unary
    unary    := ('-' | '+') unary | atom
    atom     := literal | fact | 'today' | call | '(' expr ')' | list
    literal  := 'text' | 12 | 1.5 | True | False | None | true | false | null
    fact     := name ('.' name)*                        # a key of the fact dictionary
    list     := '[' literal, ... ']' | '(' literal, ... ')'
    call     := function '(' expr, ... ')'              # positional arguments only

Functions: ``age_on(date, date) -> number``, ``add_days / add_months / add_years /
add_business_days(date, number) -> date``, ``days_between(date, date) -> number``,
``day_before_birthday(date, number) -> date``, ``later_of / earlier_of(date, date) -> date``,
``date('YYYY-MM-DD') -> date``, ``answered(fact) -> bool``, ``deadline('REGISTER-ID') -> date``,
``passed('REGISTER-ID') -> bool`` (false when that deadline does not apply to the case, unknown
while it cannot be computed yet) and ``count(list) -> number``. Date arithmetic follows
:mod:`workflows.dates`; ``add_business_days`` uses the holiday calendar of the evaluation (:class:`EvalEnv`).

Types. Every sub-expression has a static type: ``bool``, ``date``, ``number``, ``string`` (enum,
text and country facts, string literals), ``list`` (list facts, list literals), ``money`` or
``null``. The compiler checks every operator and function against the fact signatures and refuses
mismatches (``person.date_of_birth > 5``), enum literals that are not options of the fact
(``nrm.rg_decision == 'postive'``) and unknown fact keys (with a "did you mean" hint). Ordering
works on dates, numbers and money (money only against money, in the same currency); ``+``/``-``
only on numbers. ``null`` means "no value" (for example: no deadline applies) and may only be a
whole expression or a branch of ``... if ... else ...``; the engine then receives ``None``. A
condition is never null. Test whether a fact has an answer with ``answered(fact)``, not ``== null``.

Three-valued logic. A fact with no answer evaluates to :data:`~workflows.types.UNKNOWN`, and so
does everything that depends on it (comparisons, arithmetic, ``in``, function calls and a
conditional whose test is unknown), except ``answered()``. ``and``/``or``/``not`` follow Kleene's
logic: ``false and unknown`` is false, ``true or unknown`` is true, ``true and unknown`` and
``not unknown`` are unknown. So an outcome can be decided before every question is answered.

Why this is safe. The source is parsed with :func:`ast.parse` (parsing runs no code) and the tree
is walked against an allow-list: constants, fact names, ``and/or/not``, comparisons, ``+``/``-``,
conditionals, list literals and calls of the named functions above. Everything else is refused
before anything runs: attribute access other than a known fact key, any name starting with ``_``,
subscripts, lambdas, comprehensions, f-strings, ``:=``, ``*``, ``**``, ``/``, bitwise operators,
``is``, keyword arguments and calls of anything but an allowed bare name. The accepted tree is
turned into a tree of small Python closures, once, at load time; evaluation calls those closures
and nothing else. No ``eval``, ``exec`` or ``compile`` is ever applied to the text, and no Python
object is reachable from it, so there is no path to builtins, modules or dunder attributes. Work is
bounded: sources longer than 2,000 characters or nested deeper than 50 levels are refused, there
are no loops, and with only ``+`` and ``-`` no number can grow beyond its source size.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from workflows.condition_compiler import MAX_DEPTH, Compiler
from workflows.condition_runtime import (
    EvalEnv,
    Evaluator,
    ExpressionError,
    ExpressionRuntimeError,
    ExprType,
)
from workflows.types import FactSignature

__all__ = [
    "MAX_DEPTH",
    "MAX_SOURCE_LENGTH",
    "CompiledExpression",
    "EvalEnv",
    "ExprType",
    "ExpressionError",
    "ExpressionRuntimeError",
    "compile_expression",
    "is_true",
]

MAX_SOURCE_LENGTH: Final = 2000


@dataclass(frozen=True, slots=True)
class CompiledExpression:
    """A checked expression, ready to evaluate any number of times."""

    source: str
    result_type: ExprType
    facts: frozenset[str]  # fact keys referenced, including inside answered()
    deadline_refs: frozenset[str]
    uses_today: bool
    nullable: bool  # may evaluate to None ("no value"): `null` or a conditional with a null branch
    _run: Evaluator = field(repr=False, compare=False)

    def evaluate(self, env: EvalEnv) -> object:
        """The value of the expression for *env*: a value, ``None`` if nullable, or ``UNKNOWN``."""
        try:
            return self._run(env)
        except ExpressionRuntimeError:
            raise
        except (TypeError, ValueError, ArithmeticError, AttributeError) as exc:
            # Only reachable with values that bypassed validation (e.g. a malformed deadlines map).
            raise ExpressionRuntimeError(f"cannot evaluate: {exc}", source=self.source) from exc

    def is_constant(self) -> bool:
        """True when the value depends on no fact, no deadline and not on today's date."""
        return not self.facts and not self.deadline_refs and not self.uses_today


def is_true(value: object) -> bool:
    """True only for the boolean ``True``; ``False``, ``UNKNOWN`` and ``None`` give False."""
    return value is True


def compile_expression(
    source: str | bool | int,
    signatures: Mapping[str, FactSignature],
    *,
    expect: ExprType | None = None,
    allow_deadline_refs: bool = True,
) -> CompiledExpression:
    """Parse, check and compile *source* against the fact *signatures*.

    ``expect`` requires the result type (``ExprType.BOOL`` for conditions, ``ExprType.DATE`` for
    deadline triggers); ``null`` ("no value") satisfies any expectation but ``BOOL``.
    ``allow_deadline_refs=False`` refuses
    ``deadline(...)``. YAML scalars that arrive as ``bool``/``int`` are accepted as their literal.
    Raises :class:`ExpressionError` for anything that is not a valid, well-typed expression.
    """
    text = _source_text(source)
    compiler = Compiler(text, signatures, allow_deadline_refs)
    typed = compiler.compile_root()
    nullable = typed.nullable or typed.type is ExprType.NULL
    if expect is ExprType.BOOL and nullable:
        # "No value" makes sense for a deadline trigger (no deadline), never for a condition.
        raise ExpressionError(
            "a condition must be true or false, never null",
            hint="to test whether a fact has an answer, use answered(fact)",
            column=compiler.lead,
            source=text,
        )
    if expect is not None and typed.type not in (expect, ExprType.NULL):
        hint = None
        if expect is ExprType.BOOL:
            hint = "compare it with something (==, <, in) or test it with answered(...)"
        raise ExpressionError(
            f"expected a {expect} expression, but `{text.strip()}` is a {typed.type}",
            hint=hint,
            column=compiler.lead,
            source=text,
        )
    return CompiledExpression(
        source=text,
        result_type=typed.type,
        facts=frozenset(compiler.facts),
        deadline_refs=frozenset(compiler.deadlines),
        uses_today=compiler.uses_today,
        nullable=nullable,
        _run=typed.run,
    )


def _source_text(source: object) -> str:
    # YAML turns `when: true` into a bool and `days: 30` into an int before we see them.
    if isinstance(source, bool):
        return "true" if source else "false"
    if isinstance(source, int | Decimal):
        return str(source)
    if not isinstance(source, str):
        raise ExpressionError(f"an expression must be text, not {type(source).__name__}")
    if len(source) > MAX_SOURCE_LENGTH:
        raise ExpressionError(
            f"expression is too long ({len(source)} characters; the limit is {MAX_SOURCE_LENGTH})",
            hint="split the rule into several conditions",
        )
    return source
