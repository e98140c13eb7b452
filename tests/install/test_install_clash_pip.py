"""With real pip: deltagrad and HIPS autograd (PyPI) in one virtual environment, in both orders.

Slow (50–70 s on a loaded 2-core machine: it builds our wheel, fetches HIPS autograd and numpy
from PyPI, and installs them into two throwaway venvs), marked ``slow`` (deselect with
``-m "not slow"``). Without PyPI it skips — except in CI (``CI=true``), where it must run and so fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HIPS = "autograd==1.9.1"

pytestmark = pytest.mark.slow


def clean_env() -> dict[str, str]:
    """The environment without PYTHONPATH (which would show pip this checkout as installed) or a venv."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def pip(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=clean_env())


def unavailable(result: subprocess.CompletedProcess[str], what: str) -> None:
    if result.returncode == 0:
        return
    message = f"{what} failed (is PyPI reachable?): {result.stderr.strip()[-600:]}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Our wheel, and HIPS autograd's with its dependencies, in one folder (built and fetched at once)."""
    out = tmp_path_factory.mktemp("wheels")
    source = tmp_path_factory.mktemp("source") / "deltagrad"  # a copy: building leaves build/ and egg-info
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.egg-info",
                                                                 "build", "out", "notebooks", "tests", "benchmarks"))
    base = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    jobs = {"building deltagrad's wheel": [*base, "wheel", "--no-deps", "--quiet", "-w", str(out), str(source)],
            f"pip download {HIPS}": [*base, "download", "--quiet", "--only-binary=:all:", "-d", str(out), HIPS,
                                           "graphviz"]}
    running = {what: subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_env())
               for what, cmd in jobs.items()}
    for what, proc in running.items():
        stdout, stderr = proc.communicate(timeout=300)
        unavailable(subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr), what)
    return out


@pytest.fixture(scope="module")
def wheel(wheels: Path) -> Path:
    (found,) = wheels.glob("deltagrad-*.whl")
    return found


def fresh_venv(path: Path) -> Path:
    venv.create(path, with_pip=False)  # pip is run from outside with --python: quicker
    return path / ("Scripts" if os.name == "nt" else "bin") / "python"


def install(python: Path, *args: str) -> None:
    unavailable(pip("--python", str(python), "install", "--quiet", *args), f"pip install {' '.join(args)}")


def install_hips(python: Path, wheels: Path) -> None:
    install(python, "--no-index", "--find-links", str(wheels), HIPS)  # HIPS autograd and numpy, as from PyPI


def run(python: Path, code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(python), "-c", code], cwd=cwd, env=clean_env(), capture_output=True, text=True,
                          timeout=120)


def assert_clear(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert "MixedInstallError" in last and "HIPS autograd" in last and "virtual environment" in last, last


def test_ours_then_hips(wheel: Path, wheels: Path, tmp_path: Path) -> None:
    python = fresh_venv(tmp_path / "venv")
    install(python, "--no-deps", "--no-index", "--find-links", str(wheel.parent), str(wheel), "graphviz")
    clean = run(python, "import nn; print(nn.MLP(2, [1]))", tmp_path)
    assert clean.returncode == 0, clean.stderr
    install_hips(python, wheels)  # pip copies HIPS's files into our autograd folder, its __init__.py over ours
    result = run(python, "import nn", tmp_path)
    assert_clear(result)
    assert "cannot import name" not in result.stderr  # the old, cryptic failure


def test_hips_then_ours(wheel: Path, wheels: Path, tmp_path: Path) -> None:
    python = fresh_venv(tmp_path / "venv")
    install_hips(python, wheels)
    hips = run(python, "import autograd.numpy; from autograd import grad", tmp_path)
    assert hips.returncode == 0, hips.stderr
    install(python, "--no-deps", str(wheel))  # our __init__.py over HIPS's: HIPS is broken, and ours says so
    for code in ("import autograd", "import nn", "from autograd import Value"):
        assert_clear(run(python, code, tmp_path))
