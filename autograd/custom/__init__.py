"""Defining your own scalar operation: a forward on floats and its local derivative, with a decorator.

::

    import math
    from autograd.custom import op, exp

    @op("softplus")
    def softplus(x):
        '''y = ln(1 + eˣ), computed without overflow.'''
        return max(x, 0.0) + math.log1p(math.exp(-abs(x)))

    @softplus.derivative
    def softplus(x, y):
        return 1.0 - exp(-y)          # f′(z) = σ(z) = 1 − e⁻ʸ

    softplus(Value(0.5))              # records a node like the built-in ops

The result is an ``autograd.Op``: calling it on ``Value`` nodes (or numbers) records one node, so
``backward()``, ``gradcheck``, ``check_graph`` and graph drawing work on it as on the built-ins.

* **Inputs** come from the forward's signature: ``def f(x)`` makes a one-input op, ``def f(a, b)``
  two, ``def f(*xs)`` any number. Parameters with default values are not inputs (bind constants
  with a default, a closure or ``functools.partial``).
* **The derivative** takes the same inputs, optionally followed by the output ``y``, and returns
  ∂y/∂x for one input, or one value per input (a tuple or list) for several; for ``def f(*xs)``
  it takes the list ``xs`` (and ``y``). Write it with plain arithmetic and the functions of this
  module (``exp``, ``log``, ``sqrt``, ``tanh``, ``sigmoid``, ``sin``, ``cos``): they work on floats
  and on ``Value`` nodes alike, so the same derivative also serves gradients of gradients.
  In the study note's notation, for a neuron's activation y_j = f(z_j) the derivative is f′(z_j),
  written as a function of z_j (``x``) or of y_j (``y``), whichever is simpler.
* **Kinks**: ``kink=lambda x: x == 0.0`` marks the inputs where the op is not differentiable, so
  that ``gradcheck`` reports "kink" there instead of a failure.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any, overload

from autograd import ops
from autograd.engine import apply
from autograd.graph import MissingDerivativeError
from autograd.ops import Op, checked_deriv

# exp, log, sqrt, tanh, sigmoid, sin, cos on floats (floats) or Values (nodes), for derivatives that
# can be differentiated again: the table's own ops (``Op.on``).
exp, log, sqrt, tanh = ops.EXP.on, ops.LOG.on, ops.SQRT.on, ops.TANH.on
sigmoid, sin, cos = ops.SIGMOID.on, ops.SIN.on, ops.COS.on


def _arity(name: str, forward: Callable[..., Any]) -> int | None:
    """How many inputs the forward takes (None for ``*xs``), from its signature."""
    try:
        params = list(inspect.signature(forward).parameters.values())
    except (TypeError, ValueError):
        raise TypeError(f"op {name!r}: cannot read the forward's signature; define it with def") from None
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return None
    n = sum(1 for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty)
    if n == 0:
        raise TypeError(f"op {name!r}: the forward must take at least one input, e.g. def {name}(x): ...")
    return n


def _takes_y(name: str, fn: Callable[..., Any], n: int | None) -> bool:
    """Whether the derivative takes the output y after the inputs (checked against its signature)."""
    inputs = 1 if n is None else n
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return True
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return True
    count = sum(1 for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
    if count not in (inputs, inputs + 1):
        first = "xs" if n is None else ", ".join(["x"] if n == 1 else [f"x{i + 1}" for i in range(n)])
        raise TypeError(f"op {name!r}: the derivative must take ({first}) or ({first}, y), "
                        f"got {count} parameter(s)")
    return count == inputs + 1


def _many(name: str, result: Any, n: int) -> list[Any]:
    if isinstance(result, (str, bytes)) or not isinstance(result, Sequence) or len(result) != n:
        raise TypeError(f"op {name!r}: the derivative must return {n} values (one ∂y/∂input per input), "
                        f"got {result!r}")
    return list(result)


class CustomOp(Op):
    """An ``Op`` made by ``@op``: ``@my_op.derivative`` sets (or replaces) its local derivative."""

    __slots__ = ("inputs",)

    inputs: int | None

    def __call__(self, *inputs: Any) -> Any:
        """Record the op on ``Value`` nodes or numbers (numbers become constant leaves): ``autograd.engine.apply``."""
        return apply(self, *inputs)

    def derivative(self, fn: Callable[..., Any]) -> CustomOp:
        """Set the local derivative (see the module docstring); returns the op, so ``@x.derivative``
        on a function of the same name keeps that name bound to the op."""
        if not callable(fn):
            raise TypeError(f"op {self.name!r}: the derivative must be a function, got {fn!r}")
        name, n, y = self.name, self.inputs, _takes_y(self.name, fn, self.inputs)
        deriv: Callable[..., Any]
        if n == 1:
            deriv = (lambda x, out, c: fn(x, out)) if y else (lambda x, out, c: fn(x))
        elif n == 2:
            deriv = lambda a, b, out, c: tuple(_many(name, fn(a, b, out) if y else fn(a, b), 2))
        elif n is None:
            deriv = lambda xs, out, c: _many(name, fn(xs, out) if y else fn(xs), len(xs))
        else:
            deriv = lambda xs, out, c: _many(name, fn(*xs, out) if y else fn(*xs), len(xs))
        self.deriv = checked_deriv(self, deriv)  # real numbers only, one per input (see .checks)
        return self


def _missing(name: str) -> Callable[..., Any]:
    def deriv(*args: Any) -> Any:
        raise MissingDerivativeError(f"op {name!r} has no derivative yet: add one with @{name}.derivative "
                                     f"or @op({name!r}, derivative=...)")

    return deriv


def _counted(name: str, forward: Callable[..., Any], n: int) -> Callable[..., Any]:
    """The forward of an op with n > 2 inputs (recorded as n-ary), checking that it gets n."""

    def fwd(*xs: float) -> Any:
        if len(xs) != n:
            raise TypeError(f"{name}: takes {n} inputs, got {len(xs)}")
        return forward(*xs)

    return fwd


def _make_op(name: str, forward: Callable[..., Any], derivative: Callable[..., Any] | None,
             kink: Callable[..., Any] | None, template: str | None) -> CustomOp:
    if not isinstance(name, str) or not name:
        raise TypeError(f"op: the name must be a non-empty str, got {name!r}")
    if not callable(forward):
        raise TypeError(f"op {name!r}: the forward must be a function of floats, got {forward!r}")
    n = _arity(name, forward)
    fwd = _counted(name, forward, n) if n is not None and n > 2 else forward
    flag = None if kink is None else (lambda *args: bool(kink(*args[:-1])))  # Op passes (*inputs, c)
    doc = (inspect.getdoc(forward) or "").split("\n")[0]
    result = CustomOp(name, fwd, _missing(name), arity=0 if n is None or n > 2 else n, template=template,
                      kink=flag, doc=doc)
    result.inputs = n
    return result.derivative(derivative) if derivative is not None else result


@overload
def op(name: Callable[..., Any]) -> CustomOp: ...


@overload
def op(name: str | None = None, *, derivative: Callable[..., Any] | None = None,
       kink: Callable[..., Any] | None = None, template: str | None = None) -> Callable[[Callable[..., Any]], CustomOp]:
    ...


def op(name: str | Callable[..., Any] | None = None, *, derivative: Callable[..., Any] | None = None,
       kink: Callable[..., Any] | None = None, template: str | None = None) -> Any:
    """Decorate a forward on floats to make it an operation (see the module docstring).

    ``@op`` names the op after the function; ``@op("softplus", derivative=..., kink=...)`` sets
    everything at once. ``template`` is how a drawing labels the node (default: the name).
    """
    if callable(name):
        return _make_op(name.__name__, name, derivative, kink, template)

    def decorate(forward: Callable[..., Any]) -> CustomOp:
        return _make_op(name if name is not None else getattr(forward, "__name__", ""), forward, derivative,
                        kink, template)

    return decorate
