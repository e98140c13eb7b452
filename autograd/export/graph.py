"""``to_onnx(y, path, grads=False)``: a scalar graph as an ONNX file, optionally with its backward pass.

Every leaf of y's graph becomes a graph input, a rank-0 float64 tensor named after its label
(``Names``: ``w.1`` → ``w_1``, unusable labels → ``x3``); ``Exported.feeds()`` gives each input
its leaf's current value, so ``session.run(None, exported.feeds())`` reproduces y (and the
gradients), and other values evaluate the same graph elsewhere. Each interior node becomes the ONNX nodes of its op
(``rules.FORWARD``). With ``grads=True`` the backward pass follows, in ``backward()``'s order:
each node's gradient is the sum of its consumers' contributions gy · ∂y/∂x (``rules.BACKWARD``),
in the order ``backward()`` adds them, and every leaf's gradient ∂y/∂leaf is an output named
``grad_<input>``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograd.engine import Value
from autograd.export import rules
from autograd.export.builder import Graph, Names, safe_text
from autograd.graph import backward_order, constant_of, is_closure, operation_of, parents_of, topological_order

MAX_NODES = 200_000
"""The largest graph exported unless ``max_nodes`` says otherwise (its ONNX file is tens of MB)."""


@dataclass
class Exported:
    """What ``to_onnx`` wrote: the file, the inputs (name → the leaf it stands for), the outputs."""

    path: Path
    inputs: dict[str, Value]
    output: str
    grads: dict[str, str] = field(default_factory=dict)  # input name -> its gradient's output name

    def feeds(self) -> dict[str, float]:
        """``{input name: the leaf's current value}`` (what the file's defaults hold)."""
        return {name: v.data for name, v in self.inputs.items()}


def _check(y: Any, where: str, max_nodes: int) -> list[Value]:
    """The graph's nodes, parents first, after refusing what cannot be exported (before anything is built)."""
    if not isinstance(y, Value):
        kind = "a list of Values" if isinstance(y, (list, tuple)) else type(y).__name__
        raise TypeError(f"{where}: y must be one scalar Value (the graph's output), got {kind}; for several "
                        "outputs export their sum (autograd.sum(outputs)) or each one separately")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"{where}: max_nodes must be a positive int, got {max_nodes!r}")
    order = topological_order(y)
    if len(order) > max_nodes:
        raise ValueError(f"{where}: the graph has {len(order):,} nodes, more than max_nodes={max_nodes:,}; pass a "
                         "larger max_nodes (the file grows by about 100 bytes a node) or export a smaller graph")
    position = {id(v): k for k, v in enumerate(order)}
    for k, v in enumerate(order):
        op = operation_of(v)
        if op is None:
            continue
        if any(position[id(p)] >= k for p in parents_of(v)):
            raise ValueError(f"{where}: the graph has a cycle through node {v!r} (a node's parents were edited); "
                             "rebuild the graph")
        if op not in rules.FORWARD:
            label = f" labelled {safe_text(v.label, 40)!r}" if v.label else ""
            why = rules.REFUSED.get(op)
            if why is None and is_closure(v):
                why = "its gradient comes from a micrograd-style _backward closure"
            elif why is None:
                why = "it is not one of autograd's built-in ops (autograd.ops.TABLE)"
            raise TypeError(f"{where}: node {v!r}{label}, op {safe_text(v._op, 40)!r}, cannot be exported: {why}; "
                            "build the graph from the built-in operations (nn's pooling layers: use nn.to_onnx)")
    return order


def to_onnx(y: Value, path: str | os.PathLike[str], grads: bool = False, *,
            max_nodes: int = MAX_NODES) -> Exported:
    """Write y's graph to the ONNX file ``path`` (float64; with ``grads=True`` its backward pass too).

    Leaves are inputs (rank-0, named from their labels; ``feeds()`` holds their current values); the
    output is y, and with ``grads`` also ∂y/∂leaf for every leaf (``grad_<input>``). The file is
    checked with ``onnx.checker`` and written atomically; nothing is written on any error.
    """
    where = "autograd.to_onnx"
    if not isinstance(grads, bool):
        raise TypeError(f"{where}: grads must be True or False, got {grads!r}")
    order = _check(y, where, max_nodes)
    g = Graph(where)
    names = Names()
    name_of: dict[int, str] = {}
    inputs: dict[str, Value] = {}
    infos = []
    for v in order:
        if operation_of(v) is None:
            name = names.make(v.label, f"x{len(inputs)}")
            name_of[id(v)] = name
            inputs[name] = v
            infos.append(g.value_info(name, [], doc=f"leaf {v.label!r}, {v.data!r} at export" if v.label
                                      else f"leaf, {v.data!r} at export"))
        else:
            xs = [name_of[id(p)] for p in parents_of(v)]
            name_of[id(v)] = rules.FORWARD[v._operation](g, xs, constant_of(v))  # type: ignore[index]
    output = names.make(y.label, "y") if operation_of(y) is not None else names.make("y", "y")
    g.node("Identity", [name_of[id(y)]], out=output)
    outputs = [g.value_info(output, [], doc=f"y = {y.label!r}" if y.label else "y")]
    grad_names: dict[str, str] = {}
    if grads:
        for name, gname in _backward(g, y, name_of, inputs, names).items():
            grad_names[name] = gname
            outputs.append(g.value_info(gname, [], doc=f"∂y/∂{name}"))
    written = g.save(path, infos, outputs, "deltagrad_graph",
                     f"a deltagrad scalar graph of {len(order)} nodes" + (" with its backward pass" if grads else ""))
    return Exported(written, inputs, output, grad_names)


def _backward(g: Graph, y: Value, name_of: dict[int, str], inputs: dict[str, Value], names: Names) -> dict[str, str]:
    """Add the backward pass; returns {input name: gradient output name}."""
    terms: dict[int, list[str]] = {}
    for v in backward_order(y):
        gy = g.scalar(1.0) if v is y else _total(g, terms[id(v)])
        xs = [name_of[id(p)] for p in parents_of(v)]
        parts = rules.BACKWARD[v._operation](g, xs, name_of[id(v)], constant_of(v), gy)  # type: ignore[index]
        for p, term in zip(parents_of(v), parts, strict=True):
            terms.setdefault(id(p), []).append(term)
    out: dict[str, str] = {}
    for name, leaf in inputs.items():
        gname = names.make(f"grad_{name}", f"grad{len(out)}")
        g.node("Identity", [g.scalar(1.0) if leaf is y else _total(g, terms[id(leaf)])], out=gname)
        out[name] = gname
    return out


def _total(g: Graph, terms: list[str]) -> str:
    """A gradient: its contributions summed in the order ``backward()`` adds them."""
    return terms[0] if len(terms) == 1 else g.node("Sum", terms)

