"""The table of operations: each built-in op is one entry, its forward beside its local derivative.

Read an entry as "y = f(inputs);  ∂y/∂input = …". ``x`` is the input, ``y`` the op's own output and
``c`` its constant operand (``x * 2`` has c = 2; ``None`` when the op has none). The derivative is
written once with plain arithmetic, so the same expression serves an ordinary ``backward()``
(floats) and a differentiable gradient (``Value`` nodes): ``1 - y * y`` is tanh's in both worlds,
and sin's is ``COS.on(x)`` (``Op.on``: a float's forward, or a node's op). The float math itself
(stable sigmoid, domains) and the derivatives with a convention at a point (xⁿ at x = 0, bˣ at
b ≤ 0) live in ``autograd.operators``.

Everything else reads this table: ``Value``'s methods (``x.tanh()``), the command line's functions,
the drawing's labels, forward mode, the checks and the shared test cases. To add an operation, add
its float math to ``operators`` and one entry to ``TABLE``. Kinks follow PyTorch: relu′(0) = 0,
abs′(0) = 0, leaky_relu′(0) = slope.

This module knows nothing about graph nodes: calling an op hands it to its inputs' class (``Value._apply_op``).
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Callable
from typing import Any

from autograd import operators as F
from autograd.errors import DeltagradError, as_number, describe
from autograd.operators import exact_number, fmt_number

_table_done = False  # set at the end of this module: every Op made after TABLE has its derivative checked


class BadDerivativeError(DeltagradError, TypeError):
    """An op's derivative returned something other than real numbers (complex, a list, None, ...)."""


class Op:
    """One scalar operation: its micrograd tag, forward, local derivative, and how others show it.

    * ``name``: micrograd's tag, what ``node._op`` shows (``'+'``, ``'ReLU'``, ``'tanh'``).
    * ``forward(*inputs)`` (plus the constant, for ops that have one) computes y from floats.
    * ``deriv``, by arity: ``arity=1``: ``deriv(x, y, c) -> ∂y/∂x``; ``arity=2``:
      ``deriv(a, b, y, c) -> (∂y/∂a, ∂y/∂b)``; ``arity=0`` (any number of inputs):
      ``deriv(xs, y, c) -> [∂y/∂x_i]``.
    * ``formula``: the local derivative as text in the note's notation (``'1 − y²'``).
    * ``template``: how a drawing labels the node with its constant (``'* {c}'``, ``'{c} -'``);
      ``tag``: the same for ``_op`` when the constant is part of micrograd's tag (``'**{c}'``).
    * ``kink(*inputs, c)``: whether the inputs sit where the op is not differentiable.
    * ``method``: the ``Value`` method that records it (``'tanh'``), with ``param`` naming its
      constant argument and ``default`` its default (``leaky_relu(slope=0.01)``); ``cli``: whether
      the command line's expressions offer it; ``domain``: an interval of inputs where it is smooth.

    Ops compare by identity. Calling one on ``Value`` nodes or numbers records a node. An op made
    after ``TABLE`` (a user's) has its derivative's results checked (``checked_deriv``, below): anything
    but real numbers, one per input, raises ``BadDerivativeError`` instead of corrupting ``.grad``.
    """

    rule = True  # False for micrograd's tag-only ops (``autograd.compat``), whose derivative only raises

    __slots__ = ("name", "arity", "forward", "deriv", "template", "tag", "kink", "symmetric", "doc", "formula",
                 "method", "param", "default", "cli", "domain")

    def __init__(self, name: str, forward: Callable[..., float], deriv: Callable[..., Any], *, arity: int = 1,
                 template: str | None = None, tag: str | None = None, kink: Callable[..., bool] | None = None,
                 symmetric: bool = False, doc: str = "", formula: str = "", method: str | None = None,
                 param: str | None = None, default: float | None = None, cli: bool = False,
                 domain: tuple[float, float] = (-3.0, 3.0)) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"Op: the name must be a non-empty str, got {name!r}")
        if arity not in (0, 1, 2):
            raise ValueError(f"Op {name!r}: arity must be 1, 2 or 0 (any number of inputs), got {arity!r}")
        if not callable(forward) or not callable(deriv):
            raise TypeError(f"Op {name!r}: forward and deriv must be callables")
        if _table_done and self.rule:  # an op made after the table (a user's, nn's): its results get checked
            deriv = checked_deriv(self, deriv)
        self.name, self.arity, self.forward, self.deriv = name, arity, forward, deriv
        self.template = template if template is not None else name
        self.tag, self.kink, self.symmetric, self.doc, self.formula = tag, kink, symmetric, doc, formula
        self.method, self.param, self.default, self.cli, self.domain = method, param, default, cli, domain

    def describe(self, c: Any = None) -> str:
        """The op's label in a drawing, with its constant operand when it has one (``'* 2'``)."""
        if c is None or "{c}" not in self.template:
            return self.name
        return self.template.format(c=fmt_number(c))

    def tag_of(self, c: Any) -> str:
        """micrograd's tag for a node of this op with constant ``c`` (``'**2'`` for x**2)."""
        return self.name if self.tag is None or c is None else self.tag.format(c=exact_number(c))

    def __call__(self, *inputs: Any) -> Any:
        """Record this op applied to ``Value`` nodes (numbers among them become constant leaves).

        The nodes' class makes the node: ``Value._apply_op``, which is ``autograd.engine.apply``."""
        for v in inputs:
            apply = getattr(type(v), "_apply_op", None)
            if apply is not None:
                return apply(self, *inputs)
        got = ", ".join(describe(v) for v in inputs) or "no input"
        raise TypeError(f"{self.name}: give it at least one Value node, got {got}; on numbers alone "
                        "autograd.apply(op, ...) makes constant leaves and op.forward(...) computes the float")

    def on(self, x: Any) -> Any:
        """The op on a float (its forward: a float) or on a ``Value`` (a node), so that one derivative
        expression serves ``backward()`` and gradients of gradients: ``SIGMOID.on(x)`` is σ(x) in both."""
        if isinstance(x, float):
            return self.forward(x)
        return self.forward(float(x)) if isinstance(x, numbers.Real) else self(x)

    def __repr__(self) -> str:
        return f"<Op {self.name!r}>"

    def __reduce__(self) -> Any:  # pragma: no cover - ops are module-level singletons
        raise TypeError(f"Op {self.name!r} cannot be pickled")

    def __copy__(self) -> Op:  # an op is a module-level singleton: a copied graph shares it
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Op:
        return self


