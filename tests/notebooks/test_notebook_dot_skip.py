"""Without Graphviz (no ``dot``, no pygraphviz), notebooks that render graphs skip with a reason — unless CI
requires it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = "notebooks/05_testing_gradients.ipynb"  # draws graphs with draw_dot


def _run_without_dot(require: bool, tmp: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DELTAGRAD_REQUIRE_DOT"}
    env["PATH"] = str(Path(sys.executable).parent)  # the venv's bin: python, but no dot
    (tmp / "pygraphviz.py").write_text("raise ImportError('hidden by the test')\n", encoding="utf-8")
    env["PYTHONPATH"] = os.pathsep.join([str(tmp), str(ROOT)])  # and a pygraphviz that cannot be imported
    if require:
        env["DELTAGRAD_REQUIRE_DOT"] = "1"
    cmd = [sys.executable, "-m", "pytest", "--nbmake", NOTEBOOK, "-q", "-rs", "-p", "no:cacheprovider"]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_a_rendering_notebook_skips_with_the_install_hint_when_dot_is_missing(tmp_path: Path) -> None:
    result = _run_without_dot(require=False, tmp=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "1 skipped" in result.stdout
    assert "apt-get install graphviz" in result.stdout and "pip install pygraphviz" in result.stdout


def test_ci_turns_the_skip_into_a_failure(tmp_path: Path) -> None:
    result = _run_without_dot(require=True, tmp=tmp_path)
    assert result.returncode == 1, result.stdout[-2000:]
    assert "1 failed" in result.stdout
