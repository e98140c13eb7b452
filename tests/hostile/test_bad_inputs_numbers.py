"""Hostile numbers and containers at nn's and autograd's entry points: a clear error or the right answer.

* an int beyond the floats (10**400) as a hook's result, a jvp tangent or primal, a loss target, a
  layer input, a pixel: before, a bare ``OverflowError: int too large to convert to float`` naming
  nothing; now the entry point and the value are named;
* ``nn.cross_entropy(generator, t)`` said "got no logits" (the generator was read twice); a dict of
  logits was taken as its keys: iterables are read once, mappings refused;
* ``Conv2d(1, 1, np.int64(3))`` was refused although ``Value`` takes numpy scalars;
* labels a loss cannot use: ``fit(..., loss="hinge")`` on 0/1 labels trained silently to 50 %
  (hinge wants ±1); now refused before training, naming ``nn.data.moons(signed=True)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import nn
from autograd import Value, grad
from autograd.forward import jvp

HUGE = 10 ** 400

OVERFLOWS: list[tuple[str, Callable[[], Any], str]] = [
    ("jvp tangent", lambda: jvp(lambda x: x * 2, (1.0,), (HUGE,)), r"jvp: tangents\[0\]"),
    ("jvp primal", lambda: jvp(lambda x: x * 2, (HUGE,), (1.0,)), r"jvp: primals\[0\]"),
    ("mse target", lambda: nn.mse([Value(1.0)], [HUGE]), r"mse \(target\)"),
    ("hinge target", lambda: nn.hinge([Value(1.0)], [HUGE]), r"hinge \(target\)"),
    ("bce target", lambda: nn.bce_with_logits([Value(1.0)], [HUGE]), r"bce_with_logits \(target\)"),
    ("cross_entropy target", lambda: nn.cross_entropy([1.0, 2.0], HUGE), r"cross_entropy \(target\)"),
    ("cross_entropy logit", lambda: nn.cross_entropy([1.0, HUGE], 0), r"cross_entropy \(logits\)"),
    ("fit label", lambda: nn.fit(nn.MLP(1, [1], seed=0), [[1.0]], [HUGE], epochs=1), "target at position 0"),
    ("fit input", lambda: nn.fit(nn.MLP(1, [1], seed=0), [[HUGE]], [1.0], epochs=1), r"layer input \[0\]"),
    ("layer input", lambda: nn.MLP(2, [1], seed=0)([1.0, HUGE]), r"layer input \[1\]"),
    ("conv pixel", lambda: nn.Conv2d(1, 1, 1, seed=0)([[[HUGE]]]), r"Conv2d.*pixels"),
    ("pool pixel", lambda: nn.MaxPool2d(1)([[[HUGE]]]), r"MaxPool2d.*pixels"),
    ("local_grads", lambda: Value(1.0, (Value(1.0),), (HUGE,)), r"op 'local_grads': its derivative returned:"),
]


@pytest.mark.parametrize(("where", "call", "name"), OVERFLOWS, ids=[o[0] for o in OVERFLOWS])
def test_an_int_beyond_the_floats_is_named_with_its_entry_point(where: str, call: Callable[[], Any],
                                                                 name: str) -> None:
    with pytest.raises(OverflowError, match=rf"{name}.*1000000.*does not fit in a float"):
        call()


def test_a_hook_returning_an_int_beyond_the_floats_is_named() -> None:
    x = Value(1.5)
    h = x * 2

    def boom(g: float) -> int:
        return HUGE

    with h.register_hook(boom):
        for run in (lambda: (h * h).backward(), lambda: grad(h * h, x)):
            with pytest.raises(OverflowError, match=r"hook 'boom'.*does not fit in a float"):
                run()


# -- containers -------------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [lambda: (z for z in [0.5, 2.0, -1.0]), lambda: iter([0.5, 2.0, -1.0]),
                                  lambda: map(float, ["0.5", "2", "-1"])])
def test_logits_from_an_iterator_are_read_once(make: Callable[[], Any]) -> None:
    want = nn.cross_entropy([0.5, 2.0, -1.0], 2).data
    assert nn.cross_entropy(make(), 2).data == want
    assert [p.data for p in nn.softmax(make())] == [p.data for p in nn.softmax([0.5, 2.0, -1.0])]


def test_a_batch_from_generators_is_read_once() -> None:
    rows = [[0.5, 2.0], [1.0, -1.0]]
    want = nn.cross_entropy(rows, [1, 0]).data
    assert nn.cross_entropy((r for r in rows), (t for t in [1, 0])).data == want


@pytest.mark.parametrize("call", [lambda: nn.cross_entropy({0: 1.0, 1: 2.0}, 0), lambda: nn.softmax({0: 1.0}),
                                  lambda: nn.log_softmax({"a": 1.0}), lambda: nn.cross_entropy([{0: 1.0}], [0]),
                                  lambda: nn.mse({0: Value(1.0)}, [1.0]), lambda: nn.mse([Value(1.0)], {0: 1.0})])
def test_a_mapping_is_refused_not_taken_as_its_keys(call: Callable[[], Any]) -> None:
    with pytest.raises(TypeError, match="mapping"):
        call()


@pytest.mark.parametrize("n", [np.int64(3), np.int32(3), np.uint8(3), np.int16(3)])
def test_numpy_integers_are_accepted_as_sizes(n: Any) -> None:
    conv = nn.Conv2d(1, n, n, stride=np.int64(1), padding=np.int64(0), seed=0)  # type: ignore[arg-type]
    assert type(conv.kernel_size) is int and conv.kernel_size == 3 and conv.out_channels == 3
    assert nn.MaxPool2d(n).kernel_size == 3


@pytest.mark.parametrize("bad", [3.0, np.float64(3.0), True, "3", np.int64(0), -1])
def test_non_integer_sizes_stay_refused(bad: Any) -> None:
    with pytest.raises(ValueError, match="kernel_size must be an int"):
        nn.Conv2d(1, 1, bad)


# -- labels a loss cannot use ---------------------------------------------------------------------
def test_hinge_on_0_1_labels_is_refused_before_training_naming_the_fix() -> None:
    X, y = nn.data.moons(40, seed=1)
    model = nn.MLP(2, [8, 1], seed=0)
    before = [p.data for p in model.parameters()]
    with pytest.raises(ValueError, match=r"hinge: the target at position \d+ is 0: labels must be -1 or \+1.*"
                                         r"moons\(signed=True\)"):
        nn.fit(model, X, y, loss="hinge", epochs=3)
    assert [p.data for p in model.parameters()] == before  # refused before the first update


def test_hinge_with_signed_labels_trains() -> None:
    X, y = nn.data.moons(60, seed=1, signed=True)
    history = nn.fit(nn.MLP(2, [16, 16, 1], seed=0), X, y, loss="hinge", epochs=60, lr=0.05)
    last = history.accuracy[-1]
    assert last is not None and last >= 0.8


@pytest.mark.parametrize(("loss", "labels", "match"), [
    ("hinge", [1, 0.5], r"hinge: the target at position 1 is 0\.5"),
    ("hinge", [2, -1], "position 0 is 2"),
    ("bce", [-1, 1], r"bce_with_logits: the target at position 0 is -1: targets must lie in \[0, 1\]"),
    ("bce", [0, 1.5], "position 1"),
    ("cross_entropy", [0, 1.5], r"cross_entropy: the target at position 1 is 1\.5: a target must be a class index"),
    ("cross_entropy", [-1, 0], "position 0"),
    ("mse", [1.0, math.nan], "position 1 is nan; every target must be a finite number"),
    ("half_sse", [math.inf, 0.0], "position 0 is inf"),
])
def test_fit_refuses_labels_its_loss_cannot_use(loss: str, labels: list[float], match: str) -> None:
    X = [[0.0, 1.0], [1.0, 0.0]]
    outs = 2 if loss == "cross_entropy" else 1
    with pytest.raises(ValueError, match=match):
        nn.fit(nn.MLP(2, [4, outs], seed=0), X, labels, loss=loss, epochs=1)


def test_the_losses_refuse_the_same_labels_when_called_directly() -> None:
    with pytest.raises(ValueError, match="labels must be -1 or"):
        nn.hinge([Value(0.3), Value(-0.2)], [1, 0])
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\]"):
        nn.bce_with_logits([Value(0.3)], [-1])
    assert nn.hinge([Value(0.3)], [np.int64(-1)]).data == pytest.approx(1.3)  # numpy ±1 is fine


def test_a_users_loss_named_hinge_is_not_checked_as_ours_but_nan_labels_are_refused() -> None:
    def hinge(ys: Any, ts: Any) -> Value:
        return nn.mse(ys, ts)

    X = [[0.0, 1.0], [1.0, 0.0]]
    nn.fit(nn.MLP(2, [4, 1], seed=0), X, [0.0, 1.0], loss=hinge, epochs=1)  # 0/1 are fine for this "hinge"
    with pytest.raises(ValueError, match=r"hinge \(your loss function\): the target at position 1 is nan"):
        nn.fit(nn.MLP(2, [4, 1], seed=0), X, [0.0, math.nan], loss=hinge, epochs=1)
