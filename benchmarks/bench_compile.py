"""The compiled training step (``autograd.compile``) against hand-written floats, micrograd and our eager engine.

Workloads (``../shared/benchmarks/BASELINE.md``):

* **moons**: micrograd's demo step — ``MLP(2, [16, 16, 1])``, 100 points, loss = mean(relu(1 − y·score))
  + 1e-4·Σp², zero_grad, backward, SGD with lr = 1 − 0.9·k/100. Contestants: ``compiled``
  (``nn.fit(compile=True)``'s step: one sample's loss traced and compiled, run over the batch with
  seed 1/100, the L2 term added on floats), ``per-sample`` (the loop people write, as
  ``loss.backward()`` is written: ``step = autograd.compile(lambda x, t: nn.hinge(model(x), t), …)``
  called once per row, ``step(x, t, seed=1/100)``, 100 calls a step, the L2 term on floats), ``floats``
  (``bench_moons.float_step``, hand-written backprop), ``eager`` (``bench_moons.nn_step``: the same
  model through ``Value``/``backward()``) and ``micrograd`` 0.1.0 running its demo's code.
* **digits**: one epoch of ``MLP(64, [32, 10])`` (ReLU hidden units), softmax cross-entropy built
  from ``exp``/``log`` (E = ln Σ_k e^{z_k} − Σ_k t_k z_k per sample, averaged over the batch), batches
  of 32, SGD lr 0.1, on the 8×8 digits (1,437 training images). Contestants: ``compiled``, ``floats``
  (``bench_digits.float_epoch``, hand-written: z = Wx + b, softmax with max subtraction,
  δ = softmax − one-hot, hidden δ through the ReLU mask) and ``eager``.

Also printed: trace + generate + compile seconds and the memory of each compiled step, and the
largest difference between compiled and eager gradients. One process, GC on, warm-up, interleaved
turns, medians (``benchmarks.common``).

    python -m benchmarks.bench_compile            # the full run (a few minutes, most of it micrograd)
    python -m benchmarks.bench_compile --quick    # a smoke run (seconds)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import autograd
import nn
from autograd import Value
from benchmarks import bench_moons as moons
from benchmarks import common
from benchmarks.bench_digits import float_epoch
from benchmarks.common import Metrics, Runner
from nn.compiled import CompiledLoss

Matrix = list[list[float]]


# -- moons -------------------------------------------------------------------------------------
def compiled_moons_step(loss: CompiledLoss, opt: nn.SGD, k: int, update: bool = True) -> float:
    """One moons step as ``fit(compile=True)`` takes it: zero_grad, the compiled batch, SGD."""
    opt.zero_grad()
    E, _ = loss.batch(range(len(loss.X)))
    if update:
        opt.lr = moons.lr_at(k)
        opt.step()
    return E


def per_sample_moons_step(step: autograd.CompiledStep, loss: CompiledLoss, opt: nn.SGD, k: int,
                          update: bool = True) -> float:
    """One moons step written with one compiled call per row: zero_grad, step(x, t) per row, L2, SGD."""
    opt.zero_grad()
    seed = 1.0 / len(loss.X)
    E = 0.0
    for x, t in zip(loss.X, loss.y, strict=True):
        E += step(x, t, seed=seed)
    E = E * seed + loss._l2()
    if update:
        opt.lr = moons.lr_at(k)
        opt.step()
    return E


def moons_setup(n_points: int) -> dict[str, Any]:
    c = moons.contestants(n_points)
    model = nn.MLP(2, [16, 16, 1], seed=0)
    for p, q in zip(model.parameters(), c["micro"].parameters(), strict=True):
        p.data = float(q.data)
    c["cmodel"] = model
    c["copt"] = nn.SGD(model.parameters(), lr=1.0)
    start = time.perf_counter()
    c["closs"] = CompiledLoss(model, nn.losses.hinge, "hinge", c["Xl"], c["yl"], moons.ALPHA)
    c["compile_s"] = time.perf_counter() - start
    c["trace_s"] = c["closs"].step.compile_seconds
    pmodel = nn.MLP(2, [16, 16, 1], seed=0)
    for p, q in zip(pmodel.parameters(), c["micro"].parameters(), strict=True):
        p.data = float(q.data)
    c["pmodel"], c["popt"] = pmodel, nn.SGD(pmodel.parameters(), lr=1.0)
    c["ploss"] = CompiledLoss(pmodel, nn.losses.hinge, "hinge", c["Xl"], c["yl"], moons.ALPHA)
    c["pstep"] = autograd.compile(lambda x, t: nn.hinge(pmodel(x), t), c["ploss"].X[0], c["ploss"].y[0])
    _, c["memory"] = autograd.memory_of(lambda: CompiledLoss(model, nn.losses.hinge, "hinge", c["Xl"], c["yl"],
                                                              moons.ALPHA))
    return c


def moons_grad_diff(c: dict[str, Any]) -> float:
    """Largest |compiled − eager| over the parameters' gradients of one whole moons step (same weights),
    for ``many`` and for the per-sample loop."""
    compiled_moons_step(c["closs"], c["copt"], 0, update=False)
    mine = [p.grad for p in c["cmodel"].parameters()]
    per_sample_moons_step(c["pstep"], c["ploss"], c["popt"], 0, update=False)
    single = [p.grad for p in c["pmodel"].parameters()]
    moons.nn_step(c["ours"], c["opt"], c["Xl"], c["yl"], 0, update=False)
    eager = [p.grad for p in c["ours"].parameters()]
    return max(abs(a - e) for got in (mine, single) for a, e in zip(got, eager, strict=True))


def call_overhead(c: dict[str, Any], calls: int) -> tuple[float, float, float]:
    """(µs per single call, µs per row inside ``many``, µs of the structure guard's check) of the moons
    per-sample step (337 parameters). A single call's ``_one`` also returns right after the forward pass
    for a row whose ∂L/∂score is 0 (``autograd.compiler.single.dead_below``), which ``many`` does not."""
    step, rows = c["pstep"], list(zip(c["ploss"].X, c["ploss"].y, strict=True))
    seed = 1.0 / len(rows)
    stale = step._last.guard.stale  # what every call checks first (the last program's guard)
    best_one = best_many = best_guard = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for k in range(calls):
            x, t = rows[k % len(rows)]
            step(x, t, seed=seed)
        best_one = min(best_one, (time.perf_counter() - t0) / calls)
        t0 = time.perf_counter()
        step.many(rows, seed=seed)
        best_many = min(best_many, (time.perf_counter() - t0) / len(rows))
        t0 = time.perf_counter()
        for _ in range(calls):
            stale()
        best_guard = min(best_guard, (time.perf_counter() - t0) / calls)
    return best_one * 1e6, best_many * 1e6, best_guard * 1e6


def moons_runners(c: dict[str, Any], micro_steps: int, steps: int) -> dict[str, Runner]:
    steppers: dict[str, tuple[Callable[[int], Any], int]] = {
        "compiled": (lambda k: compiled_moons_step(c["closs"], c["copt"], k), steps),
        "per-sample": (lambda k: per_sample_moons_step(c["pstep"], c["ploss"], c["popt"], k), steps),
        "floats": (lambda k: moons.float_step(c["floats"], c["Xl"], c["yl"], k), steps),
        "eager": (lambda k: moons.nn_step(c["ours"], c["opt"], c["Xl"], c["yl"], k), steps),
        "micrograd": (lambda k: moons.demo_step(c["micro"], c["MValue"], c["X"], c["y"], k), micro_steps),
    }

    def runner(step: Callable[[int], Any], count: int) -> Runner:
        def run() -> Metrics:
            last = None
            t0 = time.perf_counter()
            for k in range(count):
                last = step(k % 100)
            seconds = time.perf_counter() - t0
            del last
            return {"step_s": seconds / count}

        return run

    return {name: runner(step, count) for name, (step, count) in steppers.items()}


# -- digits ------------------------------------------------------------------------------------
def digits_data(n: int) -> tuple[Matrix, Matrix, list[int]]:
    """The first ``n`` training images of ``nn.data.digits``, their one-hot targets and their classes."""
    X, y = nn.data.digits()[:2]
    images, labels = [list(map(float, x)) for x in X][:n], list(y)[:n]
    return images, [[1.0 if k == t else 0.0 for k in range(10)] for t in labels], labels


def cross_entropy(outs: list[Value], t: list[Any]) -> Value:
    """Per sample E = ln Σ_k e^{z_k} − Σ_k t_k z_k (softmax cross-entropy of logits z, one-hot t);
    ∂E/∂z_k = softmax(z)_k − t_k. A batch's loss is the mean over its samples."""
    n = len(outs) // 10
    terms = [autograd.sum([z.exp() for z in outs[10 * i: 10 * i + 10]]).log() -
             autograd.dot(t[10 * i: 10 * i + 10], outs[10 * i: 10 * i + 10]) for i in range(n)]
    return autograd.sum(terms) * (1.0 / n)


def digits_setup(n: int) -> dict[str, Any]:
    X, T, labels = digits_data(n)
    models = [nn.MLP(64, [32, 10], seed=0) for _ in range(2)]
    cmodel, emodel = models
    start = time.perf_counter()
    closs = CompiledLoss(cmodel, cross_entropy, "", X, T, 0.0)
    seconds = time.perf_counter() - start
    _, memory = autograd.memory_of(lambda: CompiledLoss(cmodel, cross_entropy, "", X, T, 0.0))
    weights = moons.weights_of(cmodel.parameters(), [64, 32, 10])
    return {"X": X, "T": T, "labels": labels, "source": "the 8×8 digits", "closs": closs, "compile_s": seconds,
            "trace_s": closs.step.compile_seconds, "memory": memory, "copt": nn.SGD(cmodel.parameters(), lr=0.1),
            "emodel": emodel, "eopt": nn.SGD(emodel.parameters(), lr=0.1), "W": weights}


def digits_runners(d: dict[str, Any]) -> dict[str, Runner]:
    n, batch = len(d["X"]), 32

    def compiled() -> None:
        for start in range(0, n, batch):
            d["copt"].zero_grad()
            d["closs"].batch(range(start, min(start + batch, n)))
            d["copt"].step()

    def eager() -> None:
        for start in range(0, n, batch):
            idx = range(start, min(start + batch, n))
            outs = [v for i in idx for v in d["emodel"](d["X"][i])]
            E = cross_entropy(outs, [v for i in idx for v in d["T"][i]])
            d["eopt"].zero_grad()
            E.backward()
            d["eopt"].step()

    def timed(fn: Callable[[], Any]) -> Runner:
        def run() -> Metrics:
            t0 = time.perf_counter()
            fn()
            return {"epoch_s": time.perf_counter() - t0}

        return run

    batches = [list(range(start, min(start + batch, n))) for start in range(0, n, batch)]
    return {"compiled": timed(compiled), "floats": timed(lambda: float_epoch(d["W"], d["X"], d["labels"], batches)),
            "eager": timed(eager)}


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = common.parse_quick(__doc__.split("\n\n")[0], argv)
    n_points, steps, micro_steps, n_digits = (30, 2, 1, 96) if args.quick else (100, 10, 1, 1437)
    print(common.environment())
    c = moons_setup(n_points)
    diff = moons_grad_diff(c)
    moons_t = {k: m["step_s"] for k, m in common.interleave(moons_runners(c, micro_steps, steps), args.repeats).items()}
    rows = [[name, common.fmt(t * 1e3), common.fmt_ratio(common.ratio(t, moons_t["floats"])),
             common.fmt_ratio(common.ratio(moons_t["micrograd"], t))] for name, t in moons_t.items()]
    common.print_table(f"moons step, MLP(2, [16, 16, 1]), {n_points} points (gc on; median of {args.repeats} turns)",
                       ["contestant", "ms/step", "this ÷ floats", "micrograd ÷ this"], rows)
    d = digits_setup(n_digits)
    digits_t = {k: m["epoch_s"] for k, m in common.interleave(digits_runners(d), max(1, args.repeats // 2)).items()}
    rows = [[name, common.fmt(t), common.fmt_ratio(common.ratio(t, digits_t["floats"]))]
            for name, t in digits_t.items()]
    common.print_table(f"digits epoch, MLP(64, [32, 10]), cross-entropy, batches of 32, {n_digits} images of "
                       f"{d['source']}", ["contestant", "s/epoch", "this ÷ floats"], rows)
    common.print_table("the compiled step itself (the time also in units of the same run's float step or epoch, "
                       "which a busy machine slows alike)",
                       ["model", "trace + generate + compile", "in float steps", "memory", "source lines"],
                       [["moons", f"{c['trace_s'] * 1e3:.0f} ms", f"{c['trace_s'] / moons_t['floats']:.1f} steps",
                         f"{c['memory'] / 1024:.0f} KiB", f"{len(c['closs'].step.source.splitlines()):,}"],
                        ["digits", f"{d['trace_s'] * 1e3:.0f} ms", f"{d['trace_s'] / digits_t['floats']:.2f} epochs",
                         f"{d['memory'] / 1024:.0f} KiB", f"{len(d['closs'].step.source.splitlines()):,}"]])
    print(f"\nlargest |compiled − eager| gradient of a whole moons step (many and per-sample): {diff:.3e}")
    one_us, row_us, guard_us = call_overhead(c, n_points)
    print(f"a single call with 337 parameters: {one_us:.1f} µs, a row inside many: {row_us:.1f} µs, the structure "
          f"guard's check inside the call: {guard_us:.1f} µs (best of 5; a single call also stops after the forward "
          "pass for a row whose loss gradient is 0, which many does not)")
    ratios = {"moons compiled ÷ floats": common.ratio(moons_t["compiled"], moons_t["floats"]),
              "moons micrograd ÷ compiled": common.ratio(moons_t["micrograd"], moons_t["compiled"]),
              "moons eager ÷ compiled": common.ratio(moons_t["eager"], moons_t["compiled"]),
              "moons per-sample ÷ floats": common.ratio(moons_t["per-sample"], moons_t["floats"]),
              "moons eager ÷ per-sample": common.ratio(moons_t["eager"], moons_t["per-sample"]),
              "digits compiled ÷ floats": common.ratio(digits_t["compiled"], digits_t["floats"]),
              "digits eager ÷ compiled": common.ratio(digits_t["eager"], digits_t["compiled"])}
    print(common.check_target("moons step, compiled ÷ floats", ratios["moons compiled ÷ floats"], 1.0, at_least=False))
    print(common.check_target("moons step, micrograd ÷ compiled", ratios["moons micrograd ÷ compiled"], 500,
                              at_least=True))
    print(common.check_target("moons step, eager ÷ compiled", ratios["moons eager ÷ compiled"], 8, at_least=True))
    print(common.check_target("moons per-sample loop, per-sample ÷ floats", ratios["moons per-sample ÷ floats"], 1.0,
                              at_least=False))
    print(common.check_target("moons per-sample loop, eager ÷ per-sample", ratios["moons eager ÷ per-sample"], 8,
                              at_least=True))
    print(common.check_target("digits epoch, compiled ÷ floats", ratios["digits compiled ÷ floats"], 1.0,
                              at_least=False))
    print(common.check_target("moons trace + generate + compile, s", c["trace_s"], 0.1, at_least=False))
    print(common.check_target("digits trace + generate + compile, s", d["trace_s"], 0.1, at_least=False))
    return {"moons_s": moons_t, "digits_s": digits_t, "ratios": ratios, "grad_diff": diff,
            "compile_s": {"moons": c["trace_s"], "digits": d["trace_s"]},
            "memory": {"moons": c["memory"], "digits": d["memory"]}, "call_us": (one_us, row_us, guard_us)}


if __name__ == "__main__":
    main()
