"""A compiled step refuses the targets its loss refuses eagerly, on every call, with eager code's error.

A loss checks its targets' numbers (hinge wants ±1, every loss finite numbers). While tracing, a
target is a node whose number would make the argument a program key if read, so the loss hands the
check to the program (``autograd.compiler.trace.require``), which runs it on each call's numbers before
anything is added into a gradient.
"""

from __future__ import annotations

import linecache
import math
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

import autograd
import nn

X = [0.5, -0.2]


def _model_and_step(loss: str, check: int = 0) -> tuple[nn.MLP, Callable[..., Any], Any]:
    model = nn.MLP(2, [3, 1], seed=0)
    f = {"hinge": lambda x, t: nn.hinge(model(x), t), "mse": lambda x, t: nn.mse(model(x), t),
         "bce": lambda x, t: nn.bce_with_logits(model(x), t)}[loss]
    return model, f, autograd.compile(f, X, 1.0 if loss != "bce" else 0.0, check=check)


def _one_text(step: Any) -> str:
    """The single-call program's text (compiled on the first single call)."""
    entry: Any = linecache.cache[step._last.filename + "one"]
    return "".join(entry[2])


def _message(call: Callable[[], Any]) -> str:
    with pytest.raises(ValueError) as info:
        call()
    return str(info.value)


@pytest.mark.parametrize(("loss", "target"), [("hinge", 0.5), ("hinge", 2.0), ("hinge", -0.0), ("hinge", math.nan),
                                              ("hinge", math.inf), ("mse", math.inf), ("mse", -math.inf),
                                              ("mse", math.nan), ("bce", 1.5), ("bce", -0.25)])
def test_every_path_refuses_what_eager_code_refuses_with_its_message(loss: str, target: float) -> None:
    model, f, step = _model_and_step(loss)
    ok = 1.0
    step(X, ok)  # the first call compiles the single-call program; the next ones take the fast path
    step(X, ok)
    grads = [p.grad for p in model.parameters()]
    eager = _message(lambda: f(X, target))
    assert "target at position 0" in eager
    for call in (lambda: step(X, target), lambda: step.many([(X, ok), (X, target)]), lambda: step.forward(X, target)):
        assert _message(call) == eager
    assert [p.grad for p in model.parameters()] == grads  # refused before anything was added


def test_a_checked_step_refuses_too_and_good_targets_still_match_eager() -> None:
    model, f, step = _model_and_step("hinge", check=3)
    assert _message(lambda: step(X, 0.5)) == _message(lambda: f(X, 0.5))
    for t in (1.0, -1.0, 1, -1):
        model.zero_grad()
        got = step(X, t)
        mine = [p.grad for p in model.parameters()]
        model.zero_grad()
        loss = f(X, float(t))
        loss.backward()
        assert got == loss.data and mine == [p.grad for p in model.parameters()]


def test_each_element_of_a_list_of_targets_is_checked_at_its_own_position() -> None:
    model = nn.MLP(2, [3, 2], seed=0)

    def f(x: list[Any], ts: list[Any]) -> Any:
        return nn.mse(model(x), ts)

    step = autograd.compile(f, X, [0.0, 0.0], check=0)
    step(X, [0.5, 1.0])
    for bad in ([math.inf, 1.0], [0.5, math.nan]):
        assert _message(partial(step, X, bad)) == _message(partial(f, X, bad))
    assert "position 1" in _message(lambda: step(X, [0.5, math.nan]))


def test_a_target_check_costs_nothing_where_no_loss_checks() -> None:
    x = autograd.Value(1.0)
    step = autograd.compile(lambda a, b: (a * x + b) ** 2, 1.0, 2.0, check=0)
    assert step(3.0, 4.0) == 49.0
    one = _one_text(step)
    assert step._last.arg_checks == [] and "_checks(_args)" not in one  # no check line, no call
    _, _, hinged = _model_and_step("hinge")
    hinged(X, 1.0)
    assert "_checks(_args)" in _one_text(hinged)
