"""notebooks/11_practise_backprop.ipynb as shipped (blanks) and solved (every answer filled in).

The shipped notebook's answer cells hold ``...`` blanks for learners (nbmake runs it so: every
exercise is graded "not answered yet" and nothing fails). Each answer cell is tagged ``answer`` and
keeps a worked solution in its metadata (``deltagrad.solution``, derived by hand with the note's
formulas, never read from the exercises' code); this test puts the solutions in, runs the notebook
and checks that every exercise is graded right.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest

from autograd import exercises
from autograd.drawing.render import dot_available

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "11_practise_backprop.ipynb"


def _load() -> dict[str, Any]:
    nb: dict[str, Any] = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    return nb


def _answers(nb: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in nb["cells"] if "answer" in c.get("metadata", {}).get("tags", [])]


def solved(nb: dict[str, Any]) -> dict[str, Any]:
    """The notebook with every answer cell's source replaced by its solution."""
    out = copy.deepcopy(nb)
    for cell in _answers(out):
        cell["source"] = _source(cell, "solution")
    return out


def _source(cell: dict[str, Any], key: str = "source") -> str:
    text = cell[key] if key == "source" else cell["metadata"]["deltagrad"]["solution"]
    return "".join(text) if isinstance(text, list) else text


def test_every_exercise_has_a_blank_answer_cell_with_a_solution() -> None:
    nb = _load()
    cells = _answers(nb)
    assert len(cells) == len(exercises.ALL) >= 8
    for cell in cells:
        assert "..." in _source(cell), _source(cell)  # blanks for the learner
        solution = _source(cell, "solution")
        assert "..." not in solution and "answer" in solution
        compile(solution, "<solution>", "exec")  # our own text, checked to be Python; run only by the kernel
    named = [e.name for e in exercises.ALL]
    order = [name for c in nb["cells"] for name in named if f'exercises.get("{name}")' in _source(c)]
    assert order == named


def test_the_solved_notebook_grades_every_exercise_right(tmp_path: Path) -> None:
    if not dot_available() and os.environ.get("DELTAGRAD_REQUIRE_DOT") != "1":
        pytest.skip("Graphviz is not installed: the notebook draws the quiz page")
    nbclient = pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.reads(json.dumps(solved(_load())), as_version=4)
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    last = nb.cells[-1]
    printed = "".join(o.get("text", "") for o in last.outputs if o.get("output_type") == "stream")
    lines = printed.strip().splitlines()
    assert len(lines) == len(exercises.ALL) + 1, printed
    assert all(line.endswith("— all right") for line in lines[:-1]), printed
    assert [line.split(":")[0] for line in lines[:-1]] == [e.name for e in exercises.ALL]
    got, out_of = lines[-1].removeprefix("total: ").split(" of ")
    assert got == out_of and float(got) >= len(exercises.ALL)
