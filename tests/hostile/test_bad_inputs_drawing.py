"""A drawing never shows another operation than the one computed: every constant reads back exactly.

Before the fix an op's label wrote its constant in 6 significant digits, so ``x ** 2.0000001`` was
drawn as ``**2`` (its ``_op`` was right) and ``x * 0.1000001`` as ``* 0.1``. Now each constant is the
shortest text that reads back as the same float (Python's ``repr``, integers without ``.0``). For
every op of the table that shows a constant and for hostile constants (tiny, huge, subnormal,
−0.0, nearly-integers), the label in ``draw_dot``'s source, in ``explain`` and in the step-through
page is parsed back and compared bit for bit.
"""

from __future__ import annotations

import math
import random
import re
import struct
from collections.abc import Callable

import pytest

import autograd
from autograd import Value, draw_dot, explain, ops

CONSTANTS = [2.0000001, 0.1 + 0.2, 1 / 3, 1e-300, 5e-324, 1.7976931348623157e308, -0.0, 1e16 + 2, 2.0 ** 60,
             123456789.123, -2.5, 0.1, 3.0, 1e-7, 0.30000000000000004, -7.000000000000001]
rng = random.Random(6)
CONSTANTS += [rng.uniform(-10, 10) for _ in range(10)] + [10.0 ** rng.uniform(-30, 30) for _ in range(10)]

Build = Callable[[Value, float], Value]
BUILDS: list[tuple[ops.Op, Build]] = [
    (ops.ADD_C, lambda x, c: x + c), (ops.ADD_C, lambda x, c: c + x), (ops.SUB_C, lambda x, c: x - c),
    (ops.RSUB, lambda x, c: c - x), (ops.MUL_C, lambda x, c: x * c), (ops.MUL_C, lambda x, c: c * x),
    (ops.DIV_C, lambda x, c: x / c), (ops.RDIV, lambda x, c: c / x), (ops.POW_C, lambda x, c: x ** c),
    (ops.RPOW, lambda x, c: abs(c) ** x), (ops.LEAKY_RELU, lambda x, c: x.leaky_relu(c)),
]


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def test_every_table_op_that_shows_a_constant_is_covered() -> None:
    shown = {op for op in ops.TABLE if "{c}" in op.template}
    assert shown == {op for op, _ in BUILDS}


def _constant_in(text: str, op: ops.Op) -> float:
    """The constant written in ``op``'s label ``text`` (the template with {c} as a number)."""
    pattern = re.escape(op.template).replace(re.escape("{c}"), r"([-+0-9.einf]+)")
    m = re.search(pattern, text)
    assert m is not None, (op.template, text)
    return float(m.group(1))


@pytest.mark.parametrize("c", CONSTANTS, ids=repr)
@pytest.mark.parametrize(("op", "build"), BUILDS, ids=[f"{op.template}#{i}" for i, (op, _) in enumerate(BUILDS)])
def test_the_drawn_constant_reads_back_as_the_computed_one(op: ops.Op, build: Build, c: float) -> None:
    x = Value(1.25, label="x")
    try:
        y = build(x, c)
    except (ArithmeticError, ValueError):
        pytest.skip("not defined for this constant")
    computed = autograd.graph.constant_of(y)
    assert autograd.graph.operation_of(y) is op
    for text in (draw_dot(y).source, str(explain(y))):
        assert bits(_constant_in(text, op)) == bits(computed), (text, computed)


def test_the_issues_example_shows_its_exponent() -> None:
    y = Value(1.5, label="x") ** 2.0000001
    src = draw_dot(y).source
    assert "**2.0000001" in src and "**2>" not in src
    assert y._op == "**2.0000001"


def test_the_step_through_page_shows_the_exact_constant(tmp_path: object) -> None:
    y = (Value(1.5, label="x") * 0.1000001).tanh()
    page = autograd.step_through(y)
    html = page._repr_html_() if hasattr(page, "_repr_html_") else str(page)
    assert "0.1000001" in html


def test_negative_zero_keeps_its_sign_in_the_label_and_the_tag() -> None:
    y = Value(2.0) * -0.0
    assert math.copysign(1.0, y.data) < 0
    assert "* -0.0" in draw_dot(y).source
