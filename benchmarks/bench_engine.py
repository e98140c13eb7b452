"""Engine benchmark: our ``Value`` against micrograd 0.1.0 and plain floats with hand-written backprop.

Run from the repo root: ``python -m benchmarks.bench_engine`` (``--quick`` for a smoke run).
All engines run in this one process, with the garbage collector on, interleaved, medians printed
(see ``benchmarks/common.py``). Workloads (``../shared/benchmarks/BASELINE.md``):

* **ops**: ``a*b + c`` over 2·10⁴ triples of leaves (forward µs per op, 2 ops per triple); then the
  outputs are added up in a balanced tree of ``+`` (the same graph for every engine; micrograd's
  recursive topological sort would need a raised recursion limit for a chain of 2·10⁴ additions)
  and ``backward()`` runs (µs per node of the whole graph, leaves included).
* **memory**: bytes per node (tracemalloc) for 10⁵ products of existing leaves.
* **chain**: ``y = y*1.0001 + 0.0001`` N times from one leaf, then backward; x.grad must be 1.0001ᴺ.
* **fanin**: built-in ``sum()`` of 10⁵ products of leaves, then backward.

Targets (the layout issue): forward ≥ 8× micrograd, backward ≥ 2.5× per node, bytes per node ≤ 0.2 of micrograd's.
"""

from __future__ import annotations

import contextlib
import math
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from micrograd.engine import Value as MicrogradValue

import autograd
from autograd import Value
from autograd.backprop import reference_backward
from benchmarks.common import (
    Metrics,
    check_target,
    environment,
    fmt,
    fmt_ratio,
    interleave,
    parse_quick,
    print_table,
    ratio,
    settle,
)

ENGINES: dict[str, Callable[[float], Any]] = {"deltagrad": Value, "micrograd": MicrogradValue}


def inputs(n: int) -> tuple[list[float], list[float], list[float]]:
    """Deterministic a, b, c for n triples (no randomness: every engine sees the same numbers)."""
    a = [0.5 + (i % 97) * 0.01 for i in range(n)]
    b = [-1.0 + (i % 89) * 0.02 for i in range(n)]
    c = [0.25 - (i % 83) * 0.005 for i in range(n)]
    return a, b, c


