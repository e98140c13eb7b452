"""What a notebook user sees: no backend switch, tqdm's bar (or the plain one), History.plot(), Report's table."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

import nn
from autograd import gradcheck
from nn import progress

ROOT = Path(__file__).resolve().parents[2]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_report_never_changes_the_matplotlib_backend(tmp_path: Path) -> None:
    code = ("import matplotlib\nmatplotlib.use('svg')\nfrom nn.jobs.report import save_loss_curve\n"
            "import nn\nh = nn.fit(nn.note_model(), [[1.0, 0.5]], [1.0], lr=1.0, epochs=3, progress=False)\n"
            f"save_loss_curve([1.0, 0.5, 0.25], {str(tmp_path / 'l.png')!r})\nh.plot()\n"
            "print(matplotlib.get_backend())\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "svg"  # nn.jobs.report used to force Agg
    assert (tmp_path / "l.png").read_bytes()[:8] == PNG_MAGIC
    for module in (ROOT / "nn" / "plots.py", ROOT / "nn" / "jobs" / "report.py"):
        assert "matplotlib.use" not in module.read_text(encoding="utf-8").replace(
            "(``matplotlib.use`` is never called)", ""), module


def test_history_plot_has_loss_accuracy_and_one_line_per_layer() -> None:
    X, y = nn.xor()
    model = nn.MLP(2, [4, 3, 1], activation="tanh", seed=1)
    history = nn.fit(model, X, y, lr=0.2, epochs=12, progress=False)
    fig = history.plot()
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["loss", "accuracy", "gradient norm per layer"]
    norms = fig.axes[2].get_lines()
    assert len(norms) == 3 and [line.get_label() for line in norms] == ["layer 0", "layer 1", "layer 2"]
    assert list(norms[0].get_ydata()) == [row[0] for row in history.grad_norms]
    assert list(fig.axes[0].get_lines()[0].get_ydata()) == history.loss
    assert fig._repr_png_()[:8] == PNG_MAGIC  # Jupyter shows it without pyplot


def test_history_plot_without_accuracy_has_two_panels() -> None:
    model = nn.note_model()
    history = nn.fit(model, [[1.0, 0.5]], [1.0], loss="half_sse", accuracy=None, lr=1.0, epochs=4, progress=False)
    assert [ax.get_title() for ax in history.plot(layer_names=["hidden", "out"]).axes][-1] == "gradient norm per layer"
    assert [line.get_label() for line in history.plot(layer_names=["hidden", "out"]).axes[-1].get_lines()] == [
        "hidden", "out"]


def test_fit_uses_tqdm_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[dict[str, object]] = []

    class FakeTqdm:
        def __init__(self, **kwargs: object) -> None:
            made.append({"kwargs": kwargs, "updates": [], "notes": [], "closed": False})

        def update(self, n: int) -> None:
            made[-1]["updates"].append(n)  # type: ignore[attr-defined]

        def set_postfix_str(self, note: str, refresh: bool = True) -> None:
            made[-1]["notes"].append(note)  # type: ignore[attr-defined]

        def close(self) -> None:
            made[-1]["closed"] = True

    monkeypatch.setattr(progress, "_tqdm_auto", lambda: FakeTqdm)
    nn.fit(nn.note_model(), [[1.0, 0.5]], [1.0], lr=1.0, epochs=5, progress=True)
    (bar,) = made
    assert bar["kwargs"]["total"] == 5 and bar["updates"] == [1] * 5 and bar["closed"]  # type: ignore[index]
    assert str(bar["notes"][-1]).startswith("loss ")  # type: ignore[index]


def test_without_tqdm_the_plain_bar_draws(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "_tqdm_auto", lambda: None)
    assert isinstance(progress.progress_bar(3, True), progress.ProgressBar)
    stream = io.StringIO()
    bar = progress.progress_bar(3, True, stream=stream)
    for k in (1, 2, 3):
        bar.update(k, "loss 1")
    bar.close()
    assert stream.getvalue().endswith("[########################] 3/3  loss 1\n")
    off = progress.progress_bar(3, False)
    off.update(1)
    off.close()  # disabled: a no-op
    assert isinstance(off, progress.ProgressBar) and not off.enabled


def test_the_real_tqdm_is_notebook_aware() -> None:
    pytest.importorskip("tqdm")
    import tqdm.auto

    bar = progress.progress_bar(4, True)
    assert isinstance(bar, progress.TqdmBar) and isinstance(bar._bar, tqdm.auto.tqdm)
    bar.update(4, "done")
    bar.close()
    assert not progress.in_notebook()  # pytest is not a Jupyter kernel


def test_gradcheck_report_shows_its_table_in_a_notebook() -> None:
    report = gradcheck(lambda x, w: (x * w).sigmoid() * x, [0.5, -1.5])
    texts: list[str] = []

    class Printer:
        def text(self, s: str) -> None:
            texts.append(s)

    report._repr_pretty_(Printer(), False)
    assert texts[0].startswith("gradient check passed: 2 inputs, 0 at kinks")
    assert str(report) in texts[0] and "input  value" in texts[0]
    html = report._repr_html_()
    assert html.startswith("<pre>gradient check passed") and "x" in html and "<Report" not in html


def test_in_jupyter_without_ipywidgets_the_text_bar_is_used_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    """tqdm.auto in a kernel without ipywidgets warns 'IProgress not found' in a pink box: not ours."""
    pytest.importorskip("tqdm")
    import warnings

    import tqdm.std

    monkeypatch.setattr(progress, "in_notebook", lambda: True)
    monkeypatch.setattr(progress, "_has_ipywidgets", lambda: False)
    chosen = progress._tqdm_auto()
    assert chosen is tqdm.std.tqdm
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a TqdmWarning would fail here
        bar = chosen(total=3, disable=True)
        bar.close()
    monkeypatch.setattr(progress, "_has_ipywidgets", lambda: True)
    import tqdm.auto

    assert progress._tqdm_auto() is tqdm.auto.tqdm
