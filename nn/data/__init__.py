"""Small data sets: XOR, two interleaving moons (generated here, seeded, no scikit-learn), the
study note's 2-2-1 example with initial weights that make its first prediction 0.8, and the 8×8
handwritten digits (a copy shipped in ``nn/data``, read offline).

Inputs are lists of float rows; labels are ints (0/1, or ±1 with ``signed=True``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from nn.data import uci_digits as datasets
from nn.data.note import (
    NOTE_FIRST_PREDICTION,
    NOTE_INPUT,
    NOTE_TARGET,
    NOTE_WEIGHTS,
    note_example,
    note_model,
    set_first_prediction,
)
from nn.models.init import Seed, make_rng

Rows = list[list[float]]


def xor(signed: bool = False) -> tuple[Rows, list[int]]:
    """The four XOR points: label 1 when exactly one input is 1 (−1/+1 with ``signed``)."""
    X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    y = [0, 1, 1, 0]
    return X, ([2 * t - 1 for t in y] if signed else y)


def moons(n: int = 100, noise: float = 0.1, seed: Seed = None, signed: bool = False) -> tuple[Rows, list[int]]:
    """Two interleaving half circles in the plane, ``n`` points, Gaussian noise of std ``noise``.

    The upper moon (label 0) is (cos θ, sin θ) and the lower one (label 1) is
    (1 − cos θ, ½ − sin θ) for θ evenly spaced over [0, π]; the points are shuffled, then the
    noise is added. ``signed=True`` gives labels −1/+1 (micrograd's demo uses ``y*2 - 1``).
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"moons: n must be an int >= 2, got {n!r}")
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not 0.0 <= noise < math.inf:
        raise ValueError(f"moons: noise must be a finite number >= 0, got {noise!r}")
    rng = make_rng(seed, "moons(seed)")
    n_upper = n // 2
    n_lower = n - n_upper

    def angles(k: int) -> list[float]:
        return [math.pi * i / (k - 1) for i in range(k)] if k > 1 else [0.0]

    points = [([math.cos(a), math.sin(a)], 0) for a in angles(n_upper)]
    points += [([1.0 - math.cos(a), 0.5 - math.sin(a)], 1) for a in angles(n_lower)]
    rng.shuffle(points)
    X = [[x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)] for (x, y), _ in points]
    labels = [label for _, label in points]
    return X, ([2 * t - 1 for t in labels] if signed else labels)


def digits(seed: Seed = 0, test_size: int = datasets.TEST_SIZE) -> tuple[Rows, list[int], Rows, list[int]]:
    """The 8×8 handwritten digits: ``(X_train, y_train, X_test, y_test)``.

    1,797 images (the UCI optdigits test set as shipped in scikit-learn, CC BY 4.0), each a list of
    64 pixels row by row scaled from 0–16 to [0, 1], labels 0–9; a stratified split shuffled by
    ``seed``: 1,437 training and 360 test images by default (every class in proportion). Read from
    the copy shipped with ``nn`` (no network); ``image(row)`` reshapes a row for ``nn.Conv2d``.
    """
    return datasets.split(seed, test_size)


def image(row: Sequence[float], side: int = datasets.SIDE) -> list[list[list[float]]]:
    """A flat row of side² pixels as a one-channel image ``[channel][row][column]`` (for ``nn.Conv2d``)."""
    if len(row) != side * side:
        raise ValueError(f"image: expected {side * side} pixels for a {side}×{side} image, got {len(row)}")
    return [[list(row[r * side : (r + 1) * side]) for r in range(side)]]


__all__ = ["NOTE_FIRST_PREDICTION", "NOTE_INPUT", "NOTE_TARGET", "NOTE_WEIGHTS", "Rows", "digits", "image", "moons",
           "note_example", "note_model", "set_first_prediction", "xor"]
