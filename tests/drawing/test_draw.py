"""``draw_dot``'s DOT source: structure, labels, options, determinism, the node limit, golden files.

Nothing here needs Graphviz's ``dot`` program (rendering is tested in test_draw_render.py).
Golden files live in tests/drawing/golden/; regenerate them after an intended change with
``UPDATE_GOLDEN=1 .venv/bin/pytest tests/drawing/test_draw.py`` and review the diff before committing.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import graphviz
import pytest

import autograd
from autograd import Op, Value
from autograd.drawing.draw import GraphTooLargeError, draw_dot, edge_labels
from autograd.drawing.labels import fmt_sig, html_text
from autograd.graph import backward_order, topological_order
from tests.support.dot import HOSTILE, SHOWCASE, graphviz_shows, label_text, neuron, parse, showcase

GOLDEN = Path(__file__).parent / "golden"

def node_of(source: str, label: str) -> str:
    cells, _, _ = parse(source)
    (name,) = [k for k, c in cells.items() if k.startswith("v") and c[0] == label]
    return name


def check_golden(name: str, source: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(source, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; create it with UPDATE_GOLDEN=1 and review it"
    assert source == path.read_text(encoding="utf-8"), f"{name} changed; if intended, rerun with UPDATE_GOLDEN=1"


# ---------------------------------------------------------------------------------------------
# Structure


def test_micrograd_calls_keep_working() -> None:
    o, _ = neuron()
    g = draw_dot(o)
    assert isinstance(g, graphviz.Digraph) and g.format == "svg" and "rankdir=LR" in g.source
    g2 = draw_dot(o, format="png", rankdir="TB")
    assert g2.format == "png" and "rankdir=TB" in g2.source


def test_neuron_nodes_edges_and_numbers() -> None:
    o, _ = neuron()
    cells, _, edges = parse(draw_dot(o).source)
    values = {k: c for k, c in cells.items() if k.startswith("v")}
    ops = {k: c for k, c in cells.items() if k.startswith("op")}
    assert len(values) == 10 and len(ops) == 5  # 5 leaves, x1w1, x2w2, their sum, n, o; 2×*, 2×+, tanh
    assert len(edges) == 4 * 3 + 2  # each binary op: 2 in, 1 out; tanh: 1 in, 1 out
    # tanh(0.8813735870195432) = 1/√2 and do/dn = 1 − o² = 0.5, shown in 4 significant digits
    assert values[node_of(draw_dot(o).source, "o")] == ["o", "data 0.7071", "grad 1"]
    assert values[node_of(draw_dot(o).source, "n")] == ["n", "data 0.8814", "grad 0.5"]
    assert values[node_of(draw_dot(o).source, "w1")] == ["w1", "data -3", "grad 1"]  # ∂o/∂w1 = 0.5·x1
    assert sorted(c[0] for c in ops.values()) == ["*", "*", "+", "+", "tanh"]


def test_every_edge_runs_parent_to_op_to_value() -> None:
    o, _ = neuron()
    cells, _, edges = parse(draw_dot(o).source)
    for tail, head, _ in edges:  # parent value → op, or op k → the value k it makes
        assert (tail.startswith("v") and head.startswith("op")) or (tail.startswith("op") and head == "v" + tail[2:])
    produced = [h for t, h, _ in edges if t.startswith("op")]
    assert sorted(produced) == sorted("v" + k[2:] for k in cells if k.startswith("op"))


@pytest.mark.parametrize(("x", "text"), [
    (2.0, "2"), (0.5, "0.5"), (1e-5, "1e-5"), (1e8, "1e8"), (123456789.0, "1.235e8"), (-0.000123456, "-0.0001235"),
    (6.8813735870195432, "6.881"), (-2.5e-12, "-2.5e-12"), (math.nan, "nan"), (math.inf, "inf"), (-math.inf, "-inf"),
])
def test_numbers_in_significant_digits(x: float, text: str) -> None:
    assert fmt_sig(x) == text


def test_small_and_large_magnitudes_are_readable_in_nodes() -> None:
    x = Value(1e-5, label="x")
    y = x * 1e8
    y.backward()
    cells, _, _ = parse(draw_dot(y).source)
    assert cells[node_of(draw_dot(y).source, "x")] == ["x", "data 1e-5", "grad 1e8"]  # ∂(x·c)/∂x = c


def test_duplicate_parents_give_one_edge_each() -> None:
    a = Value(3.0, label="a")
    for y, n_edges in ((a + a, 2), (a * a, 2), (autograd.sum([a, a, a]), 3)):
        _, _, edges = parse(draw_dot(y).source)
        assert [e for e in edges if e[0] == "v0"] == [("v0", "op1", "")] * n_edges


@pytest.mark.parametrize("make", [lambda a, b: a - b, lambda a, b: a / b, lambda a, b: a ** b])
def test_non_symmetric_ops_label_argument_positions(make: object) -> None:
    a, b = Value(3.0, label="a"), Value(2.0, label="b")
    y = make(a, b)  # type: ignore[operator]
    src = draw_dot(y).source
    _, _, edges = parse(src)
    into_op = {t: lab for t, h, lab in edges if h.startswith("op")}
    assert into_op == {node_of(src, "a"): "lhs", node_of(src, "b"): "rhs"}
    _, _, same = parse(draw_dot(make(a, a)).source)  # type: ignore[operator]
    assert sorted(lab for t, h, lab in same if h.startswith("op")) == ["lhs", "rhs"]


def test_symmetric_ops_have_unlabelled_edges() -> None:
    a, b = Value(3.0, label="a"), Value(2.0, label="b")
    for y in (a + b, a * b, autograd.sum([a, b])):
        _, _, edges = parse(draw_dot(y).source)
        assert all(lab == "" for _, _, lab in edges)


def test_linear_edges_say_which_input_is_w_x_and_b() -> None:
    ws = [Value(0.5, label="wa"), Value(-1.0, label="wb")]
    xs = [Value(2.0, label="xa"), Value(3.0, label="xb")]
    b = Value(0.25, label="bias")
    z = autograd.dot(ws, xs, b)
    src = draw_dot(z).source
    _, _, edges = parse(src)
    into_op = {t: lab for t, h, lab in edges if h.startswith("op")}
    expected = {"wa": "w0", "wb": "w1", "xa": "in0", "xb": "in1", "bias": "b"}
    assert into_op == {node_of(src, name): lab for name, lab in expected.items()}


def test_constant_operands_appear_in_the_op_label() -> None:
    x = Value(3.0, label="x")
    for y, text in ((x * 2, "* 2"), (2 - x, "2 -"), (x ** 2, "**2"), (x / 4, "/ 4"), (x + 0.5, "+ 0.5"),
                    (2 ** x, "2 **"), (x.tanh(), "tanh"), (-x, "neg")):
        cells, _, edges = parse(draw_dot(y).source)
        assert cells["op1"] == [text] and len(edges) == 2  # one parent: the constant is not a node


def test_micrograd_style_and_custom_ops() -> None:
    a, b = Value(3.0, label="a"), Value(2.0, label="b")
    plus, minus = Value(5.0, (a, b), "+"), Value(1.0, (a, b), "-")
    assert edge_labels(plus) == ["", ""] and edge_labels(minus) == ["lhs", "rhs"]
    atan2 = Op("atan2", math.atan2, lambda y, x, out, c: (x / (x * x + y * y), -y / (x * x + y * y)), arity=2)
    three = Op("mix3", lambda p, q, r: p + 2 * q + 3 * r, lambda xs, y, c: [1.0, 2.0, 3.0], arity=0)
    assert edge_labels(atan2(a, b)) == ["0", "1"]
    assert edge_labels(three(a, b, a)) == ["0", "1", "2"]
    cells, _, _ = parse(draw_dot(atan2(a, b)).source)
    assert cells["op2"] == ["atan2"]
    closure = Value(6.0, (a, b), "*")  # micrograd's way of defining an op: a _backward closure

    def backward() -> None:
        a.grad += b.data * closure.grad
        b.grad += a.data * closure.grad

    closure._backward = backward
    cells, _, edges = parse(draw_dot(closure, order=True).source)
    assert cells["op2"] == ["*\nstep 1"] and [lab for _, _, lab in edges] == ["", "", ""]


# ---------------------------------------------------------------------------------------------
# Any label is safe



@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_labels_show_exactly_and_keep_the_structure(label: str) -> None:
    a, b = Value(1.0, label=label), Value(2.0, label="b")
    y = a * b + a
    y.label = label
    plain = parse(draw_dot(Value(1.0, label="a") * b + b).source)
    cells, _, edges = parse(draw_dot(y, title=label).source)
    assert len(cells) == len(plain[0]) and len(edges) == len(plain[2])
    expected = label.replace("\r\n", "\n").replace("\t", " ").replace("\x1b", "\\x1b")
    root = f"v{max(int(k[1:]) for k in cells if k.startswith('v'))}"
    assert cells["v0"][0] == expected and cells[root][0] == expected


def test_a_label_set_to_a_non_string_is_shown_as_text() -> None:
    a = Value(1.0)
    a.label = 42  # type: ignore[assignment]
    assert parse(draw_dot(a * 2).source)[0]["v0"][0] == "42"
    with pytest.raises(TypeError, match="title"):
        draw_dot(a, title=3)  # type: ignore[arg-type]


def test_characters_xml_cannot_hold_become_visible_escapes() -> None:
    assert graphviz_shows(html_text("a\x00b\x07\ud800")) == "a\\x00b\\x07\\ud800"
    assert html_text("a\\Nb") == "a\\\\Nb"  # Graphviz shows \\ as one backslash, so a\Nb stays a\Nb
    assert html_text("x < y & z") == "x &lt; y &amp; z"


# ---------------------------------------------------------------------------------------------
# Options


def test_hide_grad_hide_data_and_precision() -> None:
    o, _ = neuron()
    src = draw_dot(o, show_grad=False, precision=2).source
    assert parse(src)[0][node_of(src, "b")] == ["b", "data 6.9"]
    src = draw_dot(o, show_data=False).source
    assert parse(src)[0][node_of(src, "b")] == ["b", "grad 0.5"]


def test_kinds_are_marked_by_shape() -> None:
    o, v = neuron()
    src = draw_dot(o, params=[v["w1"], v["w2"], v["b"]]).source
    _, attrs, _ = parse(src)
    assert "peripheries=2" in attrs[node_of(src, "o")]
    assert 'style="filled,rounded,bold"' in attrs[node_of(src, "w1")]  # a parameter
    assert 'style="filled,rounded"' in attrs[node_of(src, "x1")]  # an input
    assert "style=filled " in attrs[node_of(src, "n")] + " "  # intermediate
    plain = parse(draw_dot(o, mark=False).source)[1]
    assert len({a for k, a in plain.items() if k.startswith("v")}) == 1


def test_params_accepts_a_model_or_a_mapping() -> None:
    o, v = neuron()

    class Model:
        def parameters(self) -> list[Value]:
            return [v["w1"]]

    for params in (Model(), {"weight": v["w1"]}, [v["w1"]]):
        src = draw_dot(o, params=params).source
        assert "bold" in parse(src)[1][node_of(src, "w1")] and "bold" not in parse(src)[1][node_of(src, "w2")]
    with pytest.raises(TypeError, match="params"):
        draw_dot(o, params=[1.0])


def test_gradient_colours_follow_the_legend() -> None:
    x, z, u, s = Value(2.0, label="x"), Value(5.0, label="z"), Value(1.0, label="u"), Value(0.0, label="s")
    y = x * 1e-7 + z * 0.0 + u * 30.0 + s.sqrt() * 0.0  # ∂y/∂x = 1e-7, ∂y/∂z = 0, ∂y/∂u = 30, ∂y/∂s = 0·∞
    y.backward()
    src = draw_dot(y, color_by_grad=True).source
    legend = re.search(r"legend \[label=<(.*)> ", src)
    assert legend is not None
    rows = {label_text(tr).strip(): tr.find("TD").get("BGCOLOR")  # type: ignore[union-attr]
            for tr in ET.fromstring(legend.group(1)).iter("TR")}
    fill = {name: re.search(r'fillcolor="([^"]+)"', parse(src)[1][node_of(src, name)]).group(1)  # type: ignore[union-attr]
            for name in ("x", "z", "u", "s")}
    assert fill["x"] == rows["1e-8 ≤ |grad| < 1e-6"]
    assert math.isnan(s.grad) and fill["s"] == rows["grad is nan or ±inf"]
    assert fill["z"] == rows["|grad| = 0"]
    assert fill["u"] == rows["1 ≤ |grad| < 1e2"]
    assert len({fill["x"], fill["z"], fill["u"]}) == 3


def test_legend_default_and_overrides() -> None:
    o, _ = neuron()
    assert "cluster_legend" not in draw_dot(o).source
    assert "cluster_legend" in draw_dot(o, color_by_grad=True).source
    assert "cluster_legend" in draw_dot(o, order=True).source
    assert "cluster_legend" in draw_dot(o, legend=True).source
    assert "cluster_legend" not in draw_dot(o, color_by_grad=True, legend=False).source


def _recording_graph() -> tuple[Value, list[float]]:
    """A diamond-rich graph of ops whose derivative records the output it was called for."""
    seen: list[float] = []

    def record(y: float, d: object) -> object:
        seen.append(y)
        return d

    u = Op("u", lambda x: x + 1.0, lambda x, y, c: record(y, 1.0))
    b = Op("b", lambda p, q: p + q + 0.5, lambda p, q, y, c: record(y, (1.0, 1.0)), arity=2)
    x = Value(1.0, label="x")
    p = u(x)
    q = b(p, u(p))
    r = b(u(q), b(q, p))
    return b(r, u(r)), seen


def test_order_numbers_match_what_backward_does() -> None:
    root, seen = _recording_graph()
    root.backward()  # the derivative of each node is called when backward processes it
    src = draw_dot(root, order=True).source
    cells, _, _ = parse(src)
    step_of = {}
    for name, c in cells.items():
        if name.startswith("op"):
            _, step = c[0].split("\n")
            step_of[float(cells["v" + name[2:]][0].split()[1])] = int(step.removeprefix("step "))
    assert sorted(step_of, key=step_of.__getitem__) == seen
    assert [v.data for v in backward_order(root)] == seen
    assert all(v._pending == 0 for v in topological_order(root))  # the engine's counters are left alone


def test_backward_order_puts_consumers_first() -> None:
    o, _ = neuron()
    order = backward_order(o)
    rank = {v: i for i, v in enumerate(order)}
    assert order[0] is o and len(order) == 5
    for v in order:
        for p in v._prev:
            if p._prev:
                assert rank[v] < rank[p]
    assert backward_order(Value(1.0)) == []


# ---------------------------------------------------------------------------------------------
# Determinism, size limit, bad arguments, golden files

def test_source_is_identical_across_processes_and_hash_seeds() -> None:
    here = showcase()
    script = SHOWCASE.format(root=str(Path(__file__).resolve().parents[2]))
    for seed in ("0", "1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, check=True, timeout=60)
        assert out.stdout.decode("utf-8") == here
    junk = [object() for _ in range(1000)]  # other addresses in this process: still the same source
    assert showcase() == here and junk


def test_node_limit() -> None:
    y = Value(0.0)
    for _ in range(30):
        y = y + 1.0
    assert draw_dot(y, max_nodes=61) is not None  # 31 values + 30 operations
    with pytest.raises(GraphTooLargeError) as e:
        draw_dot(y, max_nodes=60)
    message = str(e.value)
    assert "61 nodes" in message and "max_nodes=60" in message
    assert "no_grad" in message and "draw_dot(some_intermediate_value)" in message
    assert isinstance(e.value, ValueError)
    assert draw_dot(y, max_nodes=None) is not None


def test_bad_arguments() -> None:
    o, _ = neuron()
    with pytest.raises(TypeError, match="expected a Value"):
        draw_dot(2.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rankdir"):
        draw_dot(o, rankdir="XY")
    with pytest.raises(ValueError, match="precision"):
        draw_dot(o, precision=0)
    with pytest.raises(ValueError, match="max_nodes"):
        draw_dot(o, max_nodes=0)


def test_golden_neuron() -> None:
    o, _ = neuron()
    check_golden("neuron.dot", draw_dot(o).source)


def test_golden_neuron_with_all_options() -> None:
    o, v = neuron()
    src = draw_dot(o, rankdir="TB", color_by_grad=True, order=True, params=[v["w1"], v["w2"], v["b"]],
                   title="o = tanh(x1*w1 + x2*w2 + b)").source
    check_golden("neuron_options.dot", src)


def test_golden_shared_nodes_constants_and_hostile_label() -> None:
    a = Value(3.0, label='a "<&>" |{x}|\nline 2')
    y = (a - a) * 2 + a / a + 2 ** a + autograd.dot([a], [Value(0.5)], 1.0)
    y.backward()
    check_golden("shared_and_hostile.dot", draw_dot(y).source)


def test_golden_groups() -> None:
    check_golden("groups.dot", showcase())


def test_a_neuron_over_plain_numbers_labels_its_weight_and_bias_edges() -> None:
    """linear_c: z = Σ w_i x_i + b with the x_i numbers; its parents are w_0, w_1 and b."""
    from autograd.reductions import dot_const

    w0, w1, b = Value(0.5, label="w0"), Value(-1.0, label="w1"), Value(0.1, label="b")
    z = dot_const([w0, w1], [2.0, 3.0], b)
    assert edge_labels(z) == ["w0", "w1", "b"]


def test_node_names_show_what_explain_calls_unnamed_nodes() -> None:
    from autograd import explain

    x = Value(0.5, label="x")
    y = (x * 2.0).tanh() * x
    names = {ex_name for s in explain(y) for ex_name in (s.node_name, s.parent_name)}
    drawn = draw_dot(y, node_names=True).source
    plain = draw_dot(y).source
    unnamed = sorted(n for n in names if n.startswith("v"))
    assert unnamed, names  # the graph has nodes explain calls v{i}
    for name in unnamed:
        assert f"<B>{name}</B>" in drawn and f"<B>{name}</B>" not in plain


def test_slide_options_highlight_fontsize_dpi() -> None:
    x, w = Value(1.5, label="x"), Value(-0.5, label="w")
    z = x * w
    y = z.tanh()
    src = draw_dot(y, highlight=[w, z, y], fontsize=16, dpi=200).source
    assert 'dpi=200' in src and 'fontsize=16' in src
    lit = [line for line in src.splitlines() if "#d62728" in line]
    assert any(line.strip().startswith("v1 ") for line in lit)  # w
    assert not any(line.strip().startswith("v0 ") for line in lit)  # x is not on the path
    assert any("v1 -> op2" in line for line in lit) and not any("v0 -> op2" in line for line in lit)
    for bad in ({"fontsize": 0}, {"fontsize": True}, {"dpi": 10**6}, {"dpi": float("nan")}):
        with pytest.raises(ValueError, match=r"draw_dot: (fontsize|dpi)"):
            draw_dot(y, **bad)
    for bad_h in ("x", [1.0], 3):
        with pytest.raises(TypeError, match="highlight"):
            draw_dot(y, highlight=bad_h)
