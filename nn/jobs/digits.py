"""``python -m nn --dataset digits --model mlp|cnn``: recognise handwritten digits on scalar ``Value`` nodes.

The 8×8 digits (``nn.data.digits``: 1,437 training and 360 test images, 10 classes) are learnt by

* ``mlp``: ``MLP(64, [32, 10])``, ReLU hidden units, linear outputs (logits), He initialisation;
* ``cnn``: ``Sequential(Conv2d(1, 8, 3), ReLU(), MaxPool2d(2), Flatten(), Layer(72, 10))``,

with the softmax cross-entropy L = ln Σ_k e^{z_k} − z_t (∂L/∂z_k = softmax_k − [k = t]), mini-batches
and Adam. Each epoch prints the loss and the training and test accuracy; the run ends with the line
``test accuracy NN.N%`` and writes the curves, the confusion matrix, the misclassified test images
with their predicted labels and (for the CNN) the learned filters to ``--out``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nn import plots
from nn.data import digits, image
from nn.jobs.report import describe
from nn.models.activations import ReLU
from nn.models.conv import Conv2d, Flatten, MaxPool2d
from nn.models.layers import MLP, Layer
from nn.models.module import Module
from nn.models.sequential import Sequential
from nn.train import History, classify, fit

MODELS = ("mlp", "cnn")
DEFAULTS: dict[str, dict[str, Any]] = {"mlp": {"epochs": 30, "lr": 0.01}, "cnn": {"epochs": 12, "lr": 0.01}}
BATCH = 32


def build(kind: str, seed: int = 0) -> Module:
    """The network for ``kind`` ('mlp' or 'cnn') with seeded initial weights."""
    if kind == "mlp":
        return MLP(64, [32, 10], init="he", seed=seed)
    if kind == "cnn":
        return Sequential(Conv2d(1, 8, 3, seed=seed), ReLU(), MaxPool2d(2), Flatten(),
                          Layer(72, 10, activation="linear", init="xavier", seed=seed + 1))
    raise ValueError(f"digits: unknown model {kind!r}; choose one of {', '.join(MODELS)}")


def inputs(kind: str, rows: list[list[float]]) -> list[Any]:
    """What the model takes: the 64 pixels for the MLP, a 1×8×8 image for the CNN."""
    return rows if kind == "mlp" else [image(r) for r in rows]


@dataclass
class DigitsRun:
    """What the job did (for the summary and for tests)."""

    model: Module
    history: History
    seconds: float
    test_accuracy: float
    test_curve: list[float] = field(default_factory=list)
    predicted: list[int] = field(default_factory=list)
    written: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def train(kind: str, *, epochs: int | None = None, lr: float | None = None, seed: int = 0,
          n_train: int | None = None, say: Callable[[str], None] = print) -> DigitsRun:
    """Train ``kind`` on the digits (the first ``n_train`` training images if given) and test it."""
    X, y, Xt, yt = digits(seed=0)
    if n_train is not None:
        X, y = X[:n_train], y[:n_train]
    epochs = epochs or DEFAULTS[kind]["epochs"]
    lr = lr or DEFAULTS[kind]["lr"]
    model = build(kind, seed)
    Xi, Xti = inputs(kind, X), inputs(kind, Xt)
    say(f"network: {describe(model)}")
    say(f"data: {len(X)} training and {len(Xt)} test images of 8×8 pixels, 10 classes")
    say(f"training: cross-entropy, adam with η = {lr:g}, mini-batches of {BATCH}, {epochs} epochs")
    say(f"{'epoch':>5}  {'loss':>8}  {'train acc':>9}  {'test acc':>8}  {'seconds':>7}")
    test_curve: list[float] = []
    start = time.perf_counter()

    def after(epoch: int, history: History) -> None:
        acc = _accuracy(classify(model, Xti), yt)
        test_curve.append(acc)
        train_acc = history.accuracy[-1] or 0.0
        say(f"{epoch + 1:>5}  {history.loss[-1]:>8.4f}  {train_acc:>9.1%}  {acc:>8.1%}  "
            f"{time.perf_counter() - start:>7.1f}")

    history = fit(model, Xi, y, loss="cross_entropy", optimizer="adam", lr=lr, epochs=epochs, batch_size=BATCH,
                  seed=seed, progress=False, callback=after)
    seconds = time.perf_counter() - start
    predicted = classify(model, Xti)
    return DigitsRun(model, history, seconds, _accuracy(predicted, yt), test_curve, predicted)


def _accuracy(predicted: list[int], targets: list[int]) -> float:
    return sum(p == t for p, t in zip(predicted, targets, strict=True)) / len(targets)


def write_outputs(run: DigitsRun, kind: str, out: str) -> None:
    """The curves, the confusion matrix, the misclassified images, the filters (CNN) and the model file."""
    _, _, Xt, yt = digits(seed=0)
    images = [
        (f"digits_{kind}_curves.png", "loss and accuracy per epoch",
         lambda p: plots.curves(run.history, run.test_curve, p, f"digits, {kind}")),
        (f"digits_{kind}_confusion.png", "the confusion matrix of the test set",
         lambda p: plots.confusion(yt, run.predicted, p, f"digits, {kind}: test set")),
        (f"digits_{kind}_misclassified.png", "the misclassified test images with their predicted labels",
         lambda p: plots.misclassified(Xt, yt, run.predicted, p)),
    ]
    if kind == "cnn" and isinstance(run.model, Sequential) and isinstance(run.model.layers[0], Conv2d):
        conv = run.model.layers[0]
        images.append((f"digits_{kind}_filters.png", "the learned 3×3 filters",
                       lambda p: plots.filters(conv, p)))
    for name, what, draw in images:
        path = os.path.join(out, name)
        note = draw(path)
        if note:
            run.notes.append(note)
        else:
            run.written.append((path, what))
    model_path = os.path.join(out, f"digits_{kind}.json")
    run.model.save(model_path)
    run.written.append((model_path, "the trained weights (load with nn.load_model)"))


def main(kind: str, *, epochs: int | None, lr: float | None, seed: int, out: str, quiet: bool,
         n_train: int | None = None) -> DigitsRun:
    """The job: train, test, write the pictures, print ``test accuracy NN.N%`` last."""
    say: Callable[[str], None] = (lambda text: None) if quiet else print
    say(f"deltagrad main job — handwritten digits, {kind}")
    run = train(kind, epochs=epochs, lr=lr, seed=seed, n_train=n_train, say=say)
    say(f"trained in {run.seconds:.1f} s")
    write_outputs(run, kind, out)
    for path, what in run.written:
        print(f"wrote {path}: {what}")
    for note in run.notes:
        print(f"note: {note}")
    print(f"test accuracy {100 * run.test_accuracy:.1f}%")
    return run
