"""``autograd.to_onnx``: scalar graphs (and their backward passes) run in onnxruntime give our numbers.

Oracles: ``backward()`` (the engine), torch on the same random programs (independent of the
engine), and the hand-written derivatives of ``tests/op_cases.py`` for every op of the table.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import autograd
from autograd import Value, ops
from autograd.export import rules
from tests.support.export_cases import STEPS, in_threads, random_program
from tests.support.op_cases import CASES, at_points

np = pytest.importorskip("numpy")
ort = pytest.importorskip("onnxruntime")
onnx = pytest.importorskip("onnx")
torch = pytest.importorskip("torch")


def run(exported: Any, feeds: dict[str, float] | None = None) -> dict[str, float]:
    """Every output of the exported file, run by onnxruntime on the leaves' values."""
    session = ort.InferenceSession(str(exported.path), providers=["CPUExecutionProvider"])
    values = exported.feeds() if feeds is None else feeds
    names = [o.name for o in session.get_outputs()]
    got = session.run(None, {k: np.array(v, dtype=np.float64) for k, v in values.items()})
    return {n: float(v) for n, v in zip(names, got, strict=True)}


def near(a: float, b: float, tol: float = 1e-12) -> bool:
    """Equal to ``tol`` (relative above 1), or the same NaN/inf."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


# -- every op of the table -------------------------------------------------------------------------


def test_every_table_op_has_an_onnx_forward_and_backward_or_a_refusal() -> None:
    missing = [op for op in ops.TABLE if op not in rules.REFUSED and (op not in rules.FORWARD or
                                                                       op not in rules.BACKWARD)]
    assert missing == []
    assert set(rules.FORWARD) == set(rules.BACKWARD) == set(ops.TABLE) - set(rules.REFUSED)


def test_the_coverage_check_can_fail() -> None:
    fake = ops.Op("fake", lambda x: x, lambda x, y, c: 1.0)
    assert fake not in rules.FORWARD and fake not in rules.REFUSED


@pytest.mark.parametrize(("case", "point"), at_points(CASES), ids=lambda x: str(x))
def test_each_op_at_its_points_against_the_hand_written_derivative(case: Any, point: tuple[float, ...],
                                                                 tmp_path: Path) -> None:
    leaves = [Value(x, label=f"x{i}") for i, x in enumerate(point)]
    y = case.build(*leaves)
    assert y.operation is case.op
    exported = autograd.to_onnx(y, tmp_path / "op.onnx", grads=True)
    out = run(exported)
    assert near(out["y"], case.f(*point)), (out["y"], case.f(*point))
    for i, d in enumerate(case.d1(*point)):
        assert near(out[exported.grads[f"x{i}"]], d, 1e-10), (i, out, d)


def test_conventions_at_the_kinks_follow_backward(tmp_path: Path) -> None:
    """relu′(0) = 0, |x|′(0) = 0, √′(0) = +∞, (x^0.5)′(0) = +∞, ∂(aᵇ)/∂b = 0 at a = 0 and NaN for a < 0."""
    a, b = Value(0.0, label="a"), Value(-2.0, label="b")
    n = Value(2.0, label="n")
    graphs = [a.relu(), abs(a), a.leaky_relu(0.3), a.sqrt(), a ** 0.5, a ** n, b ** n, a ** Value(0.0), 0.0 ** a]
    for k, y in enumerate(graphs):
        for v in (a, b, n):
            v.grad = 0.0
        y.backward()
        exported = autograd.to_onnx(y, tmp_path / f"k{k}.onnx", grads=True)
        out = run(exported)
        for name, leaf in exported.inputs.items():
            assert near(out[exported.grads[name]], leaf.grad), (k, name, out, leaf.grad)



def test_conventions_at_nan_follow_backward(tmp_path: Path) -> None:
    """The table's NaN conventions, run in the file at a NaN input: relu′(NaN) = 1 (``0 if z ≤ 0 else 1``, as
    PyTorch), leaky_relu′(NaN) = slope, ∂(0ᵇ)/∂b = NaN at b = NaN (0 only where y = 0ᵇ is a number)."""
    nan = math.nan
    x, a, b = Value(1.0, label="x"), Value(0.0, label="a"), Value(2.0, label="b")
    cases = [(x.relu(), {"x": nan}, {"x": 1.0}), (x.leaky_relu(0.3), {"x": nan}, {"x": 0.3}),
             (a ** b, {"a": 0.0, "b": nan}, {"b": nan}), (0.0 ** b, {"b": nan}, {"b": nan}),
             (0.0 ** b, {"b": 2.0}, {"b": 0.0})]
    for k, (y, feeds, want) in enumerate(cases):
        exported = autograd.to_onnx(y, tmp_path / f"n{k}.onnx", grads=True)
        leaves = exported.inputs
        for name, value in feeds.items():
            leaves[name].data = value
        values = {name: leaf.data for name, leaf in leaves.items()}
        rebuilt = [x.relu(), x.leaky_relu(0.3), a ** b, 0.0 ** b, 0.0 ** b][k]  # the same graph on the new values
        for leaf in leaves.values():
            leaf.grad = 0.0
        rebuilt.backward()
        out = run(exported, values)
        for name, expected in want.items():
            assert near(leaves[name].grad, expected), (k, name, leaves[name].grad)  # the engine, by hand
            assert near(out[exported.grads[name]], expected), (k, name, out)  # and the file
    x.data, a.data, b.data = 1.0, 0.0, 2.0


# -- random programs: onnxruntime, backward() and torch agree ---------------------------------------


@pytest.mark.parametrize("block", range(8))
def test_random_programs_against_backward_and_torch(block: int, tmp_path: Path) -> None:
    seen: set[Any] = set()
    for seed in range(block * 25, block * 25 + 25):
        program = random_program(seed)
        leaves, y = program.build()
        y.backward()
        seen |= {s.op for s, _, _ in program.steps}
        exported = autograd.to_onnx(y, tmp_path / f"p{seed}.onnx", grads=True)
        out = run(exported)
        tl, ty = program.replay()
        ty.backward()
        assert near(out["y"], y.data) and near(float(ty.detach()), y.data), (seed, out["y"], y.data)
        for name, leaf in exported.inputs.items():
            k = leaves.index(leaf)
            torch_grad = 0.0 if tl[k].grad is None else float(tl[k].grad)
            assert near(out[exported.grads[name]], leaf.grad), (seed, name, out, leaf.grad)
            assert near(torch_grad, leaf.grad), (seed, name, torch_grad, leaf.grad)
    assert len(seen) >= 20


def test_the_random_programs_cover_every_table_op() -> None:
    ops_used = {s.op for seed in range(60) for s, _, _ in random_program(seed).steps}
    assert {s.op for s in STEPS} == set(ops.TABLE)
    assert ops_used == set(ops.TABLE), set(ops.TABLE) - ops_used


def test_a_wrong_derivative_rule_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison can fail: tanh′ planted as 1 + y² makes the exported gradient disagree."""
    x = Value(0.3, label="x")
    y = x.tanh()
    y.backward()
    monkeypatch.setitem(rules.BACKWARD, ops.TANH, lambda g, xs, yy, c, gy: [
        g.node("Mul", [gy, g.node("Add", [g.scalar(1.0), g.node("Mul", [yy, yy])])])])
    exported = autograd.to_onnx(y, tmp_path / "bad.onnx", grads=True)
    assert not near(run(exported)["grad_x"], x.grad)


