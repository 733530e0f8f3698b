"""The checker and closure builder behind :func:`workflows.conditions.compile_expression`.

The parsed tree is walked against an allow-list of node types (anything else is refused with a
message naming the construct), every operator and function call is type-checked against the fact
signatures, and each accepted node becomes a closure from :mod:`workflows.condition_runtime`.
Sub-expressions made only of literals are computed once, here.
"""

from __future__ import annotations

import ast
import difflib
import io
import operator
import tokenize
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from workflows import condition_functions as fn
from workflows import condition_runtime as rt
from workflows.condition_runtime import Evaluator, ExpressionError, ExpressionRuntimeError, ExprType
from workflows.types import UNKNOWN, FactSignature, FactType

MAX_DEPTH: Final = 50

_CMP_SYMBOLS: Final[Mapping[type[ast.cmpop], str]] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
}
_CMP_FUNCS: Final[Mapping[type[ast.cmpop], Callable[[Any, Any], object]]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: rt.contains,
    ast.NotIn: rt.not_contains,
}
_ORDERABLE: Final = frozenset({ExprType.DATE, ExprType.NUMBER, ExprType.MONEY})
_EQUATABLE: Final = frozenset(
    {ExprType.BOOL, ExprType.DATE, ExprType.NUMBER, ExprType.STRING, ExprType.MONEY}
)

# Friendly names for constructs that are refused outright.
_REFUSED: Final[Mapping[type[ast.AST], str]] = {
    ast.Subscript: "subscripts (x[...])",
    ast.Lambda: "lambda expressions",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "generator expressions",
    ast.JoinedStr: "f-strings",
    ast.FormattedValue: "f-strings",
    ast.NamedExpr: "assignment expressions (:=)",
    ast.Starred: "starred arguments (*x)",
    ast.Dict: "dict literals",
    ast.Set: "set literals",
    ast.Slice: "slices",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}
_BINOP_SYMBOLS: Final[Mapping[type[ast.operator], str]] = {
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitAnd: "&",
    ast.BitXor: "^",
}


_LITERAL_NAMES: Final[Mapping[str, object]] = {"true": True, "false": False, "null": None}
_FLATTEN: Final = str.maketrans("\t\n\r\f\v", "     ")


@dataclass(frozen=True, slots=True)
class Typed:
    """A compiled sub-expression: its evaluator and what the checker knows about it."""

    run: Evaluator
    type: ExprType
    node: ast.expr
    constant: bool = False  # depends on no fact, deadline or today: `value` holds its value
    value: object = None
    nullable: bool = False
    fact: FactSignature | None = None  # set for a direct fact reference
    items: ExprType | None = None  # item type of a list value (None: empty literal)


