"""The digits workload — one training epoch of ``MLP(64, [32, 10])``: our ``nn`` against hand-written floats.

The workload (``../shared/benchmarks/BASELINE.md``): the 8×8 handwritten digits (1,437 training
images of 64 pixels in [0, 1], 10 classes), ``MLP(64, [32, 10])`` with ReLU hidden units and a linear
output, softmax cross-entropy, mini-batches of 32, SGD with lr 0.1; one epoch = 45 updates.

Contestants, both starting from the same weights and visiting the batches in the same order:

* ``nn eager``: ``nn.MLP`` called on each image (a list of floats: the first layer keeps the pixels
  as constants, ``linear_c``), ``nn.cross_entropy`` over the batch (one node), ``backward()``,
  ``nn.SGD``;
* ``nn, pixel leaves``: the same, with every pixel wrapped in a ``Value`` first (a leaf node per pixel
  and an input gradient for each: what the first layer costs without ``linear_c``);
* ``floats``: the same forward and backward written out on lists of floats (z = Wx + b per neuron,
  softmax with max subtraction, δ at the output = (softmax − one-hot)/n, hidden δ through the ReLU
  mask, no input gradient), the floor for pure Python.

Timed by ``benchmarks.common.interleave`` with the garbage collector **on**: the contestants take
turns (one epoch each), medians over turns. Also printed: the largest gradient difference between
the two on the first batch, and the loss after one epoch (they must agree).

    python -m benchmarks.bench_digits            # the full run (about a minute)
    python -m benchmarks.bench_digits --quick    # a smoke run (a few seconds: 4 batches, 2 rounds)
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Sequence
from typing import Any

import autograd
import nn
from benchmarks import common
from benchmarks.common import Metrics, Runner

SIZES = (64, 32, 10)
BATCH, LR = 32, 0.1
Weights = list[list[list[float]]]  # per layer, per neuron: [w_0, …, w_{n−1}, b]


# -- hand-written backprop on floats -----------------------------------------------------------
def float_batch(W: Weights, X: Sequence[list[float]], y: Sequence[int]) -> tuple[Weights, float]:
    """∂L/∂w of the mean cross-entropy over one batch, by hand; returns (gradients, loss)."""
    W1, W2 = W
    G1 = [[0.0] * len(row) for row in W1]
    G2 = [[0.0] * len(row) for row in W2]
    n = len(X)
    loss = 0.0
    for x, t in zip(X, y, strict=True):
        h = []
        for row in W1:  # z_j = Σ_i w_ij x_i + b_j, y_j = relu(z_j)
            s = row[-1]
            for wi, xi in zip(row, x):  # noqa: B905  (row also holds the bias, last)
                s += wi * xi
            h.append(s if s > 0.0 else 0.0)
        z = []
        for row in W2:  # the logits
            s = row[-1]
            for wi, hi in zip(row, h):  # noqa: B905
                s += wi * hi
            z.append(s)
        m = max(z)
        es = [math.exp(v - m) for v in z]
        total = sum(es)
        loss += m + math.log(total) - z[t]
        back = [0.0] * len(h)
        for k, (row, grow) in enumerate(zip(W2, G2, strict=True)):
            d = (es[k] / total - (1.0 if k == t else 0.0)) / n  # δ_k = (p_k − [k = t]) / n
            for i, hi in enumerate(h):
                grow[i] += d * hi
                back[i] += d * row[i]
            grow[-1] += d
        for j, (hj, row) in enumerate(zip(h, G1, strict=True)):
            if hj > 0.0:  # δ_j = f′(z_j) Σ_k δ_k w_jk, zero where the ReLU is off
                d = back[j]
                for i, xi in enumerate(x):
                    row[i] += d * xi
                row[-1] += d
    return [G1, G2], loss / n


def float_epoch(W: Weights, X: Sequence[list[float]], y: Sequence[int], batches: Sequence[list[int]]) -> float:
    """One epoch of SGD on floats; returns the mean batch loss."""
    losses = 0.0
    for idx in batches:
        G, loss = float_batch(W, [X[i] for i in idx], [y[i] for i in idx])
        losses += loss
        for layer, grads in zip(W, G, strict=True):
            for row, grow in zip(layer, grads, strict=True):
                for i, g in enumerate(grow):
                    row[i] -= LR * g
    return losses / len(batches)


# -- our nn ----------------------------------------------------------------------------------------
def nn_batch(model: nn.MLP, opt: nn.SGD, X: Sequence[list[float]], y: Sequence[int], leaves: bool = False) -> float:
    """One update: forward each image, the batch's mean cross-entropy as one node, backward, SGD."""
    outs: list[Any] = [model([autograd.Value(v) for v in x]) for x in X] if leaves else [model(x) for x in X]
    loss = nn.cross_entropy(outs, y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.data


def nn_epoch(model: nn.MLP, opt: nn.SGD, X: Sequence[list[float]], y: Sequence[int],
             batches: Sequence[list[int]], leaves: bool = False) -> float:
    losses = 0.0
    for idx in batches:
        losses += nn_batch(model, opt, [X[i] for i in idx], [y[i] for i in idx], leaves)
    return losses / len(batches)


# -- set-up ----------------------------------------------------------------------------------------
def weights_of(model: nn.MLP) -> Weights:
    return [[[w.data for w in n.w] + [n.b.data] for n in layer.neurons] for layer in model.layers]


def setup(n_batches: int | None = None) -> dict[str, Any]:
    X, y, _, _ = nn.data.digits()
    order = list(range(len(X)))
    random.Random(0).shuffle(order)
    batches = [order[s : s + BATCH] for s in range(0, len(order), BATCH)]
    if n_batches is not None:
        batches = batches[:n_batches]
    model, twin = nn.MLP(64, [32, 10], init="he", seed=0), nn.MLP(64, [32, 10], init="he", seed=0)
    return {"X": X, "y": y, "batches": batches, "model": model, "opt": nn.SGD(model.parameters(), lr=LR),
            "twin": twin, "twin_opt": nn.SGD(twin.parameters(), lr=LR), "floats": weights_of(model)}


def max_grad_diff(c: dict[str, Any]) -> float:
    """Largest |∂L/∂w (nn) − ∂L/∂w (floats)| on the first batch, same weights."""
    idx = c["batches"][0]
    Xb, yb = [c["X"][i] for i in idx], [c["y"][i] for i in idx]
    model = c["model"]
    loss = nn.cross_entropy([model(x) for x in Xb], yb)
    model.zero_grad()
    loss.backward()
    G, _ = float_batch(c["floats"], Xb, yb)
    ours = [[[w.grad for w in n.w] + [n.b.grad] for n in layer.neurons] for layer in model.layers]
    diffs = [abs(a - b) for la, lb in zip(ours, G, strict=True) for ra, rb in zip(la, lb, strict=True)
             for a, b in zip(ra, rb, strict=True)]
    model.zero_grad()
    return max(diffs)


def runners(c: dict[str, Any]) -> dict[str, Runner]:
    last: dict[str, float] = {}

    def ours() -> Metrics:
        t0 = time.perf_counter()
        last["nn eager"] = nn_epoch(c["model"], c["opt"], c["X"], c["y"], c["batches"])
        return {"epoch_s": time.perf_counter() - t0}

    def leaves() -> Metrics:
        t0 = time.perf_counter()
        last["nn, pixel leaves"] = nn_epoch(c["twin"], c["twin_opt"], c["X"], c["y"], c["batches"], leaves=True)
        return {"epoch_s": time.perf_counter() - t0}

    def floats() -> Metrics:
        t0 = time.perf_counter()
        last["floats"] = float_epoch(c["floats"], c["X"], c["y"], c["batches"])
        return {"epoch_s": time.perf_counter() - t0}

    c["last"] = last
    return {"nn eager": ours, "nn, pixel leaves": leaves, "floats": floats}


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = common.parse_quick(__doc__.split("\n\n")[0], argv)
    c = setup(4 if args.quick else None)
    n_img = sum(len(b) for b in c["batches"])
    print(f"digits: MLP(64, [32, 10]), {c['model'].num_parameters()} parameters, {len(c['batches'])} batches "
          f"of {BATCH} ({n_img} images), cross-entropy, SGD lr {LR}")
    print(common.environment())
    diff = max_grad_diff(c)
    c0 = setup(len(c["batches"]))  # the loss after exactly one epoch from the same weights, both ways
    loss_nn = nn_epoch(c0["model"], c0["opt"], c0["X"], c0["y"], c0["batches"])
    loss_fl = float_epoch(c0["floats"], c0["X"], c0["y"], c0["batches"])
    times = {name: m["epoch_s"] for name, m in common.interleave(runners(c), args.repeats).items()}
    r = common.ratio(times["nn eager"], times["floats"])
    rows = [[name, common.fmt(t), common.fmt_ratio(common.ratio(t, times["floats"]))] for name, t in times.items()]
    common.print_table(f"one epoch, median of {args.repeats} interleaved rounds (gc on)", ["contestant", "s/epoch",
                       "÷ floats"], rows)
    print(f"\nnn eager epoch takes {r:.2f}× the hand-written floats' time")
    print(common.check_target("nn eager ÷ floats", r, 2.0, at_least=False, judged=not args.quick))
    print(f"loss after one epoch: nn {loss_nn:.12f}, floats {loss_fl:.12f}")
    print(f"largest gradient difference from the floats on the first batch: {diff:.3e} "
          f"({'≤' if diff <= 1e-12 else 'ABOVE'} 1e-12)")
    return {"epoch_s": times, "ratio": r, "grad_diff": diff, "loss": {"nn eager": loss_nn, "floats": loss_fl}}


if __name__ == "__main__":
    main()
