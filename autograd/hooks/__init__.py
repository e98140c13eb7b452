"""Gradient hooks: ``v.register_hook(fn)`` calls ``fn(∂L/∂v)`` once v's gradient is complete.

Hooks live and die with their node, as PyTorch's: they are kept on the node (its ``_aux`` slot, an
``Extras``); the process-wide ``_hooks`` maps ``id(node) → weak reference`` and holds no node (the
reference's callback drops the entry when the node dies, before its id can be reused), and a
handle holds its node weakly. ``observers`` counts the hooked nodes plus the threads in
``detect_anomaly()``: while it is 0 ``backward()`` pays one read per call; otherwise it takes the
observed walk (``autograd.hooks.walk``), which runs each node's hooks in order. The lock is
re-entrant: the garbage collector may free a hooked node while this thread holds it.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any

from autograd.graph import Node

__all__ = ["Extras", "Hook", "HookHandle", "extras_of", "hooks_of", "observe", "register_hook"]

Hook = Callable[[float], Any]
_lock = threading.RLock()


class Extras:
    """What a few nodes carry beyond their numbers, in their ``_aux`` slot (unset on most nodes):
    ``label`` (its name, ``Value.label``), ``hooks`` (registered gradient hooks, in order), and ``site``
    (the ``file:line`` that made it inside ``detect_anomaly()``) with ``block``, the token of that block.
    One slot for all of them: every slot of a node costs each pass of the garbage collector over it."""

    __slots__ = ("block", "hooks", "label", "site")

    def __init__(self, site: str | None = None, block: object = None, label: str = "") -> None:
        self.hooks: list[Hook] | tuple[()] = ()  # a list once a hook is registered
        self.site = site
        self.block = block
        self.label = label


def extras_of(v: Any, create: bool = False) -> Extras | None:
    """``v``'s ``Extras`` (made if ``create``, under the lock: a label set in one thread and a hook
    registered in another land in the same one; else None when it has none)."""
    extras: Extras | None = getattr(v, "_aux", None)  # (the slot is unset on nodes that never had extras)
    if extras is None and create:
        with _lock:
            extras = getattr(v, "_aux", None)  # (made by another thread meanwhile?)
            if extras is None:
                extras = v._aux = Extras()
    return extras


class _Watch(weakref.ref[Any]):
    """A weak reference to a hooked node that remembers its id (the key in ``_hooks``)."""

    __slots__ = ("key",)
    key: int


def _died(ref: _Watch) -> None:
    """The weak reference's callback: the node is gone, and its hooks with it."""
    with _lock:
        if _hooks.get(ref.key) is ref:
            del _hooks[ref.key]
            _count(-1)


_hooks: dict[int, _Watch] = {}  # id(node) -> weak reference, for each node that has hooks; holds no node


observers = 0
"""How many observers there are (hooked nodes, and threads in anomaly mode): ``backward()`` reads it once
per call and takes the observed walk (``autograd.hooks.walk``) while it is not 0."""


def _count(delta: int) -> None:
    global observers
    observers += delta


def observe(delta: int) -> None:
    """Add ``delta`` to ``observers`` (a thread entering or leaving anomaly mode)."""
    with _lock:
        _count(delta)


def hooks_of(v: Node) -> list[Hook]:
    """The hooks registered on ``v``, in registration order (``[]`` for none)."""
    extras = extras_of(v)
    return list(extras.hooks) if extras is not None else []


def _unwatch(v: Any) -> None:
    """``v`` has no hooks left: take it out of ``_hooks`` (call with ``_lock`` held)."""
    if _hooks.pop(id(v), None) is not None:
        _count(-1)


class HookHandle:
    """What ``v.register_hook(fn)`` returns: ``.remove()`` takes the hook off (also ``with`` it).

    It holds its node weakly: dropping the handle leaves the hook on the node (as PyTorch), and
    keeping the handle does not keep the node alive.
    """

    __slots__ = ("_fn", "_node")

    def __init__(self, node: Node, fn: Hook) -> None:
        self._node: weakref.ref[Any] | None = weakref.ref(node)
        self._fn = fn

    def remove(self) -> None:
        """Take the hook off its node (a second call, or a call after the node is gone, does nothing)."""
        ref, self._node = self._node, None
        node = ref() if ref is not None else None
        if node is None:
            return
        with _lock:
            extras = extras_of(node)
            if extras is None:
                return
            hooks = extras.hooks
            for i, fn in enumerate(hooks):
                if fn is self._fn and isinstance(hooks, list):
                    del hooks[i]
                    break
            if not extras.hooks:
                _unwatch(node)

    def __enter__(self) -> HookHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def register_hook(v: Node, fn: Hook) -> HookHandle:
    """``v.register_hook(fn)``: call ``fn(∂L/∂v)`` once v's gradient is complete in each ``backward()``.

    A number returned replaces the gradient that flows on (None keeps it). The hook lives as long
    as ``v`` does (or until the handle's ``remove()``); nothing else keeps ``v`` alive.
    """
    if not callable(fn):
        raise TypeError(f"register_hook: fn must be a function of the gradient (a float), got {fn!r:.60}")
    with _lock:
        extras = extras_of(v, create=True)
        assert extras is not None
        if id(v) not in _hooks:
            watch = _Watch(v, _died)
            watch.key = id(v)
            _hooks[id(v)] = watch
            _count(1)
        if not isinstance(extras.hooks, list):
            extras.hooks = []
        extras.hooks.append(fn)
    return HookHandle(v, fn)
