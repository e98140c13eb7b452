"""`Value`: a scalar that remembers how it was made, the node of a computation graph.

A node holds ``data``, ``grad``, a ``label`` and how it was made: the operation (an entry of the
table in ``autograd.ops``), its parents and the op's constant operand (``x * 2`` records one
parent and the constant 2). ``_op`` is micrograd's tag as a real ``str`` (``'+'``, ``'ReLU'``,
``'**2'``); ``_prev`` is the tuple of parents. Nodes hold no closures, so a graph has no reference
cycles and is freed by reference counting alone. The chain rule is ``autograd.backprop``; what each
slot holds is written down (and read for everyone else) in ``autograd.graph``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Union

from autograd import backprop, ops
from autograd.compat import init_node
from autograd.compat.surface import ValueSurface
from autograd.errors import NotANumberError, as_number, describe, label_note
from autograd.graph import constant_of, parents_of, walk
from autograd.hooks import Extras, extras_of
from autograd.modes import rare_node
from autograd.modes.state import off as _threads_off
from autograd.ops import ADD, MUL, Op

__all__ = ["NotANumberError", "Number", "Operand", "Value", "apply", "as_number", "describe", "make_node"]

Number = Union[int, float]
Operand = Union["Value", int, float]
Tag = Union[str, Op, Sequence[Number]]  # micrograd's _op tag, an Op, or microgpt's local_grads

_new = object.__new__


# ``no_grad()`` and ``detect_anomaly()`` (autograd.modes) count the threads using them in
# ``modes.state.off[0]``: while it is 0 (the common case) that is one read per new node; otherwise
# ``modes.rare_node`` finishes every new node (a leaf in no_grad, anomaly mode's check).


def make_node(data: float, op: Op | None, first: Any, second: Any = None, const: Any = None) -> Value:
    """A node from its parts (see the module docstring), without validation: the engine's own path."""
    v = _new(Value)
    v.data = data
    v.grad = 0.0
    v._pending = 0
    if _threads_off[0]:  # some thread is in no_grad() or detect_anomaly(): the rare path
        return rare_node(v, op, first, second, const)  # type: ignore[return-value]
    v._operation = op
    v._in = first
    v._in2 = second
    v._const = const
    return v


def apply(op: Op, *inputs: Any) -> Value:
    """``op(*inputs)`` and ``autograd.apply``: record ``op`` on nodes or numbers (numbers become constant leaves)."""
    if op.arity > 0 and len(inputs) != op.arity:
        raise TypeError(f"{op.name}: takes {op.arity} input(s), got {len(inputs)}")
    if not inputs:
        raise TypeError(f"{op.name}: needs at least one input")
    nodes = tuple(v if isinstance(v, Value) else Value(as_number(v, op.name)) for v in inputs)
    try:
        y = op.forward(*[v.data for v in nodes])
    except (ValueError, ArithmeticError) as e:
        labels = ", ".join(repr(v.label) for v in nodes if v.label)
        raise type(e)(f"{op.name}: {e}" + (f" (nodes {labels})" if labels else "")) from None
    y = as_number(y, f"{op.name} (its forward returned)")
    if op.arity == 0:
        return make_node(y, op, nodes)
    return make_node(y, op, nodes[0], nodes[1] if op.arity == 2 else None)


def _unary(x: Value, op: Op, c: Any = None) -> Value:
    try:
        y = op.forward(x.data) if c is None else op.forward(x.data, c)
    except (ValueError, ArithmeticError) as e:
        raise type(e)(f"{op.describe(c)}: {e}{label_note(x)}") from None
    return make_node(y, op, x, None, c)


def _binary(op: Op, with_c: Op) -> Callable[[Value, Operand], Value]:
    """``a ∘ b``: ``op`` between two nodes, or ``with_c`` of a node and a number (the constant c)."""
    forward, symbol, where = op.forward, op.name, f"Value {op.name} x"

    def method(self: Value, other: Operand) -> Value:
        if isinstance(other, Value):
            try:
                y = forward(self.data, other.data)
            except (ValueError, ArithmeticError) as e:
                raise type(e)(f"{symbol}: {e}{label_note(self)}{label_note(other)}") from None
            return make_node(y, op, self, other)
        return _unary(self, with_c, as_number(other, where))

    method.__doc__ = f"{op.doc};  {op.formula} (with a number: {with_c.doc}, ∂y/∂x = {with_c.formula})."
    return method


def _reflected(op: Op) -> Callable[[Value, Operand], Value]:
    """``c ∘ x``, a number on the left: ``op`` with the constant c."""

    where = f"x {op.name} Value"

    def method(self: Value, other: Operand) -> Value:
        return _unary(self, op, as_number(other, where))

    method.__doc__ = f"{op.doc};  ∂y/∂x = {op.formula}."
    return method