def test_without_grads_only_y_is_an_output_and_other_inputs_evaluate_elsewhere(tmp_path: Path) -> None:
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    y = (x * w + 6.88).tanh()
    exported = autograd.to_onnx(y, tmp_path / "y.onnx")
    assert exported.grads == {} and list(exported.inputs) == ["x", "w"]
    assert run(exported, {"x": 0.5, "w": 1.5}) == {"y": pytest.approx(math.tanh(0.5 * 1.5 + 6.88), abs=1e-15)}
    model = onnx.load(str(exported.path))
    onnx.checker.check_model(model, full_check=True)
    assert [i.type.tensor_type.elem_type for i in model.graph.input] == [onnx.TensorProto.DOUBLE] * 2
    assert all(len(i.type.tensor_type.shape.dim) == 0 for i in model.graph.input)  # rank 0


def test_a_leaf_as_y_and_a_leaf_used_twice(tmp_path: Path) -> None:
    x = Value(3.0, label="y")
    out = run(autograd.to_onnx(x, tmp_path / "leaf.onnx", grads=True))
    assert sorted(out.values()) == [1.0, 3.0]
    z = x * x * x
    z.backward()
    e = autograd.to_onnx(z, tmp_path / "cube.onnx", grads=True)
    assert run(e)[e.grads["y"]] == x.grad == 27.0


