"""A safe parser for arithmetic expressions over named variables, for the command line.

``parse_expression("tanh(x*w + b)")`` checks the text against a whitelist of Python syntax (it is
read with ``ast.parse``, never evaluated by Python: no ``eval``, no ``exec``) and
``evaluate(expr, {"x": Value(…), …})`` builds the computation graph with the engine's operations.

Allowed: numbers, variable names, ``+ - * / **``, unary ``-`` and ``+``, parentheses, and calls of
exp, log, tanh, sigmoid, relu, leaky_relu (with an optional numeric slope), abs, sqrt, sin, cos.
Everything else — attribute access, subscripts, other calls, keyword arguments, strings,
comparisons, lambdas, comprehensions, statements such as ``import`` — is rejected with an
``ExpressionError`` naming what and where. So are input longer than ``MAX_LENGTH`` characters and
nesting deeper than ``MAX_DEPTH``. Constant parts are computed in floats (``2*3 + x`` records
``6 + x``), never as Python integers, so a power tower costs nothing: ``1**1**1**1**1`` is 1 and
``2**2**2**2**2`` is refused only because its value does not fit in a float. Every operation is
first computed on the floats (the constants' and the variables' values alike), so an overflow or
a domain error has the same message whether the numbers came from constants or from ``--set``.
"""

from __future__ import annotations

import ast
import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Union

from autograd import operators, ops
from autograd.engine import Value
from autograd.errors import DeltagradError

MAX_LENGTH = 2000
MAX_DEPTH = 200  # syntax-tree levels; a + b + c + … nests one level per term

Number = Union[Value, float]

# The functions the expressions offer: every op of the table marked ``cli`` (name → its entry).
FUNCTIONS: dict[str, ops.Op] = {op.method: op for op in ops.TABLE if op.cli and op.method}
ALL_FUNCTIONS = tuple(sorted(FUNCTIONS))


# symbol, the operation on nodes, the operation on floats (which says what is wrong)
_BINARY: dict[type, tuple[str, Callable[[Any, Any], Any], Callable[[float, float], float]]] = {
    ast.Add: ("+", lambda a, b: a + b, lambda a, b: a + b),
    ast.Sub: ("-", lambda a, b: a - b, lambda a, b: a - b),
    ast.Mult: ("*", lambda a, b: a * b, lambda a, b: a * b),
    ast.Div: ("/", lambda a, b: a / b, operators.divide),
    ast.Pow: ("**", lambda a, b: a ** b, operators.power),
}
_SYMBOLS: dict[type, str] = {
    **{kind: symbol for kind, (symbol, _, _) in _BINARY.items()},
    ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
    ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&",
}
# Syntax that is valid Python but not allowed here, with the reason shown to the user.
_REJECTED: dict[type, str] = {
    ast.Attribute: "attribute access (a.b) is not allowed",
    ast.Subscript: "subscripts (a[i]) are not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.IfExp: "conditional expressions (a if c else b) are not allowed",
    ast.Compare: "comparisons are not allowed",
    ast.BoolOp: "and/or are not allowed",
    ast.NamedExpr: "assignment expressions (:=) are not allowed",
    ast.JoinedStr: "strings are not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.List: "lists are not allowed",
    ast.Tuple: "tuples are not allowed",
    ast.Set: "sets are not allowed",
    ast.Dict: "dicts are not allowed",
    ast.Starred: "starred arguments are not allowed",
    ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
}


class ExpressionError(DeltagradError, ValueError):
    """The expression is not allowed or cannot be computed; ``col`` is the 0-based column, if known."""

    def __init__(self, message: str, text: str = "", col: int | None = None) -> None:
        where = f" (at column {col + 1})" if col is not None else ""
        super().__init__(message + where)
        self.text = text
        self.col = col

    def pointer(self) -> str:
        """The expression with a caret under the offending column (empty when unknown)."""
        if self.col is None or not self.text or "\n" in self.text:
            return ""
        return f"{self.text}\n{' ' * self.col}^"


@dataclass(frozen=True)
class Expression:
    """A checked expression: its text, its syntax tree and its variables in order of appearance."""

    text: str
    tree: ast.expr
    variables: tuple[str, ...]


def _fail(message: str, text: str, node: ast.AST | None = None) -> ExpressionError:
    """The error at ``node`` (at its operator, for a binary operation on one line)."""
    col = getattr(node, "col_offset", None)
    if isinstance(node, ast.BinOp) and node.lineno == node.end_lineno:
        start, end = node.left.end_col_offset or 0, node.right.col_offset
        symbol = _SYMBOLS.get(type(node.op), "")
        found = text.find(symbol, start, end) if symbol else -1
        col = found if found >= 0 else col
    return ExpressionError(message, text, col)


