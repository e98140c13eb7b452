"""Pictures of a digits run: curves, confusion matrix, misclassified images, learned filters.

matplotlib is optional: without it each function returns a note saying how to get it, and writes
nothing. Figures are made with ``matplotlib.figure.Figure`` (no ``pyplot``, no global backend
switch) and written atomically as PNG.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from typing import Any

from nn.serialize import write_atomic

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
    write_atomic(path, buffer.getvalue())
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
