"""The main job: ``python -m nn`` trains the study note's 2-2-1 example end to end (``--help``).

By default it builds the 2-2-1 sigmoid network whose first prediction for the target t = 1 is 0.8,
trains it with the half-SSE error E = ½ (t − y)² and plain SGD (Δw_ij = η δ_j y_i), prints the
prediction and the error every so often until the prediction reaches 0.99, and writes the loss
curve, the computation graph, the trained weights, ``backprop.html`` (the first update, step by
step) and ``playground.html`` (the network trained live in the page) to ``out/``. ``--dataset xor`` and
``--dataset moons`` (micrograd's demo) train other problems; shapes, activations, the learning
rate, the epochs and the optimiser can be changed.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import autograd
from autograd import Value
from nn import data, losses, optim
from nn.jobs import digits as digits_job
from nn.jobs.checks import INTERRUPTED, check_output_folder, refuse_unused_flags
from nn.jobs.report import clear_stale, describe, save_graph_image, save_loss_curve
from nn.jobs.walkthrough import save_backprop_page
from nn.models import activations
from nn.models.layers import MLP
from nn.playground import save_note_playground
from nn.train import DivergedError, History, fit, predict


@dataclass(frozen=True)
class Preset:
    """A data set's defaults (each can be overridden on the command line)."""

    hidden: list[int]
    activation: str
    output: str
    loss: str
    lr: float
    epochs: int
    l2: float = 0.0
    decay: bool = False  # micrograd's linear decay of the learning rate to a tenth
    loss_tol: float | None = None
    target_accuracy: float | None = None
    blurb: str = ""


PRESETS: dict[str, Preset] = {
    "note": Preset([2], "sigmoid", "sigmoid", "half_sse", 1.0, 20000,
                   blurb="the study note's example: one sample, target t = 1"),
    "xor": Preset([4], "tanh", "sigmoid", "half_sse", 1.0, 5000, loss_tol=0.01,
                  blurb="XOR: four points, not linearly separable"),
    "moons": Preset([16, 16], "relu", "linear", "hinge", 1.0, 100, l2=1e-4, decay=True, target_accuracy=1.0,
                    blurb="micrograd's demo: 100 two-moons points, max-margin loss + L2"),
}
NOTE_GOAL = 0.99


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (math.isfinite(value) and value > 0.0):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text!r}")
    return value


def parser() -> argparse.ArgumentParser:
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    p = argparse.ArgumentParser(
        prog="python -m nn" if name in ("", "__main__.py", "-c") else name,  # the deltagrad console script
        description="Train a small network with deltagrad and draw what happened. Default: the study note's "
        "2-2-1 sigmoid example, from a first prediction of 0.8 to 0.99.",
    )
    p.add_argument("--dataset", choices=(*PRESETS, "digits"), default="note",
                   help="what to learn (default: note; digits: 8×8 handwritten digits, see --model)")
    p.add_argument("--model", choices=digits_job.MODELS,
                   help="for --dataset digits: mlp = MLP(64, [32, 10]), cnn = Conv2d(1, 8, 3), ReLU, MaxPool2d(2), "
                   "Flatten, Layer(72, 10) (default: mlp)")
    p.add_argument("--hidden", type=_positive_int, nargs="+", metavar="N",
                   help="hidden layer sizes, e.g. --hidden 16 16 (default: note 2, xor 4, moons 16 16)")
    p.add_argument("--activation", choices=activations.NAMES,
                   help="hidden layers' activation (default: note sigmoid, xor tanh, moons relu)")
    p.add_argument("--lr", type=_positive_float, help="learning rate η > 0 (default 1.0 for sgd, 0.1 for momentum, "
                   "0.05 for adam)")
    p.add_argument("--epochs", type=_positive_int, help="most epochs to train (default: note 20000, xor 5000, "
                   "moons 100)")
    p.add_argument("--seed", type=int, default=0, help="seed for the data and the initial weights (default 0)")
    p.add_argument("--optimizer", choices=tuple(optim.OPTIMIZERS), help="default: sgd")
    p.add_argument("--out", default="out", metavar="DIR", help="where to write the images (default: out/)")
    p.add_argument("--quiet", action="store_true", help="print only the summary")
    p.add_argument("--compile", action="store_true", help="trace one sample's loss once and train with the generated "
                   "float code (autograd.compile): the same gradients to rounding, several times faster")
    return p