# ---------------------------------------------------------------------------------------------
# The table. Two nodes: deriv(a, b, y, c) -> (∂y/∂a, ∂y/∂b).

ADD = Op("+", operator.add, lambda a, b, y, c: (1.0, 1.0), arity=2, symmetric=True,
         doc="y = a + b", formula="∂y/∂a = 1, ∂y/∂b = 1")
SUB = Op("-", operator.sub, lambda a, b, y, c: (1.0, -1.0), arity=2,
         doc="y = a − b", formula="∂y/∂a = 1, ∂y/∂b = −1")
MUL = Op("*", operator.mul, lambda a, b, y, c: (b, a), arity=2, symmetric=True,
         doc="y = a·b", formula="∂y/∂a = b, ∂y/∂b = a")
DIV = Op("/", F.divide, lambda a, b, y, c: (1.0 / b, -y / b), arity=2,
         doc="y = a / b", formula="∂y/∂a = 1/b, ∂y/∂b = −a/b² = −y/b")
POW = Op("**", F.power, lambda a, b, y, c: (F.d_power(a, b, y), F.d_exponent(a, y)), arity=2, domain=(0.2, 3.0),
         doc="y = aᵇ", formula="∂y/∂a = b·aᵇ⁻¹, ∂y/∂b = aᵇ·ln a")

