"""The backward loop applies +, * and linear's derivatives inline; they must equal ``op.deriv`` exactly.

``autograd/ops.py`` is the one definition of every derivative. ``backprop._release`` inlines the
three commonest (for speed); these tests would fail if an inline form drifted from its op.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, ops
from autograd.backprop import local_grads

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


def _generic_parent_grads(node: Value, seed: float) -> list[float]:
    """∂L/∂parent = seed · op.deriv(...) for each parent, computed through the op's own deriv."""
    return [seed * d for d in local_grads(node)]


@settings(max_examples=200, deadline=None)
@given(a=finite, b=finite, seed=finite)
def test_add_and_mul_inline_match_their_ops(a: float, b: float, seed: float) -> None:
    for make, op in ((lambda x, y: x + y, ops.ADD), (lambda x, y: x * y, ops.MUL)):
        x, y = Value(a), Value(b)
        out = make(x, y)
        assert out._op is op
        out.backward(seed)
        assert [x.grad, y.grad] == _generic_parent_grads(out, seed)


@settings(max_examples=100, deadline=None)
@given(ws=st.lists(finite, min_size=1, max_size=6), seed=finite, data=st.data())
def test_linear_inline_matches_its_op(ws: list[float], seed: float, data: st.DataObject) -> None:
    xs = data.draw(st.lists(finite, min_size=len(ws), max_size=len(ws)))
    w, x, b = [Value(v) for v in ws], [Value(v) for v in xs], Value(data.draw(finite))
    out = autograd.dot(w, x, b)
    assert out._op is ops.LINEAR
    out.backward(seed)
    assert [p.grad for p in (*w, *x, b)] == _generic_parent_grads(out, seed)