def tree_sum(xs: Sequence[Any]) -> Any:
    """Σ xs as a balanced tree of ``+`` (depth log₂ n): the same graph shape for every engine."""
    level = list(xs)
    while len(level) > 1:
        paired = [level[i] + level[i + 1] for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


# ---------------------------------------------------------------------------------------------
# ops


def ops_runner(make: Callable[[float], Any], n: int,
               around: Callable[[], AbstractContextManager[Any]] = contextlib.nullcontext,
               backward: Callable[[Any], None] = lambda root: root.backward()) -> Callable[[], Metrics]:
    """The ops workload on nodes made by ``make``; ``around()`` is entered for the timed part; ``backward(root)``."""

    def run() -> Metrics:
        fa, fb, fc = inputs(n)
        a, b, c = [make(x) for x in fa], [make(x) for x in fb], [make(x) for x in fc]
        with around():
            settle()
            t0 = time.perf_counter()
            outs = [x * y + z for x, y, z in zip(a, b, c, strict=True)]
            t1 = time.perf_counter()
            root = tree_sum(outs)
            settle()
            t2 = time.perf_counter()
            backward(root)
            t3 = time.perf_counter()
        nodes = 3 * n + 2 * n + (n - 1)
        assert a[0].grad == fb[0] and b[-1].grad == fa[-1] and c[n // 2].grad == 1.0
        return {"forward_us_per_op": (t1 - t0) / (2 * n) * 1e6, "backward_us_per_node": (t3 - t2) / nodes * 1e6}

    return run


def ops_floats(n: int) -> Callable[[], Metrics]:
    """The same graph with floats: forward keeps each level of the tree; backward by hand."""

    def run() -> Metrics:
        a, b, c = inputs(n)
        settle()
        t0 = time.perf_counter()
        outs = [x * y + z for x, y, z in zip(a, b, c, strict=True)]
        t1 = time.perf_counter()
        levels = [outs]
        while len(levels[-1]) > 1:
            lv = levels[-1]
            paired = [lv[i] + lv[i + 1] for i in range(0, len(lv) - 1, 2)]
            if len(lv) % 2:
                paired.append(lv[-1])
            levels.append(paired)
        settle()
        t2 = time.perf_counter()
        grads = [1.0]  # ∂L/∂(root)
        for lv in reversed(levels[:-1]):  # each + passes its gradient to both inputs unchanged
            below = [0.0] * len(lv)
            for i, g in enumerate(grads):
                below[2 * i] += g
                if 2 * i + 1 < len(lv):
                    below[2 * i + 1] += g
            grads = below
        ga = [g * y for g, y in zip(grads, b, strict=True)]  # ∂L/∂a = ∂L/∂o · b
        gb = [g * x for g, x in zip(grads, a, strict=True)]  # ∂L/∂b = ∂L/∂o · a
        gc_ = list(grads)  # ∂L/∂c = ∂L/∂o
        t3 = time.perf_counter()
        assert ga[0] == b[0] and gb[-1] == a[-1] and gc_[n // 2] == 1.0
        nodes = 3 * n + 2 * n + (n - 1)
        return {"forward_us_per_op": (t1 - t0) / (2 * n) * 1e6, "backward_us_per_node": (t3 - t2) / nodes * 1e6}

    return run


def bench_ops(n: int, repeats: int) -> dict[str, Metrics]:
    runners = {name: ops_runner(make, n) for name, make in ENGINES.items()}
    runners["floats"] = ops_floats(n)
    # the readable specification of backward() (autograd.backprop.reference_backward), on the same graph
    runners["reference walk"] = ops_runner(autograd.Value, n, backward=reference_backward)
    return interleave(runners, repeats=repeats, warmup=1)


# ---------------------------------------------------------------------------------------------
# memory


def bytes_per_node(make: Callable[[float], Any], n: int) -> float:
    """Traced bytes allocated per product node, for n products of 1000 existing leaves."""
    leaves = [make(0.5 + i * 1e-3) for i in range(1000)]
    outs: list[Any] = [None] * n
    settle()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(n):
            outs[i] = leaves[i % 1000] * leaves[(7 * i + 3) % 1000]
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return (after - before) / n


def bench_memory(n: int) -> dict[str, float]:
    result = {name: bytes_per_node(make, n) for name, make in ENGINES.items()}
    result["floats"] = bytes_per_node(float, n)
    settle()
    return result


# ---------------------------------------------------------------------------------------------
# chain


def chain(make: Callable[[float], Any], n: int) -> float:
    """Build y ← y·1.0001 + 0.0001 n times, backward, and return x.grad (must be 1.0001ⁿ)."""
    x = make(1.0)
    y = x
    for _ in range(n):
        y = y * 1.0001 + 0.0001
    y.backward()
    return float(x.grad)


def chain_floats(n: int) -> float:
    y, steps = 1.0, 0
    for _ in range(n):
        y = y * 1.0001 + 0.0001
        steps += 1
    g = 1.0  # ∂y/∂y
    for _ in range(steps):  # each step: ∂(1.0001·y + 0.0001)/∂y = 1.0001
        g *= 1.0001
    return g


def deepest(works: Callable[[int], bool], limit: int) -> int:
    """The largest n ≤ limit with works(n), assuming works is monotone (bisection from 1)."""
    if works(limit):
        return limit
    lo, hi = 0, limit  # works(lo) (vacuously for 0), not works(hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if works(mid) else (lo, mid)
    return lo


def micrograd_works(build: Callable[[int], object]) -> Callable[[int], bool]:
    def works(n: int) -> bool:
        try:
            build(n)
        except RecursionError:
            return False
        finally:
            settle()
        return True

    return works


def bench_chain(n: int) -> list[list[str]]:
    rows = []
    for name, run in (("deltagrad", lambda: chain(Value, n)), ("floats", lambda: chain_floats(n))):
        settle()
        t0 = time.perf_counter()
        g = run()
        seconds = time.perf_counter() - t0
        ok = math.isclose(g, 1.0001**n, rel_tol=1e-9)
        rows.append([name, f"{n:,}", f"{seconds:.2f} s", "x.grad = 1.0001^N" if ok else f"WRONG x.grad {g!r}"])
        settle()
    best = deepest(micrograd_works(lambda k: chain(MicrogradValue, k)), 5000)
    note = f"RecursionError at N = {best + 1:,} (recursion limit {sys.getrecursionlimit()}, not raised)"
    rows.insert(1, ["micrograd", f"{best:,}", "–", note])
    return rows


# ---------------------------------------------------------------------------------------------
# fanin


def fanin_runner(n: int, reduce: Callable[[Any], Any]) -> Callable[[], Metrics]:
    def run() -> Metrics:
        xs = [Value(1.0 + (i % 7) * 0.1) for i in range(n)]
        ws = [Value(0.5 - (i % 5) * 0.2) for i in range(n)]
        settle()
        t0 = time.perf_counter()
        loss = reduce(w * x for w, x in zip(ws, xs, strict=True))
        loss.backward()
        t1 = time.perf_counter()
        assert xs[3].grad == ws[3].data
        return {"seconds": t1 - t0}

    return run


def fanin_floats(n: int) -> Callable[[], Metrics]:
    def run() -> Metrics:
        xs = [1.0 + (i % 7) * 0.1 for i in range(n)]
        ws = [0.5 - (i % 5) * 0.2 for i in range(n)]
        settle()
        t0 = time.perf_counter()
        products = [w * x for w, x in zip(ws, xs, strict=True)]
        loss = 0.0
        for p in products:
            loss += p
        gx = list(ws)  # ∂L/∂x_i = w_i
        gw = list(xs)  # ∂L/∂w_i = x_i
        t1 = time.perf_counter()
        assert gx[3] == ws[3] and gw[3] == xs[3] and loss != 0.0
        return {"seconds": t1 - t0}

    return run


def micrograd_fanin(n: int) -> None:
    xs = [MicrogradValue(1.0) for _ in range(n)]
    sum(x * x for x in xs).backward()


def bench_fanin(n: int, repeats: int) -> list[list[str]]:
    runners = {
        "deltagrad, sum()": fanin_runner(n, sum),
        "deltagrad, autograd.sum": fanin_runner(n, autograd.sum),
        "floats": fanin_floats(n),
    }
    medians = interleave(runners, repeats=repeats, warmup=1)
    rows = [[name, f"{m['seconds']:.3f} s"] for name, m in medians.items()]
    best = deepest(micrograd_works(micrograd_fanin), n)
    note = "works" if best == n else f"RecursionError (max {best:,} terms)"
    rows.insert(1, ["micrograd, sum()", note])
    return rows


# ---------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_quick("deltagrad engine vs micrograd 0.1.0 vs plain floats", argv)
    quick = args.quick
    n_ops, n_mem, n_chain, n_fanin = (2_000, 10_000, 10_000, 10_000) if quick else (20_000, 100_000, 1_000_000, 100_000)
    print("deltagrad engine benchmark" + (" (--quick: small sizes, a smoke run, not a measurement)" if quick else ""))
    print(environment())
    print(f"Interleaved rounds: {args.repeats} after 1 warm-up round; medians; gc.collect() between measurements.")

    ops = bench_ops(n_ops, args.repeats)
    print_table(
        f"ops: a*b + c over {n_ops:,} triples of leaves, then a balanced tree of + and backward "
        "(same graph for every engine: micrograd's recursive sort needs no raised recursion limit)",
        ["engine", "forward µs/op", "backward µs/node"],
        [[name, fmt(m["forward_us_per_op"]), fmt(m["backward_us_per_node"])] for name, m in ops.items()],
    )
    mem = bench_memory(n_mem)
    print_table(f"memory: traced bytes per node, {n_mem:,} products of existing leaves", ["engine", "bytes/node"],
                [[name, fmt(b)] for name, b in mem.items()])
    print_table("chain: y = y*1.0001 + 0.0001, N steps (2N nodes deep), then backward",
                ["engine", "deepest N that works", "time", "check"], bench_chain(n_chain))
    print_table(f"fanin: sum of {n_fanin:,} products of leaves, then backward", ["engine", "time"],
                bench_fanin(n_fanin, max(1, args.repeats // 2)))

    ours, theirs = ops["deltagrad"], ops["micrograd"]
    forward = ratio(theirs["forward_us_per_op"], ours["forward_us_per_op"])
    backward = ratio(theirs["backward_us_per_node"], ours["backward_us_per_node"])
    memory = ratio(mem["deltagrad"], mem["micrograd"])
    floor_fwd = ratio(ours["forward_us_per_op"], ops["floats"]["forward_us_per_op"])
    floor_bwd = ratio(ours["backward_us_per_node"], ops["floats"]["backward_us_per_node"])
    print("\nRatios (deltagrad vs micrograd 0.1.0, same process, gc on):")
    print(f"  forward ops: {fmt_ratio(forward)} faster;  backward per node: {fmt_ratio(backward)} faster;  "
          f"bytes per node: {memory:.2f} of micrograd's ({fmt_ratio(ratio(1.0, memory))} less)")
    print(f"  vs plain floats with hand-written backprop: forward {fmt_ratio(floor_fwd)} slower, "
          f"backward {fmt_ratio(floor_bwd)} slower")
    unrolled = ratio(ops["reference walk"]["backward_us_per_node"], ours["backward_us_per_node"])
    print(f"  backward()'s unrolled walks vs reference_backward (the same numbers): {fmt_ratio(unrolled)} faster")
    print("Targets (the layout issue):")
    judged = not quick  # a smoke run's sizes are too small to meet or miss a target
    print("  " + check_target("forward speed-up over micrograd", forward, 8.0, at_least=True, judged=judged))
    print("  " + check_target("backward speed-up per node over micrograd", backward, 2.5, at_least=True, judged=judged))
    print("  " + check_target("bytes per node relative to micrograd", memory, 0.2, at_least=False, judged=judged))
    if quick:
        print("(--quick sizes are too small for these ratios to mean much; run without --quick to measure.)")


if __name__ == "__main__":
    main()
