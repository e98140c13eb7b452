"""Data files shipped with ``nn``, read without any network access: the 8×8 handwritten digits.

``digits.csv.gz`` is scikit-learn's copy of the UCI optdigits test set (1,797 images, CC BY 4.0;
see ``README.md`` and ``LICENSE`` beside it). One image per line: 64 pixels (0–16, row by row),
then the label 0–9. ``nn.data.digits()`` is the public entry point.
"""

from __future__ import annotations

import gzip
import hashlib
from importlib import resources

from nn.models.init import Seed, make_rng

FILE = "digits.csv.gz"
SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
IMAGES, PIXELS, CLASSES, SIDE = 1797, 64, 10, 8
TEST_SIZE = 360

Rows = list[list[float]]


def raw_bytes() -> bytes:
    """The shipped file's bytes, checked against its SHA-256 (a damaged copy raises ValueError)."""
    data = resources.files("nn.data").joinpath(FILE).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256:
        raise ValueError(f"digits: {FILE} is damaged (SHA-256 {digest}, expected {SHA256}); reinstall deltagrad")
    return data


def load_all() -> tuple[list[list[int]], list[int]]:
    """All 1,797 images as rows of 64 integer pixels 0–16, and their labels 0–9, in file order."""
    text = gzip.decompress(raw_bytes()).decode("ascii")
    images: list[list[int]] = []
    labels: list[int] = []
    for number, line in enumerate(text.splitlines(), 1):
        fields = [int(float(v)) for v in line.split(",")]
        if len(fields) != PIXELS + 1 or not all(0 <= v <= 16 for v in fields[:-1]) or not 0 <= fields[-1] < CLASSES:
            raise ValueError(f"digits: line {number} of {FILE} is not 64 pixels in 0..16 and a label 0..9")
        images.append(fields[:-1])
        labels.append(fields[-1])
    if len(images) != IMAGES:
        raise ValueError(f"digits: {FILE} holds {len(images)} images, expected {IMAGES}")
    return images, labels


def stratified_counts(labels: list[int], test_size: int) -> list[int]:
    """How many images of each class go to the test set: proportional to the class sizes, rounded
    by largest remainder (ties to the smaller class index), summing to ``test_size``."""
    sizes = [labels.count(k) for k in range(CLASSES)]
    exact = [test_size * n / len(labels) for n in sizes]
    counts = [int(e) for e in exact]
    by_remainder = sorted(range(CLASSES), key=lambda k: (-(exact[k] - counts[k]), k))
    for k in by_remainder[: test_size - sum(counts)]:
        counts[k] += 1
    return counts


def split(seed: Seed = 0, test_size: int = TEST_SIZE) -> tuple[Rows, list[int], Rows, list[int]]:
    """(X_train, y_train, X_test, y_test): pixels scaled to [0, 1] (divided by 16), a stratified split.

    Each class's images are shuffled by ``seed`` and its share of ``test_size`` (see ``stratified_counts``)
    goes to the test set; both sets are then shuffled by the same generator. The same seed always
    gives the same split.
    """
    if isinstance(test_size, bool) or not isinstance(test_size, int) or not 0 < test_size < IMAGES:
        raise ValueError(f"digits: test_size must be an int between 1 and {IMAGES - 1}, got {test_size!r}")
    images, labels = load_all()
    rng = make_rng(seed, "digits(seed)")
    train: list[int] = []
    test: list[int] = []
    for k, count in enumerate(stratified_counts(labels, test_size)):
        members = [i for i, t in enumerate(labels) if t == k]
        rng.shuffle(members)
        test.extend(members[:count])
        train.extend(members[count:])
    rng.shuffle(train)
    rng.shuffle(test)

    def rows(idx: list[int]) -> Rows:
        return [[v / 16.0 for v in images[i]] for i in idx]

    return rows(train), [labels[i] for i in train], rows(test), [labels[i] for i in test]
