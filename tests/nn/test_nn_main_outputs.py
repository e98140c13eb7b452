"""What the main job writes and prints (issue 28): one folder per run's files, short lines, one naming,
a moons graph that teaches (non-zero gradients), a legend, and no warnings on the way."""

from __future__ import annotations

import os
import re
import shutil
import warnings
from pathlib import Path
from typing import cast

import pytest

import nn
from autograd import Value
from nn.jobs.note import _moons_graph, main
from nn.jobs.report import MANIFEST, clear_stale, describe
from nn.models.layers import MLP


def test_a_second_run_clears_what_the_first_wrote_and_it_did_not(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    keep = tmp_path / "notes.txt"
    keep.write_text("mine", encoding="utf-8")
    assert main(["--out", str(tmp_path), "--quiet"]) == 0
    assert (tmp_path / "backprop.html").is_file()
    assert main(["--dataset", "xor", "--out", str(tmp_path), "--quiet", "--epochs", "50"]) == 0
    assert not (tmp_path / "backprop.html").exists()  # the note's page is not left beside xor's pictures
    assert (tmp_path / "graph.png").exists() or (tmp_path / "graph.dot").exists()
    assert keep.read_text(encoding="utf-8") == "mine"  # never touched: the job did not write it
    listed = (tmp_path / MANIFEST).read_text(encoding="utf-8").split()
    assert "model.json" in listed and "backprop.html" not in listed
    capsys.readouterr()


def test_clear_stale_removes_only_listed_plain_files_inside_the_folder(tmp_path: Path) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_text("x", encoding="utf-8")
    (tmp_path / "old.png").write_bytes(b"x")
    (tmp_path / "sub").mkdir()
    os.symlink(outside, tmp_path / "link.txt")
    (tmp_path / MANIFEST).write_text(f"old.png\nsub\nlink.txt\n../{outside.name}\n{outside}\n..\n", encoding="utf-8")
    removed = clear_stale(tmp_path, [tmp_path / "new.png"])
    assert removed == [tmp_path / "old.png"]
    assert (tmp_path / "sub").is_dir() and (tmp_path / "link.txt").is_symlink() and outside.exists()
    assert (tmp_path / MANIFEST).read_text(encoding="utf-8") == "new.png\n"
    (tmp_path / MANIFEST).write_bytes(b"\xff\xfe not utf-8")  # a damaged manifest is ignored, then rewritten
    assert clear_stale(tmp_path, []) == []
    outside.unlink()


def test_the_network_is_described_in_one_short_line() -> None:
    moons = MLP(2, [16, 16, 1], "relu", "linear", seed=0)
    assert describe(moons) == "MLP(2, [16, 16, 1]): relu, relu, linear; 337 parameters"
    assert len(repr(moons)) > 500  # what the job used to print
    assert describe(nn.note_model()) == "MLP(2, [2, 1]): sigmoid, sigmoid; 9 parameters"
    cnn = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                        nn.Layer(72, 10, activation="linear"))
    line = describe(cnn)
    assert line.endswith("Layer(72, 10): linear); 810 parameters") and len(line) <= 140, line
    assert len(repr(cnn)) > 250


def test_the_moons_graph_is_drawn_for_a_point_with_non_zero_loss() -> None:
    model = MLP(2, [16, 16, 1], "relu", "linear", seed=0)
    X, y = nn.data.moons(100, 0.1, seed=0, signed=True)
    root, what = _moons_graph(model, X, y)
    root.backward()
    k = int(re.search(r"point (\d+)", what).group(1))  # type: ignore[union-attr]
    assert root.data > 0.0
    # the oracle: the model's own forward pass and the hinge loss by hand, max(0, 1 − t·score)
    scores = [cast(Value, model(x)).data for x in X]
    hinge = [max(0.0, 1.0 - t * s) for s, t in zip(scores, y, strict=True)]
    assert k == max(range(len(X)), key=lambda i: hinge[i])
    assert abs(root.data - hinge[k]) < 1e-12
    assert any(p.grad != 0.0 for p in model.layers[-1].parameters())


@pytest.mark.parametrize("renderer", ["dot", "pygraphviz"])
@pytest.mark.parametrize("dataset", ["note", "moons"])
def test_the_main_job_prints_no_warning_and_no_long_line(dataset: str, renderer: str, tmp_path: Path,
                                                        capfd: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    if renderer == "pygraphviz":  # as on a machine without Graphviz's dot: Graphviz's own warnings reach fd 2
        pytest.importorskip("pygraphviz")
        real = shutil.which
        monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None if name == "dot" else real(name, *a, **k))
    elif shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert main(["--dataset", dataset, "--out", str(tmp_path), "--epochs", "5"]) == 0
    out, err = capfd.readouterr()
    assert err == "", err
    assert "warning" not in out.lower() and "Fontconfig" not in out
    assert max(len(line) for line in out.replace(str(tmp_path), "out").splitlines()) <= 120  # was 820 for moons
    assert "L0.n0" not in out  # one naming: the parameters' names from named_parameters()


def test_a_manifest_that_is_a_link_is_neither_read_nor_written_through(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("old.png\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.png").write_bytes(b"x")
    os.symlink(victim, out / MANIFEST)
    assert clear_stale(out, [out / "new.png"]) == []
    assert (out / "old.png").exists() and victim.read_text(encoding="utf-8") == "old.png\n"
