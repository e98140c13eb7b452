"""``step_through(y)``: one self-contained HTML page that walks ``y``'s forward and backward pass.

The page shows ``draw_dot(y)`` as inline SVG (rendered once by Graphviz's ``dot``) and the frames
of ``autograd.explain.frames``: first, back, next, last, a slider and the arrow keys move through
them; the current node and edge are highlighted and the step's formula and numbers shown. The page
needs nothing from the network: no CDN, no fonts, no request (its Content-Security-Policy is
``default-src 'none'`` with only its own script and style allowed, by hash). Every label reaches
the page as text: Graphviz's SVG carries labels escaped by ``draw_dot``, the frames are JSON with
``<``, ``>`` and ``&`` escaped, and the script writes them with ``textContent``.

``.save("steps.html")`` writes the page, ``.save("steps.gif")`` an animated GIF with one frame per
frame of the page (``autograd.explain.gif``); in Jupyter the page shows inline, in an iframe of its
own (``srcdoc``, sandboxed to scripts) so its script runs apart from the notebook's.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import os
import re
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from autograd.drawing.draw import DEFAULT_MAX_NODES, GraphTooLargeError, draw_dot
from autograd.drawing.groups import named_values, short_name
from autograd.drawing.labels import fmt_sig, html_text, value_label, visible
from autograd.drawing.render import Diagram, atomic_write, render_bytes
from autograd.engine import Value
from autograd.explain.frames import HIDDEN, Frame, build_frames, edge_id
from autograd.explain.gif import render_gif
from autograd.explain.quiz import quiz_flag, quiz_page
from autograd.explain.steps import Explanation, explain
from autograd.graph import topological_order

_EDGE = re.compile(r"^\t(v\d+) -> op(\d+)(?: \[(.*)\])?\n$")
_FORMATS = {".html": "html", ".htm": "html", ".gif": "gif"}


def _template() -> str:
    return (resources.files("autograd.explain") / "template.html").read_text(encoding="utf-8")


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def with_ids(graph: Diagram) -> Diagram:
    """``graph`` (from ``draw_dot``) with SVG ids: ``dg-v{i}``, ``dg-op{i}`` and ``dg-e{i}-{k}`` for the
    edge from parent k into ``op{i}`` (duplicate edges, as in ``a + a``, get one id each)."""
    out = graph.copy()
    seen: dict[str, int] = {}
    body = []
    names = set()
    for line in out.body:
        m = _EDGE.match(line)
        if m:
            tail, op, attrs = m.group(1), m.group(2), m.group(3)
            k = seen.get(op, 0)
            seen[op] = k + 1
            line = f'\t{tail} -> op{op} [{attrs + " " if attrs else ""}id="{edge_id(int(op), k)}"]\n'
        node = re.match(r"^\t+((?:v|op)\d+) \[", line)
        if node:
            names.add(node.group(1))
        body.append(line)
    body += [f'\t{name} [id="dg-{name}"]\n' for name in sorted(names)]
    out.body = body
    return out


def _check_size(order: list[Value], max_nodes: int | None) -> None:
    drawn = len(order) + sum(1 for v in order if not v.is_leaf)
    if max_nodes is not None and drawn > max_nodes:
        raise GraphTooLargeError(
            f"step_through: the graph has {drawn} nodes (values and operations), more than max_nodes={max_nodes}; "
            "a walk through it would be thousands of frames on an unreadable drawing. Step through a part of it "
            "(step_through(some_intermediate_value)) or raise the limit: step_through(root, max_nodes=...)."
        )


class StepThrough:
    """The walk-through of one ``backward()`` (see the module docstring); ``frames``, ``explanation``."""

    def __init__(self, root: Value, names: Any = None, *, lr: float | None = None, title: str | None = None,
                 rankdir: str = "LR", precision: int = 4, max_nodes: int | None = DEFAULT_MAX_NODES,
                 quiz: bool = False) -> None:
        if not isinstance(root, Value):
            raise TypeError(f"step_through: expected a Value (the output), got {type(root).__name__}")
        if lr is not None and (isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr)
                               or lr <= 0):
            raise ValueError(f"step_through: lr (the learning rate η) must be a finite number > 0, got {lr!r}")
        if lr is not None and names is None:
            raise ValueError("step_through: lr= shows the update Δw = −η ∂E/∂w of each parameter, so it needs "
                             "names= (a model with named_parameters(), or a mapping name -> Value)")
        self.order = topological_order(root)
        _check_size(self.order, max_nodes)
        self.root, self.names, self.title = root, names, title
        self.quiz = quiz_flag(quiz)
        self.explanation: Explanation = explain(root, names)
        self.precision = precision
        shown = {v: short_name(n) for n, v in named_values(names)} if names is not None else {}
        roles = self.explanation.naming.roles
        self.display = {v: v.label or shown.get(v) or roles.get(v, "") for v in self.order}
        graph = draw_dot(root, rankdir=rankdir, precision=precision, groups=names, max_nodes=max_nodes)
        for i, v in enumerate(self.order):  # the note's names (z_k, y_j0, x_0) on nodes that have no label
            if not v.label and v not in shown and v in roles:
                text = self.label(v, fmt_sig(v.data, precision), fmt_sig(v.grad, precision))
                graph.body.append(f"\tv{i} [label={text}]\n")
        self.graph = with_ids(graph)
        self.frames: list[Frame] = build_frames(self.explanation, self.order, None if lr is None else float(lr),
                                                precision)
        self.first_step = next((k for k, f in enumerate(self.frames) if f.phase == "backward"), len(self.frames))

    def label(self, v: Value, data: str, grad: str) -> str:
        """A value node's label as ``draw_dot`` draws it, with its name here and the given numbers."""
        return value_label(self.display[v], [f"data {html_text(data)}", f"grad {html_text(grad)}"])

    def __len__(self) -> int:
        return len(self.frames)

    def __repr__(self) -> str:
        return f"<StepThrough: {len(self.frames)} frames, {len(self.explanation)} backward step(s)>"

    @cached_property
    def svg(self) -> str:
        """The drawing as SVG (no XML prolog), with the ids the page's script uses."""
        text = render_bytes(self.graph, "svg").decode("utf-8")
        return text[text.index("<svg"):]

    def html(self) -> str:
        """The page: one self-contained HTML document (the quiz, ``autograd.explain.quiz``, with ``quiz=True``)."""
        return quiz_page(self) if self.quiz else self._page

    @cached_property
    def _page(self) -> str:
        page = _template()
        script = re.search(r"<script>(.*?)</script>", page, re.S)
        style = re.search(r"<style>(.*?)</style>", page, re.S)
        assert script is not None and style is not None
        csp = (f"default-src 'none'; script-src {_hash(script.group(1))}; style-src {_hash(style.group(1))}; "
               "img-src data:; base-uri 'none'; form-action 'none'")
        payload = json.dumps({"frames": [f.as_json() for f in self.frames], "values": len(self.order),
                              "hidden": HIDDEN}, ensure_ascii=False)
        payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        title = self.title or f"backward() step by step: {self.explanation.header()}"
        parts = {"CSP": csp, "TITLE": html.escape(visible(title)), "SVG": self.svg, "DATA": payload}
        return re.sub(r"@@(CSP|TITLE|SVG|DATA)@@", lambda m: parts[m.group(1)], page)

    def _repr_html_(self) -> str:
        height = 260
        m = re.search(r'height="([\d.]+)pt"', self.svg[:400])
        if m:
            height += int(float(m.group(1)) * 4 / 3)
        return (f'<iframe srcdoc="{html.escape(self.html(), quote=True)}" sandbox="allow-scripts" '
                f'style="width:100%;height:{min(height, 900)}px;border:1px solid #ddd" '
                'title="backward() step by step"></iframe>')

    def gif(self, delay: float = 1.0) -> bytes:
        """An animated GIF, one frame per frame of the page, ``delay`` seconds each (looping)."""
        return render_gif(self, delay)

    def save(self, path: str | os.PathLike[str], *, delay: float = 1.0) -> Path:
        """Write the page (``.html``) or the animation (``.gif``, ``delay`` seconds a frame) atomically."""
        target = Path(os.fspath(path))
        kind = _FORMATS.get(target.suffix.lower())
        if kind is None:
            raise ValueError(f"step_through.save: cannot tell what to write from {target.name!r}; name the file "
                             ".html (the interactive page) or .gif (an animation, one frame per step)")
        atomic_write(target, self.html().encode("utf-8") if kind == "html" else self.gif(delay))
        return target


def step_through(root: Value, names: Any = None, **options: Any) -> StepThrough:
    """Run ``root.backward()`` and walk through it on the drawn graph (``StepThrough``'s options:
    ``lr``, ``title``, ``rankdir``, ``precision``, ``max_nodes``; ``quiz=True``: the page asks for each
    step's result, ``autograd.explain.quiz``)."""
    return StepThrough(root, names, **options)
