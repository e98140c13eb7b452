"""Recording modes: ``no_grad`` (as ``torch.no_grad``), ``is_grad_enabled`` and anomaly mode (``detect_anomaly``).

Both modes change how a new node is made, so the engine calls this module directly: ``make_node``
reads one count per new node (``state.off[0]``: the threads inside a ``no_grad`` block or
``detect_anomaly()``) and, while it is not 0, finishes every new node with ``rare_node`` — a leaf
inside this thread's ``no_grad``, and anomaly mode's check of its value (``anomaly.watch``).
"""

from __future__ import annotations

import contextlib
from typing import Any

from autograd.graph import Node
from autograd.modes import anomaly, state
from autograd.modes.anomaly import AnomalyError, detect_anomaly, is_anomaly_enabled, site_of
from autograd.modes.state import threads_off
from autograd.ops import Op

__all__ = ["AnomalyError", "detect_anomaly", "is_anomaly_enabled", "is_grad_enabled", "no_grad", "rare_node",
           "site_of", "threads_off"]

_local = state.local


def rare_node(v: Node, op: Op | None, first: Any, second: Any, const: Any) -> Node:
    """``make_node``'s rare path: a leaf inside this thread's ``no_grad``; anomaly mode's check of the node."""
    if getattr(_local, "depth", 0):
        op = first = second = const = None
    v._operation = op
    v._in = first
    v._in2 = second
    v._const = const
    if getattr(_local, "anomaly", 0):
        anomaly.watch(v)
    return v


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
