"""Gradient hooks: ``v.register_hook(fn)`` calls ``fn(∂L/∂v)`` once v's gradient is complete.

The registry lives here; ``autograd.debugging.walk`` runs the hooks. ``backprop._observed``
counts the live hooks plus the threads inside ``autograd.debugging.detect_anomaly()``: while it is
0, ``backward()`` pays one global read per call and nothing per node; when it is not, the whole pass
takes the observed walk (``backprop._observed_walk``, registered by ``autograd.debugging``), which
calls each node's hooks in registration order once its gradient is complete.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from autograd import backprop
from autograd.graph import Node

__all__ = ["Hook", "HookHandle", "hooks_of", "observe", "register_hook"]

Hook = Callable[[float], Any]
_hooks: dict[int, tuple[Node, list[Hook]]] = {}  # id(node) -> (node, its hooks in order); holds the node
_hooks_lock = threading.Lock()


def observe(delta: int) -> None:
    """Add ``delta`` to ``backprop._observed``, the count of observers (a hook, or a thread entering or
    leaving anomaly mode) that ``backward()`` reads once per call."""
    with _hooks_lock:
        backprop._observed += delta


def hooks_of(v: Node) -> list[Hook]:
    """The hooks registered on ``v``, in registration order (``[]`` for none)."""
    entry = _hooks.get(id(v))
    return list(entry[1]) if entry is not None else []


class HookHandle:
    """What ``v.register_hook(fn)`` returns: ``.remove()`` takes the hook off (also ``with`` it)."""

    __slots__ = ("_fn", "_node")

    def __init__(self, node: Node, fn: Hook) -> None:
        self._node: Node | None = node
        self._fn = fn

    def remove(self) -> None:
        """Take the hook off its node (a second call does nothing)."""
        node, self._node = self._node, None
        if node is None:
            return
        with _hooks_lock:
            entry = _hooks.get(id(node))
            if entry is not None and self._fn in entry[1]:
                entry[1].remove(self._fn)
                if not entry[1]:
                    del _hooks[id(node)]
        observe(-1)

    def __enter__(self) -> HookHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def register_hook(v: Node, fn: Hook) -> HookHandle:
    """``v.register_hook(fn)``: call ``fn(∂L/∂v)`` once v's gradient is complete in each ``backward()``.

    A number returned replaces the gradient that flows on (None keeps it). The registry holds ``v``
    until the handle's ``remove()``.
    """
    if not callable(fn):
        raise TypeError(f"register_hook: fn must be a function of the gradient (a float), got {fn!r:.60}")
    with _hooks_lock:
        entry = _hooks.setdefault(id(v), (v, []))
        entry[1].append(fn)
    observe(1)
    return HookHandle(v, fn)
