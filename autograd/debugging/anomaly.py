"""``with detect_anomaly():`` — find the first NaN or infinity, and the line of your code that made its node.

While the block is active in a thread, every node made there is checked as it is made (its value
y must be finite) and remembered with the file:line of the user's code that made it (the first
frame outside ``autograd/`` and ``nn/``); every ``backward()`` there takes the observed walk
(``autograd.debugging.walk``), which checks each node's gradient ∂L/∂v and each product
∂L/∂v · ∂v/∂p it passes on. The first value that is NaN or ±∞ raises ``AnomalyError`` naming the
node's op, label, the values involved and where it was made. Example: for y = √x · 0 at x = 0 the
forward values are finite, but backward passes 0 · ∂√x/∂x = 0 · ∞ = NaN into x.

Cost: outside the block nothing (the engine's one check per new node, ``_threads_off``, is the
one ``no_grad`` already pays; ``backward()`` reads one counter per call). Inside it, a frame walk
per node and the slow backward walk (``benchmarks/bench_anomaly.py`` measures both).
The sites are kept in a table of this thread, holding the nodes, and dropped when the outermost
block exits. While any thread is inside a block, every thread's new nodes take the engine's rare
path and every ``backward()`` the observed walk (as ``no_grad`` does), but only that thread checks.
Nodes made micrograd's way, ``Value(data, children, op)``, have no recorded site and are checked
in the backward pass only.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from typing import Any

from autograd import hooks, modes
from autograd.engine import Value
from autograd.errors import DeltagradError
from autograd.graph import constant_of, parents_of

__all__ = ["AnomalyError", "detect_anomaly", "is_anomaly_enabled", "site_of"]

_state = threading.local()  # .depth: this thread's nesting; .sites: id(node) -> (node, "file:line")
_HERE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_OURS = tuple(os.path.join(_HERE, pkg) + os.sep for pkg in ("autograd", "nn"))
_ours_cache: dict[str, bool] = {}


class AnomalyError(DeltagradError, ArithmeticError):
    """A NaN or infinity found by ``detect_anomaly()``: ``node`` (the ``Value``), ``phase``
    (``"forward"`` or ``"backward"``), ``site`` (``"file:line"`` where the node was made, or None)."""

    def __init__(self, message: str, node: Any, phase: str, site: str | None) -> None:
        super().__init__(message)
        self.node, self.phase, self.site = node, phase, site


def is_anomaly_enabled() -> bool:
    """Whether this thread is inside ``detect_anomaly()``."""
    return getattr(_state, "depth", 0) > 0


def site_of(v: Value) -> str | None:
    """``"file:line"`` of the user's code that made ``v`` inside the active block (None if unknown)."""
    entry = getattr(_state, "sites", {}).get(id(v))
    return entry[1] if entry is not None and entry[0] is v else None


def _ours(filename: str) -> bool:
    known = _ours_cache.get(filename)
    if known is None:
        known = _ours_cache[filename] = os.path.abspath(filename).startswith(_OURS)
    return known


def _site() -> str:
    frame = sys._getframe(1)
    while frame is not None and _ours(frame.f_code.co_filename):
        frame = frame.f_back  # type: ignore[assignment]
    return f"{frame.f_code.co_filename}:{frame.f_lineno}" if frame is not None else "<unknown>"


def finite(x: float) -> bool:
    return x - x == 0.0  # False for NaN and ±∞


def _name(v: Value) -> str:
    op = v._op or "leaf"
    return f"node {op!r}" + (f" (label {v.label!r})" if v.label else "")


def describe_node(v: Value) -> str:
    """``node '*' (label 'y') made at f.py:3`` — how the errors name a node."""
    site = site_of(v)
    return _name(v) + (f" made at {site}" if site else "")


def _inputs(v: Value) -> str:
    ps = parents_of(v)
    text = ", ".join(f"{p.label or '#' + str(i)} = {p.data!r}" for i, p in enumerate(ps))
    const = constant_of(v)
    if isinstance(const, float):
        text += f"; constant c = {const!r}"
    return text


def _watch(v: Value) -> None:
    """engine's check of each node made in this thread while the block is active."""
    site = _site()
    _state.sites[id(v)] = (v, site)
    if not finite(v.data):
        op = v.operation
        rule = f" ({op.doc})" if op is not None and op.doc else ""
        raise AnomalyError(f"detect_anomaly: forward value {v.data!r} at {_name(v)} made at {site}{rule}, "
                           f"from inputs {_inputs(v) or '(none)'}", v, "forward", site)


def backward_error(v: Value, message: str) -> AnomalyError:
    """The error for a non-finite gradient at node ``v`` (``message`` says which and from what)."""
    return AnomalyError(f"detect_anomaly: {message} at {describe_node(v)}, whose inputs are {_inputs(v) or '(none)'}"
                        f" and value {v.data!r}", v, "backward", site_of(v))


class detect_anomaly(contextlib.ContextDecorator):
    """Context manager (and decorator) checking every value and gradient for NaN/∞ in this thread.

    Nestable; the outermost block owns the table of creation sites and drops it on exit.
    """

    def __enter__(self) -> detect_anomaly:
        depth = getattr(_state, "depth", 0)
        _state.depth = depth + 1
        if depth == 0:
            _state.sites = {}
            modes._local.watch = _watch
            modes.threads_off(1)
            hooks.observe(1)
        return self

    def __exit__(self, *exc: object) -> None:
        _state.depth -= 1
        if _state.depth == 0:
            modes._local.watch = None
            _state.sites = {}
            modes.threads_off(-1)
            hooks.observe(-1)
