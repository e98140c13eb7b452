"""Recording modes: ``no_grad`` (as ``torch.no_grad``) and ``is_grad_enabled``.

The engine checks one global count per new node (``engine._threads_off``: the threads inside a
``no_grad`` block or ``detect_anomaly()``); this module keeps that count under ``_lock`` and, while it
is not 0, finishes every new node (``rare_node``). ``_local.depth`` is this thread's ``no_grad``
depth; ``_local.watch`` is anomaly mode's check of each new node in this thread (set by
``autograd.debugging``; None when off).
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from autograd import engine
from autograd.engine import Value
from autograd.ops import Op

__all__ = ["is_grad_enabled", "no_grad"]

_local = threading.local()
_lock = threading.Lock()


def rare_node(v: Value, op: Op | None, first: Any, second: Any, const: Any) -> Value:
    """``make_node``'s rare path: a leaf inside this thread's ``no_grad``; anomaly mode's check of the node."""
    if getattr(_local, "depth", 0):
        op = first = second = const = None
    v._operation = op
    v._in = first
    v._in2 = second
    v._const = const
    watch = getattr(_local, "watch", None)
    if watch is not None:
        watch(v)
    return v


engine._rare.append(rare_node)


def threads_off(delta: int) -> None:
    """Add ``delta`` to ``engine._threads_off``: a thread entering (+1) or leaving (−1) ``no_grad`` or anomaly mode."""
    with _lock:
        engine._threads_off += delta


def is_grad_enabled() -> bool:
    """Whether operations in this thread record their parents (False inside ``no_grad``)."""
    return getattr(_local, "depth", 0) == 0


class no_grad(contextlib.ContextDecorator):
    """Context manager (and decorator) inside which operations record no parents, as ``torch.no_grad``.

    Results are leaves: cheaper to make, and ``backward()`` does not reach through them. Nestable
    and per thread: another thread keeps recording.
    """

    def __enter__(self) -> no_grad:
        depth = getattr(_local, "depth", 0)
        _local.depth = depth + 1
        if depth == 0:
            threads_off(1)
        return self

    def __exit__(self, *exc: object) -> None:
        _local.depth -= 1
        if _local.depth == 0:
            threads_off(-1)
