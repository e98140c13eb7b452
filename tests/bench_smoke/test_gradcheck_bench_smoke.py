"""The gradcheck benchmark runs (``--quick``) and prints its ratios. No timing is asserted here."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quick_gradcheck_benchmark_prints_its_ratios() -> None:
    done = subprocess.run([sys.executable, "-m", "benchmarks.bench_gradcheck", "--quick"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "gc enabled: True" in out
    for name in ("fast, n=50", "full, n=50", "fast, n=500", "fast, planted bug, n=500", "full, n=500"):
        assert re.search(rf"^\| {re.escape(name)} +\| [0-9.,]+ +\|$", out, re.MULTILINE), name
    assert re.search(r"n=500: full ÷ fast = [0-9.,]+×", out)
