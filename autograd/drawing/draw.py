"""Drawing a computation graph: ``draw_dot(root)`` builds a Graphviz graph, ``save_graph`` writes it.

Each ``Value`` is a box showing its label, data and grad (in significant digits, so 1e-5 and 1e8
read well); each operation is its own node, labelled as ``op.describe(constant)`` (``* 2``,
``2 -``, ``tanh``, ``linear``); every parent edge is drawn, duplicates included (``a + a`` has two
edges), and where the op is not symmetric each edge says which argument it is (``lhs``/``rhs`` for
``-``, ``/``, ``**``; ``w0 … x0 … b`` for a neuron's ``linear``; ``0, 1, …`` for other ops).

The output is **deterministic**: nodes are named ``v0, v1, …`` (and ``op3`` for the operation that
made ``v3``) in a topological order found by a depth-first walk that visits parents in argument
order, never by ``id()`` or hash order, so the same graph gives byte-identical DOT source in any
process. Building the source needs no Graphviz program; only rendering does (``autograd.drawing.render``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from autograd.drawing.groups import ClusterTree, assign_clusters, named_values, owner_of
from autograd.drawing.labels import (
    INTERMEDIATE,
    KIND_FILL,
    KIND_SHAPE,
    LEAF,
    OP_STYLE,
    OUTPUT,
    PARAMETER,
    PLAIN_VALUE,
    fmt_sig,
    grad_swatch,
    html_label,
    html_text,
    legend_label,
    op_label,
    value_label,
)
from autograd.drawing.render import INLINE_MAX_WIDTH_PT, Diagram, write_image
from autograd.engine import Value
from autograd.errors import DeltagradError
from autograd.graph import backward_order, constant_of, has_rule, operation_of, topological_order, walk

DEFAULT_MAX_NODES = 3000  # dot lays out ~3000 nodes in a few seconds; 6000 take ~10 s
RANKDIRS = ("LR", "TB", "RL", "BT")
_INFIX = ("-", "/", "**")  # binary operators whose edges read lhs/rhs
_SYMMETRIC_NAMES = ("+", "*", "sum")  # for ops given as plain strings (micrograd style)


class GraphTooLargeError(DeltagradError, ValueError):
    """The graph has more nodes than ``draw_dot``'s ``max_nodes``; the message says how to proceed."""


def _op_text(node: Value) -> str:
    op = operation_of(node)
    return "" if op is None else op.describe(constant_of(node))


def edge_labels(node: Value) -> list[str]:
    """One label per parent edge: empty for a symmetric op, else the argument's position or role."""
    op, parents = operation_of(node), node._prev
    name = node._op
    symmetric = op.symmetric if op is not None and has_rule(node) else name in _SYMMETRIC_NAMES
    if symmetric or len(parents) < 2:
        return [""] * len(parents)
    if name == "linear" and len(parents) % 2 == 1:
        n = len(parents) // 2
        # "in0" (input number 0), not "x0": a drawn input may itself be called x_0 (the network's own input)
        return [f"w{i}" for i in range(n)] + [f"in{i}" for i in range(n)] + ["b"]
    if name == "linear_c":  # parents w_1…w_n, b; the inputs x_i are the node's constant
        return [f"w{i}" for i in range(len(parents) - 1)] + ["b"]
    if len(parents) == 2 and name in _INFIX:
        return ["lhs", "rhs"]
    return [str(i) for i in range(len(parents))]


def _param_set(params: Any) -> set[Value]:
    if params is None:
        return set()
    if hasattr(params, "named_parameters") or isinstance(params, Mapping):
        return {v for _, v in named_values(params, "params")}
    items = params.parameters() if hasattr(params, "parameters") else params
    return _values(items, "params", "Values or a model", type(params).__name__)


def _values(items: Any, option: str, expected: str, got: str) -> set[Value]:
    """The set of the Values ``items`` (an iterable), or a TypeError naming ``draw_dot``'s ``option``."""
    if not isinstance(items, Iterable) or isinstance(items, (str, bytes)):
        raise TypeError(f"draw_dot({option}=...): expected {expected}, got {got}")
    found = set()
    for v in items:
        if not isinstance(v, Value):
            raise TypeError(f"draw_dot({option}=...): expected Value nodes, got {v!r:.80}")
        found.add(v)
    return found