class Value(ValueSurface):
    """A scalar node of a computation graph: ``data``, ``grad``, and how it was made.

    ``Value(data, label='')`` takes any real number (int, float, numpy scalar) and stores it as a float; ``grad`` starts
    at 0.0. micrograd's ``Value(data, _children, _op)`` and microgpt's ``Value(data, children, local_grads)`` work too.
    ``operation``, ``is_leaf``, comparisons, ``item()``, copying, ``register_hook`` and micrograd's ``_backward`` are
    inherited from ``autograd.compat.surface`` (``float(v)`` and ``math.*`` on a node raise a TypeError there: they
    would cut v out of the graph). Equality and hashing are by identity. The functions of one node (``exp``, ``log``,
    ``tanh``, ``sigmoid``, ``softplus``, ``relu``, ``leaky_relu``, ``abs``, ``sqrt``, ``sin``, ``cos``) are written out
    below, each recording its entry of the op table and documented with its f′.
    """

    __slots__ = ("data", "grad", "_operation", "_in", "_in2", "_const", "_pending", "_aux", "__weakref__")
    __array_ufunc__ = None  # numpy scalars and arrays defer to our reflected operators

    data: float
    grad: float
    _operation: Op | None
    _in: Any
    _in2: Value | None
    _const: Any
    _pending: int

    def __init__(self, data: Number, _children: Iterable[Value] | str = (), _op: Tag = "", label: str = ""):
        t = type(data)
        if (t is float or t is int) and type(_children) is tuple and not _children and _op == "" and type(label) is str:
            try:  # the common case, a leaf from a plain number: 3× faster than the general path below
                self.data = float(data)
            except OverflowError:
                raise OverflowError(f"Value: {describe(data)} does not fit in a float (|x| < 1.8e308)") from None
            self.grad = 0.0
            if label:
                self._aux = Extras(label=label)
            self._operation = self._in = self._in2 = self._const = None
            self._pending = 0
            return
        init_node(self, data, _children, _op, label)  # micrograd's Value(data, children, op), checked

    _apply_op = staticmethod(apply)  # how ``op(x)`` records a node (``Op.__call__`` asks its inputs' class)

    @property
    def label(self) -> str:
        """The node's name in drawings and messages (micrograd's ``label``); ``''`` unless one was given
        (always a ``str``: setting ``None`` clears it, any other object is kept as its text, ``str(obj)``).

        It is kept with the node's other rare extras (``_aux``, see ``autograd.hooks.Extras``), so the
        engine's nodes store nothing for it."""
        extras = getattr(self, "_aux", None)
        return "" if extras is None else extras.label

    @label.setter
    def label(self, text: str) -> None:
        if not isinstance(text, str):  # micrograd never checks: None is no label, anything else its text,
            text = "" if text is None else str(text)  # so every reader (drawing, explain, sympy, ...) gets a str
        if text or getattr(self, "_aux", None) is not None:  # (an unset label reads as '': nothing to keep)
            extras_of(self, create=True).label = text  # type: ignore[union-attr]  # (made under the hooks' lock)

    # -- the graph, read-only ----------------------------------------------------------------
    _prev = property(parents_of, doc="The parents as a tuple, in argument order (``parents_of``).")

    @property
    def _op(self) -> str:
        """micrograd's tag of the op that made this node, a ``str``: ``''`` for a leaf, ``'+'``, ``'**2'``."""
        op = self._operation
        return "" if op is None else op.tag_of(constant_of(self))

    # -- arithmetic: each op's forward and local derivative are one entry of ``autograd.ops`` ------
    # FAST PATH (the engine's one trick on the forward side; benchmarks/bench_instructions.py measures it): + and *
    # are most nodes of any graph, so they build their node themselves, as make_node would, one call fewer
    # (tests/engine/test_engine_fast_paths.py compares every slot with make_node's).
    def __add__(self, other: Operand) -> Value:
        """y = a + b;  ∂y/∂a = ∂y/∂b = 1 (with a number: y = x + c, ∂y/∂x = 1)."""
        if type(other) is Value or isinstance(other, Value):
            v = _new(Value)
            try:  # (floats cannot raise here; a data slot given a huge int by hand can)
                v.data = self.data + other.data
            except ArithmeticError as e:
                raise type(e)(f"+: {e}{label_note(self)}{label_note(other)}") from None
            v.grad = 0.0
            v._pending = 0
            if _threads_off[0]:  # some thread is in no_grad() or detect_anomaly(): make_node's rare path
                return rare_node(v, ADD, self, other, None)  # type: ignore[return-value]
            v._operation = ADD
            v._in = self
            v._in2 = other  # (_const is left unset: these ops have none, see autograd.graph)
            return v
        return _unary(self, ops.ADD_C, as_number(other, "Value + x"))

    def __mul__(self, other: Operand) -> Value:
        """y = a·b;  ∂y/∂a = b, ∂y/∂b = a (with a number: y = c·x, ∂y/∂x = c)."""
        if type(other) is Value or isinstance(other, Value):
            v = _new(Value)
            try:
                v.data = self.data * other.data
            except ArithmeticError as e:
                raise type(e)(f"*: {e}{label_note(self)}{label_note(other)}") from None
            v.grad = 0.0
            v._pending = 0
            if _threads_off[0]:
                return rare_node(v, MUL, self, other, None)  # type: ignore[return-value]
            v._operation = MUL
            v._in = self
            v._in2 = other
            return v
        return _unary(self, ops.MUL_C, as_number(other, "Value * x"))

    __radd__ = _reflected(ops.ADD_C)  # y = c + x;  ∂y/∂x = 1 (``sum()`` starts here, with c = 0)
    __rmul__ = _reflected(ops.MUL_C)  # y = c·x;  ∂y/∂x = c
    __sub__ = _binary(ops.SUB, ops.SUB_C)  # y = a − b;  ∂y/∂a = 1, ∂y/∂b = −1
    __rsub__ = _reflected(ops.RSUB)  # y = c − x;  ∂y/∂x = −1
    __truediv__ = _binary(ops.DIV, ops.DIV_C)  # y = a / b;  ∂y/∂a = 1/b, ∂y/∂b = −a/b²
    __rtruediv__ = _reflected(ops.RDIV)  # y = c / x;  ∂y/∂x = −c/x²
    __pow__ = _binary(ops.POW, ops.POW_C)  # y = aᵇ;  ∂y/∂a = b·aᵇ⁻¹, ∂y/∂b = aᵇ·ln a
    __rpow__ = _reflected(ops.RPOW)  # y = cˣ;  ∂y/∂x = cˣ·ln c

    def __neg__(self) -> Value:
        """y = −x;  ∂y/∂x = −1."""
        return make_node(-self.data, ops.NEG, self)

    # -- functions of one node, y = f(z): each is one entry of ``autograd.ops`` (forward and f′) --------
    def exp(self) -> Value:
        """y = eᶻ (OverflowError for z > 709.78);  f′ = eᶻ = y."""
        return _unary(self, ops.EXP)

    def log(self) -> Value:
        """y = ln z (ValueError for z ≤ 0);  f′ = 1/z."""
        return _unary(self, ops.LOG)

    def tanh(self) -> Value:
        """y = tanh z;  f′ = 1 − y²."""
        return _unary(self, ops.TANH)

    def sigmoid(self) -> Value:
        """y = σ(z) = 1/(1 + e⁻ᶻ), stable for any z;  f′ = y(1 − y)."""
        return _unary(self, ops.SIGMOID)

    def softplus(self) -> Value:
        """y = ln(1 + eᶻ), stable for any z;  f′ = σ(z) = 1/(1 + e⁻ᶻ)."""
        return _unary(self, ops.SOFTPLUS)

    def relu(self) -> Value:
        """y = max(0, z);  f′ = 1 for z > 0, else 0 (0 at the kink, as PyTorch)."""
        return _unary(self, ops.RELU)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """y = z for z > 0, else slope·z;  f′ = 1 for z > 0, else slope."""
        return _unary(self, ops.LEAKY_RELU, as_number(slope, "leaky_relu(slope)"))

    def abs(self) -> Value:
        """y = |z|;  f′ = sign z (0 at z = 0)."""
        return _unary(self, ops.ABS)

    __abs__ = abs  # abs(x)

    def sqrt(self) -> Value:
        """y = √z (ValueError for z < 0);  f′ = 1/(2√z) = 1/(2y)."""
        return _unary(self, ops.SQRT)

    def sin(self) -> Value:
        """y = sin z;  f′ = cos z."""
        return _unary(self, ops.SIN)

    def cos(self) -> Value:
        """y = cos z;  f′ = −sin z."""
        return _unary(self, ops.COS)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # -- gradients (the chain rule itself is in autograd.backprop) ------------------------------
    def backward(self, grad: Number = 1.0, *, retain_graph: bool | None = None) -> None:
        """Fill ``.grad`` of every node in this graph with ∂self/∂node, by the chain rule.

        The order is topological and computed without recursion, so graphs a million nodes deep
        work. Semantics (as PyTorch): **leaves accumulate** across calls (``+=``) until
        ``zero_grad()``; every **interior node's gradient is recomputed** by each call. So for
        y = x·x·x at x = 3, two calls leave ``x.grad == 54`` (micrograd gives 72).
        ``grad`` is the seed ∂L/∂self (1.0 for a loss). ``retain_graph`` is accepted for PyTorch's
        sake and does nothing: our graphs are never freed by ``backward()``, so calling it again
        always works (a graph is freed when nothing refers to it any more).
        """
        if isinstance(grad, Value):
            raise TypeError(f"backward(grad): the seed ∂L/∂self must be a number, got the node {describe(grad)}; "
                            "pass its number, y.backward(seed.data) (gradients of gradients: autograd.grad)")
        backprop.backward(self, as_number(grad, "backward(grad)"))

    def zero_grad(self) -> None:
        """Set ``grad = 0.0`` on every node of this node's graph (itself and all its ancestors)."""
        for v in walk(self):
            v.grad = 0.0

    def detach(self) -> Value:
        """A new leaf with the same data (and label), cut off from this graph."""
        v = make_node(self.data, None, None)
        v.label = self.label
        return v
