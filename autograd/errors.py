"""``DeltagradError``: the base of every exception deltagrad defines, so ``except autograd.DeltagradError``
catches all of ours (and nothing else).

Each of our exceptions also keeps the builtin base that says what kind of mistake it is — a
``GraphTooLargeError`` is a ``ValueError``, a ``MissingDerivativeError`` a ``TypeError``, a
``GradcheckError`` an ``AssertionError`` — so code that catches the builtin keeps working.
tests/house/test_architecture.py checks that every exception class of ``autograd`` and ``nn`` derives from it.
"""

from __future__ import annotations

import linecache
import os
import sys

__all__ = ["DeltagradError", "TraceError", "user_line"]

_PACKAGE = os.path.dirname(os.path.abspath(__file__))  # autograd/


class DeltagradError(Exception):
    """Raised by deltagrad (never by Python itself): a bad input, a wrong derivative, a failed check, ..."""


class TraceError(DeltagradError, RuntimeError):
    """``autograd.compile`` cannot compile the function faithfully (a branch on a node, a changing graph, or
    the compiled step disagreeing with the eager graph under ``check``)."""


def user_line() -> str:
    """'file:line: source' of the innermost frame outside the autograd package (the user's code)."""
    frame = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE + os.sep):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return "an unknown line"
    text = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
    return f"{frame.f_code.co_filename}:{frame.f_lineno}" + (f": {text}" if text else "")