# -- hostile input ---------------------------------------------------------------------------------------


def test_hostile_labels_become_safe_distinct_names(tmp_path: Path) -> None:
    labels = ["x", "x", "", "a b", "x\ud800y", "\"'; DROP", "<script>", "ω", "_t1", "grad_x", "9lives", "y" * 300]
    leaves = [Value(float(k + 1), label=lab) for k, lab in enumerate(labels)]
    y = autograd.sum([v * (k + 1) for k, v in enumerate(leaves)])
    y.label = "<b>out</b>\udc80"
    y.backward()
    e = autograd.to_onnx(y, tmp_path / "labels.onnx", grads=True)
    names = [*e.inputs, e.output, *e.grads.values()]
    assert len(set(names)) == len(names)
    assert all(n.isascii() and n.replace("_", "a").isalnum() and not n.startswith("_") for n in names)
    assert [e.inputs[n] for n in e.inputs] == leaves
    out = run(e)
    for name, leaf in e.inputs.items():
        assert out[e.grads[name]] == leaf.grad
    doc = [i.doc_string for i in onnx.load(str(e.path)).graph.input]
    assert "\\ud800" in doc[4]


def test_nan_and_inf_constants_are_carried(tmp_path: Path) -> None:
    x = Value(1.0, label="x")
    y = x * math.nan + (x + math.inf)
    e = autograd.to_onnx(y, tmp_path / "nan.onnx", grads=True)
    out = run(e)
    assert math.isnan(out["y"]) and math.isnan(out["grad_x"])
    z = x + math.inf
    z.backward()
    assert run(autograd.to_onnx(z, tmp_path / "inf.onnx", grads=True)) == {"y": math.inf, "grad_x": 1.0}


def test_what_cannot_be_exported_is_refused_by_name(tmp_path: Path) -> None:
    x = Value(1.0, label="x")
    with pytest.raises(TypeError, match="one scalar Value"):
        autograd.to_onnx([x, x], tmp_path / "a.onnx")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="one scalar Value"):
        autograd.to_onnx(1.0, tmp_path / "a.onnx")  # type: ignore[arg-type]
    square = ops.Op("square", lambda x: x * x, lambda x, y, c: 2 * x)  # a user's op, outside the table
    with pytest.raises(TypeError, match=r"'square'.*built-in"):
        autograd.to_onnx(square(x) + 1, tmp_path / "a.onnx")
    a, b = Value(1.0), Value(2.0)
    out = Value(a.data * b.data, (a, b), "*")  # micrograd's style, with a closure

    def back() -> None:
        a.grad += b.data * out.grad

    out._backward = back
    with pytest.raises(TypeError, match=r"closure|built-in"):
        autograd.to_onnx(out, tmp_path / "a.onnx")
    with pytest.raises(TypeError, match="grads must be"):
        autograd.to_onnx(x * 2, tmp_path / "a.onnx", grads="yes")  # type: ignore[arg-type]
    assert not (tmp_path / "a.onnx").exists()


def test_a_cycle_made_by_editing_parents_is_refused(tmp_path: Path) -> None:
    x = Value(1.0, label="x")
    a = x * 2
    b = a * 3
    a._in = b
    with pytest.raises(ValueError, match="cycle"):
        autograd.to_onnx(b, tmp_path / "c.onnx")


