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
from autograd.drawing.labels import html_label, html_text, value_label, visible
from autograd.drawing.render import Diagram, atomic_write, render_bytes
from autograd.engine import Value
from autograd.explain.frames import HIDDEN, Frame, build_frames, edge_id, states
from autograd.explain.gif import render_frames, render_gif
from autograd.explain.policy import policy_of
from autograd.explain.quiz import quiz_flag, quiz_page
from autograd.explain.steps import Explanation, explain
from autograd.graph import topological_order

_EDGE = re.compile(r"^\t(v\d+) -> op(\d+)(?: \[(.*)\])?\n$")
_FORMATS = {".html": "html", ".htm": "html", ".gif": "gif"}


def _template() -> str:
    return (resources.files("autograd.explain") / "template.html").read_text(encoding="utf-8")


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


def widest(shown: list[list[dict[str, str]]], i: int) -> tuple[str, str]:
    """Stand-ins as wide as the widest ``data`` and ``grad`` text value node ``i`` shows in any frame.

    The boxes are laid out once, and the page and the GIF then print each frame's numbers into
    them; laid out for the first frame's numbers, a longer later one (a parameter's new value)
    would spill over its neighbour. A digit is as wide as any character a number uses (``-``,
    ``.``, ``e``, ``nan``, ``?``) in Helvetica-like fonts, so a run of zeros is the widest text.
    """
    data = max(len(frame[i]["data"]) for frame in shown)
    grad = max(len(frame[i]["grad"]) for frame in shown)
    return "0" * data, "0" * grad


_CELL = re.compile(r'(<text\b[^>]*>)(data|grad) 0+(</text>)')


