"""Gradient hooks: ``v.register_hook(fn)`` sees ∂L/∂v once it is complete, may replace it, and comes off.

Expected gradients are written out by the chain rule in each test's comment.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

import autograd
from autograd import Value, backprop, hooks
from autograd.hooks import walk
from nn import MLP


@pytest.fixture(autouse=True)
def _no_hooks_left() -> Any:
    yield
    assert hooks.observers == 0 and hooks._hooks == {}


def test_the_hook_gets_the_complete_gradient_once() -> None:
    # z = x·w is used twice: L = z² + 3z, ∂L/∂z = 2z + 3 (the sum of both uses) — called once.
    x, w = Value(1.5, "x"), Value(-2.0, "w")
    z = x * w
    seen: list[float] = []
    with z.register_hook(seen.append):
        (z * z + 3 * z).backward()
    assert seen == [2 * z.data + 3]
    assert x.grad == (2 * z.data + 3) * w.data


def test_a_returned_number_replaces_the_gradient_that_flows_on() -> None:
    # y = tanh(x·w); the hook doubles ∂y/∂z, so ∂y/∂x = 2·(1 − y²)·w and ∂y/∂w = 2·(1 − y²)·x.
    x, w = Value(0.3, "x"), Value(0.8, "w")
    z = x * w
    y = z.tanh()
    handle = z.register_hook(lambda g: 2 * g)
    y.backward()
    handle.remove()
    assert math.isclose(x.grad, 2 * (1 - y.data**2) * w.data, rel_tol=1e-15)
    assert math.isclose(w.grad, 2 * (1 - y.data**2) * x.data, rel_tol=1e-15)
    assert z.grad == 2 * (1 - y.data**2)


def test_hooks_chain_in_order_and_none_keeps_the_gradient() -> None:
    x = Value(2.0)
    y = x * 3.0
    calls: list[tuple[str, float]] = []
    def first(g: float) -> None:
        calls.append(("first", g))

    def third(g: float) -> float:
        calls.append(("third", g))
        return g * 10

    h1 = y.register_hook(first)
    h2 = y.register_hook(lambda g: g + 1.0)
    h3 = y.register_hook(third)
    (y * 1.0).backward()
    for h in (h1, h2, h3):
        h.remove()
    assert calls == [("first", 1.0), ("third", 2.0)] and x.grad == 20.0 * 3.0


def test_a_leaf_hook_gets_this_passes_contribution() -> None:
    # L = x·x + x: ∂L/∂x = 2x + 1 per pass; the leaf already holds 10 from before.
    x = Value(3.0, "x")
    x.grad = 10.0
    seen: list[float] = []

    def seventh(g: float) -> float:
        seen.append(g)
        return g / 7

    with x.register_hook(seventh):
        (x * x + x).backward()
    assert seen == [7.0] and x.grad == 10.0 + 1.0
    (x * x + x).backward()  # the hook is off: plain accumulation again
    assert x.grad == 11.0 + 7.0


def test_hooks_on_the_root_and_on_a_leaf_root() -> None:
    x = Value(2.0)
    y = x * x
    with y.register_hook(lambda g: g * 0.5):
        y.backward(4.0)  # seed 4, halved: ∂/∂x = 2·2x = 8
    assert x.grad == 8.0
    leaf = Value(1.0)
    with leaf.register_hook(lambda g: g + 1):
        leaf.backward(2.0)
    assert leaf.grad == 3.0


def test_remove_takes_it_off_twice_safely_and_the_fast_path_returns(monkeypatch: pytest.MonkeyPatch) -> None:
    x = Value(1.0)
    y = x * 2.0
    seen: list[float] = []
    handle = y.register_hook(seen.append)
    assert hooks.hooks_of(y) == [seen.append] and hooks.observers == 1
    handle.remove()
    handle.remove()
    assert hooks.hooks_of(y) == [] and hooks.observers == 0
    slow: list[Any] = []
    monkeypatch.setattr(backprop, "observed_backward", lambda r, s: slow.append(r))
    (y * 1.0).backward()
    assert seen == [] and slow == [] and x.grad == 2.0  # the ordinary walk, not the observed one


def test_a_hook_returning_something_else_is_named() -> None:
    x = Value(1.0)
    y = x * 2.0
    y.label = "doubled"

    def bad(g: float) -> str:
        return "oops"

    with y.register_hook(bad), pytest.raises(TypeError, match=r"hook 'bad' on node '\*' \(label 'doubled'\)"):
        (y + 1).backward()
    assert y._pending == 0
    with pytest.raises(TypeError, match="register_hook: fn must be a function"):
        y.register_hook(3.0)  # type: ignore[arg-type]


def test_per_layer_gradient_norms_with_hooks() -> None:
    # The use the issue names: ‖∂L/∂(layer outputs)‖ per layer of a small network, collected by hooks.
    model = MLP(2, [3, 1], seed=1)
    hidden = model.layers[0].forward([0.4, -0.7])
    out = model.layers[1].forward(hidden)[0]
    grads: list[float] = []
    handles = [h.register_hook(grads.append) for h in hidden]
    out.backward()
    for handle in handles:
        handle.remove()
    assert grads and math.isclose(math.hypot(*grads), math.hypot(*[h.grad for h in hidden]), rel_tol=1e-15)


def test_walk_module_is_the_one_registered() -> None:
    assert backprop.observed_backward is walk.observed_backward  # backward() calls the observed walk directly
    assert autograd.Value.register_hook.__doc__ and "remove()" in autograd.Value.register_hook.__doc__


def test_a_hook_and_a_label_set_at_once_from_two_threads_are_both_kept() -> None:
    """The label and the hooks share one slot (``_aux``, an ``Extras`` made on first use): a label set
    in one thread while another registers a hook on the same node must not make a second ``Extras``
    over the first, losing the hook (never called: a silently wrong gradient) or the label."""
    import sys
    import threading

    from tests.support.threads import in_threads

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, to hit the window
    try:
        for _ in range(8):
            nodes = [Value(1.0) * Value(2.0) for _ in range(4000)]
            start = threading.Barrier(2)

            def work(k: int, nodes: list[Value] = nodes, start: threading.Barrier = start) -> None:
                start.wait()
                for v in nodes:
                    if k:
                        v.label = "n"
                    else:
                        v.register_hook(lambda g: None)

            assert in_threads(work, 2) == []
            assert [v for v in nodes if len(hooks.hooks_of(v)) != 1 or v.label != "n"] == []
            del nodes
    finally:
        sys.setswitchinterval(interval)
