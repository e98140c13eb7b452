"""The repo's own ``autograd`` and ``nn`` must win over PyPI packages of the same names."""

from pathlib import Path

import autograd
import nn

ROOT = Path(__file__).resolve().parents[2]


def test_autograd_is_imported_from_this_repo() -> None:
    assert Path(autograd.__file__).resolve().parent == ROOT / "autograd"


def test_nn_is_imported_from_this_repo() -> None:
    assert Path(nn.__file__).resolve().parent == ROOT / "nn"
