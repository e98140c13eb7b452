"""A bridge to sympy: ``to_sympy(y)`` (the expression y's graph computes) and ``formula(y, x)`` (∂y/∂x).

sympy is an optional dependency (``pip install deltagrad[symbolic]``); it is imported inside the
functions that need it, so ``import autograd`` works without it.

* Leaves become real symbols named by their labels (``x``, ``w``); a leaf without a label gets a
  generated name (``v0``, ``v1`` … in the graph's topological order), and a second leaf with a
  label already taken gets ``label_2`` — two leaves never share a symbol.
* Each built-in op's sympy form is in ``SYMPY`` below, keyed by the op itself (an entry of
  ``autograd.ops.TABLE``; ``tests/checking/test_symbolic.py`` fails when an op of the table has none). An op
  made outside the table declares its form with ``define(op, rule)`` (``nn``'s softmax, cross-entropy
  and max pooling do, and ``autograd.functional``'s argument marker).
  Constants are exact: 0.1 becomes 1/10 (``sympy.Rational`` of the float's shortest repr); a
  rational grown beyond ``MAX_DIGITS`` digits (a long chain of ``x * 1.1``) becomes a 30-digit
  ``sympy.Float``, so ``str()`` never meets Python's 4,300-digit limit for ints.
* Kinks follow the engine, not sympy's Heaviside(0) = ½: relu is ``Piecewise((x, x > 0), (0, True))``
  (relu′(0) = 0), leaky_relu likewise (its slope at 0), |x|′ = sign x (0 at 0), and max picks its
  first largest input, as ``backward()`` does.
* Any other op — user-defined with ``@op`` / ``autograd.Op`` without ``define``, a micrograd-style
  closure — becomes an undefined ``sympy.Function`` named after the op and its constant
  (``scale[2.5]``: two constants never share a function), so its derivative shows as
  ``Derivative(softplus(x), x)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from autograd import ops
from autograd.engine import Value, describe
from autograd.explain.tex import latex_name
from autograd.graph import constant_of, operation_of, parents_of, topological_order
from autograd.operators import exact_number

__all__ = ["MAX_DIGITS", "SYMPY", "Formula", "define", "formula", "symbols_of", "to_sympy"]

Rule = Callable[[Any, Sequence[Any], Any], Any]  # (sympy module, input expressions, constant) -> expression


def _linear_c(sp: Any, xs: Sequence[Any], c: Any) -> Any:
    """Σ w_i x_i + b over parents (w_1…w_n, b), the inputs x_i being the constant tuple."""
    return sp.Add(*(w * _exact(sp, x) for w, x in zip(xs[:-1], c, strict=True))) + xs[-1]


def _linear(sp: Any, xs: Sequence[Any], c: Any) -> Any:
    n = (len(xs) - 1) // 2
    return sp.Add(*(w * x for w, x in zip(xs[:n], xs[n:2 * n], strict=True))) + xs[-1]


SYMPY: dict[ops.Op, Rule] = {
    ops.ADD: lambda sp, a, c: a[0] + a[1],
    ops.SUB: lambda sp, a, c: a[0] - a[1],
    ops.MUL: lambda sp, a, c: a[0] * a[1],
    ops.DIV: lambda sp, a, c: a[0] / a[1],
    ops.POW: lambda sp, a, c: a[0] ** a[1],
    ops.ADD_C: lambda sp, a, c: a[0] + c,
    ops.SUB_C: lambda sp, a, c: a[0] - c,
    ops.RSUB: lambda sp, a, c: c - a[0],
    ops.MUL_C: lambda sp, a, c: c * a[0],
    ops.DIV_C: lambda sp, a, c: a[0] / c,
    ops.RDIV: lambda sp, a, c: c / a[0],
    ops.POW_C: lambda sp, a, c: a[0] ** c,
    ops.RPOW: lambda sp, a, c: c ** a[0],
    ops.NEG: lambda sp, a, c: -a[0],
    ops.EXP: lambda sp, a, c: sp.exp(a[0]),
    ops.LOG: lambda sp, a, c: sp.log(a[0]),
    ops.TANH: lambda sp, a, c: sp.tanh(a[0]),
    ops.SIGMOID: lambda sp, a, c: 1 / (1 + sp.exp(-a[0])),
    ops.SOFTPLUS: lambda sp, a, c: sp.log(1 + sp.exp(a[0])),
    ops.RELU: lambda sp, a, c: sp.Piecewise((a[0], a[0] > 0), (0, True)),  # relu′(0) = 0, not Heaviside(0) = ½
    ops.LEAKY_RELU: lambda sp, a, c: sp.Piecewise((a[0], a[0] > 0), (c * a[0], True)),
    ops.ABS: lambda sp, a, c: sp.Abs(a[0]),
    ops.SQRT: lambda sp, a, c: sp.sqrt(a[0]),
    ops.SIN: lambda sp, a, c: sp.sin(a[0]),
    ops.COS: lambda sp, a, c: sp.cos(a[0]),
    ops.SUM: lambda sp, a, c: sp.Add(*a),
    ops.LINEAR: _linear,
    ops.LINEAR_C: _linear_c,
}
"""The sympy form of every op of ``ops.TABLE``: ``rule(sympy, [input expressions], constant)``; ``define``
adds others."""

MAX_DIGITS = 400
"""A rational constant with more digits than this (numerator or denominator) becomes a 30-digit Float."""


def define(op: ops.Op, rule: Rule) -> ops.Op:
    """Declare the sympy form of an op made outside the table: ``rule(sympy, [input expressions], c)``
    with c its constant (a float becomes an exact sympy number; other constants are passed as they are).
    Returns ``op``. A table op's form cannot be replaced."""
    if not isinstance(op, ops.Op) or not callable(rule):
        raise TypeError(f"define(op, rule): expected an autograd.Op and a function, got {describe(op)}, "
                        f"{describe(rule)}")
    if op in ops.TABLE:
        raise ValueError(f"define: {op!r} is a table op; its sympy form is fixed in autograd.symbolic.SYMPY")
    SYMPY[op] = rule
    return op


