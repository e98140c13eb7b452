"""Random expression trees over a few variables (hypothesis strategies), built on ``Value`` nodes or sympy.

A tree applies the shared op cases (``tests/support/op_cases.py``: every op of the table). It is built twice
from one description — once with ``Value`` nodes, once with sympy symbols — so any engine, checker or
compiler can be compared with an independent oracle. Domains stay valid by construction (log and sqrt see
e·e + 1 > 0, denominators are v·v + 1); ``engine_gradients`` skips points near a kink or where values grow huge.
"""

from __future__ import annotations

import math
from typing import Any

import sympy
from hypothesis import strategies as st

import autograd
from autograd import Value
from tests.support import op_cases

NAMES = ("x", "y", "z")
SYMBOLS = sympy.symbols(NAMES, real=True)


# Each tree node applies one shared op case (``tests/op_cases.py``): on Values its ``build``, on sympy
# its hand-written oracle. An input that must stay positive or non-zero gets e·e + 1 instead of e;
# the inputs of a kinked op are remembered, so that points near the kink can be skipped.
CASES = op_cases.CASES
SAFE = "+0"  # kinds of input that get e·e + 1


def apply(case: op_cases.Case, args: list[Any], symbolic: bool, kinks: list[float]) -> Any:
    args = [a * a + 1 if k in SAFE else a for a, k in zip(args, case.kinds, strict=True)]
    if symbolic:
        return case.sym(*args)
    kinks.extend(a.data for a, k in zip(args, case.kinds, strict=True) if k == "k")
    return case.build(*args)


Tree = tuple[Any, ...]

leaves = st.sampled_from(NAMES).map(lambda name: ("var", name))


def node(index: int, children: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
    return st.tuples(st.just("op"), st.just(index), *[children] * CASES[index].n)


trees: st.SearchStrategy[Tree] = st.recursive(
    leaves,
    lambda children: st.integers(0, len(CASES) - 1).flatmap(lambda i: node(i, children)),
    max_leaves=10,
)
points = st.tuples(*[st.floats(-2.0, 2.0, allow_nan=False) for _ in NAMES])


def build(tree: Tree, symbolic: bool, env: dict[str, Any], kinks: list[float]) -> Any:
    if tree[0] == "var":
        return env[tree[1]]
    args = [build(t, symbolic, env, kinks) for t in tree[2:]]
    return apply(CASES[tree[1]], args, symbolic, kinks)


def engine_gradients(tree: Tree, point: tuple[float, ...]) -> tuple[Value, dict[str, Value]] | None:
    """The tree on Values with backward() done, or None where the point is not a fair test."""
    kinks: list[float] = []
    env = {name: Value(x, label=name) for name, x in zip(NAMES, point, strict=True)}
    try:
        root = build(tree, False, env, kinks)
    except OverflowError:
        return None
    if any(abs(k) < 1e-6 for k in kinks):
        return None
    if any(not math.isfinite(v.data) or abs(v.data) > 1e6 for v in autograd.walk(root)):
        return None
    root.backward()
    return root, env
