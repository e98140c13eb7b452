"""`Op`: one scalar operation — its name, its forward on floats and its local derivative.

Every node a ``Value`` records points at an ``Op``. The op is shared by all nodes it makes (a node
holds no closure of its own, so the graph has no reference cycles and is freed as soon as it is
unreachable). An ``Op`` compares and hashes equal to its name, and prints as it, so that
``node._op == '*'`` keeps working as in micrograd.

The local derivative is written **once**, with plain arithmetic, so that it works on floats (for an
ordinary ``backward()``) and on ``Value`` nodes (for gradients that are themselves differentiable).
Its signature depends on the arity:

* ``arity=1``: ``deriv(x, y, c) -> ∂y/∂x``, where ``y`` is the op's output and ``c`` its constant
  operand (``None`` when it has none).
* ``arity=2``: ``deriv(a, b, y, c) -> (∂y/∂a, ∂y/∂b)``.
* ``arity=0`` (any number of inputs): ``deriv(xs, y, c) -> [∂y/∂x_i for each input]``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def fmt_number(c: float) -> str:
    """A constant as a short, exact-enough label: 2.0 → '2', 0.5 → '0.5', 1e-4 → '0.0001'."""
    return f"{c:.6g}" if isinstance(c, float) else str(c)


class Op:
    """A scalar operation: name, forward, local derivative, and how a drawing labels it.

    ``forward(*inputs)`` (plus the constant, for ops that have one) computes y from floats.
    ``deriv`` gives the local derivative(s) in the note's notation (see the module docstring).
    ``template`` is how a drawn graph shows the op with its constant, e.g. ``'* {c}'`` or
    ``'{c} -'``; ``kink(*inputs, c)`` says whether the inputs sit where the op is not
    differentiable (relu and abs at 0), so that gradient checks can report a kink, not a mismatch.
    Calling an op on ``Value`` nodes or numbers records a node: ``SOFTPLUS(x)``.
    """

    __slots__ = ("name", "arity", "forward", "deriv", "template", "kink", "symmetric", "doc")

    name: str
    arity: int
    forward: Callable[..., float]
    deriv: Callable[..., Any]
    template: str
    kink: Callable[..., bool] | None
    symmetric: bool

    def __init__(
        self,
        name: str,
        forward: Callable[..., float],
        deriv: Callable[..., Any],
        *,
        arity: int = 1,
        template: str | None = None,
        kink: Callable[..., bool] | None = None,
        symmetric: bool = False,
        doc: str = "",
    ) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"Op: the name must be a non-empty str, got {name!r}")
        if arity not in (0, 1, 2):
            raise ValueError(f"Op {name!r}: arity must be 1, 2 or 0 (any number of inputs), got {arity!r}")
        if not callable(forward) or not callable(deriv):
            raise TypeError(f"Op {name!r}: forward and deriv must be callables")
        self.name = name
        self.arity = arity
        self.forward = forward
        self.deriv = deriv
        self.template = template if template is not None else name
        self.kink = kink
        self.symmetric = symmetric
        self.doc = doc

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Op):
            return self is other
        return self.name == other if isinstance(other, str) else NotImplemented

    def __hash__(self) -> int:
        return hash(self.name)

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return repr(self.name)

    def __len__(self) -> int:
        return len(self.name)

    def describe(self, c: Any = None) -> str:
        """The op's label in a drawing, with its constant operand when it has one."""
        if c is None or "{c}" not in self.template:
            return self.name
        return self.template.format(c=fmt_number(c))

    def __call__(self, *inputs: Any) -> Any:
        """Apply the op to ``Value`` nodes or numbers and record the node (see ``custom.apply``)."""
        from autograd.custom import apply

        return apply(self, *inputs)

    def __reduce__(self) -> Any:  # pragma: no cover - ops are module-level singletons
        raise TypeError(f"Op {self.name!r} cannot be pickled")
