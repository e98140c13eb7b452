"""``gradcheck(..., fast_mode=True)``: random projections in O(n) evaluations, and still localising.

Planted bugs in custom ops among hundreds of inputs must be caught and pinned to their input and
node; correct graphs (random expressions of every op, by hypothesis) must pass as in the full
check; f is evaluated a constant number of times, not twice per input; threads do not disturb it.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Op, Value, gradcheck
from autograd.checking import GradcheckError
from tests.support.op_cases import CASES, Case

N = 300


def network(bad: dict[int, Op] | None = None) -> Callable[..., Value]:
    """f(x_0 … x_{N−1}) = Σ_i tanh(x_i · x_{i+1}) + Σ_i sin(x_i)/N, with a custom op at some inputs."""
    bad = bad or {}

    def f(*xs: Value) -> Value:
        terms = [(a * b).tanh() for a, b in itertools.pairwise(xs)]
        terms += [bad[i](x) if i in bad else x.sin() * (1.0 / N) for i, x in enumerate(xs)]
        return autograd.sum(terms)

    return f


POINT = [math.sin(1.7 * i) for i in range(N)]
# sin with the derivative's sign flipped, scaled like the network's other sin terms
WRONG = Op("wrong_sin", lambda t: math.sin(t) / N, lambda x, y, c: -math.cos(x) / N)
WORSE = Op("wrong_sin2", lambda t: math.sin(t) / N, lambda x, y, c: 0.0)


def counting(f: Callable[..., Any]) -> tuple[Callable[..., Any], list[int]]:
    calls = [0]

    def g(*xs: Any) -> Any:
        calls[0] += 1
        return f(*xs)

    return g, calls


def test_a_right_network_passes_in_a_constant_number_of_evaluations() -> None:
    f, calls = counting(network())
    report = gradcheck(f, POINT, fast_mode=True, directions=3)
    assert report and [r.name for r in report.rows] == ["∇f·v #1", "∇f·v #2", "∇f·v #3"]
    assert calls[0] <= 1 + 1 + 2 * 3  # the graph, f(x), two per direction
    f2, full_calls = counting(network())
    gradcheck(f2, POINT[:40])
    assert full_calls[0] >= 2 * 40  # the full check: two per input


def test_a_planted_bug_among_hundreds_of_inputs_is_caught_and_localised() -> None:
    f = network({137: WRONG})
    with pytest.raises(GradcheckError) as info:
        gradcheck(f, POINT, fast_mode=True)
    err = info.value
    first = str(err).splitlines()[0]
    assert first.startswith("gradcheck: FAIL #137: analytic") and "first wrong node: wrong_sin" in first
    row = next(r for r in err.rows if r.input == 137)
    # ∂f/∂x_137 = (1 − tanh²(x136 x137))·x136 + (1 − tanh²(x137 x138))·x138 + cos(x137)/N; backward has −cos/N
    x0, x1, x2 = POINT[136], POINT[137], POINT[138]
    right = (1 - math.tanh(x0 * x1) ** 2) * x0 + (1 - math.tanh(x1 * x2) ** 2) * x2 + math.cos(x1) / N
    assert row.status == "FAIL" and row.reference == pytest.approx(right, rel=1e-7)
    assert row.analytic == pytest.approx(right - 2 * math.cos(x1) / N, rel=1e-9)
    assert err.node is not None and err.node.node.operation is WRONG
    assert "localised it to #137 (1 of 300 inputs" in " ".join(str(err).split())


def test_two_planted_bugs_are_both_localised() -> None:
    with pytest.raises(GradcheckError) as info:
        gradcheck(network({12: WORSE, 250: WORSE}), POINT, fast_mode=True)
    failing = sorted(r.input for r in info.value.rows if r.status == "FAIL" and r.input >= 0)
    assert failing == [12, 250]


def test_forward_mode_and_vector_outputs_in_fast_mode() -> None:
    assert gradcheck(network(), POINT[:50], fast_mode=True, modes=("rev", "fwd"))

    def g(x: Value, y: Value, z: Value) -> list[Value]:
        return [x * y, (y * z).tanh(), WRONG(z) * 1.0]

    with pytest.raises(GradcheckError) as info:
        gradcheck(g, [0.4, -1.1, 0.7], fast_mode=True)
    bad = [r for r in info.value.rows if r.status == "FAIL" and r.input >= 0]
    assert [(r.output, r.input, r.name) for r in bad] == [(2, 2, "∂f[2]/∂z")]
    assert info.value.rows[0].name.startswith("uᵀJv")  # a random cotangent on the outputs


def test_fast_mode_at_a_domain_edge_checks_every_input() -> None:
    # √x at 0 along any direction: f raises on one side, so the directional difference can't referee
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x, y: x.sqrt() + y, [0.0, 1.0], fast_mode=True)
    assert {r.input for r in info.value.rows if r.input >= 0} == {0, 1}
    assert "edge of its domain" in " ".join(str(info.value).split())


def test_seed_and_directions_are_checked_and_reproducible() -> None:
    a = gradcheck(network(), POINT[:30], fast_mode=True, seed=3).rows
    b = gradcheck(network(), POINT[:30], fast_mode=True, seed=3).rows
    c = gradcheck(network(), POINT[:30], fast_mode=True, seed=4).rows
    assert a == b and a != c
    for bad in (0, -1, 1.5, True, "3"):
        with pytest.raises(ValueError, match="directions must be a whole number"):
            gradcheck(network(), POINT[:3], fast_mode=True, directions=bad)  # type: ignore[arg-type]


ONE_OP = [c for c in CASES if c.op.kink is None]


@settings(max_examples=40, deadline=None)
@given(case=st.sampled_from(ONE_OP), data=st.data())
def test_fast_and_full_mode_agree_on_every_op(case: Case, data: st.DataObject) -> None:
    xs = [data.draw(s) for s in case.strategies()]
    full = gradcheck(case.build, xs)
    fast = gradcheck(case.build, xs, fast_mode=True)
    assert bool(full) and bool(fast)
    # a planted bug: an identity op whose derivative is 2, not 1, scaled by K = 10(1 + |∂f/∂x_0|):
    # ∂/∂x_0 is off by K, far beyond the tolerance 1e-5 + 1e-3·|∂f/∂x_0 + K|
    bad = Op("identity_bug", lambda t: t, lambda x, y, c: 2.0)
    k = 10.0 * (1.0 + abs(full.rows[0].reference))

    def broken(*vs: Value) -> Value:
        return case.build(*vs) + bad(vs[0]) * k

    with pytest.raises(GradcheckError):
        gradcheck(broken, xs)
    with pytest.raises(GradcheckError):
        gradcheck(broken, xs, fast_mode=True)


def test_threads_checking_at_once_get_their_own_answers() -> None:
    results: dict[int, Any] = {}

    def work(k: int) -> None:
        f = network({k: WRONG}) if k % 2 else network()
        try:
            results[k] = gradcheck(f, POINT[:60], fast_mode=True, seed=k).rows
        except GradcheckError as e:
            results[k] = sorted(r.input for r in e.rows if r.status == "FAIL" and r.input >= 0)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in range(6):
        if k % 2:
            assert results[k] == [k]
        else:
            assert all(r.status == "ok" for r in results[k])
