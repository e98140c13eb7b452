"""Every figure of nn: loss curves, ``History.plot()``, and a digits run's curves, confusion matrix,
misclassified images and learned filters.

matplotlib is optional: without it each function returns a note saying how to get it, and writes
nothing. Figures are made with ``matplotlib.figure.Figure`` (no ``pyplot``, no global backend
switch) and written atomically as PNG.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Sequence
from typing import Any

from autograd.files import atomic_write

MATPLOTLIB_HINT = "matplotlib is not installed (pip install matplotlib)"


def _figure_class() -> Any:
    """A ``matplotlib.figure.Figure`` subclass that Jupyter shows inline even when pyplot was never imported."""
    from matplotlib.figure import Figure

    class Plot(Figure):
        """A matplotlib Figure (save it with ``fig.savefig(path)``) that displays itself in Jupyter."""

        def _repr_png_(self) -> bytes:
            buffer = io.BytesIO()
            self.savefig(buffer, format="png")
            return buffer.getvalue()

    return Plot


def loss_figure(losses: Sequence[float], *, title: str = "training loss", ylabel: str = "loss E",
                marks: Sequence[tuple[int, str]] = ()) -> Any:
    """Loss per epoch (log scale when positive) as a matplotlib Figure."""
    fig = _figure_class()(figsize=(6.4, 4.0), dpi=100)
    ax = fig.subplots()
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
    return fig


def history_figure(history: Any, *, layer_names: Sequence[str] | None = None) -> Any:
    """A ``fit`` history as one Figure: loss, accuracy (when recorded), and each layer's gradient norm.

    The third panel is the vanishing/exploding view: ‖∂E/∂W_layer‖ per epoch on a log scale, one
    line per layer (layer 0 is the first); lines far below the last layer's mean vanishing gradients.
    """
    try:
        plot_class = _figure_class()
    except ImportError as e:
        raise ImportError(f"History.plot() needs matplotlib: {MATPLOTLIB_HINT}") from e
    accuracy = [a for a in history.accuracy if a is not None]
    panels = 3 if accuracy else 2
    fig = plot_class(figsize=(4.0 * panels, 3.4), dpi=100)
    axes = fig.subplots(1, panels)
    epochs = list(range(len(history.loss)))
    ax = axes[0]
    ax.plot(epochs, history.loss, color="#1f77b4")
    if history.loss and min(history.loss) > 0.0:
        ax.set_yscale("log")
    ax.set(title="loss", xlabel="epoch", ylabel="E")
    if accuracy:
        ax = axes[1]
        ax.plot([e for e, a in zip(epochs, history.accuracy, strict=True) if a is not None],
                [100.0 * a for a in accuracy], color="#2ca02c")
        ax.set(title="accuracy", xlabel="epoch", ylabel="%", ylim=(0, 101))
    ax = axes[-1]
    layers = len(history.grad_norms[0]) if history.grad_norms else 0
    for k in range(layers):
        norms = [row[k] for row in history.grad_norms]
        name = layer_names[k] if layer_names is not None and k < len(layer_names) else f"layer {k}"
        positive = [(e, n) for e, n in zip(epochs, norms, strict=True) if n > 0.0 and math.isfinite(n)]
        if positive:
            ax.plot([e for e, _ in positive], [n for _, n in positive], label=name)
    if layers:
        ax.set_yscale("log")
        ax.legend(fontsize=8)
    ax.set(title="gradient norm per layer", xlabel="epoch", ylabel="‖∂E/∂W‖")
    for a in axes:
        a.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    return fig


MISSING = "{what} skipped: matplotlib is not installed (pip install matplotlib)"


def _figure(width: float, height: float) -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return None
    return Figure(figsize=(width, height), dpi=100)


def _save(fig: Any, path: str | os.PathLike[str]) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    atomic_write(path, buffer.getvalue())
    return ""


def confusion_matrix(targets: Sequence[int], predicted: Sequence[int], classes: int = 10) -> list[list[int]]:
    """counts[t][p]: how many images of class t were predicted as p."""
    counts = [[0] * classes for _ in range(classes)]
    for t, p in zip(targets, predicted, strict=True):
        counts[t][p] += 1
    return counts


def curves(history: Any, test_accuracy: Sequence[float], path: str | os.PathLike[str], title: str) -> str:
    """Loss per epoch (left) and training/test accuracy per epoch (right)."""
    fig = _figure(9.0, 3.6)
    if fig is None:
        return MISSING.format(what="curves")
    epochs = list(range(1, history.epochs + 1))
    ax1, ax2 = fig.subplots(1, 2)
    ax1.plot(epochs, history.loss, color="#1f77b4")
    ax1.set_yscale("log")
    ax1.set(xlabel="epoch", ylabel="cross-entropy L", title=f"{title}: training loss")
    ax2.plot(epochs, [100 * (a or 0.0) for a in history.accuracy], label="training (during the epoch)")
    if test_accuracy:
        ax2.plot(list(range(1, len(test_accuracy) + 1)), [100 * a for a in test_accuracy], label="test")
    ax2.set(xlabel="epoch", ylabel="accuracy %", title="accuracy")
    ax2.legend(loc="lower right")
    for ax in (ax1, ax2):
        ax.grid(True, alpha=0.3)
    fig.tight_layout()
    return _save(fig, path)


def confusion(targets: Sequence[int], predicted: Sequence[int], path: str | os.PathLike[str], title: str) -> str:
    """The confusion matrix as a heat map with the counts written in."""
    fig = _figure(5.2, 4.6)
    if fig is None:
        return MISSING.format(what="confusion matrix")
    counts = confusion_matrix(targets, predicted)
    ax = fig.subplots()
    im = ax.imshow(counts, cmap="Blues")
    top = max(max(row) for row in counts)
    for t, row in enumerate(counts):
        for p, n in enumerate(row):
            if n:
                ax.text(p, t, str(n), ha="center", va="center", fontsize=8, color="white" if n > top / 2 else "black")
    ax.set(xticks=range(10), yticks=range(10), xlabel="predicted", ylabel="true", title=title)
    fig.colorbar(im, ax=ax)
    fig.tight_layout()
    return _save(fig, path)


def misclassified(X: Sequence[Sequence[float]], targets: Sequence[int], predicted: Sequence[int],
                  path: str | os.PathLike[str], limit: int = 40) -> str:
    """A grid of the misclassified images (up to ``limit``), each titled 'predicted (true)'."""
    wrong = [i for i, (t, p) in enumerate(zip(targets, predicted, strict=True)) if t != p][:limit]
    cols = 10
    rows = max(1, -(-len(wrong) // cols))
    fig = _figure(cols * 0.9, rows * 1.05 + 0.4)
    if fig is None:
        return MISSING.format(what="misclassified images")
    axes = fig.subplots(rows, cols, squeeze=False)
    for k, ax in enumerate(a for row in axes for a in row):
        ax.axis("off")
        if k < len(wrong):
            i = wrong[k]
            ax.imshow([list(X[i][r * 8 : (r + 1) * 8]) for r in range(8)], cmap="gray_r", vmin=0.0, vmax=1.0)
            ax.set_title(f"{predicted[i]} ({targets[i]})", fontsize=8, color="#d62728")
    title = f"{len(wrong)} misclassified test images: predicted (true)" if wrong else "no test image misclassified"
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return _save(fig, path)


def filters(conv: Any, path: str | os.PathLike[str]) -> str:
    """Each output channel's k×k weights of input channel 0, as small images (blue < 0 < red)."""
    fig = _figure(conv.out_channels * 1.1, 1.5)
    if fig is None:
        return MISSING.format(what="filters")
    axes = fig.subplots(1, conv.out_channels, squeeze=False)[0]
    for o, ax in enumerate(axes):
        grid = [[w.data for w in row] for row in conv.weight[o][0]]
        m = max(abs(v) for row in grid for v in row) or 1.0
        ax.imshow(grid, cmap="RdBu_r", vmin=-m, vmax=m)
        ax.set_title(f"filter {o}", fontsize=8)
        ax.axis("off")
    fig.suptitle("learned 3×3 filters of the first convolution", fontsize=9)
    fig.tight_layout()
    return _save(fig, path)
