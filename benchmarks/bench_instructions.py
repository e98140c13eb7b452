"""Instructions per forward ``x * y + z``, counted by callgrind: a number a busy machine does not change.

Wall time on a shared machine moves by ±20 % from run to run; the number of machine instructions the
interpreter executes does not (it is the same to a few parts in a thousand). So this benchmark runs a
small program under ``valgrind --tool=callgrind`` and reads the total it prints ("Collected : N").

How a count is made (the method, so that numbers from different runs and machines can be compared):

* the child program (``benchmarks.instructions_child``) imports only the engine it runs, builds ``x, y, z``
  once, then in a loop inside a function evaluates ``x * y + z`` ``n`` times (two new nodes each time), with
  Python's garbage collector **on**;
* ``kept``: every result is appended to a list that lives until the interpreter exits, as a forward
  pass's nodes live until ``backward()``; the collector visits them on each of its passes (how often its
  full passes come depends on how many objects the process holds, so the count is for a small process:
  a script that imports the engine and nothing else), and once more at the exit.
  ``dropped``: each result is discarded at once, so the nodes are freed by reference counting and the
  collector never runs: the plain cost of making and freeing two nodes;
* the same program with an empty loop body (``kept``: the append of an existing node) is counted too, and
  each count is taken at n = 10,000 and n = 30,000; per expression = (full₃₀ₖ − full₁₀ₖ − empty₃₀ₖ + empty₁₀ₖ)
  / 20,000, which cancels the interpreter's start-up, the imports and the loop itself;
* the engines: ours, micrograd 0.1.0 (``pip install micrograd==0.1.0``) and the minimal node of microgpt's
  kind from ``benchmarks.bench_gpt`` (each op stores its parents and the local derivatives as numbers).

The target (issue 21: below 9,600) was set with a harness that was not recorded. On the two older commits
measured both ways, it read 0.917× this benchmark's ``kept`` count (9,748 against 10,659 at the end of the
first round, 10,700 against 11,645 at the end of the second), so the issue's 9,600 is 10,470 here, which
is what the benchmark judges.

valgrind is a Debian package (``apt-get install valgrind``); without it this benchmark says so and stops.

    python -m benchmarks.bench_instructions            # the full run (about a minute)
    python -m benchmarks.bench_instructions --quick    # a smoke run (ours only, n = 2,000 and 6,000)
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from benchmarks import common
from benchmarks.instructions_child import engine

ISSUE_SCALE = 0.917  # the issue's unrecorded harness ÷ this one, on two older commits (see above)
TARGET = 10_470  # instructions per kept x * y + z: the issue's 9,600 ÷ 0.917 (11,645 here when it was set)
ROOT = Path(__file__).resolve().parents[1]
ENGINES = ("deltagrad", "micrograd", "minimal")
HARNESSES = ("kept", "dropped")


def count(name: str, harness: str, n: int, empty: bool) -> int:
    """Instructions of one run of ``benchmarks.instructions_child`` under callgrind."""
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-m",
           "benchmarks.instructions_child", name, harness, str(n), "empty" if empty else "full"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"bench_instructions: callgrind run of {name}/{harness} failed:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def per_expression(engine: str, harness: str, small: int, large: int) -> float:
    """Instructions per ``x * y + z``: the difference of two lengths, less the empty loop's (see above)."""
    full = count(engine, harness, large, False) - count(engine, harness, small, False)
    empty = count(engine, harness, large, True) - count(engine, harness, small, True)
    return (full - empty) / (large - small)


def available(name: str) -> bool:
    try:
        engine(name)
    except ImportError:
        return False
    return True


def main(argv: Sequence[str] | None = None) -> dict[str, dict[str, float]]:
    args = common.parse_quick(__doc__.split("\n\n")[0], argv)
    print(common.environment())
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: instructions cannot be counted (Debian: apt-get install valgrind)")
        return {}
    small, large = (2_000, 6_000) if args.quick else (10_000, 30_000)
    engines = ["deltagrad"] if args.quick else [e for e in ENGINES if available(e)]  # quick: ours alone
    result = {e: {h: per_expression(e, h, small, large) for h in HARNESSES} for e in engines}
    rows = [[e, f"{result[e]['kept']:,.0f}", f"{result[e]['dropped']:,.0f}",
             common.fmt_ratio(common.ratio(result[e]["kept"], result["deltagrad"]["kept"]))] for e in engines]
    common.print_table(f"instructions per forward x * y + z (callgrind; n = {small:,} and {large:,}, gc on)",
                       ["engine", "kept", "dropped", "kept ÷ ours"], rows)
    ours = result["deltagrad"]["kept"]
    print(common.check_target("instructions per kept x * y + z", ours, TARGET, at_least=False, judged=not args.quick))
    print(f"(the issue's 9,600 in its own harness is {TARGET:,} in this one: see the module docstring)")
    return result


if __name__ == "__main__":
    main()
