"""Optimisers and schedules, against their update rules worked out by hand."""

from __future__ import annotations

import math
from typing import Any

import pytest

import nn
from autograd import Value


def params(*values: float, grads: tuple[float, ...]) -> list[Value]:
    ps = [Value(v) for v in values]
    for p, g in zip(ps, grads, strict=True):
        p.grad = g
    return ps


def test_sgd_is_p_minus_lr_grad() -> None:
    ps = params(1.0, -2.0, grads=(0.5, -4.0))
    nn.SGD(ps, lr=0.1).step()
    assert [p.data for p in ps] == pytest.approx([1.0 - 0.1 * 0.5, -2.0 + 0.1 * 4.0], rel=1e-15)


def test_sgd_momentum_and_weight_decay_two_steps_by_hand() -> None:
    """g = ∂E/∂p + λp; v ← μv + g; p ← p − ηv."""
    p = Value(1.0)
    opt = nn.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01)
    p.grad = 2.0
    opt.step()
    v1 = 2.0 + 0.01 * 1.0
    p1 = 1.0 - 0.1 * v1
    assert p.data == pytest.approx(p1, rel=1e-15)
    p.grad = -1.0
    opt.step()
    v2 = 0.9 * v1 + (-1.0 + 0.01 * p1)
    assert p.data == pytest.approx(p1 - 0.1 * v2, rel=1e-15)


def test_adam_two_steps_by_hand() -> None:
    """m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², p ← p − η m̂/(√v̂ + ε) with bias correction."""
    p = Value(0.5)
    opt = nn.Adam([p], lr=0.01)
    b1, b2, eps = 0.9, 0.999, 1e-8
    m = v = 0.0
    x = 0.5
    for t, g in enumerate((3.0, -1.0), start=1):
        p.grad = g
        opt.step()
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        x -= 0.01 * (m / (1 - b1**t)) / (math.sqrt(v / (1 - b2**t)) + eps)
        assert p.data == pytest.approx(x, rel=1e-14)
    # the first step has size ≈ lr whatever the gradient's scale
    q = Value(0.0)
    q.grad = 1e6
    nn.Adam([q], lr=0.01).step()
    assert q.data == pytest.approx(-0.01, rel=1e-6)


def test_zero_grad_clears_every_parameter() -> None:
    ps = params(1.0, 2.0, grads=(3.0, 4.0))
    nn.SGD(ps, lr=1.0).zero_grad()
    assert [p.grad for p in ps] == [0.0, 0.0]


def test_linear_decay_is_micrograds_schedule() -> None:
    sched = nn.LinearDecay(1.0, 0.1, 100)
    for k in (0, 1, 37, 99):
        assert sched(k) == pytest.approx(1.0 - 0.9 * k / 100, rel=1e-15)
    assert sched(100) == sched(250) == 0.1
    assert nn.ExponentialDecay(0.5, 0.9)(3) == pytest.approx(0.5 * 0.9**3)
    assert nn.Constant(0.3)(1000) == 0.3


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda ps: nn.SGD(ps, lr=-0.1), "lr \\(learning rate\\) must be in \\(0"),
        (lambda ps: nn.SGD(ps, lr=float("nan")), "lr \\(learning rate\\) must be a finite number"),
        (lambda ps: nn.SGD(ps, lr=0.1, momentum=1.0), "momentum must be in \\[0, 1\\)"),
        (lambda ps: nn.SGD(ps, lr=0.1, weight_decay=-1), "weight_decay must be in \\[0"),
        (lambda ps: nn.Adam(ps, betas=(0.9,)), "betas must be a pair"),  # type: ignore[arg-type]
        (lambda ps: nn.Adam(ps, eps=0.0), "eps must be in \\(0"),
        (lambda ps: nn.SGD([], lr=0.1), "no parameters"),
        (lambda ps: nn.LinearDecay(1.0, 0.1, 0), "steps must be a positive int"),
    ],
)
def test_bad_settings_say_what_is_wrong(make: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make([Value(1.0)])


def test_parameters_must_be_values() -> None:
    with pytest.raises(TypeError, match="must be Value nodes"):
        nn.SGD([1.0], lr=0.1)  # type: ignore[list-item]
