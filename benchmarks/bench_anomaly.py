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

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from micrograd.engine import Value as MicrogradValue

from autograd import Value, detect_anomaly
from benchmarks.bench_engine import ops_floats, ops_runner
from benchmarks.common import Metrics, environment, fmt, fmt_ratio, interleave, parse_quick, print_table, ratio


def runner(make: Callable[[float], Any], n: int, mode: str) -> Callable[[], Metrics]:
    """bench_engine's ops workload with anomaly mode on, or with one live hook elsewhere, or plain."""

    @contextlib.contextmanager
    def around() -> Iterator[None]:
        elsewhere = Value(0.0)  # kept alive for the block: a hook lives only as long as its node
        handle = elsewhere.register_hook(lambda g: None) if mode == "hook elsewhere" else None
        try:
            with detect_anomaly() if mode == "anomaly" else contextlib.nullcontext():
                yield
        finally:
            if handle is not None:
                handle.remove()

    return ops_runner(make, n, around)


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
