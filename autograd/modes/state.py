"""The recording modes' shared state: which threads are inside ``no_grad()`` or ``detect_anomaly()``.

``off`` counts the threads inside either block; ``autograd.engine.make_node`` reads it once per new
node and takes ``autograd.modes.rare_node`` only while it is not 0. ``local.depth`` is this thread's
``no_grad`` depth, ``local.anomaly`` its ``detect_anomaly`` depth and ``local.block`` the outermost
anomaly block's token. ``tracing`` counts the threads inside ``autograd.compile``'s trace and
``local.tracing`` says whether this one is: comparisons and ``bool()`` of a node then refuse to run
(``compat.surface``), since a Python branch on a node's number would be frozen into the program.
"""

from __future__ import annotations

import threading

local = threading.local()
off = 0
tracing = 0
_lock = threading.Lock()


def threads_off(delta: int) -> None:
    """Add ``delta`` to ``off``: a thread entering (+1) or leaving (−1) ``no_grad`` or anomaly mode."""
    global off
    with _lock:
        off += delta


def tracing_on() -> bool:
    """This thread starts tracing; returns whether it already was (a trace inside a trace)."""
    global tracing
    with _lock:
        was_on = getattr(local, "tracing", False)
        local.tracing = True
        tracing += 1
    return was_on


def tracing_off(was_on: bool = False) -> None:
    """This thread's trace ends (``was_on``: what ``tracing_on`` returned)."""
    global tracing
    with _lock:
        local.tracing = was_on
        tracing -= 1
