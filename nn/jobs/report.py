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

from autograd import GraphTooLargeError, GraphvizNotFoundError, Value, save_graph
from nn.plots import MATPLOTLIB_HINT, loss_figure
from nn.serialize import write_atomic


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
    write_atomic(path, buffer.getvalue())
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
    try:
        return save_graph(root, path, **options), ""
    except GraphvizNotFoundError:
        source = Path(path).with_suffix(".dot")
        save_graph(root, source, **options)
        return None, (f"graph image skipped: Graphviz is not installed (no root needed: pip install pygraphviz; "
                      f"or Debian/Ubuntu: sudo apt-get install graphviz); wrote its DOT source to {source} instead")
    except GraphTooLargeError as e:
        return None, f"graph skipped: {e}"
