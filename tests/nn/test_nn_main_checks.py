"""``python -m nn`` checks before it trains and stops cleanly: unused flags, the output folder, Ctrl-C.

A flag the chosen data set would ignore is refused (exit 2, naming it); a folder that cannot take
files is refused before training (exit 2), tested honestly as root too (root ignores ``chmod``, so
the read-only folders here are ones root cannot write either: ``/sys``, an immutable folder, a
path under a file); Ctrl-C prints one line and exits 130, leaving no half-written file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import nn.jobs.note as job
from nn.jobs.checks import INTERRUPTED
from nn.jobs.note import main

ROOT = Path(__file__).resolve().parent.parent.parent


def refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    start = time.perf_counter()
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert time.perf_counter() - start < 5, "it trained before refusing"  # not a timing test: a tripwire
    return err


@pytest.mark.parametrize("argv, flags", [
    (["--dataset", "digits", "--compile", "--optimizer", "sgd", "--hidden", "3"], ["--hidden", "--optimizer",
                                                                                  "--compile"]),
    (["--dataset", "digits", "--activation", "tanh"], ["--activation"]),
    (["--dataset", "note", "--model", "cnn"], ["--model"]),
    (["--dataset", "moons", "--model", "mlp"], ["--model"]),
    (["--model", "cnn"], ["--model"]),  # the default data set is the note's
])
def test_a_flag_the_dataset_does_not_use_is_refused(tmp_path: Path, argv: list[str], flags: list[str],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    err = refused([*argv, "--out", str(out)], capsys)
    assert all(flag in err for flag in flags) and "not used by --dataset" in err
    assert not out.exists()  # nothing trained, nothing written


def test_flags_a_dataset_uses_still_pass(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: list[tuple[str, str]] = []
    def fake_job(args: argparse.Namespace) -> int:
        seen.append((args.model, args.optimizer))
        return 0

    monkeypatch.setattr(job, "run_job", fake_job)
    assert main(["--dataset", "digits", "--model", "cnn", "--lr", "0.1", "--epochs", "1", "--out", str(tmp_path)]) == 0
    assert main(["--dataset", "xor", "--optimizer", "adam", "--hidden", "3", "--compile", "--out", str(tmp_path)]) == 0
    assert main(["--out", str(tmp_path)]) == 0
    assert seen == [("cnn", "sgd"), ("mlp", "adam"), ("mlp", "sgd")]  # the defaults are filled in after the check


@pytest.fixture
def unwritable(tmp_path: Path) -> Iterator[Path]:
    """A folder this process cannot create files in, even as root (immutable), else chmod 555."""
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        if chattr is None or subprocess.run([chattr, "+i", str(folder)], capture_output=True).returncode != 0:
            pytest.skip("root, and no way to make a folder root cannot write (chattr +i)")
        try:
            yield folder
        finally:
            subprocess.run([chattr, "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)


def test_an_unwritable_output_folder_is_refused_before_training(unwritable: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(["--out", str(unwritable)], capsys)  # before: trained 2,062 updates, then a traceback
    assert f"cannot write files in {str(unwritable)!r}" in err and "nothing was trained" in err
    assert list(unwritable.iterdir()) == []  # the probe file did not stay


@pytest.mark.parametrize("where", ["/sys/kernel", "under a file"])
def test_other_folders_no_one_can_write(tmp_path: Path, where: str, capsys: pytest.CaptureFixture[str]) -> None:
    if where == "/sys/kernel":
        try:
            os.close(os.open(os.path.join(where, ".probe"), os.O_WRONLY | os.O_CREAT | os.O_EXCL))
        except OSError:
            pass  # as expected: no one can create files there
        else:  # pragma: no cover - a system whose /sys takes files
            os.unlink(os.path.join(where, ".probe"))
            pytest.skip("/sys/kernel takes files here")
        out = where
    else:
        (tmp_path / "file").write_text("x")
        out = str(tmp_path / "file" / "out")
    err = refused(["--out", out], capsys)
    assert "argument --out" in err and repr(out) in err


def test_ctrl_c_while_writing_leaves_no_half_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(job, "save_graph_image", interrupted)
    assert main(["--dataset", "xor", "--epochs", "20", "--out", str(tmp_path)]) == 130
    err = capsys.readouterr().err
    assert err == INTERRUPTED + "\n"
    assert [p.name for p in tmp_path.iterdir()] == ["loss_curve.png"]  # written whole before; no temporary file
    assert (tmp_path / "loss_curve.png").read_bytes()[:4] == b"\x89PNG"


def test_ctrl_c_during_training_prints_one_line_and_exits_130(tmp_path: Path) -> None:
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "nn", "--lr", "1e-9", "--epochs", "100000000", "--out", str(out)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout is not None
    for line in proc.stdout:  # wait until it trains
        if line.lstrip().startswith("5 "):
            break
    proc.send_signal(signal.SIGINT)
    rest, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert err == INTERRUPTED + "\n"  # before: a KeyboardInterrupt traceback
    assert "Traceback" not in rest and list(out.iterdir()) == []
