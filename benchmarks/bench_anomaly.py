"""What anomaly mode and gradient hooks cost, on and off: the engine's ``ops`` workload in five settings.

Run from the repo root: ``python -m benchmarks.bench_anomaly`` (``--quick`` for a smoke run).
The workload is ``benchmarks/bench_engine.py``'s: ``a*b + c`` over n triples of leaves, a balanced
tree of ``+``, then ``backward()``. All settings run in this one process, gc on, interleaved, medians:

* **off**: plain deltagrad, no hook anywhere, no anomaly block (what every user pays);
* **anomaly**: the same inside ``with detect_anomaly():`` (a frame walk and a check per node, and
  the observed backward walk that checks every gradient);
* **hook elsewhere**: one hook registered on an unrelated node, so ``backward()`` takes the
  observed walk (the cost of the hooked path itself, with no hook in this graph);
* **micrograd 0.1.0** and **floats** (hand-written backprop) for scale.

The claim "outside the context the engine pays nothing" is measured by ``bench_engine.py`` before
and after the change (its ratios are in the README); this benchmark shows the price when on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from micrograd.engine import Value as MicrogradValue

from autograd import Value, detect_anomaly
from benchmarks.bench_engine import inputs, ops_floats, tree_sum
from benchmarks.common import Metrics, environment, fmt, fmt_ratio, interleave, parse_quick, print_table, ratio, settle


def runner(make: Callable[[float], Any], n: int, mode: str) -> Callable[[], Metrics]:
    def run() -> Metrics:
        fa, fb, fc = inputs(n)
        a, b, c = [make(x) for x in fa], [make(x) for x in fb], [make(x) for x in fc]
        handle = Value(0.0).register_hook(lambda g: None) if mode == "hook elsewhere" else None
        block = detect_anomaly() if mode == "anomaly" else None
        try:
            if block is not None:
                block.__enter__()
            settle()
            t0 = time.perf_counter()
            outs = [x * y + z for x, y, z in zip(a, b, c, strict=True)]
            t1 = time.perf_counter()
            root = tree_sum(outs)
            settle()
            t2 = time.perf_counter()
            root.backward()
            t3 = time.perf_counter()
        finally:
            if block is not None:
                block.__exit__(None, None, None)
            if handle is not None:
                handle.remove()
        assert a[0].grad == fb[0] and b[-1].grad == fa[-1] and c[n // 2].grad == 1.0
        nodes = 3 * n + 2 * n + (n - 1)
        return {"forward_us_per_op": (t1 - t0) / (2 * n) * 1e6, "backward_us_per_node": (t3 - t2) / nodes * 1e6}

    return run


def main(argv: Sequence[str] | None = None) -> dict[str, Metrics]:
    args = parse_quick("deltagrad: the cost of detect_anomaly() and of gradient hooks, on vs off", argv)
    n = 2_000 if args.quick else 20_000
    quick = " (--quick: a smoke run, not a measurement)" if args.quick else ""
    print("deltagrad anomaly-mode / hooks benchmark" + quick)
    print(environment())
    runners = {
        "off": runner(Value, n, "off"),
        "anomaly": runner(Value, n, "anomaly"),
        "hook elsewhere": runner(Value, n, "hook elsewhere"),
        "micrograd": runner(MicrogradValue, n, "off"),
        "floats": ops_floats(n),
    }
    medians = interleave(runners, repeats=args.repeats, warmup=1)
    print_table(f"a*b + c over {n:,} triples, a balanced tree of +, backward (medians of {args.repeats} rounds)",
                ["setting", "forward µs/op", "backward µs/node"],
                [[name, fmt(m["forward_us_per_op"]), fmt(m["backward_us_per_node"])] for name, m in medians.items()])
    off, on, hooked = medians["off"], medians["anomaly"], medians["hook elsewhere"]
    print("\nRatios (same process, gc on):")
    print(f"  anomaly on vs off: forward {fmt_ratio(ratio(on['forward_us_per_op'], off['forward_us_per_op']))} slower, "
          f"backward {fmt_ratio(ratio(on['backward_us_per_node'], off['backward_us_per_node']))} slower")
    print(f"  hooked backward path (a hook elsewhere) vs off: backward "
          f"{fmt_ratio(ratio(hooked['backward_us_per_node'], off['backward_us_per_node']))} slower")
    mg = medians["micrograd"]
    print(f"  micrograd 0.1.0 time ÷ anomaly-on time: forward "
          f"{fmt_ratio(ratio(mg['forward_us_per_op'], on['forward_us_per_op']))}, backward "
          f"{fmt_ratio(ratio(mg['backward_us_per_node'], on['backward_us_per_node']))} (above 1× = still faster)")
    return medians


if __name__ == "__main__":
    main()
