"""``_one``'s early return (``autograd.compiler.single.dead_below``) against the plain rule, bit for bit.

When ∂L/∂z = ±0 at the first guarded ``linear`` node and below it there are only ``linear`` and
``ReLU`` nodes with every z finite, the single-call program returns after the forward pass instead
of visiting every neuron's guard. Here the same ``_one`` is generated both ways (``early=False``: the
plain rule, every line) and run on the same parameters, from the same gradients (−0.0 included), on
rows chosen to hit the edges: margins met and not, ±0, ±inf and NaN inputs, sums that overflow, zero
seeds. Values and every gradient must agree bit for bit, and with ``backward()``.
"""

from __future__ import annotations

import functools
import linecache
import math
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value
from autograd.compiler.single import one_program
from tests.support.compiled import bits

EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, 1e308, -1e308, math.inf, -math.inf, math.nan, 1e-300, 3.0]


def plain_one(step: Any) -> Any:
    """The step's last program's ``_one`` as the plain rule writes it (no early return)."""
    program = step._last
    text, _ = one_program(program.source, program.leaves, len(program.params), program.shape, program.keyed,
                          early=False)
    assert "dead_below" not in text
    namespace = program.source.namespace
    exec(compile(text.replace("def _one(", "def _plain_one(", 1), "<plain _one>", "exec"), namespace)  # our text
    return namespace["_plain_one"]


def warm(step: Any, *args: Any) -> None:
    for _ in range(step.check + 2):
        step(*args)
    assert step._last._one is not None


def run(fn: Any, params: list[Value], start: list[float]) -> tuple[Any, list[bytes]]:
    for p, g in zip(params, start, strict=True):
        p.grad = g
    try:
        value: Any = bits(fn())
    except Exception as e:  # the same error either way
        value = type(e).__name__
    return value, [bits(p.grad) for p in params]


def compare(step: Any, fn: Any, rows: list[tuple[Any, ...]], seeds: list[float], rng: random.Random) -> None:
    """Each row and seed through the compiled step and the plain-rule _one from the same gradients, −0.0
    among them (where an extra ``+= 0.0`` would show); and, from gradients without −0.0, through backward().

    (From a −0.0 gradient, with an infinite input, the compiled program and backward() can differ in the
    sign of a zero: a local gradient that backward() adds to 0.0 the program assigns. Both ways of the
    program agree there; gradients from zero_grad() are +0.0 and, added to, never become −0.0.)
    """
    plain = plain_one(step)
    params = step.params
    for row in rows:
        for seed in seeds:
            for zeros in ([0.0, -0.0, 0.25], [0.0, 0.25, -3.0]):
                start = [rng.choice(zeros) for _ in params]
                got = run(functools.partial(step, *row, seed=seed), params, start)
                assert got == run(functools.partial(plain, row, seed, True), params, start), (row, seed)
                if any(g == 0.0 and math.copysign(1.0, g) < 0 for g in start):
                    continue
                assert run(functools.partial(backward, fn, row, seed), params, start) == got, (row, seed)


def backward(fn: Any, row: tuple[Any, ...], seed: float) -> float:
    root = fn(*row)
    root.backward(seed)
    return float(root.data)


def hinge_of(m: nn.MLP) -> Any:
    return lambda x, t: nn.hinge(m(x), t)


def model_rows(rng: random.Random, n: int) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for k in range(n):
        if k % 3 == 0:
            x = [rng.choice(EDGES), rng.choice(EDGES)]
        else:
            x = [rng.uniform(-3, 3), rng.uniform(-3, 3)]
        rows.append((x, rng.choice([1.0, -1.0])))
    return rows


def test_micrograds_moons_step_takes_the_early_return_and_matches_the_plain_rule() -> None:
    rng = random.Random(0)
    for trial in range(6):
        m = nn.MLP(2, [8, 8, 1], seed=trial)
        for p in m.parameters()[:: 7]:
            p.data = rng.choice([0.0, -0.0, 1e200])
        f = hinge_of(m)
        step = autograd.compile(f, [0.5, -0.5], 1.0, check=0)
        warm(step, [0.5, -0.5], 1.0)
        assert "dead_below" in linecache_text(step)
        compare(step, f, model_rows(rng, 30), [1.0, 0.01, 0.0, -0.0], rng)


def linecache_text(step: Any) -> str:
    """The text of the step's last ``_one`` (kept in linecache for tracebacks)."""
    lines: list[str] = linecache.getlines(step._last.filename + "one")
    return "".join(lines)


def two_sided(s: Value) -> Value:
    return (s - 2.0).relu() + (-s - 2.0).relu()


def test_a_parameter_in_the_head_and_a_linear_root_match_the_plain_rule() -> None:
    rng = random.Random(1)
    m = nn.MLP(2, [6, 1], seed=3)
    a = Value(0.75, label="a")
    heads = [lambda x, t: (1.0 - t * m(x)).relu() * a,  # a parameter above the cut
             lambda x, t: m(x) * t,
             lambda x, t: m(x),  # the root is the linear node itself: the early return needs a zero seed
             lambda x, t: two_sided(m(x))]  # two ReLUs over one z
    for f in heads:
        step = autograd.compile(f, [0.5, -0.5], 1.0, check=0)
        warm(step, [0.5, -0.5], 1.0)
        assert "dead_below" in linecache_text(step)
        compare(step, f, model_rows(rng, 24), [1.0, 0.0, -0.0], rng)