@dataclass
class Run:
    """What the job did: enough for the summary and for tests."""

    model: MLP
    history: History
    seconds: float
    errors: list[float] = field(default_factory=list)  # note: E after 0, 1, 2, … updates
    first: float | None = None  # note: the first prediction
    prediction: float | None = None  # note: the final prediction
    written: list[tuple[str, str]] = field(default_factory=list)  # (path, what)
    notes: list[str] = field(default_factory=list)


def _checkpoints(k: int) -> bool:
    """Print at 0, 1, 2, 5, 10, 20, 50, 100, … (a 1-2-5 sequence)."""
    if k < 3:
        return True
    while k % 10 == 0:
        k //= 10
    return k in (1, 2, 5)


def _lr(args: argparse.Namespace, preset: Preset) -> float:
    """--lr, else the preset's rate (a tenth of it with momentum, a twentieth with Adam)."""
    return float(args.lr or preset.lr * {"sgd": 1.0, "momentum": 0.1, "adam": 0.05}.get(args.optimizer, 1.0))


def _norms(norms: Sequence[float]) -> str:
    return " ".join(f"{g:.2e}" for g in norms)


def _train_note(args: argparse.Namespace, preset: Preset, say: Any) -> Run:
    hidden = args.hidden or preset.hidden
    act = args.activation or preset.activation
    model = data.note_model(hidden, act, seed=args.seed)
    X, T = data.note_example()
    x, t = X[0], T[0]
    say(f"network: {describe(model)}")
    say(f"input x = ({x[0]}, {x[1]}), target t = {t:g}")
    say("initial weights (w_ij: from input i to neuron j; the output bias is solved so that y = 0.8):")
    for name, value in model.state_dict().items():
        say(f"  {name:<24} {value:+.6f}")
    say("  (the output bias is b = ln(0.8 / 0.2) − Σ_j w_j y_j, y_j the hidden outputs for x: sigmoid(z) = 0.8)")
    y0 = predict(model, X)[0][0]
    errors = [0.5 * (t - y0) ** 2]
    say(f"first prediction y = {y0!r} (target {t:g}), error E = ½ (t − y)² = {errors[0]:.6g}")
    say(f"training: half-SSE error, {args.optimizer} with η = {_lr(args, preset):g}, until y ≥ {NOTE_GOAL}")
    say(f"{'updates':>8}  {'prediction y':>12}  {'error E':>10}  |∂E/∂W| per layer")
    say(f"{0:>8}  {y0:>12.6f}  {errors[0]:>10.3e}")
    box: dict[str, float] = {"y": y0}

    def after_epoch(epoch: int, history: History) -> bool:
        y = predict(model, X)[0][0]
        box["y"] = y
        errors.append(0.5 * (t - y) ** 2)
        done = y >= NOTE_GOAL
        if _checkpoints(epoch + 1) or done:
            say(f"{epoch + 1:>8}  {y:>12.6f}  {errors[-1]:>10.3e}  {_norms(history.grad_norms[-1])}")
        return done

    start = time.perf_counter()
    history = fit(model, X, T, loss="half_sse", optimizer=args.optimizer, lr=_lr(args, preset),
                  epochs=args.epochs or preset.epochs, progress=False, callback=after_epoch, compile=args.compile)
    run = Run(model, history, time.perf_counter() - start, errors, y0, box["y"])
    if box["y"] >= NOTE_GOAL:
        say(f"reached y = {box['y']:.6f} ≥ {NOTE_GOAL} after {history.epochs} updates ({run.seconds:.2f} s)")
    else:
        run.notes.append(f"the prediction did not reach {NOTE_GOAL} in {history.epochs} epochs (y = {box['y']:.6f}); "
                         "try more --epochs or a larger --lr")
    return run