# A node and a number: the number c is the op's constant, not a node. deriv(x, y, c) -> ∂y/∂x.
ADD_C = Op("+", operator.add, lambda x, y, c: 1.0, template="+ {c}", doc="y = x + c", formula="1")
SUB_C = Op("-", operator.sub, lambda x, y, c: 1.0, template="- {c}", doc="y = x − c", formula="1")
RSUB = Op("-", lambda x, c: c - x, lambda x, y, c: -1.0, template="{c} -", doc="y = c − x", formula="−1")
MUL_C = Op("*", operator.mul, lambda x, y, c: c, template="* {c}", doc="y = c·x", formula="c")
DIV_C = Op("/", F.divide, lambda x, y, c: 1.0 / c, template="/ {c}", doc="y = x / c", formula="1/c")
RDIV = Op("/", lambda x, c: F.divide(c, x), lambda x, y, c: -y / x, template="{c} /", domain=(0.2, 3.0),
          doc="y = c / x", formula="−c/x² = −y/x")
POW_C = Op("**", F.power, lambda x, y, c: F.d_power(x, c, y), template="**{c}", tag="**{c}", domain=(0.2, 3.0),
           doc="y = xⁿ", formula="n·xⁿ⁻¹")
RPOW = Op("**", lambda x, c: F.power(c, x), lambda x, y, c: F.d_exponent(c, y), template="{c} **",
          doc="y = cˣ", formula="cˣ·ln c")

# Functions of one node: deriv(x, y, c) -> f′(z), written with z = x and f(z) = y.
NEG = Op("neg", lambda x: -x, lambda x, y, c: -1.0, doc="y = −x", formula="−1")
EXP = Op("exp", F.exp, lambda x, y, c: y, method="exp", cli=True,
         doc="y = eᶻ (OverflowError for z > 709.78)", formula="eᶻ = y")
LOG = Op("log", F.log, lambda x, y, c: 1.0 / x, method="log", cli=True, domain=(0.2, 3.0),
         doc="y = ln z (ValueError for z ≤ 0)", formula="1/z")
TANH = Op("tanh", F.tanh, lambda x, y, c: 1.0 - y * y, method="tanh", cli=True,
          doc="y = tanh z", formula="1 − y²")
SIGMOID = Op("sigmoid", F.sigmoid, lambda x, y, c: y * (1.0 - y), method="sigmoid", cli=True,
             doc="y = σ(z) = 1/(1 + e⁻ᶻ), stable for any z", formula="y(1 − y)")
SOFTPLUS = Op("softplus", F.softplus, lambda x, y, c: SIGMOID.on(x), method="softplus", cli=True,
              doc="y = ln(1 + eᶻ), stable for any z", formula="σ(z) = 1/(1 + e⁻ᶻ)")
RELU = Op("ReLU", F.relu, lambda x, y, c: 0.0 if x <= 0.0 else 1.0, kink=F.at_zero, method="relu", cli=True,
          doc="y = max(0, z)", formula="1 for z > 0, else 0")
LEAKY_RELU = Op("leaky_relu", F.leaky_relu, lambda x, y, c: 1.0 if x > 0.0 else c, kink=F.at_zero,
                template="leaky_relu({c})", method="leaky_relu", param="slope", default=0.01, cli=True,
                doc="y = z for z > 0, else slope·z", formula="1 for z > 0, else slope")
ABS = Op("abs", abs, lambda x, y, c: F.sign(x), kink=F.at_zero, method="abs", cli=True,
         doc="y = |z|", formula="sign z (0 at z = 0)")
SQRT = Op("sqrt", F.sqrt, lambda x, y, c: 0.5 / y if F.number_of(y) else 0.5 * F.edge(y, math.inf), method="sqrt",
          cli=True, domain=(0.2, 3.0), doc="y = √z (ValueError for z < 0)", formula="1/(2√z) = 1/(2y)")
SIN = Op("sin", F.sin, lambda x, y, c: COS.on(x), method="sin", cli=True, doc="y = sin z", formula="cos z")
COS: Op = Op("cos", F.cos, lambda x, y, c: -SIN.on(x), method="cos", cli=True, doc="y = cos z", formula="−sin z")

# Any number of nodes: deriv(xs, y, c) -> [∂y/∂x_i].
SUM = Op("sum", F.total, lambda xs, y, c: [1.0] * len(xs), arity=0, symmetric=True,
         doc="y = Σ x_i", formula="∂y/∂x_i = 1")
