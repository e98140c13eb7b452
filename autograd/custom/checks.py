"""The check of a user's derivative: real numbers, one per input, or a clear error naming the op.

Every op made outside the table (``autograd.Op(...)`` and ``@op``) has its derivative wrapped by
``checked_deriv``: a complex number, ``None``, a list where one number was due, a numpy array or a
``Value`` returned from floats would otherwise corrupt ``.grad`` silently.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

from autograd.engine import Value
from autograd.operators import describe
from autograd.ops import BadDerivativeError, Op

__all__ = ["checked_deriv"]


def _result_error(op: Op, r: Any, on_floats: bool) -> BadDerivativeError:
    """The error for a derivative value ``r`` that is not a real number, with a hint at the likely cause."""
    if isinstance(r, complex):
        hint = ("it left the real numbers (a negative base to a fractional power, cmath?); return a float, "
                "or raise ValueError where the op is not defined")
    elif r is None:
        hint = "return a float (did the derivative forget its return statement?)"
    elif on_floats and isinstance(r, Value):
        hint = ("it was given floats (an ordinary backward()) but returned a Value: compute it from its inputs, "
                "or use .data of a Value it closes over")
    elif hasattr(r, "shape"):
        hint = "return a float: for a numpy result use float(...) or .item()"
    elif isinstance(r, (list, tuple)):
        hint = "return one float per input" + (" (this op has one input: a float, not a sequence)"
                                               if op.arity == 1 else "")
    else:
        hint = "return a float"
    return BadDerivativeError(f"op {op.name!r}: its derivative returned {describe(r)} of type {type(r).__name__}, "
                              f"not a real number; {hint}")


def _real(op: Op, r: Any, on_floats: bool) -> Any:
    """A derivative's value as a Python float (numpy real scalars too); a node where nodes came in."""
    if type(r) is float:
        return r
    if isinstance(r, numbers.Real) and not isinstance(r, bool):
        return float(r)
    if not on_floats and isinstance(r, Value):
        return r
    raise _result_error(op, r, on_floats)


def checked_deriv(op: Op, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` as ``op.deriv``, with its results checked: real numbers (stored as Python floats), one per
    input; ``Value`` nodes only when it was given nodes (a differentiable gradient). Used for every op
    made outside this table (users' ``Op(...)`` and ``@op``); the table's own derivatives are not wrapped.
    ``autograd.custom`` registers it in ``ops._check`` on import."""

    def deriv(*args: Any) -> Any:
        r = fn(*args)
        on_floats = type(args[-2]) is float  # y: v.data in backward(), the node v in grad(create_graph=True)
        if op.arity == 1:
            return _real(op, r, on_floats)
        n = 2 if op.arity == 2 else len(args[0])
        if type(r) not in (tuple, list):
            raise _result_error(op, r, on_floats)
        if len(r) != n:
            raise BadDerivativeError(f"op {op.name!r} returned {len(r)} derivative(s) for {n} input(s): "
                                     f"{describe(r)}; return one ∂y/∂x_i per input, in order")
        out = [_real(op, d, on_floats) for d in r]
        return tuple(out) if op.arity == 2 else out

    deriv.__wrapped__ = fn  # type: ignore[attr-defined]
    return deriv