def _train_dataset(args: argparse.Namespace, preset: Preset, say: Any) -> Run:
    if args.dataset == "xor":
        X, y = data.xor()
    else:
        X, y = data.moons(100, 0.1, seed=args.seed, signed=True)
    sizes = [*(args.hidden or preset.hidden), 1]
    model = MLP(2, sizes, args.activation or preset.activation, preset.output, seed=args.seed)
    lr = _lr(args, preset)
    epochs = args.epochs or preset.epochs
    say(f"network: {describe(model)}")
    say(f"training: {preset.loss} loss{f' + L2 {preset.l2:g}' if preset.l2 else ''}, {args.optimizer} with "
        f"η = {lr:g}{' decaying linearly to η/10' if preset.decay else ''}, up to {epochs} epochs")
    say(f"{'epoch':>6}  {'loss':>10}  {'accuracy':>8}  |∂E/∂W| per layer")

    def show(epoch: int, history: History) -> None:
        if _checkpoints(epoch) or epoch == epochs - 1:
            acc = history.accuracy[-1]
            say(f"{epoch:>6}  {history.loss[-1]:>10.4g}  {'' if acc is None else f'{acc:.0%}':>8}  "
                f"{_norms(history.grad_norms[-1])}")

    start = time.perf_counter()
    history = fit(model, X, y, loss=preset.loss, optimizer=args.optimizer, lr=lr, epochs=epochs, l2=preset.l2,
                  schedule=optim.LinearDecay(lr, lr / 10, epochs) if preset.decay else None,
                  loss_tol=preset.loss_tol, target_accuracy=preset.target_accuracy,
                  progress=False, callback=show, compile=args.compile)
    run = Run(model, history, time.perf_counter() - start)
    say(f"stopped after {history.summary()} in {run.seconds:.2f} s")
    if args.dataset == "xor":
        for row, target, out in zip(X, y, predict(model, X), strict=True):
            say(f"  x = {row} → y = {out[0]:.4f} (target {target})")
    return run


def _moons_graph(model: MLP, X: Sequence[Sequence[float]], y: Sequence[float]) -> tuple[Value, str]:
    """The max-margin loss of the point the model gets most wrong, through the output neuron only.

    The last hidden layer's outputs come in as leaves h0, h1, …; a point with zero loss would show
    only zero gradients, so the drawing takes the point with the largest loss (its first, if all are 0).
    """
    *hidden, last = model.layers
    with autograd.no_grad():
        features = []
        for x in X:
            h: Any = list(x)
            for layer in hidden:
                out = layer(h)
                h = out if isinstance(out, list) else [out]
            features.append([v.data for v in h])
        point_losses = [losses.hinge(last(f), t).data for f, t in zip(features, y, strict=True)]
    k = max(range(len(X)), key=lambda i: point_losses[i])
    root = losses.hinge(last([Value(v, label=f"h{i}") for i, v in enumerate(features[k])]), y[k])
    return root, f"the max-margin loss of point {k} (the most wrong), via the output neuron"


def _graph_root(run: Run, args: argparse.Namespace) -> tuple[Value, str]:
    """The loss at the final weights, differentiated, as the graph to draw (one sample for moons)."""
    if args.dataset == "note":
        X, T = data.note_example()
        root, what = losses.half_sse(run.model(X[0]), T[0]), "E = ½ (t − y)² at the final weights"
    elif args.dataset == "xor":
        X, y = data.xor()
        root = autograd.sum([losses.half_sse(run.model(x), t) for x, t in zip(X, y, strict=True)])
        what = "E = ½ Σ (t − y)² over the four XOR points"
    else:  # the whole network on one point is ~480 nodes, too many to read: draw its output neuron
        root, what = _moons_graph(run.model, *data.moons(100, 0.1, seed=args.seed, signed=True))
    run.model.zero_grad()
    root.backward()
    return root, what


def _keep(run: Run, what: str, path: Any, note: str) -> None:
    """Record a file written (``path``) or why it was not (``note``, when ``path`` is None)."""
    if path is None:
        run.notes.append(note)
    else:
        run.written.append((str(path), what))