def _bounded(sp: Any, expr: Any) -> Any:
    """``expr`` with every rational of more than ``MAX_DIGITS`` digits as a 30-digit Float."""
    limit = 1 << int(MAX_DIGITS * 3.33)  # 10**MAX_DIGITS, in bits, without making a decimal string
    big = {r: sp.Float(r, 30) for r in expr.atoms(sp.Rational) if abs(r.p) > limit or r.q > limit}
    return expr.xreplace(big) if big else expr


def _sympy() -> Any:
    try:
        import sympy
    except ImportError:
        raise ImportError("autograd.symbolic needs sympy: pip install 'deltagrad[symbolic]' (or pip install sympy)") \
            from None
    return sympy


def _exact(sp: Any, c: float) -> Any:
    """A float constant as an exact sympy number: 2.0 → 2, 0.1 → 1/10 (from its shortest repr)."""
    if c.is_integer():
        return sp.Integer(int(c))
    return sp.Rational(repr(c)) if "inf" not in repr(c) and "nan" not in repr(c) else sp.Float(c)


def symbols_of(y: Value) -> dict[Value, Any]:
    """The symbol of each leaf of y's graph (see the module docstring for the names)."""
    sp = _sympy()
    names: dict[Value, Any] = {}
    taken: set[str] = set()
    count = 0
    for v in topological_order(y):
        if not v.is_leaf:
            continue
        name = v.label
        if not name or name in taken:
            k = 2
            while name and f"{name}_{k}" in taken:
                k += 1
            if name:
                name = f"{name}_{k}"
            else:
                while f"v{count}" in taken:
                    count += 1
                name = f"v{count}"
        taken.add(name)
        names[v] = sp.Symbol(name, real=True)
    return names


def to_sympy(y: Value, symbols: dict[Value, Any] | None = None) -> Any:
    """The sympy expression y's graph computes from its leaves (``symbols``: leaf → symbol, else ``symbols_of``)."""
    if not isinstance(y, Value):
        raise TypeError(f"to_sympy: expected a Value, got {describe(y)}")
    sp = _sympy()
    table = symbols if symbols is not None else symbols_of(y)
    expr: dict[int, Any] = {}
    for v in topological_order(y):
        op = operation_of(v)
        if op is None:
            if v not in table:
                raise KeyError(f"to_sympy: the leaf {v!r} has no symbol in the given symbols")
            expr[id(v)] = table[v]
            continue
        args = [expr[id(p)] for p in parents_of(v)]
        c = constant_of(v)
        const = _exact(sp, c) if isinstance(c, float) else c
        rule = SYMPY.get(op)
        if rule is not None:
            expr[id(v)] = rule(sp, args, const)
        else:  # an undefined function, named with its constant so that two constants never coincide
            expr[id(v)] = sp.Function(op.name if c is None else f"{op.name}[{_text(c)}]")(*args)
    return _bounded(sp, expr[id(y)])


