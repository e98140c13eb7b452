"""Reading our DOT source back, for the drawing tests: labels, attributes, edges and clusters of ``draw_dot``.

Every DOT statement we write is one line (labels turn line breaks into <BR/>), so a line-wise parse is exact.
Also here: the note's neuron, hostile labels, and a showcase graph drawn with every option.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import autograd
from autograd import Value
from autograd.drawing.draw import draw_dot

NODE = re.compile(r"^\s*(v\d+|op\d+) \[label=<(.*)> ?(.*)\]$")
EDGE = re.compile(r"^\s*(\w+) -> (\w+)(?: \[label=(\w+)\])?$")
CLUSTER = re.compile(r"^\s*subgraph (cluster_\w+) \{$")


# ---------------------------------------------------------------------------------------------
# Reading our DOT source back (every statement is one line: labels turn line breaks into <BR/>)


def graphviz_shows(text: str) -> str:
    """What Graphviz shows for a label's text: ``\\\\`` is one backslash; ``\\N``, ``\\G``, ``\\E``,
    ``\\T``, ``\\H``, ``\\L`` are replaced by names (here: ``<name>``); any other ``\\c`` stays."""
    return re.sub(r"\\(.)", lambda m: "\\" if m.group(1) == "\\" else
                  "<name>" if m.group(1) in "NGETHL" else m.group(0), text, flags=re.S)


def _raw_text(el: ET.Element) -> str:
    out = [el.text or ""]
    for child in el:
        out.append("\n" if child.tag == "BR" else _raw_text(child))
        out.append(child.tail or "")
    return "".join(out)


def label_text(el: ET.Element) -> str:
    """An HTML-label element's text as Graphviz shows it, with <BR/> as a line break."""
    return graphviz_shows(_raw_text(el))


def parse(source: str) -> tuple[dict[str, list[str]], dict[str, str], list[tuple[str, str, str]]]:
    """(cells of each node's label, each node's attributes, edges as (tail, head, label))."""
    cells: dict[str, list[str]] = {}
    attrs: dict[str, str] = {}
    edges: list[tuple[str, str, str]] = []
    for line in source.splitlines():
        if m := NODE.match(line):
            root = ET.fromstring(f"<root>{m.group(2)}</root>")  # also checks the label is well-formed
            tds = root.findall(".//TD")
            cells[m.group(1)] = [label_text(td) for td in tds] if tds else [label_text(root)]
            attrs[m.group(1)] = m.group(3)
        elif m := EDGE.match(line):
            edges.append((m.group(1), m.group(2), m.group(3) or ""))
    return cells, attrs, edges


def clusters_of(source: str) -> dict[str, list[str]]:
    """For each node, the labels of the clusters it is drawn in, outermost first."""
    stack: list[str] = []
    where: dict[str, list[str]] = {}
    for line in source.splitlines():
        if CLUSTER.match(line):
            stack.append("?")
        elif stack and (m := re.match(r"^\s*graph \[.*label=<([^>]*)>", line)):
            stack[-1] = m.group(1)
        elif line.strip() == "}" and stack:
            stack.pop()
        elif m := NODE.match(line):
            where[m.group(1)] = list(stack)
    return where


def neuron() -> tuple[Value, dict[str, Value]]:
    """The study note's neuron, o = tanh(x1·w1 + x2·w2 + b), after backward()."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2, b = Value(-3.0, label="w1"), Value(1.0, label="w2"), Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o, {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "n": n, "o": o}


HOSTILE = [
    'quote " inside', "back\\slash \\n \\", "pipes | and {braces} <angles> & amp; &amp;", "two\nlines",
    "crlf\r\nline", "tab\there", "ünïcødé → λ ∂ 日本", "esc\x1b[31m", '"] ; v9 -> v0 [label="x', "> ]; evil [label=<",
    "<B>not bold</B>", "]]>", "<!-- c -->",
    # Graphviz's own escapes (the node's, graph's, edge's... names) and backslashes before them
    "a\\Nb", "\\G \\E \\T \\H \\L", "\\\\N", "end\\", "\\l\\r\\n left right",
]


SHOWCASE = """
import sys; sys.path.insert(0, {root!r})
from tests.support.dot import showcase
sys.stdout.write(showcase())
"""


def showcase() -> str:
    """A graph with labels, shared nodes, constants, n-ary ops and groups, drawn with all options."""
    ws = {f"layers.0.neurons.{j}.w.{i}": Value(0.1 * (i + 1) * (-1) ** j) for j in range(3) for i in range(2)}
    bs = {f"layers.0.neurons.{j}.b": Value(0.05 * j) for j in range(3)}
    xs = [Value(1.5, label="x0"), Value(-2.0, label="ẋ1")]
    hidden = [autograd.dot([ws[f"layers.0.neurons.{j}.w.{i}"] for i in range(2)], xs,
                           bs[f"layers.0.neurons.{j}.b"]).tanh() for j in range(3)]
    y = autograd.sum(hidden) * 2 - hidden[0] / 3
    loss = (y - 1.0) ** 2
    loss.backward()
    return str(draw_dot(loss, groups={**ws, **bs}, color_by_grad=True, order=True, title="loss").source)
