"""A folder ``autograd``/``nn`` mixed with HIPS autograd or PyPI ``nn`` gives one clear ImportError.

Each case copies our two packages into a throwaway folder, adds the other project's files as pip
would (in either order: their ``__init__.py`` over ours, or ours over theirs), and imports in a fresh
process. The real thing, with pip and HIPS autograd from PyPI, is ``test_install_clash_pip.py``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograd import installed

ROOT = Path(__file__).resolve().parents[2]
HIPS_INIT = "from .tracer import trace  # HIPS autograd's __init__ (abridged)\ngrad = None\n"


def site(tmp_path: Path) -> Path:
    """A fresh folder holding copies of our ``autograd`` and ``nn``, as pip would install them."""
    target = tmp_path / "site-packages"
    for name in ("autograd", "nn"):
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def add_hips(target: Path, *, init_wins: bool) -> None:
    folder = target / "autograd"
    for name in installed.FOREIGN["autograd"][1]:
        (folder / name).write_text("trace = None\n" if name == "tracer.py" else "", encoding="utf-8")
    if init_wins:
        (folder / "__init__.py").write_text(HIPS_INIT, encoding="utf-8")


def run(target: Path, code: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(target)
    return subprocess.run([sys.executable, "-c", code], cwd=target, env=env, capture_output=True, text=True,
                          timeout=60)


def assert_names(result: subprocess.CompletedProcess[str], other: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(("autograd.installed.MixedInstallError: ", "ImportError: ")), last
    assert other in last and "virtual environment" in last and "pip install deltagrad" in last


def test_a_clean_install_imports(tmp_path: Path) -> None:
    target = site(tmp_path)
    result = run(target, "import nn, autograd; print(autograd.__file__); print(nn.MLP(2, [3, 1]))")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(str(target / "autograd"))


def test_hips_installed_before_ours(tmp_path: Path) -> None:
    target = site(tmp_path)
    add_hips(target, init_wins=False)  # our __init__.py replaced HIPS's; its tracer.py etc. stay
    for code in ("import autograd", "import nn", "from autograd import Value"):
        assert_names(run(target, code), "HIPS autograd")


def test_hips_installed_after_ours(tmp_path: Path) -> None:
    target = site(tmp_path)
    add_hips(target, init_wins=True)  # HIPS's __init__.py replaced ours: import nn used to fail deep inside
    result = run(target, "import nn")
    assert_names(result, "HIPS autograd")
    assert "tracer.py" in result.stderr and "mixed" in result.stderr


def test_only_hips_autograd_is_there(tmp_path: Path) -> None:
    target = site(tmp_path)
    shutil.rmtree(target / "autograd")
    (target / "autograd").mkdir()
    (target / "autograd" / "__init__.py").write_text(HIPS_INIT, encoding="utf-8")
    (target / "autograd" / "tracer.py").write_text("trace = None\n", encoding="utf-8")
    assert_names(run(target, "import nn"), "HIPS autograd")


@pytest.mark.parametrize("init_wins", [False, True])
def test_pypi_nn_mixed_into_ours(tmp_path: Path, init_wins: bool) -> None:
    target = site(tmp_path)
    for name in installed.FOREIGN["nn"][1]:
        (target / "nn" / name).write_text("", encoding="utf-8")
    if init_wins:  # PyPI nn's __init__ (it imports tensorflow) replaced ours: autograd reports it
        (target / "nn" / "__init__.py").write_text("from .core import *\n", encoding="utf-8")
    else:
        assert_names(run(target, "import nn"), "PyPI 'nn'")
    assert_names(run(target, "import autograd"), "PyPI 'nn'")


def test_the_check_only_looks_at_files(tmp_path: Path) -> None:
    folder = tmp_path / "autograd"
    folder.mkdir()
    assert installed.problem("autograd", str(folder)) is not None  # an empty folder is not ours
    for name in installed.OURS["autograd"]:
        (folder / name).write_text("", encoding="utf-8")
    assert installed.problem("autograd", str(folder)) is None
    (folder / "wrap_util.py").write_text("", encoding="utf-8")
    message = installed.problem("autograd", str(folder))
    assert message is not None and "mixed with HIPS autograd" in message and "wrap_util.py" in message
    installed.check()  # this checkout is clean