def _text(c: Any) -> str:
    """A constant in a function's name: a float as the shortest text that reads back as it."""
    if isinstance(c, float):
        return exact_number(c)
    if isinstance(c, tuple):
        return ",".join(_text(x) for x in c)
    return str(c)


class Formula:
    """∂y/∂x as a simplified sympy expression: ``.expr``, ``str()``, LaTeX in Jupyter, ``.at()`` its value."""

    def __init__(self, expr: Any, symbol: Any, symbols: dict[Value, Any], name: str) -> None:
        self.expr, self.symbol, self.symbols, self.name = expr, symbol, symbols, name

    def at(self) -> float:
        """The formula evaluated at the leaves' current data (30 digits, as a float)."""
        subs = {s: v.data for v, s in self.symbols.items()}
        try:
            value = self.expr.evalf(30, subs=subs)
            return float(value)
        except (ZeroDivisionError, TypeError) as e:  # 1/0 inside sympy, or zoo / a complex number
            point = ", ".join(f"{s} = {x!r}" for s, x in subs.items() if s in self.expr.free_symbols)
            raise type(e)(f"formula {self}: not a real number at {point or 'these values'} (a division by zero "
                          "or a domain edge; backward() uses a convention there, such as +inf for √ at 0)") from None

    def __str__(self) -> str:
        return f"∂{self.name}/∂{self.symbol} = {self.expr}"

    def __repr__(self) -> str:
        return f"<Formula {self}>"

    def latex(self) -> str:
        """The formula as LaTeX math (no ``$``): ∂y/∂x = …, the names escaped for pdflatex."""
        sp = _sympy()
        top, bottom = latex_name(self.name), sp.latex(self.symbol)
        return f"\\frac{{\\partial {top}}}{{\\partial {bottom}}} = {sp.latex(self.expr)}"

    def _repr_latex_(self) -> str:
        return f"${self.latex()}$"


class Formulas(list[Formula]):
    """The formulas of ``formula(y, [x1, x2, …])``: a list, shown in Jupyter as one LaTeX block."""

    def latex(self) -> str:
        """Every formula as a line of an ``align*`` environment (``\\usepackage{amsmath}``)."""
        return "\\begin{align*}\n" + " \\\\\n".join(f"  &{f.latex()}" for f in self) + "\n\\end{align*}\n"

    def _repr_latex_(self) -> str:
        return "$$" + "\\\\ ".join(f.latex() for f in self) + "$$"


def _simplify(sp: Any, expr: Any) -> Any:
    """``sympy.simplify``, but for a piecewise expression (relu, max) each branch alone, its conditions kept
    as they are: simplifying the conditions of a 4-input max takes sympy seconds and changes nothing."""
    if not expr.has(sp.Piecewise):
        return sp.simplify(expr)
    folded = sp.piecewise_fold(expr)
    if not isinstance(folded, sp.Piecewise):
        return folded
    return sp.Piecewise(*[(sp.simplify(e), c) for e, c in folded.args])


def formula(y: Value, x: Value | Sequence[Value]) -> Any:
    """∂y/∂x as a simplified ``Formula`` (a list of them for a list of leaves); 0 for a leaf y does not use."""
    sp = _sympy()
    xs = [x] if isinstance(x, Value) else list(x)
    for i, leaf in enumerate(xs):
        if not isinstance(leaf, Value) or not leaf.is_leaf:
            raise TypeError(f"formula: x[{i}] must be a leaf Value of y's graph, got {describe(leaf)}")
    symbols = symbols_of(y)
    expr = to_sympy(y, symbols)
    name = y.label or "y"
    out = []
    for leaf in xs:
        s = symbols.get(leaf, sp.Symbol(leaf.label or "x", real=True))
        out.append(Formula(_simplify(sp, sp.diff(expr, s)), s, symbols, name))
    return out[0] if isinstance(x, Value) else Formulas(out)
