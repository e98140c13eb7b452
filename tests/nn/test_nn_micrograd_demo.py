"""micrograd's demo code runs unchanged on our nn + autograd, and gives micrograd's gradients.

The demo (micrograd's ``demo.ipynb``): moons with labels ±1 as numpy integers, ``model(x)`` over
``list(map(Value, xrow))``, the loss ``(1 + -yi*scorei).relu()`` averaged with
``sum(losses) * (1.0 / len(losses))``, the penalty ``alpha * sum((p*p for p in model.parameters()))``,
and the update ``p.data -= learning_rate * p.grad``. Below it is written once and run against both
engines from the same initial weights (``random.seed(1337)``), step by step.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

import nn
from autograd import Value

micrograd_nn = pytest.importorskip("micrograd.nn")
micrograd_engine = pytest.importorskip("micrograd.engine")


def demo_loss(model: Any, Value: Any, X: np.ndarray, y: np.ndarray) -> tuple[Any, float]:
    """micrograd's demo ``loss()``, full batch, as written there."""
    inputs = [list(map(Value, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    alpha = 1e-4
    reg_loss = alpha * sum((p * p for p in model.parameters()))  # noqa: UP034  (the demo's text)
    total_loss = data_loss + reg_loss
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores, strict=True)]
    return total_loss, sum(accuracy) / len(accuracy)


def demo_steps(model: Any, Value: Any, X: np.ndarray, y: np.ndarray, steps: int) -> list[tuple[float, list[float]]]:
    """The demo's optimisation loop; records (loss, every parameter's grad) at each step."""
    record = []
    for k in range(steps):
        total_loss, _acc = demo_loss(model, Value, X, y)
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        record.append((float(total_loss.data), [float(p.grad) for p in model.parameters()]))
        for p in model.parameters():
            p.data -= learning_rate * p.grad
    return record


@pytest.fixture(scope="module")
def moons() -> tuple[np.ndarray, np.ndarray]:
    X, y = nn.moons(30, noise=0.1, seed=1)
    return np.array(X), np.array(y) * 2 - 1  # numpy integer labels ±1, as the demo's y*2 - 1


def test_demo_code_runs_unchanged_and_matches_micrograd(moons: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = moons
    assert y.dtype.kind == "i"
    random.seed(1337)
    theirs = micrograd_nn.MLP(2, [16, 16, 1])
    random.seed(1337)
    ours = nn.MLP(2, [16, 16, 1])  # same draws from the global generator: the same initial weights
    expected = demo_steps(theirs, micrograd_engine.Value, X, y, steps=3)
    got = demo_steps(ours, Value, X, y, steps=3)
    for (loss_t, grads_t), (loss_o, grads_o) in zip(expected, got, strict=True):
        assert abs(loss_o - loss_t) <= 1e-12
        assert max(abs(a - b) for a, b in zip(grads_o, grads_t, strict=True)) <= 1e-12
        assert any(g != 0.0 for g in grads_o)
    assert [p.data for p in ours.parameters()] == pytest.approx([float(p.data) for p in theirs.parameters()],
                                                                abs=1e-12)


def test_nn_api_gradients_equal_micrograds_on_copied_weights(moons: tuple[np.ndarray, np.ndarray]) -> None:
    """Our few-node loss (hinge + l2) has micrograd's gradients on the same weights, to 1e-12."""
    X, y = moons
    random.seed(7)
    theirs = micrograd_nn.MLP(2, [16, 16, 1])
    ours = nn.MLP(2, [16, 16, 1], seed=0)
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        p.data = float(q.data)  # copy micrograd's weights in
    total_loss, _ = demo_loss(theirs, micrograd_engine.Value, X, y)
    theirs.zero_grad()
    total_loss.backward()
    loss = nn.hinge([ours(x) for x in X], y) + nn.l2(ours.parameters(), 1e-4)
    ours.zero_grad()
    loss.backward()
    assert abs(loss.data - total_loss.data) <= 1e-12
    diffs = [abs(p.grad - q.grad) for p, q in zip(ours.parameters(), theirs.parameters(), strict=True)]
    assert max(diffs) <= 1e-12
    assert sum(1 for p in ours.parameters() if p.grad != 0.0) > 100  # a real comparison, not zeros


def test_full_demo_on_a_smaller_run_learns_the_moons() -> None:
    """A shorter run of the demo recipe (60 points, 40 steps) reaches at least 95 % training accuracy."""
    X, y = nn.moons(60, noise=0.1, seed=3, signed=True)
    model = nn.MLP(2, [16, 16, 1], seed=1337)
    history = nn.fit(model, X, y, loss="hinge", l2=1e-4, lr=1.0, epochs=40, schedule=nn.LinearDecay(1.0, 0.1, 100),
                     progress=False)
    accuracy = [a for a in history.accuracy if a is not None]
    assert len(accuracy) == len(history.accuracy)  # classification targets: every epoch has an accuracy
    assert max(accuracy) >= 0.95
    final = nn.predict(model, X)
    assert sum((o[0] > 0) == (t > 0) for o, t in zip(final, y, strict=True)) / len(y) >= 0.95
