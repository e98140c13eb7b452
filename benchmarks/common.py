"""Helpers shared by the benchmarks: fair timing of several engines in one process, and printing.

Rules these helpers implement (see the project's brief):

* Python's garbage collector stays **on** while timing, as users run code. ``interleave`` refuses
  to run with it off.
* Before each measured run the collector is emptied (``settle``), so that one engine's leftover
  garbage (micrograd's reference cycles) is not charged to the next engine.
* Each candidate runs ``warmup`` times untimed, then the candidates take turns (A B C A B C ...)
  for ``repeats`` rounds, so that slow drifts of a shared machine hit them all alike; the result
  of each metric is the median over the rounds.

A *runner* is a function of no arguments that sets up its inputs, calls ``settle()``, times the
parts it wants with ``time.perf_counter()`` and returns ``{metric name: number}``.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
from collections.abc import Callable, Mapping, Sequence

Metrics = dict[str, float]
Runner = Callable[[], Metrics]


def settle() -> None:
    """Collect all garbage now, outside any timed region (call it right before starting a clock)."""
    gc.collect()


def interleave(runners: Mapping[str, Runner], repeats: int, warmup: int = 1) -> dict[str, Metrics]:
    """Medians of each runner's metrics over ``repeats`` interleaved rounds, after ``warmup`` rounds.

    Returns ``{runner name: {metric: median}}``. Raises if the garbage collector is disabled.
    """
    if not gc.isenabled():
        raise RuntimeError("benchmarks run with Python's garbage collector on, as users run code; gc.enable() first")
    if repeats < 1:
        raise ValueError(f"interleave: repeats must be >= 1, got {repeats}")
    for _ in range(warmup):
        for run in runners.values():
            settle()
            run()
    samples: dict[str, dict[str, list[float]]] = {name: {} for name in runners}
    for _ in range(repeats):
        for name, run in runners.items():
            settle()
            for metric, value in run().items():
                samples[name].setdefault(metric, []).append(value)
    settle()
    return {name: {m: statistics.median(vs) for m, vs in metrics.items()} for name, metrics in samples.items()}


def ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, with inf for a zero denominator (a ratio to print, not to divide by)."""
    return numerator / denominator if denominator else float("inf")


def fmt(x: float | str | None, digits: int = 3) -> str:
    """A number for a table: 3 significant digits, '–' for None, strings as they are."""
    if x is None:
        return "–"
    if isinstance(x, str):
        return x
    if x == float("inf"):
        return "inf"
    return f"{x:.{digits}g}" if abs(x) < 10**digits else f"{x:,.0f}"


def fmt_ratio(x: float) -> str:
    return f"{x:.1f}×" if x < 100 else f"{x:,.0f}×"


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A plain-text table (Markdown-compatible) with a title line."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    print(f"\n{title}")
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))
    sys.stdout.flush()


def check_target(name: str, value: float, target: float, *, at_least: bool, judged: bool = True) -> str:
    """One line saying whether ``value`` meets ``target`` (``at_least`` or at most).

    ``judged=False`` (a ``--quick`` smoke run, whose sizes are too small to measure) says "not judged"
    instead of met or MISSED, so a smoke run never reports a miss that the full run would not.
    """
    sign = "≥" if at_least else "≤"
    if not judged:
        return f"{name}: {value:.2f} (target {sign} {target:g}) not judged (--quick is a smoke run)"
    met = value >= target if at_least else value <= target
    return f"{name}: {value:.2f} (target {sign} {target:g}) {'met' if met else 'MISSED'}"


def parse_quick(description: str, argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The benchmarks' common command line: ``--quick`` for a smoke run with small sizes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="small sizes and few repeats (a smoke run, seconds)")
    parser.add_argument("--repeats", type=int, default=None, help="interleaved rounds (default: 7, quick: 2)")
    args = parser.parse_args(argv)
    if args.repeats is None:
        args.repeats = 2 if args.quick else 7
    return args


def environment() -> str:
    """One line describing the interpreter, the collector's settings and how busy the machine is."""
    load = ""
    if hasattr(os, "getloadavg"):  # other processes on a shared machine make every engine slower, not alike
        load = f", load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    return (
        f"Python {sys.version.split()[0]} ({sys.implementation.name}), gc enabled: {gc.isenabled()}, "
        f"gc thresholds: {gc.get_threshold()}, recursion limit: {sys.getrecursionlimit()}{load}"
    )
