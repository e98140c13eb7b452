"""Rendering with the real Graphviz: PNG, SVG, PDF, Jupyter, hostile labels, files, missing renderers.

Every rendering test runs twice: through the ``dot`` program and through pygraphviz with ``dot``
hidden from PATH (the fallback for machines without root). A test whose renderer is missing skips
(with the reason), except when ``DELTAGRAD_REQUIRE_DOT=1`` (CI sets it): then it fails.
"""

from __future__ import annotations

import os
import shutil
import stat
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import graphviz
import pytest

from autograd import Value
from autograd.drawing import render as render_module
from autograd.drawing.draw import draw_dot, save_graph
from autograd.drawing.render import GraphvizNotFoundError, RenderError, atomic_write, resolve_format
from autograd.graph import topological_order
from tests.support.dot import HOSTILE, neuron

SVG = "{http://www.w3.org/2000/svg}"
ROOT = Path(__file__).resolve().parents[2]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def need_dot() -> None:
    """Skip without Graphviz's ``dot`` — or fail, when DELTAGRAD_REQUIRE_DOT=1 (as in CI)."""
    if shutil.which("dot"):
        return
    if os.environ.get("DELTAGRAD_REQUIRE_DOT") == "1":
        pytest.fail("Graphviz 'dot' is not on PATH but DELTAGRAD_REQUIRE_DOT=1: install graphviz")
    pytest.skip("Graphviz 'dot' is not installed (apt-get install graphviz); set DELTAGRAD_REQUIRE_DOT=1 to fail")


def need_pygraphviz() -> None:
    """Skip without pygraphviz — or fail, when DELTAGRAD_REQUIRE_DOT=1 (as in CI)."""
    if render_module._pygraphviz() is not None:
        return
    if os.environ.get("DELTAGRAD_REQUIRE_DOT") == "1":
        pytest.fail("pygraphviz is not installed but DELTAGRAD_REQUIRE_DOT=1: pip install pygraphviz")
    pytest.skip("pygraphviz is not installed (pip install pygraphviz); set DELTAGRAD_REQUIRE_DOT=1 to fail")


def hide_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make PATH a fresh empty folder (beside ``tmp_path``), so that ``dot`` cannot be found; return it."""
    empty = tmp_path.parent / f"{tmp_path.name}-empty-bin"
    empty.mkdir(exist_ok=True)
    monkeypatch.setenv("PATH", str(empty))
    assert shutil.which("dot") is None
    return empty


@pytest.fixture(params=["dot", "pygraphviz"])
def via(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test with the ``dot`` program, then with pygraphviz and ``dot`` hidden from PATH."""
    if request.param == "dot":
        need_dot()
        monkeypatch.setattr(render_module, "_pygraphviz", lambda: None)  # dot must be what renders
    else:
        need_pygraphviz()
        hide_dot(tmp_path, monkeypatch)
    assert render_module.renderer() == request.param
    return str(request.param)


@pytest.fixture
def no_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A PATH on which there is no ``dot``, and no pygraphviz to fall back on: nothing can render."""
    monkeypatch.setattr(render_module, "_pygraphviz", lambda: None)
    return hide_dot(tmp_path, monkeypatch)


def test_need_dot_fails_in_ci_and_skips_elsewhere(no_dot: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DELTAGRAD_REQUIRE_DOT", "1")
    with pytest.raises(pytest.fail.Exception, match="DELTAGRAD_REQUIRE_DOT"):
        need_dot()
    monkeypatch.delenv("DELTAGRAD_REQUIRE_DOT")
    with pytest.raises(pytest.skip.Exception, match="not installed"):
        need_dot()


def _svg_nodes(svg: str) -> dict[str, list[str]]:
    """Each node's title (our node name) → the texts drawn in it."""
    root = ET.fromstring(svg)
    nodes = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "node":
            title = g.find(f"{SVG}title")
            assert title is not None and title.text is not None
            nodes[title.text] = [t.text or "" for t in g.iter(f"{SVG}text")]
    return nodes


def _svg_edges(svg: str) -> int:
    return sum(1 for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("class") == "edge")


def test_png_file(tmp_path: Path, via: str) -> None:
    o, _ = neuron()
    path = save_graph(o, tmp_path / "neuron.png")
    data = path.read_bytes()
    assert path == tmp_path / "neuron.png" and data[:8] == PNG_MAGIC
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert width > 100 and height > 20
    assert [p.name for p in tmp_path.iterdir()] == ["neuron.png"]  # no temporary file left behind


def test_svg_file_has_every_node_edge_and_text(tmp_path: Path, via: str) -> None:
    o, _ = neuron()
    svg = save_graph(o, tmp_path / "neuron.svg").read_text(encoding="utf-8")
    nodes = _svg_nodes(svg)
    assert len([n for n in nodes if n.startswith("v")]) == 10 and len([n for n in nodes if n.startswith("op")]) == 5
    assert _svg_edges(svg) == 14
    texts = {t for ts in nodes.values() for t in ts}
    assert {"o", "data 0.7071", "grad 1", "tanh", "x1", "data 6.881"} <= texts


