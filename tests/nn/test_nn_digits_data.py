"""``nn.data.digits()``: the shipped 8×8 digits — file checksum, shapes, classes, a stratified, seeded split."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest

import nn
from nn.data import uci_digits as datasets

ROOT = Path(__file__).resolve().parents[2]
FILE = ROOT / "nn" / "data" / "digits.csv.gz"


def test_the_file_is_the_attributed_copy() -> None:
    data = FILE.read_bytes()
    assert hashlib.sha256(data).hexdigest() == datasets.SHA256
    assert datasets.raw_bytes() == data
    lines = gzip.decompress(data).decode("ascii").splitlines()
    assert len(lines) == 1797 and all(len(line.split(",")) == 65 for line in lines)
    readme = (FILE.parent / "README.md").read_text(encoding="utf-8")
    assert datasets.SHA256 in readme and "CC BY 4.0" in readme and "scikit-learn" in readme
    assert "BSD 3-Clause" in (FILE.parent / "LICENSE").read_text(encoding="utf-8")


def test_the_file_is_package_data() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")  # (tomllib is Python ≥ 3.11 only)
    assert 'include = ["autograd", "autograd.*", "nn", "nn.*"]' in text  # packages.find: nn.data is in
    assert '"nn.data" = ["digits.csv.gz", "README.md", "LICENSE"]' in text


def test_all_images_and_classes() -> None:
    images, labels = datasets.load_all()
    assert len(images) == 1797 and all(len(r) == 64 for r in images)
    assert [labels.count(k) for k in range(10)] == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert min(min(r) for r in images) == 0 and max(max(r) for r in images) == 16
    assert images[0][:8] == [0, 0, 5, 13, 9, 1, 0, 0] and labels[0] == 0  # the first image: a zero


def test_split_sizes_scaling_and_stratification() -> None:
    X, y, Xt, yt = nn.data.digits()
    assert (len(X), len(y), len(Xt), len(yt)) == (1437, 1437, 360, 360)
    assert all(len(r) == 64 and all(isinstance(v, float) and 0.0 <= v <= 1.0 for v in r) for r in X + Xt)
    _, labels = datasets.load_all()
    for k in range(10):
        share = labels.count(k) * 360 / 1797
        assert abs(yt.count(k) - share) < 1.0  # every class in proportion, to within one image
        assert y.count(k) + yt.count(k) == labels.count(k)
    images, _ = datasets.load_all()
    pool = sorted(tuple(v / 16 for v in r) for r in images)
    assert sorted(tuple(r) for r in X + Xt) == pool  # every image once, nothing lost or repeated


def test_split_is_deterministic_and_seeded() -> None:
    a, b = nn.data.digits(), nn.data.digits(seed=0)
    assert a == b
    c = nn.data.digits(seed=1)
    assert c[1] != a[1] and sorted(c[3]) == sorted(a[3])  # another order, the same class counts
    X, _, Xt, _ = nn.data.digits(test_size=100)
    assert (len(X), len(Xt)) == (1697, 100)


def test_image_and_errors() -> None:
    X, _, _, _ = nn.data.digits()
    img = nn.data.image(X[0])
    assert len(img) == 1 and len(img[0]) == 8 and img[0][1] == X[0][8:16]
    with pytest.raises(ValueError, match="expected 64 pixels"):
        nn.data.image([0.0] * 10)
    with pytest.raises(ValueError, match="test_size must be an int"):
        nn.data.digits(test_size=0)
