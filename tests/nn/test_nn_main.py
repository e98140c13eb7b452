"""The main job (``python -m nn``), run in-process: the note's example end to end, and bad options."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

import nn
from nn.jobs.note import main


def test_the_notes_example_reaches_0_99_and_writes_its_pictures(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "first prediction y = 0.8 " in text
    assert "reached y = 0.99" in text
    curve = out / "loss_curve.png"
    assert curve.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"wrote {curve}" in text
    if shutil.which("dot"):
        assert (out / "graph.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert "δ_k" in (out / "backprop.html").read_text(encoding="utf-8")  # the first update, step by step
    else:
        assert (out / "graph.dot").exists() and "Graphviz" in text
    model = nn.load_model(out / "model.json")  # the trained weights: the prediction really is ≥ 0.99
    X, _ = nn.note_example()
    assert 0.99 <= model(X[0]).data < 0.995


def test_xor_with_options_and_quiet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--dataset", "xor", "--hidden", "3", "--activation", "tanh", "--lr", "2", "--epochs", "3000",
            "--seed", "1", "--optimizer", "sgd", "--quiet", "--out", str(tmp_path)]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("stopped after") and "accuracy 100.0%" in lines[0]
    assert len(lines) == 4  # the summary and the three files written
    model = nn.load_model(tmp_path / "model.json")
    assert repr(model) == "MLP of [Layer of [TanhNeuron(2), TanhNeuron(2), TanhNeuron(2)], Layer of [SigmoidNeuron(3)]]"


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_other_optimizers_reach_the_goal_too(optimizer: str, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--optimizer", optimizer, "--quiet", "--out", str(tmp_path)]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("prediction 0.99")
    X, _ = nn.note_example()
    assert nn.load_model(tmp_path / "model.json")(X[0]).data >= 0.99


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--lr", "-1"], "argument --lr: must be a finite number > 0, got '-1'"),
        (["--lr", "nan"], "argument --lr: must be a finite number > 0"),
        (["--epochs", "0"], "argument --epochs: must be at least 1, got '0'"),
        (["--epochs", "1.5"], "argument --epochs: expected a whole number"),
        (["--activation", "swish"], "argument --activation: invalid choice: 'swish'"),
        (["--dataset", "iris"], "argument --dataset: invalid choice: 'iris'"),
        (["--hidden", "0"], "argument --hidden: must be at least 1"),
        (["--optimizer", "lbfgs"], "argument --optimizer: invalid choice"),
    ],
)
def test_bad_options_exit_2_with_a_clear_message(argv: list[str], message: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_an_output_path_that_is_a_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(SystemExit) as exit_info:
        main(["--out", str(blocker)])
    assert exit_info.value.code == 2
    assert "argument --out: cannot use" in capsys.readouterr().err


def test_the_console_script_names_itself_in_its_help(monkeypatch: pytest.MonkeyPatch) -> None:
    """``deltagrad --help`` says ``usage: deltagrad``; ``python -m nn --help`` says ``python -m nn``."""
    import nn.jobs.note as job

    monkeypatch.setattr(sys, "argv", ["/some/venv/bin/deltagrad", "--help"])
    assert job.parser().format_usage().startswith("usage: deltagrad ")
    monkeypatch.setattr(sys, "argv", ["/repo/nn/__main__.py", "--help"])
    assert job.parser().format_usage().startswith("usage: python -m nn ")