def test_an_infinite_z_below_a_zero_gradient_runs_every_line() -> None:
    """ReLU(−inf) = 0 hides an infinite z from the loss: backward() still visits that neuron (0 · inf = NaN
    into its weights), and so must the step; the sum of the z's is not finite, so no early return."""
    m = nn.MLP(2, [2, 1], seed=0)
    first = m.layers[0].neurons
    first[0].w[0].data, first[0].w[1].data = 1.0, 0.0
    f = lambda x, t: nn.hinge(m(x), t)
    step = autograd.compile(f, [0.5, -0.5], 1.0, check=0)
    warm(step, [0.5, -0.5], 1.0)
    score = m([-math.inf, 0.5]).data
    t = 1.0 if score > 0 else -1.0
    m.layers[1].neurons[0].b.data += 10.0 * t  # the margin met: ∂L/∂score = 0
    compare(step, f, [([-math.inf, 0.5], t)], [1.0], random.Random(2))
    step([-math.inf, 0.5], t)  # (after compare the gradients are what backward() gave: NaN somewhere)
    assert any(math.isnan(p.grad) for p in first[0].w)


def test_no_early_return_where_a_line_below_could_add_something() -> None:
    """Where the rule cannot vouch for every line below the first linear node, the program has no early
    return: a hidden ReLU that also feeds the loss, a ReLU of a parameter, tanh neurons, several outputs."""
    rng = random.Random(3)
    w = [Value(0.5), Value(-0.25)]
    b, u, c = Value(0.1), Value(0.3), Value(-0.2)
    hidden = lambda x: autograd.dot(w, x, b).relu()
    big = Value(3.0)

    def shared(x: list[Value], t: float) -> Value:  # a hidden ReLU feeds the output neuron and the loss
        h = hidden(x)
        return (1.0 - t * autograd.dot([big], [h], c)).relu() + h.relu()  # margins met for most h > 0.4

    cases = [
        shared,
        lambda x, t: (1.0 - t * autograd.dot([u], [hidden(x)], c)).relu() + hidden(x) * 0.5,  # y feeds the loss
        lambda x, t: (1.0 - t * autograd.dot([u.relu()], [x[0]], c)).relu(),  # ReLU of a parameter
    ]
    tanh = nn.MLP(2, [4, 1], activation="tanh", seed=1)
    cases.append(lambda x, t: nn.hinge(tanh(x), t))
    multi = nn.MLP(2, [4, 3], seed=1)
    cases.append(lambda x, t: nn.cross_entropy(multi(x), int(t > 0)))
    for f in cases[:4]:
        step = autograd.compile(f, [0.5, -0.5], 1.0, check=0)
        warm(step, [0.5, -0.5], 1.0)
        assert "dead_below" not in linecache_text(step)
        compare(step, f, model_rows(rng, 24), [1.0, 0.0], rng)
    step = autograd.compile(lambda x: nn.cross_entropy(multi(x), 1), [0.5, -0.5], check=0)
    warm(step, [0.5, -0.5])
    assert "dead_below" not in linecache_text(step)


@pytest.mark.parametrize("width", [3, 260])
def test_wide_layers_sum_their_zs_over_several_lines(width: int) -> None:
    rng = random.Random(width)
    m = nn.MLP(2, [width, 1], seed=width)
    f = lambda x, t: nn.hinge(m(x), t)
    step = autograd.compile(f, [0.5, -0.5], 1.0, check=0)
    warm(step, [0.5, -0.5], 1.0)
    text = linecache_text(step)
    assert "dead_below" in text and (text.count("_s = _s + ") == (width + 1 - 1) // 200)
    compare(step, f, model_rows(rng, 10), [1.0], rng)


numbers = st.one_of(st.sampled_from(EDGES), st.floats(-4, 4))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=1, max_size=3), st.integers(0, 2), st.integers(0, 10**6),
       st.lists(st.tuples(st.lists(numbers, min_size=2, max_size=2), st.sampled_from([1.0, -1.0])), min_size=1,
                max_size=6))
def test_random_relu_networks_and_rows_match_the_plain_rule(hidden: list[int], head: int, seed: int,
                                                             rows: list[tuple[list[float], float]]) -> None:
    """Random ReLU MLPs (random weights, a tenth of them ±0 or huge), three heads, edge rows: the step
    with the early return, the plain rule and backward() agree bit for bit."""
    rng = random.Random(seed)
    m = nn.MLP(2, [*hidden, 1], seed=seed)
    for p in m.parameters():
        if rng.random() < 0.1:
            p.data = rng.choice([0.0, -0.0, 1e200, -3.0])
    f = [hinge_of(m), lambda x, t: m(x) * t, lambda x, t: two_sided(m(x))][head]
    step = autograd.compile(f, [0.5, -0.5], 1.0, check=0)
    warm(step, [0.5, -0.5], 1.0)
    assert "dead_below" in linecache_text(step)
    compare(step, f, [(x, t) for x, t in rows], [1.0, 0.0], rng)
