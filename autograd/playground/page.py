"""``playground(y)``: one self-contained HTML page where every leaf of ``y``'s graph has a slider.

Moving a slider (or typing a number in its box) sets that leaf, and the page's script runs the
forward pass and then ``y.backward()`` (after ``zero_grad()``) over the drawn graph, in the order
Python takes, with each op's JavaScript from ``autograd.playground.templates``. Every node's numbers
are in elements ``[data-node=NAME][data-field=data]`` and ``[data-field=grad]`` holding the full
number in ``data-value`` (the text shows ``precision`` significant digits); a node is named by its
label, or ``v{i}`` (its number in the drawing, shown there) when it has none or shares it. Nodes
whose gradient changed sign or vanished since the reference point are highlighted; clicking an
edge shows its chain-rule step ∂L/∂p += ∂L/∂v · ∂v/∂p as ``explain`` writes it.

The drawing is laid out once by Graphviz (``dot`` or pygraphviz), as the step-through page's is,
and the page loads nothing: its Content-Security-Policy is ``default-src 'none'`` with only its own
script and style allowed, by hash. Labels reach the page escaped by Graphviz, as attributes escaped
here, or as JSON data; the script writes text with ``textContent`` only.
"""

from __future__ import annotations

import html
import os
import re
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from autograd.drawing.draw import DEFAULT_MAX_NODES, draw_dot
from autograd.drawing.labels import value_label
from autograd.drawing.render import render_bytes
from autograd.engine import Value
from autograd.explain.policy import policy
from autograd.explain.steps import edge_formula
from autograd.explain.tex import named_rule
from autograd.explain.viewer import with_ids
from autograd.files import atomic_write
from autograd.graph import constant_of, parents_of
from autograd.playground.program import Program, count_nodes, to_json
from autograd.playground.templates import js_table

PLACEHOLDER = "8.888e+88"  # as wide as the widest number shown; the script replaces it at once
_TEXT = re.compile(r'<text ([^>]*)>(data|grad) 8\.888e\+88</text>')
_GROUP = re.compile(r'<g id="dg&#45;v(\d+)" class="node">(.*?)</g>', re.S)
NOTE = ("The page computes with JavaScript's floats, in Python's order; JavaScript's Math functions (exp, log, "
        "tanh, sin, cos, pow) may differ from Python's in the last bit, so Python's numbers are the checked ones.")


def resource(package: str, name: str) -> str:
    return (resources.files(package) / name).read_text(encoding="utf-8")


