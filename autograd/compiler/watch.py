"""While tracing: who reads a node's number (``v.data``), and what that means for the program.

A number taken out of the graph with ``v.data`` (or ``v.item()``) is a plain float to the code
that reads it: whatever is computed from it — a constant, a branch, a class index — is frozen
into the traced program, and stays frozen when the arguments or the parameters change. Eager code
reads the new number every time. So while a thread traces, ``Value.data`` is replaced by a
descriptor that sees every read in that thread (other threads only pay a thread-local lookup,
and only while some thread traces) and sorts it by who reads and what:

* code of ``autograd/`` itself (the ops computing a node's value from its parents' numbers,
  ``repr``, drawing): fine, that is how a node is made;
* the number of a **scalar argument** (``x`` in ``step(x)``), read by anyone: the argument
  becomes a *key* of the program — the step traces one program per value, as for an ``int``
  argument, so the frozen number is always the one passed (``Run.keyed``);
* code of ``nn/`` reading any other node (a convolution or cross-entropy computing its node's
  value from its inputs' numbers, as ``autograd/`` does): fine;
* anything else — user code reading a parameter, a list element or an interior node: refused
  with ``TraceError`` naming the line, since no key can make that constant right.
"""

from __future__ import annotations

import linecache
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from autograd.compat.surface import ValueSurface
from autograd.engine import Value

_HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # autograd/
_LIBRARY = os.path.join(os.path.dirname(_HERE), "nn") + os.sep
_AUTOGRAD = _HERE + os.sep
_FOR_THE_CALLER = frozenset({ValueSurface.item.__code__})  # reads on behalf of the user's line
_kind_of: dict[Any, str] = {}  # code object -> 'autograd', 'nn' or 'user'
_state = threading.local()  # .reader: this thread's callback while it traces
_lock = threading.Lock()
_active = [0]
_SLOT = Value.__dict__["data"]  # the slot's own descriptor


def _kind(code: Any) -> str:
    kind = _kind_of.get(code)
    if kind is None:
        path = os.path.abspath(code.co_filename)
        kind = "autograd" if path.startswith(_AUTOGRAD) else "nn" if path.startswith(_LIBRARY) else "user"
        _kind_of[code] = kind
    return kind


class _WatchedData:
    """``Value.data`` while some thread traces: the slot, plus a call of that thread's reader."""

    def __get__(self, obj: Any, cls: Any = None) -> Any:
        if obj is None:
            return self
        x = _SLOT.__get__(obj, cls)
        reader = getattr(_state, "reader", None)
        if reader is not None:
            frame = sys._getframe(1)
            if frame.f_code in _FOR_THE_CALLER:
                frame = frame.f_back  # type: ignore[assignment]
            kind = _kind(frame.f_code)
            if kind != "autograd":
                reader(obj, kind, frame)
        return x

    def __set__(self, obj: Any, value: Any) -> None:
        _SLOT.__set__(obj, value)

    def __delete__(self, obj: Any) -> None:
        _SLOT.__delete__(obj)


_WATCHED = _WatchedData()


def line_of(frame: Any) -> str:
    """'file:line: source' of ``frame``."""
    text = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
    return f"{frame.f_code.co_filename}:{frame.f_lineno}" + (f": {text}" if text else "")


def watch(reader: Callable[[Value, str, Any], None]) -> Any:
    """Start seeing ``.data`` reads in this thread: ``reader(node, 'nn' or 'user', frame)`` for each.
    Returns the reader it replaces (a trace inside a trace), for ``unwatch`` to put back."""
    with _lock:
        before = getattr(_state, "reader", None)
        _state.reader = reader
        _active[0] += 1
        if _active[0] == 1:
            setattr(Value, "data", _WATCHED)  # noqa: B010
    return before


def unwatch(before: Any = None) -> None:
    """Stop, putting back the reader ``watch`` returned (the slot's own descriptor is back once no
    thread traces)."""
    with _lock:
        _state.reader = before
        _active[0] -= 1
        if not _active[0]:
            setattr(Value, "data", _SLOT)  # noqa: B010