def _write_outputs(run: Run, args: argparse.Namespace) -> None:
    note = args.dataset == "note"
    curve = run.errors if note else run.history.loss
    marks = [(0, f"y = {run.first:.4g}"), (len(curve) - 1, f"y = {run.prediction:.4f}")] \
        if note and run.first is not None and run.prediction is not None else []
    curve_path, curve_note = save_loss_curve(curve, os.path.join(args.out, "loss_curve.png"), marks=marks,
                                             title=f"{args.dataset}: error per {'update' if note else 'epoch'}")
    root, graph_of = _graph_root(run, args)
    graph_path, graph_note = save_graph_image(root, os.path.join(args.out, "graph.png"),
                                              model=run.model, title=graph_of)
    for path, message, what in ((curve_path, curve_note, "the loss curve"),
                                (graph_path, graph_note, f"the computation graph of {graph_of}")):
        if path is None:
            run.notes.append(message)
        else:
            run.written.append((str(path), what))
    if note:  # the first update, every step of it, as a page to click through
        page, page_note = save_backprop_page(os.path.join(args.out, "backprop.html"), lr=_lr(args, PRESETS["note"]),
                                             hidden=args.hidden or PRESETS["note"].hidden,
                                             activation=args.activation or PRESETS["note"].activation, seed=args.seed)
        if page is None:
            run.notes.append(page_note)
        else:
            run.written.append((str(page), "the first update step by step: forward, E, δ_k, δ_j, Δw = η δ y"))
        _keep(run, "the network, trained live in the page", *save_note_playground(
            os.path.join(args.out, "playground.html"), lr=_lr(args, PRESETS["note"]), seed=args.seed,
            hidden=args.hidden or PRESETS["note"].hidden, activation=args.activation or PRESETS["note"].activation))
    model_path = os.path.join(args.out, "model.json")
    run.model.save(model_path)
    run.written.append((model_path, "the trained weights (load with nn.load_model)"))


def main(argv: Sequence[str] | None = None) -> int:
    """Parse, check before training (``nn.jobs.checks``: every flag used, ``--out`` writable), run.
    Ctrl-C prints one line and returns 130 (every file is written atomically: none is left half-written)."""
    p = parser()
    args = p.parse_args(argv)
    refuse_unused_flags(p, args)  # exit 2 naming a flag the data set would ignore
    args.model, args.optimizer = args.model or "mlp", args.optimizer or "sgd"
    check_output_folder(p, args.out)  # exit 2 before training if no file can be written there
    try:
        return run_job(args)
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return 130


def run_job(args: argparse.Namespace) -> int:
    """The job, once its arguments are checked."""
    if args.dataset == "digits":  # its own job: cross-entropy, mini-batches, Adam (nn/jobs/digits.py)
        done = digits_job.main(args.model, epochs=args.epochs, lr=args.lr, seed=args.seed, out=args.out,
                               quiet=args.quiet)
        clear_stale(args.out, [path for path, _ in done.written])
        return 0
    preset = PRESETS[args.dataset]

    def say(text: str) -> None:
        if not args.quiet:
            print(text)

    say(f"deltagrad main job — {preset.blurb}")
    try:
        run = (_train_note if args.dataset == "note" else _train_dataset)(args, preset, say)
    except DivergedError as e:  # no traceback, no files: say which update and what to change
        print(f"error: {e}".replace("try a smaller lr", "try a smaller --lr"), file=sys.stderr)
        return 1
    _write_outputs(run, args)
    clear_stale(args.out, [path for path, _ in run.written])  # the folder holds this run's files only
    if args.quiet:
        if run.prediction is not None:
            print(f"prediction {run.prediction:.6f} after {run.history.epochs} updates")
        else:
            print(f"stopped after {run.history.summary()}")
    for path, what in run.written:
        print(f"wrote {path}: {what}")
    for note in run.notes:
        print(f"note: {note}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # the output was piped into a reader that stopped early (| head)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