def text_safe(text: str) -> str:
    """``text`` with lone surrogates (which UTF-8 cannot hold) written as visible ``\\ud800`` escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


BASE_STYLE = "\nbody { font-family: Helvetica, Arial, sans-serif; margin: 12px; color: #222; }\n" \
             "h1 { font-size: 16px; margin: 0 0 8px 0; }\n"


def _markers(text: str, parts: dict[str, str]) -> str:
    """``@@NAME@@`` in ``text`` replaced from ``parts`` in one pass (a part is never read as a marker)."""
    return re.sub(r"@@([A-Z]+)@@", lambda m: parts[m.group(1)], text)


def fill(fragment: str, parts: dict[str, str]) -> str:
    """A page: ``shell.html`` around ``fragment`` (its ``<style>`` block, then its body, with ``@@NAME@@``
    markers filled from ``parts``), the script ``RUNTIME`` + ``OPS`` + ``UI``, and a Content-Security-Policy
    allowing exactly that one script and that one style, by hash."""
    m = re.match(r"<style>\n(.*?)</style>\n(.*)$", fragment, re.S)
    assert m is not None, "a page fragment starts with its <style> block"
    style, body = BASE_STYLE + m.group(1), _markers(m.group(2), parts)
    script = "\n".join(("", parts["RUNTIME"], parts["OPS"], parts["UI"]))
    csp = policy(script, style)
    return _markers(resource("autograd.playground", "shell.html"),
                    {**parts, "CSP": csp, "STYLE": style, "BODY": body, "SCRIPT": script})


def iframe(page: str, height: int, title: str) -> str:
    """The page inline in Jupyter: an iframe of its own (``srcdoc``, scripts only), as the step-through page."""
    return (f'<iframe srcdoc="{html.escape(page, quote=True)}" sandbox="allow-scripts" '
            f'style="width:100%;height:{height}px;border:1px solid #ddd" title="{html.escape(title)}"></iframe>')


def save_html(page: str, path: str | os.PathLike[str], where: str) -> Path:
    target = Path(os.fspath(path))
    if target.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"{where}.save: the page is HTML; name the file .html (got {target.name!r})")
    atomic_write(target, page.encode("utf-8"))
    return target


class Playground:
    """The live page of one graph (see the module docstring); ``names``, ``html()``, ``save(path)``."""

    def __init__(self, root: Value, *, title: str | None = None, rankdir: str = "LR", precision: int = 4,
                 max_nodes: int | None = DEFAULT_MAX_NODES) -> None:
        if not isinstance(root, Value):
            raise TypeError(f"playground: expected a Value (the output), got {type(root).__name__}")
        if title is not None and not isinstance(title, str):
            raise TypeError(f"playground: title must be a str, got {type(title).__name__}")
        count_nodes([root], max_nodes, "playground")
        self.root, self.precision = root, precision
        self.program = Program([root], "playground")
        self.names = self.program.names
        self.order = self.program.order
        self.title = title
        graph = draw_dot(root, rankdir=rankdir, precision=precision, max_nodes=max_nodes)
        cells = [f"data {PLACEHOLDER}", f"grad {PLACEHOLDER}"]
        for i, v in enumerate(self.order):
            shown = self.names[i] if not v.label or self.names[i] == v.label else f"{v.label} ({self.names[i]})"
            graph.body.append(f"\tv{i} [label={value_label(text_safe(shown), cells)}]\n")
        self.graph = with_ids(graph)
        self._data = self._payload()  # the leaves' numbers now: the page starts from the graph as it is here

    def __repr__(self) -> str:
        leaves = sum(1 for v in self.order if v.is_leaf)
        return f"<Playground: {len(self.order)} values, {leaves} leaves with sliders>"

    @cached_property
    def svg(self) -> str:
        """The drawing, with ``data-node``/``data-field``/``data-value`` on each node's two numbers."""
        text = render_bytes(self.graph, "svg").decode("utf-8")
        text = text[text.index("<svg"):]

        def group(m: re.Match[str]) -> str:
            name = html.escape(text_safe(self.names[int(m.group(1))]), quote=True)
            body = _TEXT.sub(lambda t: (t.group(0) if 'font-weight="bold"' in t.group(1) else
                                        f'<text {t.group(1)} data-node="{name}" data-field="{t.group(2)}" '
                                        f'data-value="">{t.group(2)} …</text>'), m.group(2))
            return f'<g id="dg&#45;v{m.group(1)}" class="node">{body}</g>'

        return _GROUP.sub(group, text)

    def _payload(self) -> dict[str, Any]:
        data = self.program.data()
        root = self.root.label
        names = [text_safe(n) for n in data["names"]]
        names[self.order.index(self.root)] = L = text_safe(root) if root else "L"  # as explain calls the output
        data["names"] = names
        index = {v: i for i, v in enumerate(self.order)}
        edges = {}
        for i, v in enumerate(self.order):  # each rule with its operands named by their nodes, as explain's
            if not v.is_leaf:
                ins = [names[index[p]] for p in parents_of(v)]
                edges[str(i)] = [text_safe(named_rule(edge_formula(v, k), names[i], ins))
                                 for k in range(len(ins))]
        data.update(formulas=edges, precision=self.precision, L=L,
                    linear=[i for i, op in enumerate(self.program.ops) if op is not None and op.name == "linear"],
                    prefix=[_prefix(v) for v in self.order], notes=[_notes(v) for v in self.order])
        return data

    def html(self) -> str:
        """The page: one self-contained HTML document."""
        return self._page

    @cached_property
    def _page(self) -> str:
        title = text_safe(self.title or f"playground: {self.names[-1]} = f(leaves)")
        parts = {"TITLE": html.escape(title), "SVG": self.svg, "NOTE": html.escape(NOTE),
                 "DATA": to_json(self._data), "RUNTIME": resource("autograd.playground", "runtime.js"),
                 "OPS": js_table(self.program.used()), "UI": resource("autograd.playground", "ui.js")}
        return fill(resource("autograd.playground", "live.html"), parts)

    def _repr_html_(self) -> str:
        m = re.search(r'height="([\d.]+)pt"', self.svg[:400])
        height = 230 + (int(float(m.group(1)) * 4 / 3) if m else 300) + 28 * sum(1 for v in self.order if v.is_leaf)
        return iframe(self.html(), min(height, 1000), "playground")

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to ``path`` (``.html``) atomically; return the path."""
        return save_html(self.html(), path, "playground")


def _prefix(v: Value) -> str:
    """How the engine names the op in an error (``log``, ``/ 2``, ``*``): ``op.describe(c)``, or the symbol."""
    op = v.operation
    if op is None:
        return ""
    c = constant_of(v)
    c = c if not isinstance(c, tuple) else None
    return text_safe(op.name if op.arity == 2 else op.describe(c))


def _notes(v: Value) -> str:
    """`` (node 'x')`` for each labelled input, as the engine's error messages end."""
    return text_safe("".join(f" (node {p.label!r})" for p in parents_of(v) if p.label)) if not v.is_leaf else ""


def playground(root: Value, **options: Any) -> Playground:
    """The live page of ``root``'s graph: a slider per leaf, every value and gradient recomputed in
    the page (``Playground``'s options: ``title``, ``rankdir``, ``precision``, ``max_nodes``)."""
    return Playground(root, **options)
