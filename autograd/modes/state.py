"""The recording modes' shared state: which threads are inside ``no_grad()`` or ``detect_anomaly()``.

``off[0]`` counts the threads inside either block (a list, so that the engine holds it by name and reads
it once per new node in ``autograd.engine.make_node``: 370 instructions less per ``x*y + z`` than a module
attribute); while it is not 0, ``autograd.modes.rare_node`` finishes every new node. ``local.depth`` is this thread's
``no_grad`` depth, ``local.anomaly`` its ``detect_anomaly`` depth and ``local.block`` the outermost
anomaly block's token. ``tracing`` counts the threads inside ``autograd.compile``'s trace and
``local.tracing`` says whether this one is: comparisons and ``bool()`` of a node then refuse to run
(``compat.surface``), since a Python branch on a node's number would be frozen into the program.
"""

from __future__ import annotations

import threading

local = threading.local()
off = [0]
tracing = 0
_lock = threading.Lock()


def threads_off(delta: int) -> None:
    """Add ``delta`` to ``off[0]``: a thread entering (+1) or leaving (−1) ``no_grad`` or anomaly mode."""
    with _lock:
        off[0] += delta


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
