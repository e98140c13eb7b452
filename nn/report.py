"""Pictures of a training run: the loss curve (matplotlib) and the computation graph (Graphviz).

Both are optional extras: when matplotlib, the ``graphviz`` Python package or Graphviz's ``dot`` program is
missing, the function returns ``None`` and a note saying what is missing and how to get it, and the
caller carries on. Files are written atomically.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autograd import GraphTooLargeError, Value, save_graph
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
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None, "loss curve skipped: matplotlib is not installed (pip install matplotlib)"
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=100)
    try:
        epochs = list(range(len(losses)))
        ax.plot(epochs, list(losses), color="#1f77b4", linewidth=1.6)
        if losses and min(losses) > 0.0:
            ax.set_yscale("log")
        for epoch, text in marks:
            if 0 <= epoch < len(losses):
                ax.annotate(text, (epoch, losses[epoch]), textcoords="offset points", xytext=(8, 8), fontsize=9)
                ax.plot([epoch], [losses[epoch]], "o", color="#d62728", markersize=4)
        ax.set_xlabel("epoch")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
    finally:
        plt.close(fig)
    write_atomic(path, buffer.getvalue())
    return Path(path), ""


def save_graph_image(root: Value, path: str | os.PathLike[str], *, model: Any = None,
                     title: str | None = None) -> tuple[Path | None, str]:
    """Draw ``root``'s computation graph (neurons clustered by ``model``'s parameter names) to ``path``.

    Returns (path or None, note). Without Graphviz's ``dot`` the DOT source is written next to the
    requested path instead (``.dot``), which any Graphviz viewer can open later.
    """
    try:
        import graphviz
    except ImportError as e:
        return None, f"graph skipped: the graphviz Python package is not installed (pip install graphviz; {e})"
    options: dict[str, Any] = {"groups": model} if model is not None else {}
    if title:
        options["title"] = title
    try:
        return save_graph(root, path, **options), ""
    except graphviz.ExecutableNotFound:
        source = Path(path).with_suffix(".dot")
        save_graph(root, source, **options)
        return None, (f"graph image skipped: Graphviz's 'dot' program is not installed (Debian/Ubuntu: "
                      f"sudo apt-get install graphviz); wrote its DOT source to {source} instead")
    except GraphTooLargeError as e:
        return None, f"graph skipped: {e}"
