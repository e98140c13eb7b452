"""``DeltagradError``: the base of every exception deltagrad defines, so ``except autograd.DeltagradError``
catches all of ours (and nothing else).

Each of our exceptions also keeps the builtin base that says what kind of mistake it is — a
``GraphTooLargeError`` is a ``ValueError``, a ``MissingDerivativeError`` a ``TypeError``, a
``GradcheckError`` an ``AssertionError`` — so code that catches the builtin keeps working.
tests/house/test_architecture.py checks that every exception class of ``autograd`` and ``nn`` derives from it.
"""

from __future__ import annotations

import linecache
import numbers
import os
import sys
from typing import Any

__all__ = ["DeltagradError", "NotANumberError", "TraceError", "as_number", "describe", "label_note", "user_line"]

_PACKAGE = os.path.dirname(os.path.abspath(__file__))  # autograd/


class DeltagradError(Exception):
    """Raised by deltagrad (never by Python itself): a bad input, a wrong derivative, a failed check, ..."""


class NotANumberError(DeltagradError, TypeError, ValueError):
    """Something that should be a real number is not: ``float(v)`` / ``int(v)`` / ``math.*`` on a ``Value`` node
    (use ``v.data``, or the node's own method), or a setting such as an optimiser's ``lr`` given a str or a node."""


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


# -- how errors name what they got ------------------------------------------------------------


def describe(x: object) -> str:
    """``repr(x)`` cut to 60 characters, for error messages."""
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


def label_note(node: Any) -> str:
    """`` (node 'x')`` for a node with a label, ``''`` without one, for error messages."""
    return f" (node {node.label!r})" if node.label else ""


def as_number(x: object, where: str) -> float:
    """``x`` as a float if it is a real number (int, float, numpy scalar, Fraction), else TypeError."""
    try:
        if type(x) is float or type(x) is int:
            return float(x)
        if isinstance(x, numbers.Real) and not isinstance(x, bool):
            return float(x)
    except OverflowError:
        raise OverflowError(f"{where}: {describe(x)} does not fit in a float (|x| < 1.8e308)") from None
    raise TypeError(f"{where}: expected a real number or a Value, got {describe(x)} of type {type(x).__name__}; "
                    "convert it with float(...) or wrap it in Value(...)")
