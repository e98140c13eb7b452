"""micrograd's demo workload (two moons) — micrograd, our ``nn`` and hand-written floats side by side.

The workload (``../shared/benchmarks/BASELINE.md``): ``MLP(2, [16, 16, 1])`` (337 parameters) on 100
two-moons points (noise 0.1, labels ±1), loss = mean(relu(1 − y·score)) + 1e-4·Σp², zero_grad,
backward, SGD with lr = 1 − 0.9·k/100. One step = forward over all 100 points + backward + update.

Contestants, all starting from micrograd's initial weights (``random.seed(1337)``):

* ``micrograd``: micrograd 0.1.0 running its demo's code (the anchor);
* ``demo code``: the same demo code, unchanged, on our ``autograd.Value`` and ``nn.MLP``;
* ``nn API``: our ``nn.MLP`` with ``nn.hinge`` + ``nn.l2`` (few nodes) and ``nn.SGD``;
* ``floats``: hand-written backprop on plain float lists (the floor for pure Python).

Everything runs in one process with Python's garbage collector **on** (what users get), timed by
``benchmarks.common.interleave`` (contestants take turns; garbage is collected between turns,
outside the clock; medians over turns). Two measurements:

1. **the demo's loop**: 100 steps from the initial weights, in turns of 10 consecutive steps, as
   the demo runs them (each step's own garbage stays for the next ones to pay, which is where
   micrograd's reference cycles cost most); the accuracy after the 100 steps comes from this run.
2. **one step from a freshly collected heap**: a warm-up step, then single steps in turns — the
   most favourable case for micrograd.

Also printed: graph nodes per step and the largest gradient difference from micrograd on
identical weights.

    python -m benchmarks.bench_moons            # the full run (about two minutes, most of it micrograd)
    python -m benchmarks.bench_moons --quick    # a smoke run (seconds: 30 points, 2 steps, 2 rounds)
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import autograd
import nn
from benchmarks import common
from benchmarks.common import Metrics, Runner

Weights = list[list[list[float]]]  # per layer, per neuron: [w_0, …, w_{n−1}, b]
ALPHA = 1e-4


def lr_at(k: int, steps: int = 100) -> float:
    """micrograd's demo schedule: 1 − 0.9·k/100."""
    return 1.0 - 0.9 * k / steps