class Compiler:
    """Checks one parsed expression against the allow-list and the signatures; builds closures."""

    def __init__(
        self, source: str, signatures: Mapping[str, FactSignature], allow_deadline_refs: bool
    ) -> None:
        self.source = source
        self.signatures = signatures
        self.allow_deadline_refs = allow_deadline_refs
        self.facts: set[str] = set()
        self.deadlines: set[str] = set()
        self.uses_today = False
        # Newlines and tabs become spaces (same length, so columns stay right): YAML block scalars
        # may span lines, and in eval mode Python would refuse an unbracketed line break.
        flat = source.translate(_FLATTEN)
        body = flat.lstrip(" ")
        self.lead = len(flat) - len(body)  # leading spaces would be an IndentationError
        self.text = body
        self.encoded = body.encode("utf-8")

    # -- entry, errors and positions

    def compile_root(self) -> Typed:
        if not self.text.strip():
            raise ExpressionError("the expression is empty", source=self.source)
        try:
            with warnings.catch_warnings():
                # e.g. "invalid escape sequence" in a string literal: harmless, not ours to print
                warnings.simplefilter("ignore")
                tree = ast.parse(self.text, mode="eval")
        except SyntaxError as exc:
            column = None if exc.offset is None else self.lead + max(exc.offset - 1, 0)
            raise ExpressionError(
                f"not a valid expression: {exc.msg}",
                hint=_syntax_hint(self.text),
                column=column,
                source=self.source,
            ) from None
        except (ValueError, MemoryError, RecursionError):
            raise ExpressionError(
                "not a valid expression (the parser refused it)", source=self.source
            ) from None
        if "#" in self.text:
            self._refuse_comments()
        return self.visit(tree.body, 0)

    def _refuse_comments(self) -> None:
        # With line breaks flattened, a comment would silently swallow the rest of the source.
        tokens = tokenize.generate_tokens(io.StringIO(self.text).readline)
        for token in tokens:
            if token.type == tokenize.COMMENT:
                raise ExpressionError(
                    "comments (#) are not allowed inside an expression",
                    hint="put the comment on its own YAML line",
                    column=self.lead + token.start[1],
                    source=self.source,
                )

    def error(self, message: str, node: ast.AST | None = None, hint: str | None = None) -> ExpressionError:
        return ExpressionError(message, hint=hint, column=self.column(node), source=self.source)

    def column(self, node: ast.AST | None) -> int | None:
        offset = getattr(node, "col_offset", None)
        if offset is None:
            return None
        # ast offsets count UTF-8 bytes; callers want characters.
        return self.lead + len(self.encoded[:offset].decode("utf-8", "ignore"))

    def segment(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.text, node) or type(node).__name__

    def describe(self, typed: Typed) -> str:
        return f"`{self.segment(typed.node)}` ({typed.type})"

    # -- dispatch

    def visit(self, node: ast.expr, depth: int) -> Typed:
        if depth > MAX_DEPTH:
            raise self.error(f"expression is nested too deeply (limit {MAX_DEPTH})", node)
        if isinstance(node, ast.Constant):
            return self.literal(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.Attribute):
            return self.fact(node, self.fact_key(node))
        if isinstance(node, ast.BoolOp):
            return self.bool_op(node, depth + 1)
        if isinstance(node, ast.UnaryOp):
            return self.unary_op(node, depth + 1)
        if isinstance(node, ast.BinOp):
            return self.bin_op(node, depth + 1)
        if isinstance(node, ast.Compare):
            return self.compare(node, depth + 1)
        if isinstance(node, ast.IfExp):
            return self.if_exp(node, depth + 1)
        if isinstance(node, ast.Call):
            return self.call(node, depth + 1)
        if isinstance(node, ast.List | ast.Tuple):
            return self.list_literal(node, node.elts, depth + 1)
        what = _REFUSED.get(type(node), f"`{type(node).__name__}` expressions")
        raise self.error(f"{what} are not allowed in conditions", node)

    def operand(self, node: ast.expr, depth: int, context: str) -> Typed:
        """Compile an operand of a strict operator: it must have a value, never null."""
        typed = self.visit(node, depth)
        if typed.type is ExprType.NULL or typed.nullable:
            what = "null" if typed.type is ExprType.NULL else f"`{self.segment(node)}` (may be null)"
            raise self.error(
                f"{context} cannot use {what}",
                node,
                hint="to test whether a fact has an answer, use answered(fact)",
            )
        return typed

    def fold(
        self,
        node: ast.expr,
        run: Evaluator,
        type_: ExprType,
        *parts: Typed,
        nullable: bool = False,
        items: ExprType | None = None,
    ) -> Typed:
        """Wrap *run*; when every part is constant, compute the value once, now."""
        if not all(p.constant for p in parts):
            return Typed(run, type_, node, nullable=nullable, items=items)
        try:
            value = run(rt.FOLDING_ENV)
        except ExpressionRuntimeError as exc:
            raise self.error(exc.message, node) from None
        return Typed(
            rt.constant(value),
            type_,
            node,
            constant=True,
            value=value,
            nullable=value is None and type_ is not ExprType.NULL,
            items=items,
        )

    # -- leaves

    def literal(self, node: ast.Constant) -> Typed:
        value = node.value
        if isinstance(value, bool):
            return Typed(rt.constant(value), ExprType.BOOL, node, constant=True, value=value)
        if value is None:
            return Typed(rt.constant(None), ExprType.NULL, node, constant=True)
        if isinstance(value, int):
            return Typed(rt.constant(value), ExprType.NUMBER, node, constant=True, value=value)
        if isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                raise self.error("numbers must be finite", node)
            number = Decimal(repr(value))  # the shortest repr: 0.1 stays exactly 0.1
            return Typed(rt.constant(number), ExprType.NUMBER, node, constant=True, value=number)
        if isinstance(value, str):
            return Typed(rt.constant(value), ExprType.STRING, node, constant=True, value=value)
        raise self.error(f"{type(value).__name__} literals are not allowed", node)

    def name(self, node: ast.Name) -> Typed:
        name = node.id
        if name in _LITERAL_NAMES:
            value = _LITERAL_NAMES[name]
            type_ = ExprType.NULL if value is None else ExprType.BOOL
            return Typed(rt.constant(value), type_, node, constant=True, value=value)
        if name == "today":
            self.uses_today = True
            return Typed(rt.today, ExprType.DATE, node)
        if name not in self.signatures and (name in fn.FUNCTIONS or name in fn.SPECIAL_FUNCTIONS):
            raise self.error(f"`{name}` is a function: call it as {name}(...)", node)
        return self.fact(node, self.fact_key(node))

    def fact_key(self, node: ast.expr) -> str:
        """The dotted fact key that *node* spells, or an ExpressionError saying why not."""
        parts: list[str] = []
        current = node
        while isinstance(current, ast.Attribute):
            parts.append(current.attr)
            current = current.value
        if not isinstance(current, ast.Name):
            raise self.error(
                "attribute access is only for fact keys such as police.reported",
                node,
                hint="values have no attributes or methods here",
            )
        parts.append(current.id)
        if any(part.startswith("_") for part in parts):
            raise self.error("names starting with '_' are not allowed", node)
        key = ".".join(reversed(parts))
        if key in _LITERAL_NAMES or key == "today":
            raise self.error(f"`{key}` is not a fact key", node)
        if key not in self.signatures:
            if parts[-1] == "today":
                raise self.error("`today` is a date and has no attributes", node)
            close = difflib.get_close_matches(key, list(self.signatures), n=3, cutoff=0.6)
            hint = f"did you mean {' or '.join(close)}?" if close else None
            raise self.error(f"unknown fact key '{key}'", node, hint=hint)
        return key

    def fact(self, node: ast.expr, key: str) -> Typed:
        signature = self.signatures[key]
        type_ = rt.FACT_TYPES[signature.type]
        self.facts.add(key)
        items = ExprType.STRING if type_ is ExprType.LIST else None
        run = rt.fact_reader(key, type_, self.source)
        return Typed(run, type_, node, fact=signature, items=items)

    # -- operators

    def bool_op(self, node: ast.BoolOp, depth: int) -> Typed:
        word = "and" if isinstance(node.op, ast.And) else "or"
        parts = [self.operand(value, depth, f"`{word}`") for value in node.values]
        for part in parts:
            if part.type is not ExprType.BOOL:
                raise self.error(
                    f"`{word}` needs true/false values, but {self.describe(part)} is not",
                    part.node,
                )
        runs = tuple(part.run for part in parts)
        run = rt.all_of(runs) if word == "and" else rt.any_of(runs)
        return self.fold(node, run, ExprType.BOOL, *parts)

    def unary_op(self, node: ast.UnaryOp, depth: int) -> Typed:
        if isinstance(node.op, ast.Invert):
            raise self.error("operator `~` is not allowed", node)
        is_not = isinstance(node.op, ast.Not)
        symbol = "not" if is_not else "-" if isinstance(node.op, ast.USub) else "+"
        part = self.operand(node.operand, depth, f"`{symbol}`")
        wanted = ExprType.BOOL if is_not else ExprType.NUMBER
        if part.type is not wanted:
            raise self.error(f"`{symbol}` needs a {wanted}, but {self.describe(part)} is not", node)
        inner = part.run
        if is_not:
            run = rt.negation(inner)
        elif symbol == "-":
            run = rt.strict((inner,), operator.neg)
        else:
            run = inner
        return self.fold(node, run, wanted, part)

    def bin_op(self, node: ast.BinOp, depth: int) -> Typed:
        if not isinstance(node.op, ast.Add | ast.Sub):
            symbol = _BINOP_SYMBOLS.get(type(node.op), type(node.op).__name__)
            raise self.error(f"operator `{symbol}` is not allowed", node, hint="only + and - on numbers")
        symbol = "+" if isinstance(node.op, ast.Add) else "-"
        left = self.operand(node.left, depth, f"`{symbol}`")
        right = self.operand(node.right, depth, f"`{symbol}`")
        if left.type is not ExprType.NUMBER or right.type is not ExprType.NUMBER:
            hint = None
            if left.type is ExprType.DATE and right.type is ExprType.NUMBER:
                hint = "use add_days(date, n), add_months(...) or add_years(...)"
            elif left.type is ExprType.DATE and right.type is ExprType.DATE:
                hint = "use days_between(first, second)"
            raise self.error(
                f"`{symbol}` works on numbers only, not on {self.describe(left)} and {self.describe(right)}",
                node,
                hint=hint,
            )
        func = operator.add if symbol == "+" else operator.sub
        return self.fold(node, rt.strict((left.run, right.run), func), ExprType.NUMBER, left, right)

    def compare(self, node: ast.Compare, depth: int) -> Typed:
        for op in node.ops:
            if isinstance(op, ast.Is | ast.IsNot):
                raise self.error(
                    "`is` is not allowed",
                    node,
                    hint="use == or !=, or answered(fact) to test for an answer",
                )
        nodes = [node.left, *node.comparators]
        parts = [self.operand(n, depth, "a comparison") for n in nodes]
        funcs = tuple(
            self.comparison(left, op, right)
            for left, op, right in zip(parts[:-1], node.ops, parts[1:], strict=True)
        )
        if len(funcs) == 1:
            left, right = parts
            if right.constant:
                run = rt.compare_with_constant(left.run, right.value, funcs[0])
            else:
                run = rt.strict((left.run, right.run), funcs[0])
        else:
            run = rt.compare_chain(tuple(p.run for p in parts), funcs)
        return self.fold(node, run, ExprType.BOOL, *parts)

    def comparison(self, left: Typed, op: ast.cmpop, right: Typed) -> Callable[[Any, Any], object]:
        """Type-check one link of a comparison chain and return its Python operator."""
        symbol = _CMP_SYMBOLS[type(op)]
        if isinstance(op, ast.In | ast.NotIn):
            self.check_membership(left, symbol, right)
            return _CMP_FUNCS[type(op)]
        if left.type is not right.type:
            raise self.error(
                f"`{symbol}` cannot compare {self.describe(left)} with {self.describe(right)}",
                left.node,
                hint=_mismatch_hint(left.type, right.type),
            )
        allowed = _EQUATABLE if isinstance(op, ast.Eq | ast.NotEq) else _ORDERABLE
        if left.type not in allowed:
            needs = "single values" if allowed is _EQUATABLE else "dates, numbers or money"
            hint = "use 'x' in list or count(list)" if left.type is ExprType.LIST else None
            raise self.error(f"`{symbol}` compares {needs}, not {self.describe(left)}", left.node, hint=hint)
        self.check_option(left, right)
        self.check_option(right, left)
        if left.type is ExprType.MONEY and allowed is _ORDERABLE:
            return rt.money_order(_CMP_FUNCS[type(op)], self.source)
        return _CMP_FUNCS[type(op)]

    def check_membership(self, item: Typed, symbol: str, container: Typed) -> None:
        if container.type is not ExprType.LIST:
            raise self.error(
                f"the right side of `{symbol}` must be a list, not {self.describe(container)}",
                container.node,
                hint="write a list literal such as ['a', 'b'], or use ==",
            )
        item_type = container.items
        if item.type is ExprType.LIST or (item_type is not None and item.type is not item_type):
            raise self.error(
                f"`{symbol}` cannot look for {self.describe(item)} in {self.describe(container)}",
                item.node,
                hint=f"the list holds {item_type} values" if item_type else None,
            )
        if container.fact is not None:
            self.check_option(container, item)
        elif item.fact is not None and isinstance(container.value, tuple):
            for value in container.value:
                self.check_value_option(item.fact, value, container.node)

    def check_option(self, fact_side: Typed, literal_side: Typed) -> None:
        if fact_side.fact is not None and literal_side.constant:
            self.check_value_option(fact_side.fact, literal_side.value, literal_side.node)

    def check_value_option(self, signature: FactSignature, value: object, node: ast.AST) -> None:
        """An enum or list fact compared with a literal: the literal must be one of its options."""
        if signature.type not in (FactType.ENUM, FactType.LIST) or not signature.options:
            return
        if isinstance(value, str) and value not in signature.options:
            close = difflib.get_close_matches(value, signature.options, n=1, cutoff=0.6)
            raise self.error(
                f"'{value}' is not an option of {signature.key} (options: {', '.join(signature.options)})",
                node,
                hint=f"did you mean '{close[0]}'?" if close else None,
            )

    def if_exp(self, node: ast.IfExp, depth: int) -> Typed:
        test = self.operand(node.test, depth, "the test of `... if ... else ...`")
        if test.type is not ExprType.BOOL:
            raise self.error(
                f"the test of `... if ... else ...` must be true/false, not {self.describe(test)}",
                node.test,
            )
        body = self.visit(node.body, depth)
        orelse = self.visit(node.orelse, depth)
        types = {body.type, orelse.type} - {ExprType.NULL}
        if len(types) > 1:
            raise self.error(
                "both branches of `... if ... else ...` must have the same type, not "
                f"{self.describe(body)} and {self.describe(orelse)}",
                node,
            )
        type_ = types.pop() if types else ExprType.NULL
        items = None
        if type_ is ExprType.LIST:
            kinds = {b.items for b in (body, orelse) if b.items is not None}
            if len(kinds) > 1:
                raise self.error("both branches must be lists of the same kind of value", node)
            items = kinds.pop() if kinds else None
        nullable = type_ is not ExprType.NULL and (
            ExprType.NULL in (body.type, orelse.type) or body.nullable or orelse.nullable
        )
        run = rt.conditional(test.run, body.run, orelse.run)
        return self.fold(node, run, type_, test, body, orelse, nullable=nullable, items=items)

    def list_literal(self, node: ast.expr, elements: Sequence[ast.expr], depth: int) -> Typed:
        items = [self.operand(element, depth, "a list") for element in elements]
        for item in items:
            if not item.constant or item.type is ExprType.LIST:
                raise self.error("list items must be literals such as 'labour' or 3", item.node)
        types = {item.type for item in items}
        if len(types) > 1:
            raise self.error("all items of a list must have the same type", node)
        value = tuple(item.value for item in items)
        return Typed(
            rt.constant(value),
            ExprType.LIST,
            node,
            constant=True,
            value=value,
            items=types.pop() if types else None,
        )

    # -- calls

    def call(self, node: ast.Call, depth: int) -> Typed:
        if not isinstance(node.func, ast.Name):
            raise self.error(
                "only the built-in functions can be called, by name (no methods)",
                node,
                hint=f"functions: {', '.join(fn.ALL_FUNCTIONS)}",
            )
        name = node.func.id
        if name.startswith("_"):
            raise self.error("names starting with '_' are not allowed", node)
        if node.keywords:
            raise self.error(f"{name}() takes positional arguments only", node)
        if name not in fn.FUNCTIONS and name not in fn.SPECIAL_FUNCTIONS:
            close = difflib.get_close_matches(name, fn.ALL_FUNCTIONS, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]}()?" if close else f"functions: {', '.join(fn.ALL_FUNCTIONS)}"
            raise self.error(f"unknown function '{name}'", node, hint=hint)
        for arg_node in node.args:
            if isinstance(arg_node, ast.Starred):
                raise self.error("starred arguments (*x) are not allowed", arg_node)
        if name in fn.SPECIAL_FUNCTIONS:
            if len(node.args) != 1:
                raise self.error(f"{name}() takes exactly one argument", node)
            if name == "answered":
                return self.answered(node, node.args[0])
            return self.literal_call(node, name, node.args[0])
        function = fn.FUNCTIONS[name]
        if len(node.args) != len(function.params):
            raise self.error(f"{name}() takes {len(function.params)} argument(s), got {len(node.args)}", node)
        args = [self.operand(arg, depth, f"{name}()") for arg in node.args]
        for position, (arg, wanted) in enumerate(zip(args, function.params, strict=True), 1):
            if arg.type is not wanted:
                raise self.error(
                    f"argument {position} of {name}() must be a {wanted}, not {self.describe(arg)}",
                    arg.node,
                )
            if wanted is ExprType.NUMBER and arg.constant:
                try:
                    fn.whole_number(arg.value)
                except ValueError as exc:
                    raise self.error(f"{name}(): {exc}", arg.node) from None
        parts = tuple(arg.run for arg in args)
        run = rt.call(name, function.impl, parts, self.source, needs_calendar=function.needs_calendar)
        return self.fold(node, run, function.result, *args)

    def answered(self, node: ast.Call, arg: ast.expr) -> Typed:
        if not isinstance(arg, ast.Name | ast.Attribute):
            raise self.error("answered() takes a fact key, e.g. answered(police.reported)", arg)
        key = self.fact_key(arg)
        self.facts.add(key)

        def run(env: rt.EvalEnv) -> object:
            value = env.facts.get(key)
            return value is not None and value is not UNKNOWN

        return Typed(run, ExprType.BOOL, node)

    def literal_call(self, node: ast.Call, name: str, arg: ast.expr) -> Typed:
        """date('YYYY-MM-DD'), deadline('ID') and passed('ID'): a string written in the source."""
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            example = "'2026-04-06'" if name == "date" else "'UK-CICA-D1'"
            raise self.error(f"{name}() takes a quoted string, e.g. {name}({example})", arg)
        text: str = arg.value
        if name == "date":
            try:
                day = fn.parse_iso_date(text)
            except ValueError as exc:
                raise self.error(str(exc), arg) from None
            return Typed(rt.constant(day), ExprType.DATE, node, constant=True, value=day)
        if not self.allow_deadline_refs:
            raise self.error(
                f"{name}() is not allowed in this expression",
                node,
                hint="deadlines are computed first, so their own rules cannot use other deadlines",
            )
        if not text or text != text.strip():
            raise self.error(f"'{text}' is not a deadline id", arg)
        self.deadlines.add(text)
        if name == "passed":
            self.uses_today = True
            return Typed(rt.passed_reader(text), ExprType.BOOL, node)
        return Typed(rt.deadline_reader(text, self.source), ExprType.DATE, node)


def _syntax_hint(text: str) -> str | None:
    if "&&" in text or "||" in text:
        return "write `and` / `or`"
    if "!" in text.replace("!=", ""):
        return "write `not`"
    return None


def _mismatch_hint(left: ExprType, right: ExprType) -> str | None:
    if ExprType.MONEY in (left, right):
        return "money compares only with money"
    if {left, right} == {ExprType.DATE, ExprType.STRING}:
        return "write a date literal as date('YYYY-MM-DD')"
    return None
