"""What Python, micrograd and PyTorch habits expect of a node, beyond its arithmetic and ``backward()``.

``autograd.engine.Value`` inherits this class, which has no slots of its own (a node stays 120
bytes): ``operation``, ``is_leaf``, ``parents``, comparisons on ``data``, ``bool()``, the refusal
of ``float()``/``int()``/``math.*``, ``item()``, formatting, copying, the refusal of pickling,
PyTorch's ``register_hook`` and micrograd's ``_backward``. None of it takes part in the chain rule.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Union

from autograd import hooks
from autograd.compat import set_closure
from autograd.errors import NotANumberError, TraceError, as_number, describe, user_line
from autograd.graph import Node, copy_graph, copy_node, local_grads, local_step, parents_of
from autograd.modes import state as _modes
from autograd.ops import Op

Operand = Union["ValueSurface", int, float]

__all__ = ["NotANumberError", "ValueSurface"]

# While ``autograd.compiler`` traces a function it puts one hook here; comparisons and ``bool()`` of
# a node call it (it raises ``TraceError`` in the tracing thread). Empty otherwise: one global read.

_NOT_A_NUMBER = ("{what}: {x} is a node of the graph, not a plain number; math.exp(x) (and every math.* "
                 "function), float(x) and int(x) would use its number outside the graph, silently losing its gradient. "
                 "Use the node's own methods to stay in the graph (x.exp(), x.log(), x.tanh(), x.sin(), "
                 "x.sqrt(), ...), or x.data / x.item() for the number")


def _refuse_branch(v: ValueSurface, what: str) -> None:
    """While this thread traces for ``autograd.compile``: a branch on a node's number would be frozen."""
    if not getattr(_modes.local, "tracing", False):
        return
    label = f", label {v.label!r}" if v.label else ""
    shown = "bool(v) (an `if v:`, `and`, `or` or `not`)" if what == "bool" else f"a comparison v {what} x"
    raise TraceError(f"compile: {shown} on a traced Value (data={v.data!r}{label}) at {user_line()}. A Python "
                     "branch on a node's value would be frozen into the compiled program; write it with Value "
                     "operations (v.relu(), abs(v), ...), move it out of the function, or do not compile it.")


def _comparison(symbol: str, compare: Callable[[float, float], bool]) -> Callable[[ValueSurface, Operand], bool]:
    """``v < w`` and friends compare ``data`` (``bool``); refused while ``autograd.compiler`` traces."""

    def method(self: ValueSurface, other: Operand) -> bool:
        if _modes.tracing:
            _refuse_branch(self, symbol)
        data = other.data if isinstance(other, ValueSurface) else as_number(other, f"Value {symbol} x")
        return compare(self.data, data)

    method.__name__ = f"compare {symbol}"
    return method


if TYPE_CHECKING:  # for mypy the slots are graph.Node's (Value lays them out); at run time no base
    _Slots = Node
else:
    _Slots = object


class ValueSurface(_Slots):
    """The part of ``Value`` that Python's protocols and micrograd's and PyTorch's habits ask for."""

    __slots__ = ()

    parents = property(parents_of, doc="The parents as a tuple, in argument order (micrograd's ``_prev``).")
    _children = property(parents_of, doc="microgpt's name for the parents (a tuple, in argument order).")
    _local_grads = property(lambda v: tuple(local_grads(v)), doc="microgpt's ∂self/∂child_i, one per child.")
    if TYPE_CHECKING:

        @property
        def _op(self) -> str: ...  # micrograd's tag, made by autograd.engine.Value

    @property
    def op(self) -> str:
        """micrograd's tag of the op that made this node (its ``_op``)."""
        return self._op

    @property
    def operation(self) -> Op | None:
        """The ``Op`` (an entry of ``autograd.ops.TABLE``, or a user's) that made this node; None for a leaf."""
        return self._operation

    @property
    def is_leaf(self) -> bool:
        """True for a node without parents (an input, a parameter, or a result made in ``no_grad``)."""
        return self._operation is None

    def __pos__(self) -> Any:
        return self

    __lt__ = _comparison("<", float.__lt__)
    __le__ = _comparison("<=", float.__le__)
    __gt__ = _comparison(">", float.__gt__)
    __ge__ = _comparison(">=", float.__ge__)

    def __bool__(self) -> bool:
        """Always True (as for any object); refused while tracing, where ``if v:`` is a branch on a node."""
        if _modes.tracing:
            _refuse_branch(self, "bool")
        return True

    __eq__ = object.__eq__  # identity, so nodes can live in sets and dicts
    __hash__ = object.__hash__

    if not TYPE_CHECKING:  # hidden from type checkers too, so that mypy flags math.exp(x) on a Value

        def __float__(self) -> float:
            """Refused: ``math.exp(x)`` or ``float(x)`` would quietly turn the node into a constant."""
            raise NotANumberError(_NOT_A_NUMBER.format(what="float(x)", x=describe(self)))

        def __int__(self) -> int:
            """Refused, as ``float(x)``."""
            raise NotANumberError(_NOT_A_NUMBER.format(what="int(x)", x=describe(self)))

    def item(self) -> float:
        """The number, as a Python float (PyTorch's name; the same as ``v.data``)."""
        return self.data

    def __format__(self, spec: str) -> str:
        return format(self.data, spec) if spec else repr(self)

    def __reduce__(self) -> Any:
        raise TypeError("Value cannot be pickled; save numbers instead (nn modules have state_dict())")

    __copy__ = copy_node  # copy.copy(v): a new node, same fields; deepcopy: the graph, ops shared
    __deepcopy__ = copy_graph

    def register_hook(self, fn: Callable[[float], Any]) -> hooks.HookHandle:
        """Call ``fn(grad)`` once this node's gradient ∂L/∂v is complete in each ``backward()``.

        A number returned replaces the gradient that flows on to the parents (None keeps it); for a
        leaf, ``fn`` gets this pass's contribution and a returned number is accumulated instead.
        ``handle.remove()`` takes the hook off; the hook lives as long as the node (nothing else keeps it). While no
        hook exists ``backward()`` pays nothing for them (see ``autograd.hooks``).
        """
        return hooks.register_hook(self, fn)

    @property
    def _backward(self) -> Callable[[], None]:
        """micrograd's per-node step: add ``self.grad`` × local derivative into each parent."""
        return functools.partial(local_step, self)

    @_backward.setter
    def _backward(self, fn: Callable[[], None]) -> None:
        """micrograd's way of defining an op: ``out._backward = closure`` (first-order only)."""
        set_closure(self, fn)
