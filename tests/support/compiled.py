"""Comparing a compiled step with the eager engine, bit for bit (tests/compile)."""

from __future__ import annotations

import math
import struct
from typing import Any

from autograd import Value


def bits(x: float) -> bytes:
    """The float's bytes (every NaN alike): equal bits, not equal values, so −0.0 ≠ 0.0."""
    return b"nan" if math.isnan(x) else struct.pack("<d", x)


def eager(fn: Any, args: list[Any], params: list[Value], seed: float = 1.0) -> tuple[float, list[float]]:
    """fn(*args).backward() on zeroed gradients, the raw arguments passed as the user passes them;
    the gradients are zeroed again after."""
    for p in params:
        p.grad = 0.0
    root = fn(*args)
    root.backward(seed)
    out = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    return root.data, out


def same_as_eager(step: Any, fn: Any, args: list[Any], params: list[Value]) -> None:
    """``step(*args)`` gives fn's value and adds its gradients, bit for bit as ``backward()``; zeroes them."""
    value, grads = eager(fn, args, params)
    got = step(*args)
    assert bits(got) == bits(value), (got, value)
    assert [bits(p.grad) for p in params] == [bits(g) for g in grads]
    for p in params:
        p.grad = 0.0