def _check_size(root: Value, max_nodes: int | None) -> None:
    """Refuse a graph above ``max_nodes`` drawn nodes, counting only until the limit is passed
    (a graph a million nodes deep is refused after max_nodes + 1 nodes, not after walking it all)."""
    if max_nodes is None:
        return
    values = ops = 0
    for v in walk(root):
        values += 1
        ops += 1 if v._prev else 0
        if values + ops > max_nodes:
            raise GraphTooLargeError(
                f"draw_dot: the graph has more than max_nodes={max_nodes} nodes (counting stopped at {values + ops} "
                f"nodes: {values} values and {ops} operations so far); Graphviz would take a long time to lay it "
                "out and the picture would be unreadable. Draw a part of it (draw_dot(some_intermediate_value)), "
                "build the parts you do not need to see under autograd.no_grad(), or raise the limit: "
                "draw_dot(root, max_nodes=...)."
            )


def _check_slide_options(fontsize: Any, dpi: Any) -> None:
    for name, value, low, high in (("fontsize", fontsize, 4, 200), ("dpi", dpi, 24, 1200)):
        if value is None and name == "dpi":
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise ValueError(f"draw_dot: {name} must be a number from {low} to {high}, got {value!r}")


def _highlight_set(highlight: Any) -> set[Value]:
    if highlight is None:
        return set()
    items = [highlight] if isinstance(highlight, Value) else highlight
    return _values(items, "highlight", "Values", type(highlight).__name__)


HIGHLIGHT = {"color": "#d62728", "penwidth": "3"}


def _check_options(root: Any, rankdir: str, precision: int, max_nodes: int | None, title: Any) -> None:
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot: expected a Value as the root, got {type(root).__name__}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"draw_dot: title must be a str, got {type(title).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"draw_dot: rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    if isinstance(precision, bool) or not isinstance(precision, int) or not 1 <= precision <= 17:
        raise ValueError(f"draw_dot: precision (significant digits) must be an int from 1 to 17, got {precision!r}")
    if max_nodes is not None and (isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1):
        raise ValueError(f"draw_dot: max_nodes must be a positive int or None (no limit), got {max_nodes!r}")


class _Painter:
    """Emits the nodes and edges of one drawing (the options of ``draw_dot``)."""

    def __init__(self, root: Value, order: list[Value], opts: dict[str, Any]) -> None:
        self.root = root
        self.index = {v: i for i, v in enumerate(order)}
        self.opts = opts
        self.params: set[Value] = opts["param_set"]
        self.names: dict[Value, str] = opts["param_names"]
        self.steps = {v: k for k, v in enumerate(backward_order(root), 1)} if opts["order"] else {}

    def kind(self, v: Value) -> str:
        if v is self.root:
            return OUTPUT
        if v in self.params:
            return PARAMETER
        return INTERMEDIATE if v._prev else LEAF

    def value_node(self, g: Diagram, v: Value) -> None:
        i, opts = self.index[v], self.opts
        cells = []
        if opts["show_data"]:
            cells.append(f"data {html_text(fmt_sig(v.data, opts['precision']))}")
        if opts["show_grad"]:
            cells.append(f"grad {html_text(fmt_sig(v.grad, opts['precision']))}")
        kind = self.kind(v)
        attrs = dict(KIND_SHAPE[kind]) if opts["mark"] else dict(PLAIN_VALUE)
        if opts["color_by_grad"]:
            swatch = grad_swatch(v.grad)
            attrs.update(fillcolor=swatch.fill, fontcolor=swatch.font)
        elif opts["mark"]:
            attrs["fillcolor"] = KIND_FILL[kind]
        if v in opts["highlight"]:
            attrs.update(HIGHLIGHT)
        name = v.label or self.names.get(v) or (f"v{i}" if opts["node_names"] else "")
        g.node(f"v{i}", label=value_label(name, cells, opts["stacked"]), **attrs)
        if v._prev:
            g.node(f"op{i}", label=op_label(_op_text(v), self.steps.get(v)), **OP_STYLE)

    def edges(self, g: Diagram, v: Value) -> None:
        if not v._prev:
            return
        i, lit = self.index[v], self.opts["highlight"]
        on = HIGHLIGHT if v in lit else {}
        for p, label in zip(v._prev, edge_labels(v), strict=True):
            attrs = {"label": label} if label else {}
            g.edge(f"v{self.index[p]}", f"op{i}", **attrs, **(on if p in lit else {}))
        g.edge(f"op{i}", f"v{i}", **on)


