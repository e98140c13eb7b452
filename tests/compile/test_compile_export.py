"""step.export(path): a standalone file (math only) whose step(params, *args) gives the compiled
step's loss and gradients bit for bit, run in a fresh ``python -I``; its op definitions are held to
the op table's functions; hostile labels stay out of its code; the write is atomic."""

from __future__ import annotations

import io
import json
import math
import os
import struct
import subprocess
import sys
import tokenize
from pathlib import Path
from typing import Any

import pytest

import autograd
import nn
from autograd import Value, ops
from autograd.compiler import export

RUNNER = """
import json, runpy, sys
ns = runpy.run_path(sys.argv[1])
job = json.loads(sys.stdin.read())
params = [float.fromhex(h) for h in job["params"]]
out = []
for row in job["rows"]:
    args = [[float.fromhex(h) for h in a] if isinstance(a, list) else float.fromhex(a) for a in row]
    loss, grads = ns["step"](params, *args)
    out.append([loss.hex(), [g.hex() for g in grads]])
print(json.dumps([sorted(k for k in sys.modules if k.split(".")[0] in ("autograd", "nn")), out]))
"""


def hexed(a: Any) -> Any:
    return [float(x).hex() for x in a] if isinstance(a, list) else float(a).hex()


def run_exported(path: Path, params: list[float], rows: list[tuple[Any, ...]]) -> list[Any]:
    job = json.dumps({"params": [p.hex() for p in params], "rows": [[hexed(a) for a in r] for r in rows]})
    done = subprocess.run([sys.executable, "-I", "-c", RUNNER, str(path)], input=job, capture_output=True,
                          text=True, timeout=120, cwd=path.parent, check=True)
    imported, out = json.loads(done.stdout)
    assert imported == []  # no deltagrad module was imported by the file
    return out


def check_against_the_step(step: Any, rows: list[tuple[Any, ...]], tmp_path: Path) -> None:
    path = tmp_path / "train_step.py"
    step.export(path)
    text = path.read_text(encoding="utf-8")
    assert "autograd" not in text.replace("autograd.compile", "") and "import math" in text
    params = step.params
    got = run_exported(path, [p.data for p in params], rows)
    for (loss_hex, grads_hex), row in zip(got, rows, strict=True):
        for p in params:
            p.grad = 0.0
        loss = step(*row)
        assert loss_hex == float(loss).hex()
        assert grads_hex == [p.grad.hex() for p in params]


def test_the_notes_network_exports_and_runs_in_a_fresh_interpreter(tmp_path: Path) -> None:
    model = nn.note_model()
    step = autograd.compile(lambda x, t: nn.half_sse(model(x), t), [1.0, 0.5], 1.0, check=0)
    check_against_the_step(step, [([1.0, 0.5], 1.0), ([-0.3, 2.0], 0.0)], tmp_path)
    assert "#   L0_n0_w0     layers.0.neurons.0.w.0" in (tmp_path / "train_step.py").read_text(encoding="utf-8")


def test_a_moons_mlp_with_relu_hinge_and_sqrt_exports(tmp_path: Path) -> None:
    X, y = nn.moons(6, 0.1, seed=3, signed=True)
    model = nn.MLP(2, [4, 4, 1], seed=1)
    def fn(x: Any, t: Any) -> Value:
        score = model.forward(x)[0]
        return nn.hinge(score, t) + (score.sigmoid() + 1.0).sqrt().log() + score.softplus() * 0.5

    step = autograd.compile(fn, X[0], float(y[0]), check=0)
    check_against_the_step(step, [(x, float(t)) for x, t in zip(X, y, strict=True)], tmp_path)


def test_ops_without_a_standalone_definition_are_refused(tmp_path: Path) -> None:
    m = nn.MLP(2, [3], seed=0)
    step = autograd.compile(lambda x, t: nn.cross_entropy(m(x), t), [1.0, 2.0], 1)
    with pytest.raises(ValueError, match="export: the program calls op 'cross_entropy'"):
        step.export(tmp_path / "ce.py")
    assert not (tmp_path / "ce.py").exists() and os.listdir(tmp_path) == []


@pytest.mark.parametrize(("op", "fwd", "der"), [
    (ops.LOG, "log", None), (ops.SQRT, "sqrt", "d_sqrt"), (ops.SIGMOID, "sigmoid", None),
    (ops.SOFTPLUS, "softplus", "d_softplus"), (ops.POW_C, "power", "d_power")])
def test_standalone_definitions_equal_the_table_bit_for_bit(op: ops.Op, fwd: str, der: str | None) -> None:
    ns: dict[str, Any] = {"math": math}
    exec(export.STANDALONE[fwd].format(f="f"), ns)  # our own text
    if der is not None:
        exec(export.STANDALONE[der].format(f="d"), ns)
    xs = [0.0, -0.0, 0.3, 1.0, 2.5, 40.0, 800.0, math.inf, math.nan] + ([] if op in (ops.LOG, ops.SQRT) else
                                                                        [-0.3, -2.5, -800.0, -math.inf])
    cs = [2.0, 3.0, 0.5, 1.0, 0.0] if op is ops.POW_C else [None]

    def same(a: float, b: float) -> bool:
        return struct.pack("<d", a) == struct.pack("<d", b) or (math.isnan(a) and math.isnan(b))

    for x in xs:
        for c in cs:
            try:
                want = op.forward(x, c) if c is not None else op.forward(x)
            except (ArithmeticError, ValueError):
                continue
            got = ns["f"](x, c) if c is not None else ns["f"](x)
            assert same(got, want), (op.name, x, c)
            if der is not None:
                assert same(ns["d"](x, want, c), op.deriv(x, want, c)), (op.name, x, c)


def test_hostile_labels_never_become_code_in_the_export(tmp_path: Path) -> None:
    evil = "x\"\"\"\nimport os\nos.system('echo pwned')  # \u2028\ud800"
    p = Value(1.5, label=evil)
    step = autograd.compile(lambda x: (p * x).tanh(), 2.0, params={evil: p})
    step.export(tmp_path / "s.py")
    text = (tmp_path / "s.py").read_text(encoding="utf-8", errors="surrogateescape")
    names = [t.string for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type == tokenize.NAME]
    assert "os" not in names and "system" not in names
    assert names.count("import") == 1  # import math, nothing else


def test_the_write_is_atomic_and_keeps_permissions(tmp_path: Path) -> None:
    p = Value(2.0, label="p")
    step = autograd.compile(lambda x: p * x, 1.0)
    target = tmp_path / "step.py"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    step.export(str(target))
    assert target.stat().st_mode & 0o777 == 0o640 and "def step(params" in target.read_text(encoding="utf-8")
    assert sorted(os.listdir(tmp_path)) == ["step.py"]  # no temporary file left behind
    with pytest.raises(OSError, match="export: cannot write"):
        step.export(tmp_path / "missing" / "step.py")
    with pytest.raises(TypeError, match="path must be"):
        step.export(3)
