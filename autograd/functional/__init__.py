"""Derivatives as functions: ``grad``, ``value_and_grad``, ``jacobian`` and ``hessian``.

Two ways to ask for a gradient, one name:

* **On a graph** (as ``torch.autograd.grad``): ``grad(y, x)`` or ``grad(y, [x1, x2])`` returns
  ∂y/∂x (one gradient for one ``Value``, a list for a list), and touches no ``.grad``. With
  ``create_graph=True`` the gradients are ``Value`` graphs, to be differentiated again.
* **On a function** (as JAX and HIPS autograd): ``grad(f)`` returns the function x ↦ f′(x);
  ``grad(f, argnums=1)`` differentiates with respect to the second argument, and
  ``argnums=(0, 1)`` or ``argnums=None`` (all positional arguments) give a list. ``f`` takes
  scalars (numbers or ``Value``s) and returns one ``Value`` (or a number: a constant, whose
  gradient is 0); keyword arguments are passed through and not differentiated.

The transformations compose from outside: ``grad(grad(f))`` is f″, ``hessian(f)`` is
``jacobian(grad(f))``. A transformed function called with plain numbers returns floats; called
with any ``Value``, or from inside another transformation, it returns ``Value`` graphs so the
outer one can differentiate them. Each call differentiates with respect to **its own** copy of
the arguments, so a nested ``grad`` that closes over an outer variable is not confused with it:
``grad(lambda x: x * grad(lambda y: x * y)(x))(2.0)`` is d(x·x)/dx = 4, not 8.
"""

from __future__ import annotations

import numbers
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, overload

from autograd.engine import Value, apply
from autograd.errors import describe
from autograd.functional.gradients import float_gradients, graph_gradients
from autograd.modes import is_grad_enabled
from autograd.ops import Op
from autograd.symbolic import define

Argnums = int | Sequence[int] | None

# Marks a function's argument inside a transformation: y = x;  ∂y/∂x = 1. A ``Value`` argument is
# wrapped in one, so that the function is differentiated with respect to this copy only.
ARG = define(Op("arg", lambda x: x, lambda x, y, c: 1.0, doc="y = x;  ∂y/∂x = 1 (a function's argument)"),
             lambda sp, a, c: a[0])

_state = threading.local()  # .depth: how many transformations are running their function


@contextmanager
def _tracing() -> Iterator[None]:
    _state.depth = getattr(_state, "depth", 0) + 1
    try:
        yield
    finally:
        _state.depth -= 1


def _check_recording(where: str) -> None:
    if not is_grad_enabled():
        raise RuntimeError(
            f"{where}: called inside no_grad(), where operations record no graph, so there is nothing to "
            "differentiate; call it outside the no_grad() block"
        )


def gradients(output: Value, inputs: Sequence[Value], create_graph: bool = False) -> list[Any]:
    """∂output/∂x for each x in ``inputs``: floats, or ``Value`` graphs when ``create_graph``."""
    if create_graph:
        _check_recording("grad(create_graph=True)")
        return graph_gradients(output, inputs)
    return float_gradients(output, inputs)


def _inputs(inputs: object) -> tuple[list[Value], bool]:
    """The inputs as a list of nodes, and whether a single node was passed."""
    if isinstance(inputs, Value):
        return [inputs], True
    if not isinstance(inputs, (list, tuple)):
        raise TypeError(
            f"grad(output, inputs): inputs must be a Value or a list/tuple of Values, got {describe(inputs)}"
        )
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(
                f"grad(output, inputs): inputs[{i}] is {describe(x)}, not a Value; gradients exist only "
                "with respect to nodes of the graph (wrap the number in Value(...) before computing output)"
            )
    return list(inputs), False


_UNSET: Any = type("_Unset", (), {"__repr__": lambda self: "<unset>"})()


@overload
def grad(output: Value, inputs: Value | Sequence[Value], create_graph: bool = False) -> Any: ...


@overload
def grad(output: Callable[..., Any], inputs: Argnums = 0, *, argnums: Argnums = 0) -> Callable[..., Any]: ...


def grad(output: Any, inputs: Any = _UNSET, create_graph: bool = False, *, argnums: Any = _UNSET) -> Any:
    """∂output/∂inputs without touching any ``.grad``; or, given a function, its derivative.

    ``grad(y, x)`` → ∂y/∂x for one ``Value`` x; ``grad(y, [x1, x2])`` → ``[∂y/∂x1, ∂y/∂x2]``.
    Floats by default (the numbers a first ``y.backward()`` would put in ``x.grad``); with
    ``create_graph=True``, ``Value`` graphs that can be differentiated again (second, third
    derivatives), drawn, or ``backward()``-ed. An input that ``y`` does not depend on gets 0
    (0.0, or ``Value(0.0)``), as PyTorch's ``allow_unused`` with zeros. A graph gradient may be an
    existing node: ∂(a·b)/∂a is ``b`` itself. Nodes made by a micrograd-style ``_backward``
    closure work for floats but cannot be differentiated twice (``TypeError`` naming the node).

    ``grad(f)``, ``grad(f, 1)``, ``grad(f, argnums=(0, 1))``, ``grad(f, None)`` (all arguments) →
    the function computing ∂f/∂x_argnums; see the module docstring for its rules.
    """
    if isinstance(output, Value):
        if argnums is not _UNSET:
            raise TypeError("grad(output, inputs): argnums is for grad(f), a function; pass inputs instead")
        if inputs is _UNSET:
            raise TypeError("grad(output, inputs): say which inputs, e.g. grad(y, x) or grad(y, [x1, x2])")
        xs, single = _inputs(inputs)
        gs = gradients(output, xs, create_graph)
        return gs[0] if single else gs
    if callable(output):
        if create_graph:
            raise TypeError("grad(f): create_graph is for grad(output, inputs); grad(f) decides by its arguments")
        if inputs is not _UNSET and argnums is not _UNSET:
            raise TypeError("grad(f, argnums): give argnums once, positionally or by keyword")
        nums = inputs if inputs is not _UNSET else (0 if argnums is _UNSET else argnums)
        return _transform(output, nums, "grad", _grad_of)
    raise TypeError(
        f"grad: the first argument must be a Value (grad(output, inputs)) or a function (grad(f)), "
        f"got {describe(output)} of type {type(output).__name__}"
    )


