"""detect_anomaly(): the first NaN/∞, forward or backward, raises naming the op, label, values and line.

Expected line numbers are read from this file's own source (the line holding a marker comment),
so the test states where the node was made independently of how the engine finds it.
"""

from __future__ import annotations

import math
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings

import autograd
from autograd import AnomalyError, Value, detect_anomaly, hooks, modes, no_grad
from autograd.modes import is_anomaly_enabled, site_of
from nn import MLP
from tests.support.trees import engine_gradients, points, trees

HERE = Path(__file__).resolve()
LINES = HERE.read_text(encoding="utf-8").splitlines()


def line_of(marker: str) -> str:
    """``file:line`` of the one line of this file ending with ``# <marker>``."""
    found = [i + 1 for i, text in enumerate(LINES) if text.rstrip().endswith(f"# {marker}")]
    assert len(found) == 1, marker
    return f"{HERE}:{found[0]}"


def test_sqrt_at_zero_times_zero_is_nan_in_backward_and_named() -> None:
    # y = √x · 0 at x = 0: forward 0 · 0 = 0 is finite; backward passes 0 · ∂√x/∂x = 0 · ∞ = NaN into x.
    x = Value(0.0, "x")
    with detect_anomaly():
        r = x.sqrt()  # made-sqrt
        r.label = "root"
        y = r * 0.0
        with pytest.raises(AnomalyError) as info:
            y.backward()
    e = info.value
    assert isinstance(e, ArithmeticError) and e.phase == "backward" and e.node is r
    text = str(e)
    assert "'sqrt'" in text and "'root'" in text and "0.0 · inf = nan" in text and "x = 0.0" in text
    assert e.site == line_of("made-sqrt") and line_of("made-sqrt") in text
    assert all(v._pending == 0 for v in autograd.walk(y))  # no half-counted node left behind


def test_without_the_block_the_nan_flows_silently_as_before() -> None:
    x = Value(0.0)
    y = x.sqrt() * 0.0
    y.backward()
    assert math.isnan(x.grad)


def test_an_infinite_forward_value_raises_where_it_is_made() -> None:
    a = Value(1e200, "a")
    with detect_anomaly(), pytest.raises(AnomalyError) as info:
        b = a * 3.0
        b * a  # made-inf
    e = info.value
    assert e.phase == "forward" and e.site == line_of("made-inf")
    assert "forward value inf at node '*'" in str(e) and "a = 1e+200" in str(e) and "y = a·b" in str(e)


def test_nan_from_infinities_in_forward() -> None:
    big = Value(math.inf, "big")
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"forward value nan at node '-'.*big = inf, big = inf"):
        big - big


def test_an_overflowing_gradient_sum_is_named() -> None:
    # y = 1e308·x + 1e308·x at x = 1e-300: both products finite, ∂y/∂x = 1e308 + 1e308 = inf.
    x = Value(1e-300, "x")
    with detect_anomaly():
        y = x * 1e308 + x * 1e308
        with pytest.raises(AnomalyError, match=r"input #0's gradient sum inf \(overflow\)"):
            y.backward()


def test_a_gradient_too_large_for_a_float() -> None:
    # y = c·x with c = 1e200, seed 1e200: ∂L/∂x = 1e200 · 1e200 = inf.
    x = Value(1.0, "x")
    with detect_anomaly():
        y = x * 1e200  # made-big
        with pytest.raises(AnomalyError, match=r"1e\+200 · 1e\+200 = inf") as info:
            y.backward(1e200)
    assert info.value.site == line_of("made-big")


def test_the_site_is_the_users_line_even_through_nn() -> None:
    model = MLP(2, [2, 1], seed=0)
    with detect_anomaly():
        out = model.layers[1].forward(model.layers[0].forward([0.5, -0.2]))[0]  # made-by-model
        assert site_of(out) == line_of("made-by-model")
        assert all(site_of(v) == line_of("made-by-model") for v in autograd.walk(out) if not v.is_leaf)


def test_state_is_restored_on_exit_and_nesting_works() -> None:
    assert not is_anomaly_enabled() and modes.state.off[0] == 0 and hooks.observers == 0

    @detect_anomaly()
    def inner() -> Value:
        assert is_anomaly_enabled()
        return Value(2.0) * 3

    with detect_anomaly():
        v = inner()
        assert is_anomaly_enabled() and site_of(v) is not None  # the outer block keeps the table
    assert not is_anomaly_enabled() and modes.state.off[0] == 0 and hooks.observers == 0
    assert site_of(v) is None  # the table was dropped with the block


def test_it_is_per_thread() -> None:
    results: list[float] = []

    def elsewhere() -> None:
        results.append((Value(math.inf) - math.inf).data)  # no anomaly mode in this thread

    with detect_anomaly():
        t = threading.Thread(target=elsewhere)
        t.start()
        t.join()
    assert len(results) == 1 and math.isnan(results[0])


def test_no_grad_inside_anomaly_mode_still_checks_values() -> None:
    with detect_anomaly(), no_grad():
        y = Value(2.0) * 3
        assert y.is_leaf
        with pytest.raises(AnomalyError):
            Value(math.inf) * 0.0


def test_closures_and_ruleless_nodes_inside_anomaly_mode() -> None:
    x = Value(2.0, "x")
    with detect_anomaly():
        out = Value(x.data * 3, (x,), "triple")

        def _backward() -> None:
            x.grad += math.inf * out.grad

        out._backward = _backward
        with pytest.raises(AnomalyError, match="closure left input #0 with gradient inf"):
            (out * 1.0).backward()
        bare = Value(1.0, (x,), "tagged") * 2
        with pytest.raises(autograd.backprop.MissingDerivativeError, match="'tagged'"):
            bare.backward()


@settings(max_examples=60, deadline=None)
@given(trees, points)
def test_the_observed_walk_gives_the_same_gradients(tree: Any, point: tuple[float, ...]) -> None:
    plain = engine_gradients(tree, point)
    assume(plain is not None)
    assert plain is not None
    with detect_anomaly():
        again = engine_gradients(tree, point)
    assert again is not None
    (_, env1), (_, env2) = plain, again
    assert {n: v.grad for n, v in env1.items()} == {n: v.grad for n, v in env2.items()}