LINEAR = Op("linear", F.linear, F.d_linear, arity=0,
            doc="y = Σ w_i x_i + b (a neuron's z_j)", formula="∂y/∂w_i = x_i, ∂y/∂x_i = w_i, ∂y/∂b = 1")
LINEAR_C = Op("linear_c", F.linear_c, F.d_linear_c, arity=0,
              doc="y = Σ w_i x_i + b over numbers x_i kept as the constant (a first layer's z_j on data: no node per "
                  "input, no input gradient)", formula="∂y/∂w_i = x_i, ∂y/∂b = 1")

TABLE: tuple[Op, ...] = (ADD, SUB, MUL, DIV, POW, ADD_C, SUB_C, RSUB, MUL_C, DIV_C, RDIV, POW_C, RPOW, NEG, EXP,
                         LOG, TANH, SIGMOID, SOFTPLUS, RELU, LEAKY_RELU, ABS, SQRT, SIN, COS, SUM, LINEAR,
                         LINEAR_C)
"""Every built-in operation, once."""
_table_done = True


# ---------------------------------------------------------------------------------------------
# The check of a derivative of an op made after the table: real numbers, one per input, or a clear
# error naming the op. A complex number, ``None``, a list where one number was due, a numpy array or a
# ``Value`` returned from floats would otherwise corrupt ``.grad`` silently.


def _result_error(op: Op, r: Any, on_floats: bool) -> BadDerivativeError:
    """The error for a derivative value ``r`` that is not a real number, with a hint at the likely cause."""
    if isinstance(r, complex):
        hint = ("it left the real numbers (a negative base to a fractional power, cmath?); return a float, "
                "or raise ValueError where the op is not defined")
    elif r is None:
        hint = "return a float (did the derivative forget its return statement?)"
    elif on_floats and hasattr(r, "_operation"):  # a Value node
        hint = ("it was given floats (an ordinary backward()) but returned a Value: compute it from its inputs, "
                "or use .data of a Value it closes over")
    elif hasattr(r, "shape"):
        hint = "return a float: for a numpy result use float(...) or .item()"
    elif isinstance(r, (list, tuple)):
        hint = "return one float per input" + (" (this op has one input: a float, not a sequence)"
                                               if op.arity == 1 else "")
    else:
        hint = "return a float"
    return BadDerivativeError(f"op {op.name!r}: its derivative returned {describe(r)} of type {type(r).__name__}, "
                              f"not a real number; {hint}")


def _real(op: Op, r: Any, on_floats: bool) -> Any:
    """A derivative's value as a Python float (numpy real scalars too); a node where nodes came in."""
    if type(r) is float:
        return r
    if isinstance(r, numbers.Real) and not isinstance(r, bool):
        return as_number(r, f"op {op.name!r}: its derivative returned")  # 10**400: a clear OverflowError
    if not on_floats and hasattr(r, "_operation"):  # a Value node: a differentiable gradient
        return r
    raise _result_error(op, r, on_floats)


def checked_deriv(op: Op, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` as ``op.deriv``, with its results checked: real numbers (stored as Python floats), one per
    input; ``Value`` nodes only when it was given nodes (a differentiable gradient). Used for every op
    made outside this table (users' ``Op(...)`` and ``@op``); the table's own derivatives are not wrapped.
    ``autograd.custom`` registers it in ``ops._check`` on import."""

    def deriv(*args: Any) -> Any:
        r = fn(*args)
        on_floats = type(args[-2]) is float  # y: v.data in backward(), the node v in grad(create_graph=True)
        if op.arity == 1:
            return _real(op, r, on_floats)
        n = 2 if op.arity == 2 else len(args[0])
        if type(r) not in (tuple, list):
            raise _result_error(op, r, on_floats)
        if len(r) != n:
            raise BadDerivativeError(f"op {op.name!r} returned {len(r)} derivative(s) for {n} input(s): "
                                     f"{describe(r)}; return one ∂y/∂x_i per input, in order")
        out = [_real(op, d, on_floats) for d in r]
        return tuple(out) if op.arity == 2 else out

    deriv.__wrapped__ = fn  # type: ignore[attr-defined]
    return deriv


