"""The program ``bench_instructions`` counts under callgrind: ``n`` times ``x * y + z`` on one engine.

It imports nothing but the engine it runs (``python -m benchmarks.instructions_child ENGINE HARNESS N MODE``)
and keeps its results in a global until the interpreter exits, as a small script would.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

WHERE = {"deltagrad": ("autograd", "Value"), "micrograd": ("micrograd.engine", "Value"),
         "minimal": ("benchmarks.bench_gpt", "Minimal")}


def engine(name: str) -> Any:
    """The node class of engine ``name`` (ImportError if it is not installed)."""
    module, attr = WHERE[name]
    return getattr(importlib.import_module(module), attr)


def run(name: str, harness: str, n: int, empty: bool) -> list[Any]:
    """``kept``: each result appended to a list (the empty loop appends ``x``); ``dropped``: each discarded."""
    make = engine(name)
    x, y, z = make(1.5), make(2.0), make(-0.5)
    out: list[Any] = []
    put = out.append
    if harness == "kept":
        if empty:
            for _ in range(n):
                put(x)
        else:
            for _ in range(n):
                put(x * y + z)
    elif empty:
        for _ in range(n):
            pass
    else:
        for _ in range(n):
            x * y + z  # the expression is what is measured; its result is dropped
    return out


if __name__ == "__main__":
    KEEP = run(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "empty")  # alive until the exit
