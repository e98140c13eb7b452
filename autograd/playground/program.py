"""A graph as data for the page's script: each node's op, parents and constant, the leaves' numbers,
``backward()``'s order, and every node's name.

Node ``i`` is number ``i`` of ``topological_order`` (``draw_dot``'s ``v{i}``). The page recomputes
every interior node from the leaves in that order, then walks ``backward_order`` (the order
``root.backward()`` takes) adding ∂L/∂v · ∂v/∂p into each parent, so the gradients are sums in the
same order as Python's. Numbers travel as JSON numbers (Python's ``repr``, which JavaScript reads
back to the same double); JSON has no NaN or ±inf, so those travel as the strings ``"NaN"``,
``"Infinity"`` and ``"-Infinity"``. Labels and names are only ever data, never script.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

from autograd.drawing.draw import GraphTooLargeError
from autograd.engine import Value
from autograd.graph import backward_order, constant_of, is_closure, parents_of, topological_order_of, walk
from autograd.ops import Op
from autograd.playground.templates import DERIV, FORWARD, KEYS, NoTemplateError

_GENERATED = re.compile(r"^v\d+$")


class GraphTooLargeForPageError(GraphTooLargeError):
    """The graph has more nodes than the page's ``max_nodes`` (a ``GraphTooLargeError``, so a ``ValueError``)."""


def number(x: float) -> float | str:
    """A float as JSON can carry it: itself when finite, else ``"NaN"``, ``"Infinity"``, ``"-Infinity"``."""
    if math.isfinite(x):
        return x
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")


def count_nodes(roots: Iterable[Value], max_nodes: int | None, where: str) -> None:
    """Refuse a graph above ``max_nodes`` values and operations, counting only until the limit is passed."""
    if max_nodes is None:
        return
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"{where}: max_nodes must be a positive int or None (no limit), got {max_nodes!r}")
    seen: set[Value] = set()
    count = 0
    for root in roots:
        for v in walk(root):
            if v in seen:
                continue
            seen.add(v)
            count += 2 if v._prev else 1
            if count > max_nodes:
                raise GraphTooLargeForPageError(
                    f"{where}: the graph has more than max_nodes={max_nodes} nodes (values and operations; counting "
                    f"stopped at {count}); the page would be slow to lay out and unreadable. Make a page of a part "
                    "of it (some intermediate value), or raise the limit: max_nodes=...")


def names_of(order: Sequence[Value], given: dict[Value, str] | None = None) -> list[str]:
    """Each node's name on the page: a name given to it, else its label when no other node has the
    same label (and it is not ``v<number>`` of another node), else ``v{i}``, its number in the drawing."""
    given = given or {}
    labels: dict[str, int] = {}
    for v in order:
        text = given.get(v) or v.label
        if text:
            labels[text] = labels.get(text, 0) + 1
    out = []
    for i, v in enumerate(order):
        text = given.get(v) or v.label
        if text and labels[text] == 1 and (not _GENERATED.match(text) or text == f"v{i}"):
            out.append(text)
        else:
            out.append(f"v{i}")
    return out


def _op_of(v: Value, name: str, where: str) -> Op:
    op = v.operation
    if op is None or is_closure(v) or op not in FORWARD or op not in DERIV:
        what = "a micrograd-style _backward closure" if op is not None and is_closure(v) else f"op {v._op!r}"
        raise NoTemplateError(
            f"{where}: node {name} was made by {what}, which has no JavaScript template; the page can run only the "
            "built-in operations of autograd.ops.TABLE (templates in autograd/playground/templates.py). Rebuild "
            "that part with built-in operations, or show it with step_through(), which runs nothing in the page")
    return op


def _constant(v: Value) -> Any:
    c = constant_of(v)
    if c is None:
        return None
    if isinstance(c, tuple):
        return [number(float(x)) for x in c]
    return number(float(c))


class Program:
    """The graph of ``roots`` (the first is the one differentiated) as the page's data."""

    def __init__(self, roots: Sequence[Value], where: str, given: dict[Value, str] | None = None) -> None:
        self.roots = list(roots)
        self.order = topological_order_of(self.roots)
        self.index = {v: i for i, v in enumerate(self.order)}
        self.names = names_of(self.order, given)
        self.ops: list[Op | None] = [None if v.is_leaf else _op_of(v, self.names[i], where)
                                     for i, v in enumerate(self.order)]
        self.back = [self.index[v] for v in backward_order(self.roots[0])]

    def used(self) -> list[Op]:
        """The ops the graph uses, each once, in table order of first use."""
        return list(dict.fromkeys(op for op in self.ops if op is not None))

    def data(self) -> dict[str, Any]:
        ix = self.index
        return {
            "op": [None if op is None else KEYS[op] for op in self.ops],
            "ins": [[ix[p] for p in parents_of(v)] for v in self.order],
            "c": [_constant(v) for v in self.order],
            "data": [number(v.data) if v.is_leaf else None for v in self.order],
            "back": self.back,
            "root": ix[self.roots[0]],
            "names": self.names,
        }


def to_json(payload: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&`` (so no ``</script>``),
    and lone surrogates written as ``\\ud800`` escapes (``ensure_ascii``), which any JSON reader takes back."""
    text = json.dumps(payload, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
