"""The compiler's inline templates against the op table, bit for bit, and every table op compiled.

``autograd/compiler/templates.py`` spells the forward and derivative of the commonest ops a second
time, as code. Each template is evaluated here on ordinary, zero, signed-zero, tiny, huge, infinite
and NaN inputs and compared with ``op.forward`` and ``g * op.deriv(...)`` (what ``backward()``
adds): the same float, or the same exception type. Every op of ``ops.TABLE`` is then compiled in a
small graph and its gradients compared with ``backward()``'s.
"""

from __future__ import annotations

import itertools
import math
import struct
from typing import Any

import pytest

import autograd
from autograd import Value, engine, ops
from autograd.compiler import templates
from autograd.graph import call_deriv

VALUES = (0.0, -0.0, 0.7, -2.25, 1.5, 3.1, 1e-300, 1e300, math.inf, -math.inf, math.nan)
SEEDS = (1.0, -0.5, 0.3, -1.7, 0.0, math.inf, math.nan)
CONSTANTS = (2.0, -1.5, 0.5, 1.0, 0.0, 3.0)


def same(a: Any, b: Any) -> bool:
    """The same float bit for bit (any NaN matches any NaN)."""
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or struct.pack("<d", a) == struct.pack("<d", b)
    return type(a) is type(b) and a == b


def takes_constant(op: ops.Op) -> bool:
    return "{c}" in op.template or op.tag is not None


def literal(c: float) -> str:
    return repr(c) if c >= 0 or c != c else f"({c!r})"


def evaluate(template: str, xs: tuple[float, ...], c: Any, **extra: Any) -> Any:
    """A template's expression on these inputs (our own test text, compiled as the generator does)."""
    names = [f"a{i}" for i in range(len(xs))]
    fields = {k: f"_{k}" for k in extra}
    expr = template.format(*names, c=literal(c) if c is not None else "None", **fields)
    ns: dict[str, Any] = {**templates.HELPERS, **{f"_{k}": v for k, v in extra.items()}}
    exec(compile(f"def _f({', '.join(names)}):\n    return {expr}\n", "<test>", "exec"), ns)
    return ns["_f"](*xs)


def outcome(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except Exception as e:  # the type is what must agree
        return type(e)


def cases(op: ops.Op) -> list[tuple[tuple[float, ...], Any]]:
    counts = [1, 3, 5] if op.arity == 0 else [op.arity]
    out = []
    for n in counts:
        pool = VALUES if n <= 2 else (0.0, -0.0, 0.7, -2.25, math.inf, math.nan)
        combos = itertools.product(pool, repeat=n) if n <= 3 else [tuple(pool[(i + k) % len(pool)]
                                                                         for i in range(n)) for k in range(12)]
        for xs in combos:
            for c in (CONSTANTS if takes_constant(op) else (None,)):
                out.append((xs, c))
    return out


@pytest.mark.parametrize("op", ops.TABLE, ids=lambda op: f"{op.name}:{op.doc[:12]}")
def test_every_template_equals_the_table_bit_for_bit(op: ops.Op) -> None:
    checked = 0
    for xs, c in cases(op):
        forward = templates.forward_of(op, len(xs))
        args = (*xs, c) if c is not None else xs
        expected = outcome(op.forward, *args)
        if forward is not None:
            got = outcome(evaluate, forward, xs, c)
            assert same(got, expected) or got == expected, (op, xs, c, got, expected)
            checked += 1
        if not isinstance(expected, float):
            continue
        terms = templates.backward_of(op, len(xs), c)
        if terms is None:
            continue
        assert sorted(i for i, _ in terms) == list(range(len(xs)))  # each input once
        derivs = outcome(call_deriv, op, list(xs), expected, c)
        for g in SEEDS:
            for i, term in terms:
                extra = {"cm1": c - 1.0} if "{cm1}" in term else {}
                t = term.replace("{g}", "_g").replace("{y}", "_y")
                got = outcome(evaluate, t, xs, c, g=g, y=expected, **extra)
                want = outcome(float.__mul__, g, derivs[i]) if isinstance(derivs, list) else derivs
                assert same(got, want) or got == want, (op, xs, c, g, i, got, want)
                checked += 1
    assert checked or templates.covered(op) == "called"


def test_every_table_op_is_inline_or_called() -> None:
    kinds = {op: templates.covered(op) for op in ops.TABLE}
    assert set(kinds.values()) <= {"inline", "forward inline", "derivative inline", "called"}
    assert set(templates.FORWARD) <= set(ops.TABLE) and set(templates.BACKWARD) <= set(ops.TABLE)
    for op in (ops.ADD, ops.MUL, ops.SUB, ops.LINEAR, ops.RELU, ops.TANH, ops.EXP, ops.MUL_C):
        assert kinds[op] == "inline", op  # the ops most nodes are made of


def node_of(op: ops.Op, xs: list[Value], c: Any) -> Value:
    """One node of ``op`` on leaves ``xs``, recorded as the engine records it."""
    if c is not None and op.arity == 0:  # linear_c: the constant is the tuple of inputs x_i
        return engine.make_node(op.forward(*[x.data for x in xs], c), op, tuple(xs), None, c)
    if c is not None:
        return engine.make_node(op.forward(xs[0].data, c), op, xs[0], None, c)
    if op.arity == 0:
        return engine.make_node(op.forward(*[x.data for x in xs]), op, tuple(xs))
    return engine.make_node(op.forward(*[x.data for x in xs]), op, xs[0], xs[1] if op.arity == 2 else None)


@pytest.mark.parametrize("op", ops.TABLE, ids=lambda op: f"{op.name}:{op.doc[:12]}")
def test_every_table_op_compiles_to_backwards_gradients(op: ops.Op) -> None:
    n = 5 if op.arity == 0 else op.arity
    lo, hi = op.domain
    points = [lo + (hi - lo) * k / (n + 1) for k in range(1, n + 1)]
    c: Any = (op.default if op.default is not None else 2.0) if takes_constant(op) else None
    if op is ops.LINEAR_C:  # parents w_1…w_4, b; the inputs x_i are its constant
        c = (0.75, -2.5, 1.5, 0.25)
    leaves = [Value(x, label=f"p{i}") for i, x in enumerate(points)]

    def fn(s: Value) -> Value:
        return node_of(op, leaves, c) * s

    step = autograd.compile(fn, 1.25, check=0)
    value = step(1.25)
    compiled = [p.grad for p in leaves]
    for p in leaves:
        p.grad = 0.0
    root = fn(Value(1.25))
    root.backward()
    assert same(value, root.data)
    assert all(same(a, p.grad) for a, p in zip(compiled, leaves, strict=True)), (compiled, [p.grad for p in leaves])