def _depth(tree: ast.AST) -> int:
    """The nesting depth of a syntax tree, without recursion."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _check(node: ast.AST, text: str, names: list[str]) -> None:
    """Reject every node outside the whitelist; collect variable names in order of appearance."""
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            what = "strings are" if isinstance(value, (str, bytes)) else f"{ast.get_source_segment(text, node)} is"
            raise _fail(f"{what} not allowed here, only real numbers", text, node)
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise _fail(f"the number {ast.get_source_segment(text, node)} is too large for a float", text, node)
    elif isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            raise _fail(f"{node.id} is a function: call it, as in {node.id}(x)", text, node)
        if node.id not in names:
            names.append(node.id)
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            symbol = _SYMBOLS.get(type(node.op), type(node.op).__name__)
            raise _fail(f"operator {symbol} is not supported (use + - * / **)", text, node)
        _check(node.left, text, names)
        _check(node.right, text, names)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise _fail(f"unary operator {type(node.op).__name__} is not supported (only - and +)", text, node)
        _check(node.operand, text, names)
    elif isinstance(node, ast.Call):
        _check_call(node, text, names)
    else:
        reason = _REJECTED.get(type(node), f"{type(node).__name__} is not allowed")
        raise _fail(f"{reason}; only numbers, variables, + - * / ** and {', '.join(ALL_FUNCTIONS)}", text, node)


def _check_call(node: ast.Call, text: str, names: list[str]) -> None:
    func = node.func
    if isinstance(func, ast.Attribute):
        raise _fail(f"attribute access is not allowed: call {func.attr}(...) directly, not as a method", text, func)
    if not isinstance(func, ast.Name):
        raise _fail("only the listed functions can be called", text, func)
    if func.id not in FUNCTIONS:
        raise _fail(f"unknown function {func.id!r}; available: {', '.join(ALL_FUNCTIONS)}", text, func)
    if node.keywords:
        raise _fail(f"{func.id}: keyword arguments are not allowed", text, node.keywords[0].value)
    param = FUNCTIONS[func.id].param
    most = 1 if param is None else 2
    if not 1 <= len(node.args) <= most:
        usage = f"{func.id}(x) or {func.id}(x, {param})" if param else f"{func.id}(x)"
        raise _fail(f"{func.id} takes {'1 or 2 arguments' if most == 2 else '1 argument'}: {usage}", text, node)
    for arg in node.args:
        _check(arg, text, names)


def _parse(source: str, mode: str) -> ast.AST:
    """``ast.parse`` without Python's own SyntaxWarnings (e.g. '1if'), which would only confuse here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        return ast.parse(source, mode=mode)


def _statement_hint(source: str) -> str:
    """A hint when the text is Python statements (import, assignment, ';'): parsed only, never run."""
    try:
        _parse(source, "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ""
    return " (statements such as import, assignments or ';' are not allowed, only one arithmetic expression)"


def parse_expression(text: str) -> Expression:
    """Check ``text`` against the whitelist (see the module docstring) and return it parsed."""
    if not isinstance(text, str):
        raise TypeError(f"parse_expression: expected a str, got {type(text).__name__}")
    source = text.strip()
    if not source:
        raise ExpressionError("the expression is empty")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"the expression is {len(source)} characters long; the limit is {MAX_LENGTH}")
    try:
        tree = _parse(source, "eval")
        assert isinstance(tree, ast.Expression)
    except SyntaxError as e:
        col = None
        if e.offset is not None and e.lineno == 1:  # offset 0: at the end of the input
            col = min(e.offset - 1 if e.offset > 0 else len(source), len(source))
        raise ExpressionError(f"not a valid expression: {e.msg}{_statement_hint(source)}", source, col) from None
    except (ValueError, RecursionError, MemoryError) as e:  # null bytes, too deeply nested for Python
        raise ExpressionError(f"not a valid expression: {e}", source) from None
    depth = _depth(tree)
    if depth > MAX_DEPTH:
        raise ExpressionError(f"the expression is nested {depth} levels deep; the limit is {MAX_DEPTH}", source)
    names: list[str] = []
    _check(tree.body, source, names)
    return Expression(source, tree.body, tuple(names))


def _number(x: Number) -> float:
    return x.data if isinstance(x, Value) else x


def _call(node: ast.Call, args: list[Number], text: str) -> Number:
    name = node.func.id if isinstance(node.func, ast.Name) else ""
    op, x = FUNCTIONS[name], args[0]
    c = args[1] if len(args) > 1 else op.default
    if isinstance(c, Value):
        raise _fail(f"{name}: the {op.param} must be a number, not an expression of variables", text, node.args[1])
    y = op.forward(_number(x)) if op.param is None else op.forward(_number(x), c)  # the float's own message
    if not math.isfinite(y):
        raise _fail(f"{name}({_number(x)!r}) does not fit in a float", text, node)
    if not isinstance(x, Value):
        return y
    return getattr(x, name)() if op.param is None else getattr(x, name)(c)


def _compute(node: ast.expr, env: Mapping[str, Value], text: str) -> Number:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)  # _check made sure it is a finite real number
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.UnaryOp):
        operand = _compute(node.operand, env, text)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        symbol, on_nodes, on_floats = _BINARY[type(node.op)]
        a, b = _compute(node.left, env, text), _compute(node.right, env, text)
        fa, fb = _number(a), _number(b)
        try:  # on the floats first: the same message for constants and for --set values
            result = on_floats(fa, fb)
            if not math.isfinite(result):
                raise OverflowError(f"{fa!r} {symbol} {fb!r} does not fit in a float")
            return on_nodes(a, b) if isinstance(a, Value) or isinstance(b, Value) else result
        except (ValueError, ArithmeticError) as e:
            raise _fail(str(e), text, node) from None
    if isinstance(node, ast.Call):
        args = [_compute(arg, env, text) for arg in node.args]
        try:
            return _call(node, args, text)
        except ExpressionError:
            raise
        except (ValueError, ArithmeticError) as e:
            raise _fail(str(e), text, node) from None
    raise _fail(f"{type(node).__name__} is not allowed", text, node)  # pragma: no cover - _check rejects it


def evaluate(expr: Expression, env: Mapping[str, Value]) -> Number:
    """Compute ``expr`` with the variables in ``env`` (name → Value): the result node, or a float
    when the expression uses no variable. Raises ``ExpressionError`` for a missing variable or a
    value outside an operation's domain (``log(-1)``, division by zero, overflow)."""
    missing = [name for name in expr.variables if name not in env]
    if missing:
        raise ExpressionError(f"no value for variable(s) {', '.join(missing)}")
    return _compute(expr.tree, env, expr.text)
