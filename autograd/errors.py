"""``DeltagradError``: the base of every exception deltagrad defines, so ``except autograd.DeltagradError``
catches all of ours (and nothing else).

Each of our exceptions also keeps the builtin base that says what kind of mistake it is — a
``GraphTooLargeError`` is a ``ValueError``, a ``MissingDerivativeError`` a ``TypeError``, a
``GradcheckError`` an ``AssertionError`` — so code that catches the builtin keeps working.
tests/house/test_architecture.py checks that every exception class of ``autograd`` and ``nn`` derives from it.
"""

from __future__ import annotations

__all__ = ["DeltagradError"]


class DeltagradError(Exception):
    """Raised by deltagrad (never by Python itself): a bad input, a wrong derivative, a failed check, ..."""