def test_pdf_and_format_argument(tmp_path: Path, via: str) -> None:
    o, _ = neuron()
    path = save_graph(o, tmp_path / "neuron", format="pdf")
    assert path.name == "neuron.pdf" and path.read_bytes()[:5] == b"%PDF-"
    assert draw_dot(o).save_image(tmp_path / "again.svg").read_bytes().startswith(b"<?xml")
    assert save_graph(draw_dot(o, rankdir="TB"), tmp_path / "drawn.png").read_bytes()[:8] == PNG_MAGIC


@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_labels_render_exactly(label: str, via: str) -> None:
    a, b = Value(1.0, label=label), Value(2.0, label="b")
    y = a * b + a
    svg = draw_dot(y).pipe(format="svg", encoding="utf-8")
    nodes = _svg_nodes(svg)
    assert len(nodes) == 6 and _svg_edges(svg) == 6  # a, b, a·b, y and two ops; 2+1 and 2+1 edges
    lines = label.replace("\r\n", "\n").replace("\t", " ").replace("\x1b", "\\x1b").split("\n")
    # the label's lines come first in a's node, each one text element (SVG collapses no characters)
    assert [t.strip() for t in nodes["v0"][: len(lines)]] == [line.strip() for line in lines]


def test_jupyter_shows_svg_inline_whatever_the_format(via: str) -> None:
    o, _ = neuron()
    for g in (draw_dot(o), draw_dot(o, format="png", rankdir="TB")):
        bundle = g._repr_mimebundle_()
        assert list(bundle) == ["image/svg+xml", "image/png"]  # the PNG for untrusted notebooks
        assert len(_svg_nodes(bundle["image/svg+xml"])) == 15
        assert bundle["image/png"][:8] == b"\x89PNG\r\n\x1a\n"
        assert list(g._repr_mimebundle_(include=["image/svg+xml"])) == ["image/svg+xml"]


def test_inline_width_can_be_natural_or_chosen(via: str) -> None:
    y = Value(0.5, label="x")
    for i in range(40):
        y = (y * 0.9 + 0.01 * i).tanh()
    natural = float(str(ET.fromstring(draw_dot(y).pipe(format="svg", encoding="utf-8")).get("width"))[:-2])
    for chosen, expect in ((None, natural), (1200.0, 1200.0), (300, 300.0)):
        g = draw_dot(y, inline_width=chosen)
        inline = ET.fromstring(g._repr_mimebundle_()["image/svg+xml"])
        assert inline.get("width") == f"{min(expect, natural):g}pt"
    bad: Any
    for bad in (0, -5, float("inf"), "600", True):
        with pytest.raises(ValueError, match="inline_width"):
            draw_dot(y, inline_width=bad)


def test_inline_svg_scales_to_the_page_width(via: str) -> None:
    o, _ = neuron()
    y = Value(0.5, label="x")
    for i in range(40):  # a long chain drawn left to right: thousands of points wide
        y = (y * 0.9 + 0.01 * i).tanh()
    for g, wide in ((draw_dot(o, rankdir="TB"), False), (draw_dot(y), True)):
        drawn = ET.fromstring(g.pipe(format="svg", encoding="utf-8"))
        inline = ET.fromstring(g._repr_mimebundle_()["image/svg+xml"])
        width, height = (float(str(drawn.get(k))[:-2]) for k in ("width", "height"))
        assert (width > render_module.INLINE_MAX_WIDTH_PT) == wide
        scale = min(1.0, render_module.INLINE_MAX_WIDTH_PT / width)
        assert inline.get("width") == f"{width * scale:g}pt" and inline.get("height") == f"{height * scale:g}pt"
        assert inline.get("style") == "max-width: 100%; height: auto"  # shrinks further on a narrower page
        assert inline.get("viewBox") == drawn.get("viewBox")  # the proportions are kept


def test_both_renderers_draw_the_same_graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    need_dot()
    need_pygraphviz()
    o, _ = neuron()
    g = draw_dot(o, color_by_grad=True, order=True)
    by_dot = g.pipe(format="svg", encoding="utf-8")
    hide_dot(tmp_path, monkeypatch)
    assert render_module.renderer() == "pygraphviz"
    by_pygraphviz = g.pipe(format="svg", encoding="utf-8")
    assert _svg_nodes(by_pygraphviz) == _svg_nodes(by_dot) and _svg_edges(by_pygraphviz) == _svg_edges(by_dot)


