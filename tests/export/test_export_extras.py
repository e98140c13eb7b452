"""The export oracles are extras, never runtime dependencies: pinned to the CPU wheel, installed for tests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")
ROOT = Path(__file__).resolve().parents[2]


def test_torch_and_onnx_are_extras_not_dependencies() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    assert extras["torch"] == ["torch==2.13.0"]  # a bare `torch` may pull a multi-GB CUDA build
    assert {re.split(r"[<>=]", r)[0] for r in extras["onnx"]} == {"onnx", "onnxruntime"}
    runtime = {re.split(r"[<>=\[]", r)[0] for r in project["dependencies"]}
    assert not runtime & {"torch", "onnx", "onnxruntime"}


def test_the_test_setup_installs_both() -> None:
    setup = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    line = next(x for x in setup.splitlines() if '[ "$mode" = test ] && extras=' in x)
    extras = re.search(r'extras="([^"]+)"', line)
    assert extras is not None and {"torch", "onnx"} <= set(extras.group(1).split(","))