# -- the demo's code, run unchanged against either engine --------------------------------------
def demo_step(model: Any, value: Callable[[Any], Any], X: np.ndarray, y: np.ndarray, k: int,
              update: bool = True) -> tuple[Any, float]:
    """One step of micrograd's demo notebook, as written there (``value`` is the engine's Value)."""
    inputs = [list(map(value, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    alpha = ALPHA
    reg_loss = alpha * sum(p * p for p in model.parameters())
    total_loss = data_loss + reg_loss
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores, strict=True)]
    model.zero_grad()
    total_loss.backward()
    if update:
        learning_rate = lr_at(k)
        for p in model.parameters():
            p.data -= learning_rate * p.grad
    return total_loss, sum(accuracy) / len(accuracy)


# -- our nn API --------------------------------------------------------------------------------
def nn_step(model: nn.MLP, opt: nn.SGD, X: list[list[float]], y: list[int], k: int,
            update: bool = True) -> tuple[autograd.Value, float]:
    """One step with ``nn``: hinge + L2 as few nodes, backward, SGD at micrograd's rate."""
    scores: list[Any] = [model(x) for x in X]
    loss = nn.hinge(scores, y) + nn.l2(opt.params, ALPHA)
    opt.zero_grad()
    loss.backward()
    if update:
        opt.lr = lr_at(k)
        opt.step()
    return loss, sum((s.data > 0) == (t > 0) for s, t in zip(scores, y, strict=True)) / len(y)


# -- hand-written backprop on floats -----------------------------------------------------------
def float_grads(W: Weights, X: list[list[float]], y: list[int]) -> tuple[Weights, float, float]:
    """∂L/∂w for the moons loss by hand: ReLU hidden layers, linear output, hinge, L2; (grads, loss, acc)."""
    n, last = len(X), len(W) - 1
    G = [[[0.0] * len(row) for row in layer] for layer in W]
    loss, correct = 0.0, 0
    for x, t in zip(X, y, strict=True):
        acts, zs, a = [x], [], x
        for li, layer in enumerate(W):
            z = []
            for row in layer:
                s = row[-1]
                for wi, ai in zip(row, a):  # noqa: B905  (row also holds the bias, last)
                    s += wi * ai
                z.append(s)
            zs.append(z)
            a = z if li == last else [v if v > 0.0 else 0.0 for v in z]
            acts.append(a)
        score = a[0]
        correct += (score > 0.0) == (t > 0)
        margin = 1.0 - t * score
        if margin <= 0.0:
            continue
        loss += margin
        g = [-t / n]  # ∂L/∂score where the margin is violated
        for li in range(last, -1, -1):
            inp, layer, grads = acts[li], W[li], G[li]
            back = [0.0] * len(inp)
            for gj, row, grow in zip(g, layer, grads, strict=True):
                if gj == 0.0:
                    continue
                for i, ai in enumerate(inp):
                    grow[i] += gj * ai
                    back[i] += gj * row[i]
                grow[-1] += gj
            if li:
                g = [bi if zi > 0.0 else 0.0 for bi, zi in zip(back, zs[li - 1], strict=True)]
    reg = 0.0
    for layer, grads in zip(W, G, strict=True):
        for row, grow in zip(layer, grads, strict=True):
            for i, w in enumerate(row):
                reg += w * w
                grow[i] += 2.0 * ALPHA * w
    return G, loss / n + ALPHA * reg, correct / n


def float_step(W: Weights, X: list[list[float]], y: list[int], k: int, update: bool = True) -> tuple[Weights, float]:
    G, _, acc = float_grads(W, X, y)
    if update:
        lr = lr_at(k)
        for layer, grads in zip(W, G, strict=True):
            for row, grow in zip(layer, grads, strict=True):
                for i, g in enumerate(grow):
                    row[i] -= lr * g
    return G, acc


# -- set-up ------------------------------------------------------------------------------------
def weights_of(params: Sequence[Any], sizes: Sequence[int]) -> Weights:
    """micrograd-ordered parameters (per layer, per neuron: w…, b) as nested float lists."""
    it = iter(float(p.data) for p in params)
    return [[[next(it) for _ in range(nin + 1)] for _ in range(nout)] for nin, nout in itertools.pairwise(sizes)]


def contestants(n_points: int) -> dict[str, Any]:
    """Fresh models for each contestant, all with micrograd's initial weights for ``random.seed(1337)``."""
    from micrograd import nn as mnn
    from micrograd.engine import Value as MValue

    Xl, yl = nn.moons(n_points, 0.1, seed=1337, signed=True)
    X, y = np.array(Xl), np.array(yl)
    random.seed(1337)
    micro = mnn.MLP(2, [16, 16, 1])
    sizes = [2, 16, 16, 1]
    ours, demo = nn.MLP(2, [16, 16, 1], seed=0), nn.MLP(2, [16, 16, 1], seed=0)
    for model in (ours, demo):
        for p, q in zip(model.parameters(), micro.parameters(), strict=True):
            p.data = float(q.data)
    return {"X": X, "y": y, "Xl": Xl, "yl": yl, "micro": micro, "MValue": MValue, "ours": ours,
            "opt": nn.SGD(ours.parameters(), lr=1.0), "demo": demo,
            "floats": weights_of(micro.parameters(), sizes), "sizes": sizes}


def max_grad_diffs(c: dict[str, Any]) -> dict[str, float]:
    """Largest |∂L/∂p − micrograd's| over all parameters, on the same (initial) weights."""
    demo_step(c["micro"], c["MValue"], c["X"], c["y"], 0, update=False)
    ref = [float(p.grad) for p in c["micro"].parameters()]
    nn_step(c["ours"], c["opt"], c["Xl"], c["yl"], 0, update=False)
    demo_step(c["demo"], autograd.Value, c["X"], c["y"], 0, update=False)
    G, _, _ = float_grads(c["floats"], c["Xl"], c["yl"])
    flat = [g for layer in G for row in layer for g in row]
    return {
        "nn API": max(abs(p.grad - r) for p, r in zip(c["ours"].parameters(), ref, strict=True)),
        "demo code": max(abs(p.grad - r) for p, r in zip(c["demo"].parameters(), ref, strict=True)),
        "floats": max(abs(g - r) for g, r in zip(flat, ref, strict=True)),
    }


def graph_sizes(c: dict[str, Any]) -> dict[str, int]:
    """Nodes in one step's loss graph (micrograd's walked by hand: its nodes keep parents in a set)."""
    total, _ = demo_step(c["micro"], c["MValue"], c["X"], c["y"], 0, update=False)
    seen, stack = {id(total)}, [total]
    while stack:
        for q in stack.pop()._prev:
            if id(q) not in seen:
                seen.add(id(q))
                stack.append(q)
    loss, _ = nn_step(c["ours"], c["opt"], c["Xl"], c["yl"], 0, update=False)
    demo, _ = demo_step(c["demo"], autograd.Value, c["X"], c["y"], 0, update=False)
    return {"micrograd": len(seen), "demo code": sum(1 for _ in autograd.walk(demo)),
            "nn API": sum(1 for _ in autograd.walk(loss))}


def steppers(c: dict[str, Any]) -> dict[str, Callable[[int], Any]]:
    return {
        "micrograd": lambda k: demo_step(c["micro"], c["MValue"], c["X"], c["y"], k),
        "demo code": lambda k: demo_step(c["demo"], autograd.Value, c["X"], c["y"], k),
        "nn API": lambda k: nn_step(c["ours"], c["opt"], c["Xl"], c["yl"], k),
        "floats": lambda k: float_step(c["floats"], c["Xl"], c["yl"], k),
    }


def runners(c: dict[str, Any], steps_per_turn: int) -> dict[str, Runner]:
    """Each call runs ``steps_per_turn`` consecutive training steps of one contestant, as the demo's
    loop does (the previous step's loss stays referenced until the next one is made), and returns
    the mean seconds per step of that turn."""

    def runner(step: Callable[[int], Any]) -> Runner:
        k = [0]

        def run() -> Metrics:
            last = None
            t0 = time.perf_counter()
            for _ in range(steps_per_turn):
                last = step(k[0])
                k[0] += 1
            seconds = time.perf_counter() - t0
            del last
            return {"step_s": seconds / steps_per_turn}

        return run

    return {name: runner(step) for name, step in steppers(c).items()}


def accuracies(c: dict[str, Any], k: int) -> dict[str, float]:
    """Training accuracy of each contestant's current weights (a forward pass, no update)."""
    return {
        "micrograd": demo_step(c["micro"], c["MValue"], c["X"], c["y"], k, update=False)[1],
        "demo code": demo_step(c["demo"], autograd.Value, c["X"], c["y"], k, update=False)[1],
        "nn API": nn_step(c["ours"], c["opt"], c["Xl"], c["yl"], k, update=False)[1],
        "floats": float_grads(c["floats"], c["Xl"], c["yl"])[2],
    }


def table(title: str, times: dict[str, float], extra: tuple[str, dict[str, str]]) -> None:
    """ms per step, the ratio to micrograd, and one more column."""
    head, column = extra
    rows = [[name, common.fmt(t * 1e3), common.fmt_ratio(common.ratio(times["micrograd"], t)), column.get(name, "–")]
            for name, t in times.items()]
    common.print_table(title, ["contestant", "ms/step", "micrograd ÷ this", head], rows)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = common.parse_quick(__doc__.split("\n\n")[0], argv)
    n_points, steps, chunk = (30, 2, 1) if args.quick else (100, 100, 10)
    c = contestants(n_points)
    print(f"moons: MLP(2, [16, 16, 1]), {c['ours'].num_parameters()} parameters, {n_points} points")
    print(common.environment())
    diffs = max_grad_diffs(c)
    sizes = graph_sizes(c)

    # 1. micrograd's demo loop: `steps` steps from its initial weights, in interleaved turns
    loop = {name: m["step_s"] for name, m in common.interleave(runners(c, chunk), steps // chunk, warmup=0).items()}
    accs = accuracies(c, steps)
    table(f"the demo's training loop: {steps} steps, taken in turns of {chunk} (gc on; median per turn)", loop,
          (f"accuracy after {steps} steps", {name: f"{a:.0%}" for name, a in accs.items()}))

    # 2. single steps, each right after a full collection (micrograd's garbage cleared off the clock)
    single = {name: m["step_s"] for name, m in common.interleave(runners(contestants(n_points), 1),
                                                                 args.repeats).items()}
    table(f"one step from a freshly collected heap, median of {args.repeats} interleaved rounds (gc on)", single,
          ("graph nodes", {name: f"{n:,}" for name, n in sizes.items()}))

    print(f"\nnn API takes {common.ratio(loop['nn API'], loop['floats']):.1f}× the hand-written floats' time per step")
    for what, times, target in (("demo loop", loop, 60), ("one step after gc.collect()", single, 30)):
        speedup = common.ratio(times["micrograd"], times["nn API"])
        print(common.check_target(f"nn API speed-up over micrograd, {what}", speedup, target, at_least=True,
                                  judged=not args.quick))
    print("\nlargest gradient difference from micrograd on its initial weights (all parameters):")
    for name, d in diffs.items():
        print(f"  {name:<10} {d:.3e}  ({'≤' if d <= 1e-12 else 'ABOVE'} 1e-12)")
    return {"loop_s": loop, "single_s": single, "grad_diff": diffs, "accuracy": accs, "nodes": sizes}


if __name__ == "__main__":
    main()