def value_and_grad(f: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., tuple[Any, Any]]:
    """The function computing ``(f(x...), ∂f/∂x_argnums)`` with one forward and one backward walk.

    The value is a float when called with numbers, else the ``Value`` that ``f`` returned.
    """

    def both(out: Any, xs: list[Value], want_values: bool, single: bool) -> tuple[Any, Any]:
        value = out.data if isinstance(out, Value) and not want_values else out
        return value, _grad_of(out, xs, want_values, single)

    return _transform(f, argnums, "value_and_grad", both)


def jacobian(f: Callable[..., Any], argnums: Argnums = None) -> Callable[..., Any]:
    """The function computing J[i][j] = ∂f_i/∂x_j for ``f`` returning a list of outputs.

    One backward walk per output. For ``f`` returning one ``Value`` this is the gradient; with an
    int ``argnums`` each row is one number. ``argnums=None`` (default): all arguments.
    """

    def rows(out: Any, xs: list[Value], want_values: bool, single: bool) -> Any:
        if isinstance(out, (list, tuple)):
            return [_grad_of(o, xs, want_values, single) for o in out]
        return _grad_of(out, xs, want_values, single)

    return _transform(f, argnums, "jacobian", rows)


def hessian(f: Callable[..., Any], argnums: Argnums = None) -> Callable[..., Any]:
    """The function computing H[i][j] = ∂²f/∂x_i∂x_j, a nested list (``argnums=None``: all args).

    ``hessian(f)(x1, x2)`` → ``[[f₁₁, f₁₂], [f₂₁, f₂₂]]`` (floats for number arguments), computed
    as ``jacobian(grad(f))``: one graph-recording backward walk, then one float walk per input.
    Symmetric up to rounding: f₁₂ and f₂₁ are computed along different paths and not forced
    equal. With an int ``argnums`` it is the single number ∂²f/∂x².
    """
    _check_callable(f, "hessian")
    return jacobian(grad(f, argnums=argnums), argnums=argnums)


# ---------------------------------------------------------------------------------------------
# The machinery shared by the transformations.

Compute = Callable[[Any, list[Value], bool, bool], Any]


def _check_callable(f: object, where: str) -> None:
    if not callable(f) or isinstance(f, Value):
        raise TypeError(f"{where}: expected a function of scalars, got {describe(f)}")


def _argnums(argnums: Any, nargs: int, where: str) -> tuple[list[int], bool]:
    """Positions to differentiate, and whether one position was asked for (a single result)."""
    if argnums is None:
        return list(range(nargs)), False
    single = type(argnums) is int
    nums = [argnums] if single else argnums
    if not isinstance(nums, (list, tuple)) or not all(type(i) is int for i in nums):
        raise TypeError(f"{where}: argnums must be an int, a tuple of ints or None, got {describe(argnums)}")
    for i in nums:
        if not -nargs <= i < nargs:
            raise ValueError(f"{where}: argnums {i} is out of range for a call with {nargs} positional argument(s)")
    return [i % nargs for i in nums], single


def _grad_of(out: Any, xs: list[Value], want_values: bool, single: bool) -> Any:
    """∂out/∂x for x in xs (one result if ``single``); Values if ``want_values``, else floats."""
    if isinstance(out, Value):
        gs = gradients(out, xs, create_graph=want_values)
    elif isinstance(out, numbers.Real) and not isinstance(out, bool):  # a constant function
        gs = [Value(0.0) if want_values else 0.0 for _ in xs]
    else:
        raise TypeError(
            f"the differentiated function must return a Value or a number, got {describe(out)} "
            f"of type {type(out).__name__}"
        )
    return gs[0] if single else gs


def _transform(f: Callable[..., Any], argnums: Any, where: str, compute: Compute) -> Callable[..., Any]:
    """Wrap ``f``: make differentiable copies of the chosen arguments, call ``f``, then ``compute``."""
    _check_callable(f, where)
    name = getattr(f, "__name__", "f")
    if argnums is not None:
        _argnums(argnums, 1 << 30, where)  # a wrong type fails now; a position out of range at the call

    def transformed(*args: Any, **kwargs: Any) -> Any:
        _check_recording(f"{where}({name})")
        nums, single = _argnums(argnums, len(args), where)
        want_values = getattr(_state, "depth", 0) > 0 or any(isinstance(a, Value) for a in (*args, *kwargs.values()))
        xs = list(args)
        for i in dict.fromkeys(nums):
            xs[i] = _argument(args[i], i, where)
        with _tracing():
            out = f(*xs, **kwargs)
        return compute(out, [xs[i] for i in nums], want_values, single)

    transformed.__name__ = f"{where}_{name}"
    transformed.__doc__ = f"{where} of {name} (see autograd.functional.{where})."
    return transformed


def _argument(x: object, i: int, where: str) -> Value:
    """A fresh node standing for argument i: a new leaf for a number, ``ARG(x)`` for a node."""
    if isinstance(x, Value):
        return apply(ARG, x)
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return Value(float(x))
    raise TypeError(
        f"{where}: argument {i} is {describe(x)} of type {type(x).__name__}; the function is differentiated "
        "with respect to scalars only: pass numbers or Values (one argument per scalar)"
    )
