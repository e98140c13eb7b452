"""The instruction-count benchmark runs (``--quick``) under callgrind and prints its table.

No count is asserted against a target here (counts are measured by running the benchmark); the test checks
that the method works: callgrind runs, the table has numbers, and the differences are positive.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.instructions_child import run

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed (apt-get install valgrind)")
def test_quick_instruction_benchmark_counts_the_forward_path() -> None:
    done = subprocess.run([sys.executable, "-m", "benchmarks.bench_instructions", "--quick"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    row = re.search(r"^\| deltagrad +\| ([0-9,]+) +\| ([0-9,]+) +\| 1\.0× +\|$", done.stdout, re.MULTILINE)
    assert row, done.stdout
    kept, dropped = (int(g.replace(",", "")) for g in row.groups())
    assert 1_000 < dropped < kept < 100_000  # two nodes per expression; keeping them costs the collector's visits
    assert "not judged" in done.stdout and "MISSED" not in done.stdout


@pytest.mark.parametrize("engine", ["deltagrad", "minimal"])
def test_the_counted_program_builds_what_it_says(engine: str) -> None:
    kept = run(engine, "kept", 5, empty=False)
    assert len(kept) == 5 and all(v.data == 1.5 * 2.0 - 0.5 for v in kept)
    assert len({id(v) for v in kept}) == 5  # a new node each time
    empty = run(engine, "kept", 5, empty=True)
    assert len(empty) == 5 and len({id(v) for v in empty}) == 1  # the same node appended: no arithmetic
    assert run(engine, "dropped", 5, empty=False) == [] == run(engine, "dropped", 5, empty=True)