def test_a_huge_graph_is_refused_before_anything_is_built(tmp_path: Path) -> None:
    x = Value(0.5, label="x")
    y = x
    for _ in range(300):
        y = y * 1.0001
    with pytest.raises(ValueError, match="301 nodes, more than max_nodes=100"):
        autograd.to_onnx(y, tmp_path / "big.onnx", max_nodes=100)
    with pytest.raises(ValueError, match="max_nodes must be"):
        autograd.to_onnx(y, tmp_path / "big.onnx", max_nodes=0)
    assert run(autograd.to_onnx(y, tmp_path / "big.onnx", max_nodes=301))["y"] == y.data
    deep = x
    for _ in range(20000):
        deep = deep + 1e-6
    e = autograd.to_onnx(deep, tmp_path / "deep.onnx", grads=True)
    assert near(run(e)["y"], deep.data) and run(e)["grad_x"] == 1.0


def test_paths_existing_symlink_read_only_missing_directory(tmp_path: Path) -> None:
    y = Value(2.0, label="x") * 3
    target = tmp_path / "model.onnx"
    target.write_bytes(b"old")
    autograd.to_onnx(y, target)
    assert run(type("E", (), {"path": target, "feeds": lambda self: {"x": 2.0}})())["y"] == 6.0
    link = tmp_path / "link.onnx"
    link.symlink_to(target)
    autograd.to_onnx(y * 2, link)
    assert link.is_symlink() and onnx.load(str(target)).graph.output[0].name == "y"
    with pytest.raises(FileNotFoundError, match="does not exist"):
        autograd.to_onnx(y, tmp_path / "no" / "such.onnx")
    if os.geteuid() != 0:  # root writes anywhere
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        with pytest.raises(PermissionError):
            autograd.to_onnx(y, ro / "m.onnx")
    locked = tmp_path / "locked.onnx"
    locked.write_bytes(b"keep")
    locked.chmod(0o444)
    with pytest.raises(PermissionError, match="read-only"):
        autograd.to_onnx(y, locked)
    assert locked.read_bytes() == b"keep"
    with pytest.raises(IsADirectoryError):
        autograd.to_onnx(y, tmp_path)
    with pytest.raises(TypeError, match="path must be"):
        autograd.to_onnx(y, 3)  # type: ignore[arg-type]


def test_threads_export_shared_graphs_at_once(tmp_path: Path) -> None:
    program = random_program(7)
    leaves, y = program.build()
    y.backward()
    grads = [v.grad for v in leaves]

    def work(k: int) -> None:
        for j in range(3):
            e = autograd.to_onnx(y, tmp_path / ("same.onnx" if j == 0 else f"t{k}_{j}.onnx"), grads=True)
            assert near(run(e)["y"], y.data)

    assert in_threads(work) == []
    assert [v.grad for v in leaves] == grads  # exporting touched no gradient
    onnx.checker.check_model(onnx.load(str(tmp_path / "same.onnx")))


def test_without_onnx_the_error_names_the_extra(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['onnx'] = None\nimport autograd\n"
            "try:\n    autograd.to_onnx(autograd.Value(1.0) * 2, 'x.onnx')\n"
            "except ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}, check=True)
    assert 'pip install "deltagrad[onnx]"' in out.stdout and "autograd.to_onnx" in out.stdout
    assert not (tmp_path / "x.onnx").exists()


def test_no_constant_is_written_that_no_node_reads(tmp_path: Path) -> None:
    """onnxruntime warns 'Removing initializer … It is not used by any node' for each one, on every session."""
    x = Value(0.5, label="x")
    exported = autograd.to_onnx(x * x + 3.0, tmp_path / "y.onnx", grads=True)  # the seed 1 is never multiplied
    graph = onnx.load(str(exported.path)).graph
    read = {name for node in graph.node for name in node.input}
    assert graph.initializer and all(t.name in read for t in graph.initializer)
    assert run(exported)[exported.grads["x"]] == 2 * 0.5  # ∂(x² + 3)/∂x = 2x
