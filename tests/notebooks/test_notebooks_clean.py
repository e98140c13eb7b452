"""The committed notebooks carry no outputs or execution counts (``python scripts/notebooks.py check``).

The notebooks are run top to bottom by ``pytest --nbmake``; an output saved in the file could only
go stale. The checker itself is tested on small notebooks written here, clean and not.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "notebooks.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deltagrad_notebooks_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


notebooks = _load()


def _notebook(*, outputs: bool) -> dict[str, Any]:
    printed = {"output_type": "stream", "name": "stdout", "text": ["4\n"]}
    run: dict[str, Any] = {"outputs": [printed], "execution_count": 3}
    fresh: dict[str, Any] = {"outputs": [], "execution_count": None}
    return {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# a title"]},
            {"cell_type": "code", "metadata": {"execution": {"iopub.status.idle": "2024"}} if outputs else {},
             "source": ["print(2 + 2)"], **(run if outputs else fresh)},
            {"cell_type": "code", "metadata": {}, "source": ["x = 1"], "outputs": [], "execution_count": None},
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _write(folder: Path, name: str, nb: dict[str, Any]) -> Path:
    path = folder / name
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return path


def test_the_committed_notebooks_carry_no_outputs() -> None:
    found = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert found, "no notebooks found in notebooks/"
    messages = notebooks.check(ROOT / "notebooks")
    assert messages == [], "run 'python scripts/notebooks.py strip':\n" + "\n".join(messages)


def test_check_names_the_notebook_and_cell_with_outputs(tmp_path: Path) -> None:
    _write(tmp_path, "clean.ipynb", _notebook(outputs=False))
    _write(tmp_path, "dirty.ipynb", _notebook(outputs=True))
    messages = notebooks.check(tmp_path)
    assert len(messages) == 1
    assert messages[0].startswith("dirty.ipynb: cell 2:")
    assert "1 output(s)" in messages[0] and "execution_count 3" in messages[0] and "run metadata" in messages[0]


def test_strip_cleans_and_keeps_the_sources(tmp_path: Path) -> None:
    dirty = _write(tmp_path, "dirty.ipynb", _notebook(outputs=True))
    clean = _write(tmp_path, "clean.ipynb", _notebook(outputs=False))
    clean_before = clean.read_bytes()
    result = subprocess.run([sys.executable, str(SCRIPT), "strip", "--dir", str(tmp_path)],
                            capture_output=True, text=True, check=True)
    assert "stripped dirty.ipynb" in result.stdout and "1 of 2" in result.stdout
    assert notebooks.check(tmp_path) == []
    nb = json.loads(dirty.read_text(encoding="utf-8"))
    assert [c["source"] for c in nb["cells"]] == [c["source"] for c in _notebook(outputs=True)["cells"]]
    assert nb["cells"][1]["outputs"] == [] and nb["cells"][1]["execution_count"] is None
    assert nb["cells"][1]["metadata"] == {}
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert clean.read_bytes() == clean_before  # untouched when already clean
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(("outputs", "code"), [(True, 1), (False, 0)])
def test_the_check_command_exit_status(tmp_path: Path, outputs: bool, code: int) -> None:
    _write(tmp_path, "one.ipynb", _notebook(outputs=outputs))
    result = subprocess.run([sys.executable, str(SCRIPT), "check", "--dir", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == code
    if outputs:
        assert "one.ipynb: cell 2" in result.stderr and "notebooks.py strip" in result.stderr
    else:
        assert "1 notebook(s) clean" in result.stdout


def test_a_file_that_is_not_a_notebook_is_reported(tmp_path: Path) -> None:
    (tmp_path / "broken.ipynb").write_text("{not json", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"cannot read .*broken\.ipynb as a notebook"):
        notebooks.check(tmp_path)