def _emit_clusters(g: Diagram, painter: _Painter, tree: ClusterTree, path: str, counter: list[int]) -> None:
    for child in tree.children[path]:
        name = f"cluster_{counter[0]}"
        counter[0] += 1
        attrs = {"label": html_label(html_text(tree.label_of(child, path))), "style": "rounded,dashed",
                 "color": "#8c8c8c", "fontsize": "10", "labeljust": "l"}
        with g.subgraph(name=name, graph_attr=attrs) as sub:
            for v in tree.members.get(child, []):
                painter.value_node(sub, v)
            _emit_clusters(sub, painter, tree, child, counter)


def _draw_clusters(
    g: Diagram, painter: _Painter, nodes: list[Value], named: list[tuple[str, Value]]
) -> dict[Value, str]:
    """Draw the grouped nodes inside nested clusters (in the model's order); return each one's cluster."""
    owners = {v: owner_of(name) for name, v in named}
    clusters = assign_clusters(nodes, owners)
    tree = ClusterTree()
    used = set(clusters.values())
    for owner in owners.values():
        if owner in used:
            tree.declare(owner)
    for v in nodes:
        if v in clusters:
            tree.add(clusters[v], v)
    _emit_clusters(g, painter, tree, "", [0])
    return clusters


def draw_dot(
    root: Value,
    format: str = "svg",
    rankdir: str = "LR",
    *,
    show_data: bool = True,
    show_grad: bool = True,
    precision: int = 4,
    color_by_grad: bool = False,
    mark: bool = True,
    params: Any = None,
    order: bool = False,
    groups: Any = None,
    legend: bool | None = None,
    title: str | None = None,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    node_names: bool = False,
    highlight: Any = None,
    fontsize: float = 11,
    dpi: float | None = None,
    stacked: bool = False,
    inline_width: float | None = INLINE_MAX_WIDTH_PT,
) -> Diagram:
    """The computation graph that produced ``root``, as a ``graphviz.Digraph`` (micrograd's call works).

    ``format`` is what ``.render()`` writes (Jupyter shows the graph inline as SVG regardless);
    ``rankdir`` is the layout direction (LR, TB, RL, BT). Options:

    * ``show_data`` / ``show_grad``: show each value's data / grad; ``precision``: significant digits.
    * ``color_by_grad``: fill each value by |grad| on a log scale (two decades per colour, grey for
      0, red for nan/inf), so vanishing gradients stand out; a legend explains the colours.
    * ``mark``: distinguish the output (double border), parameters (rounded, bold), other leaves
      (rounded) and intermediate results (square). ``params``: the parameters — Values, a model with
      ``parameters()`` or ``named_parameters()``, or a mapping; without it, and without ``groups``,
      parameters are drawn as leaves.
    * ``order``: number the operation nodes in backward order: "step k" means ``backward()``
      processes that node k-th (Kahn's order from the root; see ``backward_order``).
    * ``groups``: a model with ``named_parameters()``, a mapping name → Value or (name, Value)
      pairs; clusters each neuron's parameters and the nodes computed from them, inside their layer
      (rules in ``autograd.drawing.groups``). Its Values count as parameters, and an unlabelled one
      shows its name within its neuron (``w.0``, ``b``).
    * ``legend``: draw a legend (default: when ``color_by_grad`` or ``order`` is on).
    * ``title``: a caption above the graph. ``max_nodes``: raise ``GraphTooLargeError`` above this
      many drawn nodes (values + operations); None for no limit.
    * ``node_names``: show ``v{i}`` on every value node that has no label and no parameter name —
      the names ``explain`` and ``step_through`` use for them, so every name in their text is on
      the drawing.
    * ``highlight``: Values to draw in red with a thick border, and the edges between them (a path
      through the graph, for a slide). ``fontsize`` (points, 11) scales all text; ``dpi`` sets the
      resolution of PNG images (Graphviz's default is 96; 200 suits a projector). ``stacked``: each
      value's name, data and grad one above the other (narrow boxes for a wide network).
    * ``inline_width``: the most points wide Jupyter draws the graph (600 = 800 px; None for its natural
      size, scrolled rather than shrunk, for a network in JupyterLab).
    """
    _check_options(root, rankdir, precision, max_nodes, title)
    _check_slide_options(fontsize, dpi)
    if inline_width is not None and (isinstance(inline_width, bool) or not isinstance(inline_width, (int, float))
                                     or not 1 <= inline_width <= 100_000):
        raise ValueError(f"draw_dot: inline_width must be a number of points from 1 to 100000 or None, "
                         f"got {inline_width!r}")
    _check_size(root, max_nodes)
    nodes = topological_order(root)
    named = named_values(groups, "groups") if groups is not None else []
    param_set = _param_set(params) | {v for _, v in named}
    opts = {"show_data": show_data, "show_grad": show_grad, "precision": precision, "order": order,
            "color_by_grad": color_by_grad, "mark": mark, "param_set": param_set,
            "param_names": {v: name for name, v in named}, "node_names": node_names,
            "highlight": _highlight_set(highlight), "stacked": stacked}
    painter = _Painter(root, nodes, opts)

    graph_attr = {"rankdir": rankdir, "fontname": "Helvetica,Arial,sans-serif"}
    if dpi is not None:
        graph_attr["dpi"] = f"{dpi:g}"
    if title:
        graph_attr.update(label=html_label(html_text(title)), labelloc="t", fontsize=f"{fontsize * 14 / 11:g}")
    g = Diagram(format=format, graph_attr=graph_attr,
                node_attr={"fontname": "Helvetica,Arial,sans-serif", "fontsize": f"{fontsize:g}"},
                edge_attr={"fontname": "Helvetica,Arial,sans-serif", "fontsize": f"{fontsize * 9 / 11:g}",
                           "arrowsize": "0.7"})

    g.inline_width = None if inline_width is None else float(inline_width)
    clusters = _draw_clusters(g, painter, nodes, named) if named else {}
    for v in nodes:
        if v not in clusters:
            painter.value_node(g, v)
    for v in nodes:
        painter.edges(g, v)

    if legend or (legend is None and (color_by_grad or order)):
        kinds = [k for k in (OUTPUT, PARAMETER, LEAF, INTERMEDIATE) if k != PARAMETER or param_set] if mark else []
        label = legend_label(kinds=kinds, colours=color_by_grad, steps=order, params_known=bool(param_set))
        with g.subgraph(name="cluster_legend", graph_attr={"label": "legend", "style": "rounded",
                                                           "color": "#bdbdbd", "fontsize": "10"}) as sub:
            sub.node("legend", label=label, shape="plain", fontsize="9")
    return g


def save_graph(
    root: Value | Diagram,
    path: str | os.PathLike[str],
    format: str | None = None,
    *,
    timeout: float | None = None,
    **options: Any,
) -> Path:
    """Draw ``root`` (with ``draw_dot``'s ``options``) and write the image to ``path``; return the path.

    The format comes from ``format`` or the file's suffix: png, svg, pdf, or dot/gv for the DOT
    source (which needs no Graphviz program). The file is written atomically. ``root`` may also be
    a graph already made by ``draw_dot``. Raises ``GraphvizNotFoundError`` when ``dot`` is missing,
    ``RenderError`` when it fails or runs longer than ``timeout`` seconds (default ``Diagram.timeout``).
    """
    if isinstance(root, Value):
        graph = draw_dot(root, **options)
    elif isinstance(root, Diagram):
        if options:
            raise TypeError(f"save_graph: drawing options {sorted(options)} need a Value, not an already drawn graph")
        graph = root
    else:
        raise TypeError(f"save_graph: expected a Value or a graph from draw_dot, got {type(root).__name__}")
    return write_image(graph, path, format, timeout=timeout)
