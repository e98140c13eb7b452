"""The command line: ``python -m autograd graph "EXPR" --set x=1.5 -o graph.png`` (and deltagrad-graph).

Run in-process through ``main(argv)`` (fast) and, for what only a real process shows (the module
entry point, exit codes, no traceback, a PATH without ``dot``), as subprocesses.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograd.cli import main

ROOT = Path(__file__).resolve().parents[2]


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), prog="deltagrad-graph")
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def grads(out: str) -> dict[str, float]:
    """The 'd/dx = …' lines of the report."""
    found = {}
    for line in out.splitlines():
        if line.strip().startswith("d/d"):
            name, value = line.strip()[3:].split("=")
            found[name.strip()] = float(value)
    return found


def test_value_and_gradients_are_printed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "graph", "tanh(x*w + b)", "--set", "x=1.5", "--set", "w=-0.5", "--set", "b=0.1")
    assert code == 0
    y = math.tanh(1.5 * -0.5 + 0.1)
    assert f"value: {y:.10g}" in out
    d = 1 - y * y  # ∂tanh(z)/∂z = 1 − y², times ∂z/∂x = w, ∂z/∂w = x, ∂z/∂b = 1
    assert grads(out) == pytest.approx({"x": -0.5 * d, "w": 1.5 * d, "b": d}, rel=1e-9)
    assert list(grads(out)) == ["x", "w", "b"]  # in order of appearance
    assert "no graph written" in err


def test_the_word_graph_is_optional_and_leading_minus_works(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "-x*2", "--set", "x=1.5")
    assert code == 0 and "value: -3" in out and grads(out) == {"x": -2.0}
    code, out, _ = cli(capsys, "graph", "-exp(x)", "--set=x=0")
    assert code == 0 and "value: -1" in out and grads(out) == {"x": -1.0}


def test_writes_dot_source_with_labelled_variables(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "g.dot"
    code, out, _ = cli(capsys, "x*w + 1", "--set", "x=2", "--set", "w=3", "-o", str(target), "--order")
    assert code == 0 and f"wrote {target}" in out
    source = target.read_text(encoding="utf-8")
    assert source.startswith("digraph") and "<B>x</B>" in source and "<B>w</B>" in source
    assert "+ 1" in source and "step 1" in source and "label=<x*w + 1>" in source  # the title


def test_dot_flag_prints_source_and_moves_the_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "x**2", "--set", "x=3", "--dot", "--title", "")
    assert code == 0 and out.startswith("digraph {") and out.rstrip().endswith("}")
    assert "value: 9" in err and grads(err) == {"x": 6.0}
    assert "labelloc" not in out  # empty title: none


def test_drawing_options_reach_the_graph(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "x*y", "--set", "x=2", "--set", "y=1e-7", "--dot", "--hide-grad", "--rankdir", "TB",
                       "--color-grad", "--precision", "2", "--title", "t")
    assert code == 0 and "rankdir=TB" in out and "cluster_legend" in out and "label=<t>" in out
    assert "<TD>grad" not in out and "<TD>data 1e-7</TD>" in out
    code, out, _ = cli(capsys, "x", "--set", "x=2", "--dot", "--legend")
    assert "cluster_legend" in out


def test_installed_entry_point(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "deltagrad-graph"
    if not script.exists():
        pytest.skip("the deltagrad-graph script is not installed in this environment (pip install -e .)")
    result = subprocess.run([str(script), "x*x", "--set", "x=3"], capture_output=True, text=True, timeout=60,
                            cwd=tmp_path)
    assert result.returncode == 0 and "d/dx = 6" in result.stdout


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "--help")
    assert code == 0
    for text in ("--set NAME=VALUE", "-o FILE", "exit status", "leaky_relu", "sigmoid", ".dot", "Without -o"):
        assert text in out


@pytest.mark.parametrize(("argv", "message"), [
    (["x*y", "--set", "x=1"], "no value for variable y: add --set y=NUMBER"),
    (["x*y"], "no value for variables x, y"),
    (["x", "--set", "x=abc"], "'abc' is not a number"),
    (["x", "--set", "x=nan"], "must be a finite number"),
    (["x", "--set", "x"], "expected NAME=VALUE"),
    (["x", "--set", "1x=2"], "not a valid variable name"),
    (["x", "--set", "exp=2"], "is a function"),
    (["x", "--set", "x=1", "--set", "x=2"], "given twice"),
    (["x.real", "--set", "x=1"], "attribute access"),
    (["__import__('os').system('echo hi')"], "attribute access"),
    (["open('/etc/passwd')"], "unknown function 'open'"),
    (["2**2**2**2**2"], "does not fit in a float"),
    (["x" * 5000], "limit is 2000"),
    (["log(x)", "--set", "x=-1"], "log is only defined"),
    (["x", "--set", "x=1", "-o", "g.txt"], "cannot tell the format"),
    (["x", "--set", "x=1", "--precision", "0"], "--precision: must be from 1 to 17"),
    (["x", "--set", "x=1", "--max-nodes", "many"], "not a whole number"),
    (["x*2+1", "--set", "x=1", "--max-nodes", "3", "-o", "g.dot"], "max_nodes=3"),
    (["x", "--bogus"], "unrecognized arguments"),
    ([], "required: expression"),
])
def test_bad_input_is_explained_with_status_2(capsys: pytest.CaptureFixture[str], argv: list[str],
                                               message: str) -> None:
    code, out, err = cli(capsys, *argv)
    assert code == 2
    assert message in err
    assert "value:" not in out  # nothing computed or half-reported


def test_rejected_expression_shows_where(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "1 + x/0", "--set", "x=1")
    assert code == 2 and "  1 + x/0\n       ^" in err


def test_unused_setting_is_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "x + 1", "--set", "x=1", "--set", "unused=2")
    assert code == 0 and "warning: --set unused is not used" in err and grads(out) == {"x": 1.0}


def test_constant_expression(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "2**10 - 24")
    assert code == 0 and "value: 1000" in out and "gradient" not in out


def test_unicode_names(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = cli(capsys, "α*β", "--set", "α=2", "--set", "β=5", "-o", str(tmp_path / "g.gv"))
    assert code == 0 and grads(out) == {"α": 5.0, "β": 2.0}
    assert "<B>α</B>" in (tmp_path / "g.gv").read_text(encoding="utf-8")


def test_unwritable_target_has_status_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = cli(capsys, "x", "--set", "x=1", "-o", str(tmp_path / "missing" / "g.dot"))
    assert code == 1 and "does not exist" in err


def _module(*argv: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "autograd", *argv], capture_output=True, text=True, timeout=60,
                          env=full_env, cwd=cwd)


def test_python_dash_m_autograd(tmp_path: Path) -> None:
    ok = _module("graph", "x*w", "--set", "x=1.5", "--set", "w=-0.5", "-o", "g.dot", cwd=tmp_path)
    assert ok.returncode == 0 and "d/dx = -0.5" in ok.stdout and (tmp_path / "g.dot").exists()
    bad = _module("graph", "x.__class__", "--set", "x=1")
    assert bad.returncode == 2 and "attribute access" in bad.stderr and "Traceback" not in bad.stderr
    usage = _module("--help")
    assert usage.returncode == 0 and usage.stdout.startswith("usage: python -m autograd graph")


def test_missing_dot_exits_1_with_install_hint(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"  # a pygraphviz that cannot be imported: neither renderer is there
    blocker.mkdir()
    (blocker / "pygraphviz.py").write_text("raise ImportError('hidden by the test')\n", encoding="utf-8")
    env = {"PATH": str(tmp_path), "PYTHONPATH": os.pathsep.join([str(blocker), str(ROOT)])}
    result = _module("graph", "x*2", "--set", "x=1", "-o", "g.png", env=env, cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "apt-get install graphviz" in result.stderr and "-o graph.dot" in result.stderr
    assert "pip install pygraphviz" in result.stderr
    assert "value: 2" in result.stdout and not (tmp_path / "g.png").exists()
