"""Hostile labels reach every writer as visible text: lone surrogates, quotes, ``</script>``, NUL, bidi controls.

Every writer — DOT, SVG, PNG (``save_graph``), the step-through page (HTML) and its GIF, ``explain``'s
text and HTML, the JSON model file — must write such a label without an error, never let the raw
character through where it would break or reorder the output, and show the same visible escape
(``autograd.drawing.labels.visible``, the one escaping step they share).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import nn
from autograd import Value, save_graph
from autograd.drawing.labels import visible
from autograd.explain import explain, step_through

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")

HOSTILE = {
    "lone high surrogate": "a\ud800b",
    "lone low surrogate": "\udfff",
    "quotes": "q\"uo'te",
    "script end": "</script><script>alert(1)</script>",
    "NUL": "nul\x00x",
    "right-to-left override": "x\u202e2*",
    "RTL mark and isolate": "y\u200f\u2067z\u2069",
}
RAW_FORBIDDEN = "\x00\u202e\u200f\u2067\u2069"  # must never reach a file as they are


def strings(data: Any) -> list[str]:
    """Every string inside decoded JSON."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for v in data.values() for s in strings(v)]
    if isinstance(data, list):
        return [s for v in data for s in strings(v)]
    return []


def graph(label: str) -> Value:
    x = Value(2.0, label=label)
    y = (x * x).tanh()
    y.label = label + "!"
    return y


def test_visible_escapes_exactly_the_characters_a_file_cannot_show() -> None:
    assert visible("a\ud800b") == "a\\ud800b" and visible("nul\x00") == "nul\\x00"
    assert visible("x\u202e2") == "x\\u202e2" and visible("שלום α 😀 \t\n") == "שלום α 😀 \t\n"  # letters, emoji kept
    for text in HOSTILE.values():
        visible(text).encode("utf-8")  # always encodable
        assert not set(visible(text)) & set(RAW_FORBIDDEN)


def check_text(text: str, label: str) -> None:
    text.encode("utf-8")
    assert not set(text) & set(RAW_FORBIDDEN), [c for c in text if c in RAW_FORBIDDEN]
    assert "\\ud800" in text if "\ud800" in label else True


@needs_dot
@pytest.mark.parametrize("name", HOSTILE)
@pytest.mark.parametrize("fmt", ["dot", "svg", "png"])
def test_save_graph_writes_hostile_labels(tmp_path: Path, name: str, fmt: str) -> None:
    label = HOSTILE[name]
    path = save_graph(graph(label), tmp_path / f"g.{fmt}")
    data = Path(path).read_bytes()
    if fmt == "png":
        assert data.startswith(b"\x89PNG")
        return
    text = data.decode("utf-8")
    check_text(text, label)
    if fmt == "svg":
        assert "<script" not in text and 'q"uo' not in text  # entities, not markup


@needs_dot
@pytest.mark.parametrize("name", HOSTILE)
def test_the_step_through_page_and_gif_write_hostile_labels(tmp_path: Path, name: str) -> None:
    label = HOSTILE[name]
    walk = step_through(graph(label), title=label)
    page = Path(walk.save(tmp_path / "s.html")).read_bytes().decode("utf-8")  # before: UnicodeEncodeError
    check_text(page, label)
    assert page.count("</script>") == 2  # the page's own two scripts: a label cannot close one
    data = json.loads(page.split('id="dg-data">', 1)[1].split("</script>", 1)[0])
    shown = "\n".join(strings(data))
    assert visible(label) in shown  # the frames show the label as the drawing does
    if "\ud800" in label:
        assert "a\\ud800b" in shown  # six visible characters, not a character no file can hold
    gif = Path(walk.save(tmp_path / "s.gif")).read_bytes()
    assert gif.startswith(b"GIF8")


@pytest.mark.parametrize("name", HOSTILE)
def test_explain_text_and_html_show_hostile_labels_escaped(name: str) -> None:
    label = HOSTILE[name]
    e = explain(graph(label))
    check_text(str(e), label)  # before: printing it raised UnicodeEncodeError
    check_text(e._repr_html_(), label)
    assert visible(label) in str(e)


@pytest.mark.parametrize("name", HOSTILE)
def test_a_model_file_keeps_hostile_text_exactly(tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text = HOSTILE[name]

    class Tagged(nn.Module):
        def __init__(self, tag: str) -> None:
            self.tag, self.k = tag, Value(1.5)

        def __call__(self, x: float) -> Value:
            return self.k * x

        def architecture(self) -> dict[str, Any]:
            return {"type": "Tagged", "tag": self.tag}

        @classmethod
        def from_architecture(cls, arch: Any) -> Tagged:
            return cls(arch["tag"])

    monkeypatch.setattr(nn.architectures, "ARCHITECTURES", dict(nn.architectures.ARCHITECTURES))
    nn.register(Tagged)
    path = tmp_path / "m.json"
    Tagged(text).save(str(path))
    raw = path.read_bytes().decode("ascii")  # JSON escapes: the file is ASCII
    assert "\\u0000" in raw if "\x00" in text else True
    loaded = nn.load_model(path)
    assert isinstance(loaded, Tagged) and loaded.tag == text and loaded.k.data == 1.5


NOT_TEXT = {"None": None, "int": 42, "float": 1.5, "bytes": b"by", "tuple": ("t",)}


@pytest.mark.parametrize("name", NOT_TEXT)
def test_a_label_that_is_not_a_str_reads_as_text_everywhere(name: str) -> None:
    """``v.label = 42`` (micrograd never checks): every reader gets a str — None is no label, anything
    else its text — so the drawing, explain, the pages, sympy and check_graph work as for a str label.
    check_graph once called the correct ``*`` node's backward step wrong: it failed to copy the label."""
    import autograd

    raw = NOT_TEXT[name]
    x, w = Value(2.0), Value(-3.0, label="w")
    z = x * w
    y = (z + x).tanh()
    for v in (x, z, y):
        v.label = raw  # type: ignore[assignment]
        assert v.label == ("" if raw is None else str(raw))
    autograd.check_graph(y)  # no GradcheckError: every backward step is right
    text = str(explain(y))
    assert raw is None or str(raw) in text
    explain(y)._repr_html_()
    step_through(y).html()
    step_through(y, quiz=True).html()
    autograd.playground(y).html()
    assert str(autograd.to_sympy(y))
    autograd.check_by_hand(y, {w: -0.0})