def first_frame_svg(svg: str, shown: list[dict[str, str]]) -> str:
    """``svg`` (laid out with ``widest``'s stand-ins) with the first frame's numbers written in.

    So the page shows the first frame as it is, before (or without) its script: an untrusted
    notebook, a browser with scripts off, a printed handout.
    """
    def fill(group: re.Match[str]) -> str:
        cell = shown[int(group.group(1))]
        return _CELL.sub(lambda m: f"{m.group(1)}{m.group(2)} {html.escape(cell[m.group(2)])}{m.group(3)}",
                         group.group(0))

    return re.sub(r'<g id="dg(?:-|&#45;)v(\d+)" class="node">.*?</g>', fill, svg, flags=re.S)  # dot writes - as &#45;


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
        self.explanation: Explanation = explain(root, names, precision=precision)
        self.precision = precision
        # Every box shows the name the steps' text uses for it (a parameter's full name, z_k, v6).
        self.display = {v: self.explanation.name(v) for v in self.order}
        self.frames: list[Frame] = build_frames(self.explanation, self.order, None if lr is None else float(lr),
                                                precision)
        self.first_step = next((k for k, f in enumerate(self.frames) if f.phase == "backward"), len(self.frames))
        self.states = states(self.frames, len(self.order))
        graph = draw_dot(root, rankdir=rankdir, precision=precision, groups=names, max_nodes=max_nodes,
                         stacked=True)  # name, data and grad one above the other: a narrow box
        for i, v in enumerate(self.order):  # laid out once, for the widest numbers of any frame
            data, grad = widest(self.states, i)
            graph.body.append(f"\tv{i} [label={self.label(v, data, grad)}]\n")
        graph.graph_attr["pad"] = "0.1"  # room for the outermost cluster's label at the edge
        self.graph = with_ids(graph)

    def label(self, v: Value, data: str, grad: str) -> str:
        """A value node's label as ``draw_dot`` draws it, with its name here and the given numbers."""
        return value_label(self.display[v], [f"data {html_text(data)}", f"grad {html_text(grad)}"], stacked=True)

    def __len__(self) -> int:
        return len(self.frames)

    def __repr__(self) -> str:
        return f"<StepThrough: {len(self.frames)} frames, {len(self.explanation)} backward step(s)>"

    @cached_property
    def svg(self) -> str:
        """The drawing as SVG (no XML prolog), with the ids the page's script uses."""
        text = render_bytes(self.graph, "svg").decode("utf-8")
        return first_frame_svg(text[text.index("<svg"):], self.states[0])

    def html(self) -> str:
        """The page: one self-contained HTML document (the quiz, ``autograd.explain.quiz``, with ``quiz=True``)."""
        return quiz_page(self) if self.quiz else self._page

    @cached_property
    def _page(self) -> str:
        page = _template()
        csp = policy_of(page)
        payload = json.dumps({"frames": [f.as_json() for f in self.frames], "values": len(self.order),
                              "hidden": HIDDEN}, ensure_ascii=False)
        payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        title = self.title or f"backward() step by step: {self.explanation.header()}"
        first = self.frames[0]
        parts = {"CSP": csp, "TITLE": html.escape(visible(title)), "SVG": self.svg, "DATA": payload,
                 "TEXT": html.escape(visible(first.text)),
                 "COUNTER": f"frame 1 of {len(self.frames)} · {first.phase}"}
        return re.sub(r"@@(CSP|TITLE|SVG|DATA|TEXT|COUNTER)@@", lambda m: parts[m.group(1)], page)

    def _repr_html_(self) -> str:
        # the controls and the step's text (about 190 px), then the graph at the page's readable zoom (0.8 of
        # its natural size, 4/3 px a point), then a scroll bar: no blank band below, no scroll bar of the frame
        height = 190
        m = re.search(r'height="([\d.]+)pt"', self.svg[:400])
        if m:
            height += int(float(m.group(1)) * 4 / 3 * 0.8) + 24
        return (f'<iframe srcdoc="{html.escape(self.html(), quote=True)}" sandbox="allow-scripts" '
                f'style="width:100%;height:{min(height, 900)}px;border:1px solid #ddd" '
                'title="backward() step by step"></iframe>')

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """The page (an iframe) for a trusted notebook, and a PNG of its first frame with that frame's
        text: an untrusted notebook (a handout, a file from git) shows the PNG instead of a blank box."""
        bundle: dict[str, Any] = {"text/html": self._repr_html_(), "image/png": self.first_frame_png()}
        return {k: v for k, v in bundle.items() if (include is None or k in include)
                and (exclude is None or k not in exclude)}

    def first_frame_png(self) -> bytes:
        """The first frame as a PNG: the drawing with its numbers, and the frame's text above it."""
        g = self.graph.copy()
        for i, v in enumerate(self.order):
            g.body.append(f"\tv{i} [label={self.label(v, self.states[0][i]['data'], self.states[0][i]['grad'])}]\n")
        caption = f"{self.title or 'backward() step by step'} (frame 1 of {len(self.frames)}): {self.frames[0].text}"
        g.attr(label=html_label(html_text(caption)), labelloc="t", fontsize="12")
        return render_bytes(g, "png")

    def gif(self, delay: float = 1.0, *, hold: float = 3.0, width: int | None = None) -> bytes:
        """An animated GIF, one frame per frame of the page, ``delay`` seconds each and the last held
        ``hold`` seconds (looping); ``width`` in pixels sizes it for a slide (default: 96 dpi)."""
        return render_gif(self, delay, hold=hold, width=width)

    def save(self, path: str | os.PathLike[str], *, delay: float = 1.0, hold: float = 3.0,
             width: int | None = None) -> Path:
        """Write the page (``.html``) or the animation (``.gif``: ``delay``, ``hold``, ``width`` as ``gif``)."""
        target = Path(os.fspath(path))
        kind = _FORMATS.get(target.suffix.lower())
        if kind is None:
            raise ValueError(f"step_through.save: cannot tell what to write from {target.name!r}; name the file "
                             ".html (the interactive page) or .gif (an animation, one frame per step)")
        data = self.html().encode("utf-8") if kind == "html" else self.gif(delay, hold=hold, width=width)
        atomic_write(target, data)
        return target

    def save_frames(self, folder: str | os.PathLike[str], format: str = "png", *, width: int | None = None
                    ) -> list[Path]:
        """Write every frame as its own picture, ``frame_001.png`` … (``png``, ``pdf`` or ``svg``), into
        ``folder`` (made if missing): one picture per overlay of a Beamer slide. Returns the paths."""
        target = Path(os.fspath(folder))
        if target.exists() and not target.is_dir():
            raise NotADirectoryError(f"step_through.save_frames: {os.fspath(folder)!r} is a file, not a folder; "
                                     "name a folder for the frame_001.png … pictures")
        images = render_frames(self, format, width)
        target.mkdir(parents=True, exist_ok=True)
        digits = max(3, len(str(len(images))))
        paths = [target / f"frame_{k:0{digits}d}.{format}" for k in range(1, len(images) + 1)]
        for path, image in zip(paths, images, strict=True):
            atomic_write(path, image)
        return paths


def step_through(root: Value, names: Any = None, **options: Any) -> StepThrough:
    """Run ``root.backward()`` and walk through it on the drawn graph (``StepThrough``'s options:
    ``lr``, ``title``, ``rankdir``, ``precision``, ``max_nodes``; ``quiz=True``: the page asks for each
    step's result, ``autograd.explain.quiz``)."""
    return StepThrough(root, names, **options)
