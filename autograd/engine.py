"""`Value`: a scalar that remembers how it was made, and `backward()`, the chain rule over its graph.

A node records its parents (``_prev``, a tuple in argument order, duplicates kept), the ``Op`` that
made it (``_op``, which compares equal to micrograd's strings such as ``'*'``) and the op's constant
operand when a plain number took part (``x * 2`` records one parent and the constant 2). The op
carries the local derivative (see ``autograd.ops``); nodes hold no closures, so a graph has no
reference cycles and is freed by reference counting alone, without the cyclic garbage collector.
"""

from __future__ import annotations

import numbers
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Union

from autograd import ops
from autograd.function import Op

Number = Union[int, float]
Operand = Union["Value", int, float]

_new = object.__new__


def _describe(x: object) -> str:
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


def _number(x: object, where: str) -> float:
    """``x`` as a float if it is a real number (int, float, numpy scalar, Fraction), else TypeError."""
    try:
        if type(x) is float or type(x) is int:
            return float(x)
        if isinstance(x, numbers.Real) and not isinstance(x, bool):
            return float(x)
    except OverflowError:
        raise OverflowError(f"{where}: {_describe(x)} does not fit in a float (|x| < 1.8e308)") from None
    raise TypeError(
        f"{where}: expected a real number or a Value, got {_describe(x)} of type {type(x).__name__}; "
        "convert it with float(...) or wrap it in Value(...)"
    )


def _label_note(node: Value) -> str:
    return f" (node {node.label!r})" if node.label else ""


# Recording on or off (see ``autograd.grad_mode.no_grad``): ``_threads_off`` counts the threads
# currently inside a ``no_grad`` block, so the common case (none) costs one global read per op;
# ``_local.depth`` is this thread's nesting depth.
_local = threading.local()
_threads_off = 0


# Parents live in two slots rather than a tuple (one object fewer per node for the garbage
# collector to track): a leaf has ``_a is None``; one parent: ``_a``, ``_b is None``; two: ``_a``,
# ``_b``; any other number: ``_a`` is the tuple and ``_b`` is ``MANY`` (or ``CLOSURE`` for a node
# whose backward is a micrograd-style closure). ``_prev`` rebuilds the tuple on demand.
MANY: Any = type("_Many", (), {"__repr__": lambda self: "MANY"})()
CLOSURE: Any = type("_Closure", (), {"__repr__": lambda self: "CLOSURE"})()


def _make(data: float, a: Any, b: Any, op: Op | str, c: Any) -> Value:
    """Make a node without validation (the engine's fast path)."""
    v = _new(Value)
    v.data = data
    v.grad = 0.0
    if _threads_off and getattr(_local, "depth", 0):
        a = b = c = None
        op = ""
    v._a = a
    v._b = b
    v._op = op
    v._ctx = c
    v.label = ""
    v._n = 0
    return v


def _layout(op: Op | str, parents: tuple[Value, ...]) -> tuple[Any, Any]:
    """The two parent slots for ``parents`` under ``op`` (see above)."""
    arity = getattr(op, "arity", len(parents) if len(parents) <= 2 else 0)
    if arity == 0:
        return parents, MANY
    if arity != len(parents):
        raise TypeError(f"{op}: takes {arity} input(s), got {len(parents)}")
    return (parents[0], parents[1]) if arity == 2 else (parents[0], None)


def parents_of(v: Value) -> tuple[Value, ...]:
    """``v``'s parents (``v._prev``): a tuple in argument order, duplicates kept; ``()`` for a leaf."""
    a, b = v._a, v._b
    if b is None:
        return () if a is None else (a,)
    return a if (b is MANY or b is CLOSURE) else (a, b)


def _unary(x: Value, op: Op, c: Any = None) -> Value:
    try:
        y = op.forward(x.data) if c is None else op.forward(x.data, c)
    except (ValueError, ArithmeticError) as e:
        raise type(e)(f"{op.describe(c)}: {e}{_label_note(x)}") from None
    return _make(y, x, None, op, c)


