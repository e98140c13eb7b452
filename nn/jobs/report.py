"""The main job's picture files: the loss curve (a figure from ``nn.plots``) and the graph (Graphviz).

matplotlib is drawn through ``matplotlib.figure.Figure`` only: the user's backend is never changed
(``matplotlib.use`` is never called), so a notebook's inline plots keep working. When matplotlib
or Graphviz is missing, the file-writing functions return ``None`` and a note saying what is
missing and how to get it, and the caller carries on. Files are written atomically.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autograd import GraphTooLargeError, GraphvizNotFoundError, Value, draw_dot, save_graph
from autograd.files import atomic_write
from nn.plots import MATPLOTLIB_HINT, loss_figure


def save_loss_curve(
    losses: Sequence[float],
    path: str | os.PathLike[str],
    *,
    title: str = "training loss",
    ylabel: str = "loss E",
    marks: Sequence[tuple[int, str]] = (),
) -> tuple[Path | None, str]:
    """Plot loss per epoch (log scale when positive) to a PNG; return (path or None, note)."""
    try:
        fig = loss_figure(losses, title=title, ylabel=ylabel, marks=marks)
    except ImportError:
        return None, f"loss curve skipped: {MATPLOTLIB_HINT}"
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    atomic_write(path, buffer.getvalue())
    return Path(path), ""


def save_graph_image(root: Value, path: str | os.PathLike[str], *, model: Any = None,
                     title: str | None = None) -> tuple[Path | None, str]:
    """Draw ``root``'s computation graph (neurons clustered by ``model``'s parameter names) to ``path``.

    Returns (path or None, note). Without Graphviz (neither the ``dot`` program nor pygraphviz) the
    DOT source is written next to the requested path instead (``.dot``), which any Graphviz viewer
    can open later.
    """
    options: dict[str, Any] = {"groups": model} if model is not None else {}
    if title:
        options["title"] = title
    try:  # a legend for the shapes; name, data and grad stacked in each box, so a network is not 3,500 px wide
        graph = draw_dot(root, legend=True, stacked=True, **options)
    except GraphTooLargeError as e:
        return None, f"graph skipped: {e}"
    graph.graph_attr["ranksep"] = "0.3"
    try:
        return save_graph(graph, path), ""
    except GraphvizNotFoundError:
        source = Path(path).with_suffix(".dot")
        save_graph(graph, source)
        return None, (f"graph image skipped: Graphviz is not installed (no root needed: pip install pygraphviz; "
                      f"or Debian/Ubuntu: sudo apt-get install graphviz); wrote its DOT source to {source} instead")
    except GraphTooLargeError as e:
        return None, f"graph skipped: {e}"


MANIFEST = ".deltagrad-files"
"""The file in an output folder listing what the last run of the main job wrote there (one name a line)."""


def clear_stale(out: str | os.PathLike[str], written: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """Remove from ``out`` what the previous run listed in its manifest and this run did not write; list this run's.

    So a folder never mixes two runs: a moons run after the note's example takes away the note's
    ``backprop.html``. Only plain files named in the manifest, directly inside ``out``, are removed
    (never a folder, a link's target or anything the job did not write); returns the removed paths.
    """
    folder = Path(os.fspath(out))
    names = {Path(os.fspath(p)).name for p in written if Path(os.fspath(p)).parent.resolve() == folder.resolve()}
    removed: list[Path] = []
    if (folder / MANIFEST).is_symlink():  # not a list this job wrote: neither trusted nor written through
        return removed
    try:
        before = (folder / MANIFEST).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        before = []
    for name in before:
        if not name or name in names or name != Path(name).name or name in (".", "..", MANIFEST):
            continue
        stale = folder / name
        if stale.is_file() and not stale.is_symlink():
            try:
                stale.unlink()
                removed.append(stale)
            except OSError:
                pass
    atomic_write(folder / MANIFEST, ("\n".join(sorted(names)) + "\n").encode("utf-8"))
    return removed


def describe(model: Any) -> str:
    """A network in one short line: ``MLP(2, [16, 16, 1]): relu, relu, linear; 337 parameters``.

    (``repr(model)`` lists every neuron: 800 characters for the moons network.) A ``Sequential``
    lists its parts, each layer as ``Layer(72, 10): linear``.
    """
    count = sum(1 for _ in model.parameters())
    return f"{_part(model)}; {count} parameters"


def _part(model: Any) -> str:
    neurons = getattr(model, "neurons", None)
    if isinstance(neurons, list) and neurons:  # a Layer
        return f"Layer({len(neurons[0].w)}, {len(neurons)}): {getattr(neurons[0], 'activation', '?')}"
    layers = getattr(model, "layers", None)
    if not isinstance(layers, list):
        text = repr(model)
        return text if len(text) <= 40 else text[:37] + "..."
    found: list[Any] = [getattr(layer, "neurons", None) for layer in layers]
    if found and all(found):  # an MLP: sizes and activations
        nin = len(found[0][0].w)
        acts = ", ".join(str(getattr(n[0], "activation", "?")) for n in found)
        return f"{type(model).__name__}({nin}, [{', '.join(str(len(n)) for n in found)}]): {acts}"
    return f"{type(model).__name__}({', '.join(_part(layer) for layer in layers)})"
