"""step_through(y): its frames follow explain's steps, the page is self-contained and escaped, the GIF has
one picture per frame (read back by Pillow, an independent decoder), and the main job and CLI write pages."""

from __future__ import annotations

import html
import io
import os
import re
import shutil
from pathlib import Path

import pytest

import nn
from autograd import GraphTooLargeError, Value, step_through
from autograd.cli import main as cli_main
from autograd.explain.gif import animate, pictures
from autograd.explain.names import fmt as nn_fmt
from nn import losses
from nn.jobs.walkthrough import save_backprop_page

PIL = pytest.importorskip("PIL.Image")  # comes with matplotlib (the notebooks extra); decodes our GIFs
needs_dot = pytest.mark.skipif(shutil.which("dot") is None and not os.environ.get("DELTAGRAD_REQUIRE_DOT"),
                               reason="Graphviz's dot is not installed")


def _hostile() -> Value:
    a = Value(2.0, label="<script>alert('x')</script>")
    b = a + a
    return (b * a).tanh()


def test_frames_walk_forward_in_topological_order_then_explains_steps() -> None:
    y = _hostile()
    walk = step_through(y)
    interior = [v for v in walk.order if not v.is_leaf]
    assert [f.phase for f in walk.frames] == ["start"] + ["forward"] * len(interior) + ["seed"] + \
        ["backward"] * len(walk.explanation)
    assert [walk.order[f.node] for f in walk.frames if f.phase == "forward" and f.node is not None] == interior
    for k, step in enumerate(walk.explanation, start=1):
        frame = walk.frames[walk.first_step + k - 1]
        assert frame.step == k and str(step) in frame.text
        assert walk.order[frame.parent] is step.parent and walk.order[frame.node] is step.node  # type: ignore[index]


@needs_dot
def test_the_page_is_self_contained_and_escaped(tmp_path: Path) -> None:
    walk = step_through(_hostile())
    page = walk.save(tmp_path / "steps.html").read_text(encoding="utf-8")
    assert "default-src 'none'" in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)  # nothing to fetch
    assert len(re.findall(r"<script", page)) == 2  # the JSON data and our script, nothing from the label
    assert "&lt;script&gt;alert" in page
    for k in range(len(walk.explanation)):  # every duplicate edge of a + a has an id of its own
        assert f'id="{walk.frames[walk.first_step + k].edge}"' in html.unescape(page)
    assert walk._repr_html_().startswith('<iframe srcdoc="') and 'sandbox="allow-scripts"' in walk._repr_html_()


@pytest.fixture(params=["dot", "pygraphviz"])
def renderer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Draw with Graphviz's dot, or with pygraphviz while dot is hidden: every image path works with either."""
    if request.param == "dot" and shutil.which("dot") is None:
        if os.environ.get("DELTAGRAD_REQUIRE_DOT"):
            pytest.fail("Graphviz's dot is required here (DELTAGRAD_REQUIRE_DOT)")
        pytest.skip("Graphviz's dot is not installed")
    if request.param == "pygraphviz":
        pytest.importorskip("pygraphviz")
        real = shutil.which
        monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None if name == "dot" else real(name, *a, **k))
    return str(request.param)


def test_the_gif_has_one_picture_per_frame(tmp_path: Path, renderer: str) -> None:
    walk = step_through(_hostile())
    path = walk.save(tmp_path / "steps.gif", delay=0.5)
    data = path.read_bytes()
    assert len(pictures(data)) == len(walk.frames)
    with PIL.open(path) as im:
        assert im.n_frames == len(walk.frames)
        assert im.info.get("loop") == 0 and im.info.get("duration") == 500


def test_animate_keeps_every_picture_as_pillow_decodes_it() -> None:
    frames, expected = [], []
    for colour in ((255, 0, 0), (0, 128, 0), (0, 0, 255)):
        im = PIL.new("RGB", (7, 5), colour)
        im.putpixel((3, 2), (255, 255, 255))
        buf = io.BytesIO()
        im.save(buf, format="GIF")
        frames.append(buf.getvalue())
        expected.append(im.tobytes())
    with PIL.open(io.BytesIO(animate(frames, 0.2))) as im:
        assert im.n_frames == 3
        for k in range(3):
            im.seek(k)
            assert im.convert("RGB").tobytes() == expected[k]


def test_big_graphs_and_bad_options_are_refused(tmp_path: Path) -> None:
    x = Value(1.0)
    y = x
    for _ in range(20):
        y = y * 1.01
    with pytest.raises(GraphTooLargeError, match="step_through: the graph has 41 nodes"):
        step_through(y, max_nodes=40)
    assert x.grad == 0.0  # refused before backward() ran
    with pytest.raises(ValueError, match="needs names="):
        step_through(y, lr=0.1)
    with pytest.raises(ValueError, match="lr"):
        step_through(y, nn.note_model(), lr=-1.0)
    walk = step_through(x * 2.0)
    with pytest.raises(ValueError, match=r"\.html .* or \.gif"):
        walk.save(tmp_path / "steps.png")


@needs_dot
def test_the_main_jobs_page_shows_one_update_of_the_note(tmp_path: Path) -> None:
    path, note = save_backprop_page(tmp_path / "backprop.html", lr=0.5)
    assert note == "" and path is not None
    page = path.read_text(encoding="utf-8")
    model = nn.note_model()
    X, T = nn.note_example()
    E = losses.half_sse(model(X[0]), T[0])
    E.backward()
    w = model.layers[1].neurons[0].w[0]
    assert "update: Δlayers.1.neurons.0.w.0" in page and "δ_k" in page and "δ_j0" in page
    assert f"→ {nn_fmt(w.data - 0.5 * w.grad)}" in page  # Δw = −η ∂E/∂w, η = 0.5