class Value:
    """A scalar node of a computation graph: ``data``, ``grad``, and how it was made.

    ``Value(data, label='')`` takes any real number (int, float, numpy scalar) and stores it as a
    float; ``grad`` starts at 0.0. micrograd's ``Value(data, _children, _op)`` also works.

    Equality and hashing are by identity (nodes live in sets and dicts); ``<``, ``<=``, ``>``,
    ``>=`` compare ``data`` and return ``bool``; ``float(v)`` is ``v.data``.
    """

    __slots__ = ("data", "grad", "_a", "_b", "_op", "_ctx", "label", "_n")
    __array_ufunc__ = None  # numpy scalars and arrays defer to our reflected operators

    data: float
    grad: float
    _a: Any
    _b: Any
    _op: Op | str
    _ctx: Any
    label: str
    _n: int  # backward's count of consumers not yet done (0 outside a backward pass)

    def __init__(self, data: Number, _children: Iterable[Value] | str = (), _op: Op | str = "", label: str = ""):
        t = type(data)
        if (t is float or t is int) and type(_children) is tuple and not _children and _op == "" and type(label) is str:
            try:  # the common case, a leaf from a plain number: 3× faster than the general path below
                self.data = float(data)
            except OverflowError:
                raise OverflowError(f"Value: {_describe(data)} does not fit in a float (|x| < 1.8e308)") from None
            self.grad = 0.0
            self._a = self._b = self._ctx = None
            self._op = ""
            self.label = label
            self._n = 0
            return
        if isinstance(data, Value) or isinstance(data, bool) or not isinstance(data, numbers.Real):
            raise TypeError(
                f"Value: data must be a real number (int, float or numpy scalar), got {_describe(data)} "
                f"of type {type(data).__name__}" + ("; use v.data or v.detach()" if isinstance(data, Value) else "")
            )
        if isinstance(_children, str):  # Value(2.0, 'a'): the second argument is a label
            _children, label = (), _children
        children = tuple(_children)
        for ch in children:
            if not isinstance(ch, Value):
                raise TypeError(f"Value: children must be Value nodes, got {_describe(ch)}")
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {_describe(label)}")
        try:
            self.data = float(data)
        except OverflowError:
            raise OverflowError(f"Value: {_describe(data)} does not fit in a float (|x| < 1.8e308)") from None
        self.grad = 0.0
        if not isinstance(_op, (str, Op)):
            raise TypeError(f"Value: _op must be a str or an autograd.Op, got {_describe(_op)}")
        self._a, self._b = _layout(_op, children) if children else (None, None)
        self._op = _op
        self._ctx = None
        self.label = label
        self._n = 0

    # -- the graph, read-only ----------------------------------------------------------------
    _prev = property(parents_of, doc="The parents as a tuple, in argument order (``parents_of``).")
    parents = _prev

    @property
    def op(self) -> Op | str:
        """The operation that made this node (``_op``): ``''`` for a leaf."""
        return self._op

    @property
    def is_leaf(self) -> bool:
        """True for a node without parents (an input, a parameter, or a result made in ``no_grad``)."""
        return self._a is None

    # -- arithmetic: forward here, local derivative beside it in ``autograd.ops`` -------------
    def __add__(self, other: Operand) -> Value:
        """y = a + b;  ∂y/∂a = ∂y/∂b = 1."""
        if isinstance(other, Value):
            if _threads_off:
                return _make(self.data + other.data, self, other, ops.ADD, None)
            v = _new(Value)  # _make inlined: + and * between nodes are most nodes (forward 16% faster)
            v.data = self.data + other.data
            v.grad = 0.0
            v._a = self
            v._b = other
            v._op = ops.ADD
            v._ctx = None
            v.label = ""
            v._n = 0
            return v
        c = _number(other, "Value + x")
        return _make(self.data + c, self, None, ops.ADD_C, c)

    def __radd__(self, other: Operand) -> Value:
        """y = c + x;  ∂y/∂x = 1 (``sum()`` starts here with c = 0)."""
        c = _number(other, "x + Value")
        return _make(c + self.data, self, None, ops.ADD_C, c)

    def __sub__(self, other: Operand) -> Value:
        """y = a − b;  ∂y/∂a = 1, ∂y/∂b = −1."""
        if isinstance(other, Value):
            return _make(self.data - other.data, self, other, ops.SUB, None)
        c = _number(other, "Value - x")
        return _make(self.data - c, self, None, ops.SUB_C, c)

    def __rsub__(self, other: Operand) -> Value:
        """y = c − x;  ∂y/∂x = −1."""
        c = _number(other, "x - Value")
        return _make(c - self.data, self, None, ops.RSUB, c)

    def __mul__(self, other: Operand) -> Value:
        """y = a·b;  ∂y/∂a = b, ∂y/∂b = a."""
        if isinstance(other, Value):
            if _threads_off:
                return _make(self.data * other.data, self, other, ops.MUL, None)
            v = _new(Value)  # _make inlined: + and * between nodes are most nodes (forward 16% faster)
            v.data = self.data * other.data
            v.grad = 0.0
            v._a = self
            v._b = other
            v._op = ops.MUL
            v._ctx = None
            v.label = ""
            v._n = 0
            return v
        c = _number(other, "Value * x")
        return _make(self.data * c, self, None, ops.MUL_C, c)

    def __rmul__(self, other: Operand) -> Value:
        """y = c·x;  ∂y/∂x = c."""
        c = _number(other, "x * Value")
        return _make(c * self.data, self, None, ops.MUL_C, c)

    def __truediv__(self, other: Operand) -> Value:
        """y = a / b;  ∂y/∂a = 1/b, ∂y/∂b = −a/b²."""
        if isinstance(other, Value):
            if other.data == 0.0:
                raise ZeroDivisionError(f"/: division of {self.data!r} by zero{_label_note(other)}; "
                                        "guard the denominator (for example b + 1e-12)")
            return _make(self.data / other.data, self, other, ops.DIV, None)
        return _unary(self, ops.DIV_C, _number(other, "Value / x"))

    def __rtruediv__(self, other: Operand) -> Value:
        """y = c / x;  ∂y/∂x = −c/x²."""
        return _unary(self, ops.RDIV, _number(other, "x / Value"))

    def __pow__(self, other: Operand) -> Value:
        """y = xⁿ;  ∂y/∂x = n·xⁿ⁻¹, and with a node exponent ∂y/∂n = xⁿ·ln x."""
        if isinstance(other, Value):
            try:
                y = ops.POW.forward(self.data, other.data)
            except (ValueError, ArithmeticError) as e:
                raise type(e)(f"**: {e}{_label_note(self)}") from None
            return _make(y, self, other, ops.POW, None)
        n = _number(other, "Value ** x")
        return _unary(self, ops.pow_op(n), n)

    def __rpow__(self, other: Operand) -> Value:
        """y = cˣ;  ∂y/∂x = cˣ·ln c."""
        return _unary(self, ops.RPOW, _number(other, "x ** Value"))

    def __neg__(self) -> Value:
        """y = −x;  ∂y/∂x = −1."""
        return _make(-self.data, self, None, ops.NEG, None)

    def __pos__(self) -> Value:
        return self

    # -- functions of one node: f(z) here, f′(z) beside it in ``autograd.ops`` ----------------
    def exp(self) -> Value:
        """y = eᶻ;  f′(z) = eᶻ = y. Raises OverflowError for z > 709.78."""
        return _unary(self, ops.EXP)

    def log(self) -> Value:
        """y = ln z;  f′(z) = 1/z. Raises ValueError for z ≤ 0."""
        return _unary(self, ops.LOG)

    def tanh(self) -> Value:
        """y = tanh z;  f′(z) = 1 − y²."""
        return _unary(self, ops.TANH)

    def sigmoid(self) -> Value:
        """y = 1/(1 + e⁻ᶻ);  f′(z) = y(1 − y). Stable for any z."""
        return _unary(self, ops.SIGMOID)

    def relu(self) -> Value:
        """y = max(0, z);  f′(z) = 1 for z > 0, else 0 (0 at the kink, as PyTorch)."""
        return _unary(self, ops.RELU)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """y = z for z > 0, else slope·z;  f′(z) = 1 for z > 0, else slope."""
        return _unary(self, ops.LEAKY_RELU, _number(slope, "leaky_relu(slope)"))

    def abs(self) -> Value:
        """y = |z|;  f′(z) = sign z (0 at z = 0, as PyTorch)."""
        return _unary(self, ops.ABS)

    __abs__ = abs

    def sqrt(self) -> Value:
        """y = √z;  f′(z) = 1/(2√z) = 1/(2y). Raises ValueError for z < 0."""
        return _unary(self, ops.SQRT)

    def sin(self) -> Value:
        """y = sin z;  f′(z) = cos z."""
        return _unary(self, ops.SIN)

    def cos(self) -> Value:
        """y = cos z;  f′(z) = −sin z."""
        return _unary(self, ops.COS)

    # -- comparisons and conversions (on data) -------------------------------------------------
    def __lt__(self, other: Operand) -> bool:
        return self.data < _data_of(other, "<")

    def __le__(self, other: Operand) -> bool:
        return self.data <= _data_of(other, "<=")

    def __gt__(self, other: Operand) -> bool:
        return self.data > _data_of(other, ">")

    def __ge__(self, other: Operand) -> bool:
        return self.data >= _data_of(other, ">=")

    __eq__ = object.__eq__  # identity, so nodes can live in sets and dicts
    __hash__ = object.__hash__

    def __float__(self) -> float:
        return self.data

    def __format__(self, spec: str) -> str:
        return format(self.data, spec) if spec else repr(self)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def __reduce__(self) -> Any:
        raise TypeError("Value cannot be pickled; save numbers instead (nn modules have state_dict())")

    # -- gradients -----------------------------------------------------------------------------
    def backward(self, grad: Number = 1.0) -> None:
        """Fill ``.grad`` of every node in this graph with ∂self/∂node, by the chain rule.

        The order is topological and computed without recursion, so graphs a million nodes deep
        work. Semantics (as PyTorch): **leaves accumulate** across calls (``+=``) until
        ``zero_grad()``; every **interior node's gradient is recomputed** by each call. So for
        y = x·x·x at x = 3, two calls leave ``x.grad == 54`` (micrograd gives 72).
        ``grad`` is the seed ∂L/∂self (1.0 for a loss).
        """
        from autograd.backprop import run_backward

        run_backward(self, _number(grad, "backward(grad)"))

    def zero_grad(self) -> None:
        """Set ``grad = 0.0`` on every node of this node's graph (itself and all its ancestors)."""
        for v in walk(self):
            v.grad = 0.0

    def detach(self) -> Value:
        """A new leaf with the same data (and label), cut off from this graph."""
        v = _make(self.data, None, None, "", None)
        v.label = self.label
        return v

    @property
    def _backward(self) -> Callable[[], None]:
        """micrograd's per-node step: add ``self.grad`` × local derivative into each parent."""
        from autograd.backprop import local_step

        return lambda: local_step(self)

    @_backward.setter
    def _backward(self, fn: Callable[[], None]) -> None:
        """micrograd's way of defining an op: ``out._backward = closure`` (first-order only)."""
        from autograd.backprop import attach_closure

        attach_closure(self, fn)


def _data_of(x: object, where: str) -> float:
    return x.data if isinstance(x, Value) else _number(x, f"Value {where} x")


def walk(root: Value) -> Iterator[Value]:
    """Every node of ``root``'s graph once (root first), without recursion."""
    seen = {root}
    stack = [root]
    while stack:
        v = stack.pop()
        yield v
        for p in v._prev:
            if p not in seen:
                seen.add(p)
                stack.append(p)

