"""What ``import autograd`` costs: fresh interpreters, the import timed inside each, medians printed.

Each run starts a new ``python`` (so nothing is cached in ``sys.modules``; the bytecode caches on disk are
warm after the first run) and times the import with ``time.perf_counter`` around it, so the interpreter's
own start-up is not counted. Also printed: how many of our modules the import loads — the engine only;
every other capability loads on first use (``autograd/__init__.py``, PEP 562).

    python -m benchmarks.bench_import            # 15 processes per statement
    python -m benchmarks.bench_import --quick    # 3
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from benchmarks import common

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.10  # seconds for ``import autograd``
STATEMENTS = ("import autograd", "from autograd import Value", "import nn")
PROBE = ("import json, sys, time; t = time.perf_counter(); {statement}; t = time.perf_counter() - t; "
         "print(json.dumps([t, sorted(m for m in sys.modules if m.split('.')[0] in ('autograd', 'nn'))]))")


def one_run(statement: str) -> tuple[float, list[str]]:
    out = subprocess.run([sys.executable, "-c", PROBE.format(statement=statement)], cwd=ROOT, check=True,
                         capture_output=True, text=True, timeout=120)
    seconds, modules = json.loads(out.stdout)
    return float(seconds), list(modules)


def main(argv: Sequence[str] | None = None) -> None:
    args = common.parse_quick(__doc__ or "", argv)
    runs = 3 if args.quick else 15
    print(common.environment())
    rows = []
    medians = {}
    for statement in STATEMENTS:
        one_run(statement)  # warm the bytecode caches
        times: list[float] = []
        modules: list[str] = []
        for _ in range(runs):
            t, modules = one_run(statement)
            times.append(t)
        medians[statement] = statistics.median(times)
        rows.append([statement, common.fmt(medians[statement] * 1000), str(len(modules))])
    common.print_table(f"import cost: median of {runs} fresh processes", ["statement", "ms", "our modules loaded"],
                       rows)
    print(common.check_target("import autograd, seconds", medians["import autograd"], TARGET, at_least=False))


if __name__ == "__main__":
    main()