def test_render_keeps_graphviz_behaviour(tmp_path: Path, via: str) -> None:
    o, _ = neuron()
    out = draw_dot(o, format="png").render(tmp_path / "gout")  # micrograd's notebook call
    assert Path(out).read_bytes()[:8] == PNG_MAGIC


def test_missing_dot_says_what_to_install(no_dot: Path, tmp_path: Path) -> None:
    o, _ = neuron()
    g = draw_dot(o)
    assert "digraph" in g.source  # building the source needs no binary
    for attempt in (lambda: save_graph(o, tmp_path / "g.png"), lambda: g.pipe(format="svg"),
                    lambda: g.render(tmp_path / "r"), lambda: g._repr_mimebundle_()):
        with pytest.raises(GraphvizNotFoundError) as e:
            attempt()
        assert isinstance(e.value, RuntimeError) and isinstance(e.value, graphviz.ExecutableNotFound)
        for hint in ("pip install pygraphviz", "deltagrad[images]", "apt-get install graphviz",
                     "brew install graphviz", "conda install -c conda-forge graphviz"):
            assert hint in str(e.value)
    assert not (tmp_path / "g.png").exists()
    assert save_graph(o, tmp_path / "g.dot").read_text(encoding="utf-8") == g.source  # DOT needs no binary


def test_missing_dot_in_a_fresh_process(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path), "PYTHONPATH": str(ROOT)}
    code = ("import sys\nsys.modules['pygraphviz'] = None  # not installed\n"
            "from autograd import Value\nfrom autograd.drawing.draw import save_graph\n"
            "try:\n    save_graph(Value(1.0) * 2, 'g.png')\nexcept RuntimeError as e:\n"
            "    print(type(e).__name__, e)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=60, check=True)
    assert out.stdout.startswith("GraphvizNotFoundError") and "brew install graphviz" in out.stdout
    assert "pip install pygraphviz" in out.stdout
    assert not (tmp_path / "g.png").exists()


def test_a_failing_renderer_is_a_render_error(tmp_path: Path, via: str) -> None:
    g = draw_dot(Value(1.0) * 2)
    g.body.append("\tthis is { not valid dot\n")
    with pytest.raises(RenderError, match=f"{via} failed"):
        save_graph(g, tmp_path / "bad.png")
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".png"] == []


@pytest.mark.parametrize(("path", "fmt", "expected"), [
    ("g.png", None, ("g.png", "png")), ("g.SVG", None, ("g.SVG", "svg")), ("g", "pdf", ("g.pdf", "pdf")),
    ("g.gv", "dot", ("g.gv", "dot")), ("out/g.dot", None, ("out/g.dot", "dot")),
])
def test_format_from_suffix_or_argument(path: str, fmt: str | None, expected: tuple[str, str]) -> None:
    target, resolved = resolve_format(path, fmt)
    assert (target.as_posix(), resolved) == expected


@pytest.mark.parametrize(("path", "fmt", "message"), [
    ("g.txt", None, "suffix .txt"), ("g", None, "no suffix"), ("g.png", "svg", "ends in .png"),
    ("g.png", "bmp", "unknown format"),
])
def test_bad_formats_are_explained(path: str, fmt: str | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        resolve_format(path, fmt)


def test_atomic_write_replaces_and_cleans_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "g.dot"
    target.write_bytes(b"old")
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new" and [p.name for p in tmp_path.iterdir()] == ["g.dot"]
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask  # the permissions open() would give

    def fail(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(render_module.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, b"half")
    assert target.read_bytes() == b"new" and [p.name for p in tmp_path.iterdir()] == ["g.dot"]


def test_writing_into_a_missing_directory_is_explained(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save_graph(Value(1.0) * 2, tmp_path / "nope" / "g.dot")
    with pytest.raises(TypeError, match="need a Value"):
        save_graph(draw_dot(Value(1.0) * 2), tmp_path / "g.dot", order=True)
    with pytest.raises(TypeError, match="expected a Value"):
        save_graph(3.0, tmp_path / "g.dot")  # type: ignore[arg-type]


def test_cli_writes_a_png(tmp_path: Path, via: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # PATH as the fixture left it: without dot for pygraphviz
    out = subprocess.run([sys.executable, "-m", "autograd", "graph", "tanh(x*w + b)", "--set", "x=1.5", "--set",
                          "w=-0.5", "--set", "b=0.1", "--color-grad", "--order", "-o", "graph.png"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "graph.png").read_bytes()[:8] == PNG_MAGIC
    assert "wrote graph.png" in out.stdout


def test_big_graph_renders_within_the_default_limit(via: str) -> None:
    y = Value(0.5, label="x")
    for i in range(150):
        y = (y * 0.9 + 0.01 * i).tanh()
    assert len(topological_order(y)) == 1 + 3 * 150
    assert len(_svg_nodes(draw_dot(y).pipe(format="svg", encoding="utf-8"))) == 1 + 2 * 3 * 150
