"""The JavaScript of every op in the table: a third spelling of each forward and local derivative.

The live page runs the forward and the backward pass in the browser, so each op of
``autograd.ops.TABLE`` is written once more, as JavaScript source text, beside its Python entry's
meaning (as ``autograd.compiler.templates`` writes the commonest ones as Python). A template is
held to the table: tests/playground/test_playground_browser.py runs every op's template in Chromium at random
points of the op's domain and at its edges, and compares with ``op.forward`` and ``op.deriv``
(≤ 1e-12 relative; JavaScript's ``Math`` functions may differ from C's in the last bit, and errors
must be raised where Python raises them, with Python's message). tests/playground/test_playground.py fails
when a table op has no template here.

Each template is the body of a JavaScript function:

* ``FORWARD[op]``: an expression of ``x`` (the array of input values) and ``c`` (the op's constant:
  a number, an array of numbers for ``linear_c``, or null) giving y;
* ``DERIV[op]``: an expression of ``x``, ``y`` and ``c`` giving the array of local derivatives
  ∂y/∂x_i, one per input, in input order;
* ``ORDER[op]`` (optional): an expression of ``n`` giving the order in which ``backward()`` adds
  into the inputs' gradients (``linear``'s fast path interleaves w_0, x_0, w_1, x_1, …, b).

``py.*`` are the runtime's copies of ``autograd.operators`` (``runtime.js``): the same domain
checks raising the same errors, the same stable formulas. Only this module's text reaches the
page's script; nothing a user typed does (their labels and numbers travel as JSON data).
"""

from __future__ import annotations

from autograd import ops
from autograd.errors import DeltagradError
from autograd.ops import Op

FORWARD: dict[Op, str] = {
    ops.ADD: "x[0] + x[1]",
    ops.SUB: "x[0] - x[1]",
    ops.MUL: "x[0] * x[1]",
    ops.DIV: "py.divide(x[0], x[1])",
    ops.POW: "py.power(x[0], x[1])",
    ops.ADD_C: "x[0] + c",
    ops.SUB_C: "x[0] - c",
    ops.RSUB: "c - x[0]",
    ops.MUL_C: "x[0] * c",
    ops.DIV_C: "py.divide(x[0], c)",
    ops.RDIV: "py.divide(c, x[0])",
    ops.POW_C: "py.power(x[0], c)",
    ops.RPOW: "py.power(c, x[0])",
    ops.NEG: "-x[0]",
    ops.EXP: "py.exp(x[0])",
    ops.LOG: "py.log(x[0])",
    ops.TANH: "Math.tanh(x[0])",
    ops.SIGMOID: "py.sigmoid(x[0])",
    ops.SOFTPLUS: "py.softplus(x[0])",
    ops.RELU: "x[0] <= 0 ? 0 : x[0]",  # NaN gives NaN, as operators.relu
    ops.LEAKY_RELU: "x[0] > 0 ? x[0] : c * x[0]",
    ops.ABS: "Math.abs(x[0])",
    ops.SQRT: "py.sqrt(x[0])",
    ops.SIN: "py.sin(x[0])",
    ops.COS: "py.cos(x[0])",
    ops.SUM: "py.total(x)",
    ops.LINEAR: "py.linear(x)",
    ops.LINEAR_C: "py.linearC(x, c)",
}
"""y = f(inputs), as ``op.forward`` computes it (same order of additions, same domain errors)."""

DERIV: dict[Op, str] = {
    ops.ADD: "[1, 1]",  # ∂y/∂a = 1, ∂y/∂b = 1
    ops.SUB: "[1, -1]",  # ∂y/∂a = 1, ∂y/∂b = −1
    ops.MUL: "[x[1], x[0]]",  # ∂y/∂a = b, ∂y/∂b = a
    ops.DIV: "[1 / x[1], -y / x[1]]",  # ∂y/∂a = 1/b, ∂y/∂b = −y/b
    ops.POW: "[py.dPower(x[0], x[1]), py.dPowExponent(x[0], y)]",  # b·aᵇ⁻¹, aᵇ·ln a
    ops.ADD_C: "[1]",
    ops.SUB_C: "[1]",
    ops.RSUB: "[-1]",
    ops.MUL_C: "[c]",
    ops.DIV_C: "[1 / c]",
    ops.RDIV: "[-y / x[0]]",  # −c/x² = −y/x
    ops.POW_C: "[py.dPower(x[0], c)]",  # n·xⁿ⁻¹
    ops.RPOW: "[py.dExponent(c, y)]",  # cˣ·ln c
    ops.NEG: "[-1]",
    ops.EXP: "[y]",  # eᶻ = y
    ops.LOG: "[1 / x[0]]",  # 1/z
    ops.TANH: "[1 - y * y]",  # 1 − y²
    ops.SIGMOID: "[y * (1 - y)]",  # y(1 − y)
    ops.SOFTPLUS: "[py.sigmoid(x[0])]",  # σ(z)
    ops.RELU: "[x[0] <= 0 ? 0 : 1]",  # 1 for z > 0 (and NaN, as PyTorch), else 0
    ops.LEAKY_RELU: "[x[0] > 0 ? 1 : c]",  # 1 for z > 0, else slope
    ops.ABS: "[py.sign(x[0])]",  # sign z (0 at z = 0)
    ops.SQRT: "[y !== 0 ? 0.5 / y : Infinity]",  # 1/(2y)
    ops.SIN: "[py.cos(x[0])]",  # cos z
    ops.COS: "[-py.sin(x[0])]",  # −sin z
    ops.SUM: "py.ones(x.length)",  # ∂y/∂x_i = 1
    ops.LINEAR: "py.dLinear(x)",  # x_i for w_i, w_i for x_i, 1 for b
    ops.LINEAR_C: "py.dLinearC(c)",  # x_i for w_i, 1 for b
}
"""The local derivatives, as ``op.deriv`` returns them (one per input, in input order)."""

ORDER: dict[Op, str] = {ops.LINEAR: "py.linearOrder(n)"}
"""Ops whose inputs' gradients ``backward()`` fills in another order than the inputs' (its fast path)."""

KEYS: dict[Op, str] = {op: name for name, op in vars(ops).items() if isinstance(op, Op) and op in ops.TABLE}
"""Each table op by its name in ``autograd.ops`` (``MUL_C``): how the page's data names its op."""


class NoTemplateError(DeltagradError, TypeError):
    """A node's op has no JavaScript template (a user's ``@op``, a micrograd-style closure)."""


def missing(table: tuple[Op, ...] = ops.TABLE) -> list[str]:
    """The table ops without a forward or a derivative template (empty when every op has both)."""
    return [f"{KEYS.get(op, op.name)} ({op.name!r})" for op in table if op not in FORWARD or op not in DERIV]


def js_table(used: list[Op]) -> str:
    """``var OPS = {...}``: the JavaScript of the ``used`` ops, from their templates."""
    lines = []
    for op in used:
        order = f", order: function (n) {{ return {ORDER[op]}; }}" if op in ORDER else ""
        lines.append(f'  "{KEYS[op]}": {{f: function (x, c) {{ return {FORWARD[op]}; }}, '
                     f"d: function (x, y, c) {{ return {DERIV[op]}; }}{order}}}")
    return "var OPS = {\n" + ",\n".join(lines) + "\n};\n"
