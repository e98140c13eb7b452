"""gradcheck's fast mode against the full check, at 500 and 5,000 inputs, in one process.

Run from the repo root: ``python -m benchmarks.bench_gradcheck`` (``--quick`` for a smoke run;
``--full-5000`` also runs the full check at 5,000 inputs, which takes minutes, instead of
estimating it).

The workload is a chain network f(x) = Σ_i tanh(x_i·x_{i+1}) + Σ_i sin(x_i)/n: about 3n nodes, every
input feeding two neighbours. The full check evaluates f twice per input (2n + 1 evaluations of
O(n) each: O(n²)); fast mode (3 random directions) evaluates it 7 times: O(n). Both run with the
garbage collector on, interleaved, medians. "fast, planted bug" is fast mode on the same network
with sin(x_j) at j = n/3 made by a custom op whose derivative has the wrong sign: the time to catch it and localise it
(bisection, the input's full row, the first wrong node). Without ``--full-5000`` the full check at
5,000 inputs is estimated as (2n + 1) × the measured time of one evaluation of f at that size.
"""

from __future__ import annotations

import argparse
import itertools
import math
import time
from collections.abc import Callable, Sequence

import autograd
from autograd import Op, Value, gradcheck
from autograd.checking import GradcheckError
from benchmarks.common import Metrics, environment, fmt, fmt_ratio, interleave, print_table, ratio


def network(n: int, bad_at: int | None = None) -> Callable[..., Value]:
    wrong = Op("wrong_sin", math.sin, lambda x, y, c: -math.cos(x))  # sin′ = +cos: ∂f/∂x_j off by 2 cos x_j

    def f(*xs: Value) -> Value:
        terms = [(a * b).tanh() for a, b in itertools.pairwise(xs)]
        terms += [wrong(x) if i == bad_at else x.sin() * (1.0 / n) for i, x in enumerate(xs)]
        return autograd.sum(terms)

    return f


def point(n: int) -> list[float]:
    return [math.sin(1.7 * i) for i in range(n)]


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def fast_runner(n: int) -> Callable[[], Metrics]:
    f, xs = network(n), point(n)
    return lambda: {"s": timed(lambda: gradcheck(f, xs, fast_mode=True))}


def full_runner(n: int) -> Callable[[], Metrics]:
    f, xs = network(n), point(n)
    return lambda: {"s": timed(lambda: gradcheck(f, xs))}


def planted_runner(n: int) -> Callable[[], Metrics]:
    f, xs = network(n, n // 3), point(n)

    def run() -> Metrics:
        start = time.perf_counter()
        try:
            gradcheck(f, xs, fast_mode=True)
        except GradcheckError as e:
            found = [r.input for r in e.rows if r.status == "FAIL" and r.input >= 0]
            assert found == [n // 3] and e.node is not None, found  # localised to the planted input
            return {"s": time.perf_counter() - start}
        raise AssertionError("fast mode missed the planted bug")

    return run


def evaluation_runner(n: int) -> Callable[[], Metrics]:
    """One evaluation of f as the full check does it (fresh leaves, no_grad), for the estimate."""
    f, xs = network(n), point(n)

    def run() -> Metrics:
        with autograd.no_grad():
            return {"s": timed(lambda: f(*[Value(x) for x in xs]))}

    return run


def main(argv: Sequence[str] | None = None) -> dict[str, Metrics]:
    parser = argparse.ArgumentParser(description="deltagrad: gradcheck's fast mode vs the full check")
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats (a smoke run, seconds)")
    parser.add_argument("--repeats", type=int, default=None, help="interleaved rounds (default 5, quick 1)")
    parser.add_argument("--full-5000", action="store_true", help="measure the full check at 5,000 inputs")
    args = parser.parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 5)
    small, large = (50, 500) if args.quick else (500, 5_000)
    print("deltagrad gradcheck benchmark" + (" (--quick: a smoke run, not a measurement)" if args.quick else ""))
    print(environment())
    runners = {f"fast, n={small}": fast_runner(small), f"full, n={small}": full_runner(small),
               f"fast, n={large}": fast_runner(large), f"fast, planted bug, n={large}": planted_runner(large),
               f"one evaluation of f, n={large}": evaluation_runner(large)}
    if args.full_5000 or args.quick:
        runners[f"full, n={large}"] = full_runner(large)
    medians = interleave(runners, repeats=repeats, warmup=1 if not args.full_5000 else 0)
    measured = f"full, n={large}" in medians
    full_large = medians[f"full, n={large}"]["s"] if measured else \
        (2 * large + 1) * medians[f"one evaluation of f, n={large}"]["s"]
    rows = [[name, fmt(m["s"] * 1000)] for name, m in medians.items()]
    if not measured:
        rows.append([f"full, n={large} (estimated: {2 * large + 1:,} evaluations)", fmt(full_large * 1000)])
    print_table(f"gradcheck wall time, ms (medians of {repeats} interleaved rounds, gc on)", ["check", "ms"], rows)
    print("\nRatios (same process):")
    full_small, fast_small = medians[f"full, n={small}"]["s"], medians[f"fast, n={small}"]["s"]
    print(f"  n={small}: full ÷ fast = {fmt_ratio(ratio(full_small, fast_small))}")
    print(f"  n={large}: full ÷ fast = {fmt_ratio(ratio(full_large, medians[f'fast, n={large}']['s']))}"
          + ("" if measured else " (full estimated)"))
    print(f"  n={large}: fast with a planted bug (caught and localised) ÷ fast passing = "
          f"{fmt_ratio(ratio(medians[f'fast, planted bug, n={large}']['s'], medians[f'fast, n={large}']['s']))}")
    return medians


if __name__ == "__main__":
    main()
