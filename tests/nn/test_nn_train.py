"""``fit``: learning XOR and moons, mini-batches, stopping rules, history, the progress bar, data sets."""

from __future__ import annotations

import io
import math

import pytest

import nn
from autograd import Value
from nn.progress import ProgressBar


def test_xor_is_learned_to_a_loss_tolerance() -> None:
    X, y = nn.xor()
    model = nn.MLP(2, [4, 1], "tanh", "sigmoid", seed=0)
    history = nn.fit(model, X, y, lr=1.0, epochs=3000, loss_tol=0.01, progress=False)
    assert history.stopped == "loss_tol" and history.loss[-1] < 0.01
    assert history.accuracy[-1] == 1.0
    outs = nn.predict(model, X)
    assert all(abs(o[0] - t) < 0.2 for o, t in zip(outs, y, strict=True))


def test_history_loss_is_the_half_sse_of_the_epochs_forward_pass() -> None:
    X, y = nn.xor()
    model = nn.MLP(2, [3, 1], "tanh", "sigmoid", seed=1)
    before = nn.predict(model, X)
    history = nn.fit(model, X, y, lr=0.5, epochs=1, progress=False)
    assert history.loss[0] == pytest.approx(0.5 * sum((t - o[0]) ** 2 for o, t in zip(before, y, strict=True)))
    assert history.lr == [0.5] and history.epochs == 1 and history.stopped == "epochs"


def test_grad_norms_are_each_layers_gradient_length() -> None:
    X, y = nn.xor()
    model = nn.MLP(2, [3, 1], "tanh", "sigmoid", seed=2)
    history = nn.fit(model, X, y, lr=1e-300, epochs=1, progress=False)  # a step that changes nothing visible
    by_hand = [math.sqrt(sum(p.grad**2 for p in layer.parameters())) for layer in model.layers]
    assert history.grad_norms[0] == pytest.approx(by_hand, rel=1e-15)
    assert all(g > 0 for g in by_hand)


def test_mini_batches_and_accuracy_target_on_moons() -> None:
    X, y = nn.moons(60, noise=0.1, seed=0, signed=True)
    model = nn.MLP(2, [8, 8, 1], seed=0)
    history = nn.fit(model, X, y, loss="hinge", lr=0.1, epochs=60, batch_size=10, optimizer="adam", seed=1,
                     target_accuracy=0.95, progress=False)
    acc = history.accuracy[-1]
    assert history.stopped == "target_accuracy" and acc is not None and acc >= 0.95


def test_bce_with_labels_zero_one_and_a_callback_stop() -> None:
    X, y = nn.moons(40, noise=0.05, seed=2)
    model = nn.MLP(2, [8, 1], "tanh", seed=0)
    seen: list[int] = []

    def callback(epoch: int, h: nn.History) -> bool:
        seen.append(epoch)
        return epoch == 4

    history = nn.fit(model, X, y, loss="bce", optimizer="momentum", lr=0.1, epochs=50, progress=False,
                     callback=callback)
    assert seen == [0, 1, 2, 3, 4] and history.stopped == "callback" and history.epochs == 5
    assert all(a is not None for a in history.accuracy)


def test_regression_targets_have_no_accuracy() -> None:
    model = nn.MLP(1, [4, 1], "tanh", seed=0)
    X = [[x / 10] for x in range(-10, 11)]
    y = [math.sin(x[0] * 2) for x in X]
    history = nn.fit(model, X, y, loss="mse", lr=0.1, epochs=200, progress=False)
    assert history.accuracy[-1] is None and history.loss[-1] < history.loss[0] / 5


def test_bad_arguments_say_what_is_wrong() -> None:
    model = nn.MLP(2, [2, 1], seed=0)
    X, y = nn.xor()
    with pytest.raises(ValueError, match="same length"):
        nn.fit(model, X, y[:3], progress=False)
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        nn.fit(model, X, y, epochs=0, progress=False)
    with pytest.raises(ValueError, match="unknown loss 'l1'"):
        nn.fit(model, X, y, loss="l1", progress=False)
    with pytest.raises(ValueError, match="unknown optimizer 'rmsprop'"):
        nn.fit(model, X, y, optimizer="rmsprop", progress=False)
    with pytest.raises(ValueError, match="target_accuracy is a fraction"):
        nn.fit(model, X, y, target_accuracy=95, progress=False)


def test_progress_bar_draws_and_can_be_off() -> None:
    bar = ProgressBar(10, width=10)
    assert bar.render(5, "loss 1") == "[#####.....]  5/10  loss 1"
    out = io.StringIO()
    on = ProgressBar(3, stream=out, interval=0.0)
    for k in range(1, 4):
        on.update(k)
    on.close()
    assert out.getvalue().count("\r") == 3 and out.getvalue().endswith("[########################] 3/3\n")
    silent = io.StringIO()
    off = ProgressBar(3, enabled=False, stream=silent)
    off.update(3)
    off.close()
    assert silent.getvalue() == ""


def test_data_sets() -> None:
    X, y = nn.xor()
    assert X == [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    assert y == [0, 1, 1, 0] and nn.xor(signed=True)[1] == [-1, 1, 1, -1]
    M, labels = nn.moons(101, noise=0.0, seed=0)
    assert len(M) == 101 and labels.count(0) == 50 and labels.count(1) == 51
    for (a, b), t in zip(M, labels, strict=True):  # noise 0: exactly on the two half circles
        cx, cy = (0.0, 0.0) if t == 0 else (1.0, 0.5)
        assert math.hypot(a - cx, b - cy) == pytest.approx(1.0, rel=1e-12)
        assert (b >= -1e-12) if t == 0 else (b <= 0.5 + 1e-12)
    assert nn.moons(20, seed=3) == nn.moons(20, seed=3) != nn.moons(20, seed=4)
    with pytest.raises(ValueError, match="n must be an int >= 2"):
        nn.moons(1)
    with pytest.raises(ValueError, match="noise must be a finite number >= 0"):
        nn.moons(10, noise=-0.1)


def test_the_notes_example_starts_at_0_8() -> None:
    X, t = nn.note_example()
    for hidden, act in (((2,), "sigmoid"), ((3,), "tanh"), ((4, 2), "relu")):
        model = nn.note_model(hidden, act, seed=1)
        y = model(X[0])
        assert isinstance(y, Value) and y.data == pytest.approx(0.8, abs=1e-15)
    assert t == [1.0]