@needs_dot
def test_the_command_line_writes_a_steps_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "s.html"
    assert cli_main(["tanh(x*w + b)", "--set", "x=1.5", "--set", "w=-0.5", "--set", "b=0.1", "--steps", str(out)]) == 0
    text = capsys.readouterr().out
    assert f"wrote {out} (10 frames, 5 backward steps)" in text and "d/dx = -0.3365967249" in text
    assert "dg-data" in out.read_text(encoding="utf-8")
    assert cli_main(["x*x", "--set", "x=1", "--steps", str(tmp_path / "s.png")]) == 2
    assert "--steps" in capsys.readouterr().err


def test_a_gif_of_too_many_frames_is_refused(tmp_path: Path) -> None:
    x = Value(1.0)
    y = x
    for _ in range(400):
        y = y * 1.0001
    walk = step_through(y)
    with pytest.raises(ValueError, match=r"\d+ frames are more than 600"):
        walk.save(tmp_path / "big.gif")
    assert not (tmp_path / "big.gif").exists()


def test_gif_holds_its_last_frame_and_is_sized_for_slides(tmp_path: Path, renderer: str) -> None:
    x = Value(0.5, label="x")
    walk = step_through((x * 2.0).tanh() * x)
    path = walk.save(tmp_path / "slide.gif", delay=0.5, hold=4, width=800)
    pics = pictures(path.read_bytes())
    assert len(pics) == len(walk.frames)
    assert abs(max(p.left + p.width for p in pics) - 800) <= 8  # Graphviz rounds the dpi
    with PIL.open(path) as im:  # an independent decoder reads each frame's delay
        durations = []
        for k in range(im.n_frames):
            im.seek(k)
            durations.append(im.info["duration"])
    assert durations == [500] * (len(pics) - 1) + [4000]
    for bad in ({"hold": -1}, {"hold": "3"}, {"width": 10}, {"width": 2.5}, {"delay": float("nan")}):
        with pytest.raises(ValueError, match=r"step_through\.save"):
            walk.save(tmp_path / "bad.gif", **bad)


def test_frames_export_as_png_and_pdf_for_beamer(tmp_path: Path, renderer: str) -> None:
    x = Value(0.5, label="x")
    walk = step_through(x * x)
    pngs = walk.save_frames(tmp_path / "png")
    assert [p.name for p in pngs] == [f"frame_{k:03d}.png" for k in range(1, len(walk) + 1)]
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    with PIL.open(pngs[0]) as first, PIL.open(pngs[-1]) as last:
        assert first.size == last.size  # one layout for every overlay
    pdfs = walk.save_frames(tmp_path / "pdf", "pdf")
    assert len(pdfs) == len(walk) and all(p.read_bytes()[:5] == b"%PDF-" for p in pdfs)
    with pytest.raises(ValueError, match="png, pdf or svg"):
        walk.save_frames(tmp_path / "x", "jpg")


def test_every_name_the_steps_use_is_on_a_box() -> None:
    model = nn.note_model()
    X, T = nn.note_example()
    walk = step_through(losses.half_sse(model(X[0]), T[0]), model, lr=1.0)
    svg = html.unescape(walk.svg)
    boxes = set(re.findall(r'<text[^>]*font-weight="bold"[^>]*>([^<]+)</text>', svg))
    used = {walk.explanation.naming.root_name}
    for step in walk.explanation:
        used |= {step.node_name, step.parent_name}
    assert used - boxes == set(), f"named in the text but on no box: {sorted(used - boxes)}"
    assert "layers.0.neurons.0.w.0" in boxes and "E" in boxes  # one naming: as named_parameters() says


def test_an_untrusted_notebook_gets_a_png_of_the_first_frame(renderer: str) -> None:
    x = Value(0.5, label="x")
    walk = step_through((x * 2.0).tanh() * x, title="a <b>handout</b>")
    bundle = walk._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/png"}  # JupyterLab shows the PNG when HTML is not trusted
    assert bundle["image/png"][:8] == b"\x89PNG\r\n\x1a\n"
    with PIL.open(io.BytesIO(bundle["image/png"])) as im:
        assert im.size[0] > 100 and im.size[1] > 50
    assert list(walk._repr_mimebundle_(include=["image/png"])) == ["image/png"]
    assert list(walk._repr_mimebundle_(exclude=["image/png"])) == ["text/html"]
    page = walk.html()  # without its script, the page shows the first frame too
    assert html.escape(walk.frames[0].text) in page and f"frame 1 of {len(walk)}" in page
    assert "data 0.5" in walk.svg and "data 0000" not in walk.svg  # the numbers written in, not the stand-ins


def test_save_frames_into_a_file_is_refused_before_drawing(tmp_path: Path) -> None:
    x = Value(0.5, label="x")
    (tmp_path / "taken").write_text("mine", encoding="utf-8")
    with pytest.raises(NotADirectoryError, match=r"save_frames: .*taken.* is a file"):
        step_through(x * x).save_frames(tmp_path / "taken")
    assert (tmp_path / "taken").read_text(encoding="utf-8") == "mine"


def test_steps_gif_from_the_command_line_with_either_renderer_and_no_warning(
        tmp_path: Path, renderer: str, capfd: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "s.gif"
    assert cli_main(["tanh(x*w + b)", "--set", "x=1.5", "--set", "w=-0.5", "--set", "b=0.1", "--steps", str(out)]) == 0
    stdout, stderr = capfd.readouterr()
    assert f"wrote {out} (10 frames, 5 backward steps)" in stdout
    assert "Warning" not in stderr and "Fontconfig" not in stderr, stderr  # Graphviz's own complaints included
    assert len(pictures(out.read_bytes())) == 10
