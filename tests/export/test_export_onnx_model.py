"""``nn.to_onnx``: models as layer-level ONNX files; onnxruntime gives our outputs to 1e-12, and torch agrees."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

import nn
from autograd import Value
from nn.export import ExportError
from tests.support.export_cases import in_threads

np = pytest.importorskip("numpy")
ort = pytest.importorskip("onnxruntime")
onnx = pytest.importorskip("onnx")
ACTS = ["relu", "tanh", "sigmoid", "leaky_relu", "softplus", "linear"]


def outputs(model: Any, xs: list[Any]) -> list[list[float]]:
    rows = []
    for x in xs:
        out = model(x)
        rows.append([v.data for v in ([out] if isinstance(out, Value) else nn.Flatten()(out))])
    return rows


def check(model: Any, xs: list[Any], path: Path, **kwargs: Any) -> Any:
    """Export, check with onnx.checker, run in onnxruntime and compare with our outputs to 1e-12."""
    written = nn.to_onnx(model, path, **kwargs)
    proto = onnx.load(str(written))
    onnx.checker.check_model(proto, full_check=True)
    assert [i.name for i in proto.graph.input] == ["x"] and [o.name for o in proto.graph.output] == ["y"]
    assert proto.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.DOUBLE
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    session = ort.InferenceSession(str(written), providers=["CPUExecutionProvider"])
    got = session.run(None, {"x": np.array(xs, dtype=np.float64)})[0].reshape(len(xs), -1)
    want = np.array(outputs(model, xs))
    assert got.shape == want.shape
    assert np.all(np.abs(got - want) <= 1e-12 * np.maximum(1.0, np.abs(want))), np.abs(got - want).max()
    return proto


@pytest.mark.parametrize("act", ACTS)
def test_mlps_with_every_activation(act: str, tmp_path: Path) -> None:
    rng = random.Random(ACTS.index(act))
    for seed in range(4):
        model = nn.MLP(3, [6, 4, 2], activation=act, output_activation=ACTS[(seed + 1) % 6], seed=seed)
        xs = [[rng.uniform(-4, 4) for _ in range(3)] for _ in range(7)]
        proto = check(model, xs, tmp_path / f"{act}{seed}.onnx")
        assert [n.op_type for n in proto.graph.node].count("Gemm") == 3


def test_softplus_and_leaky_relu_far_out(tmp_path: Path) -> None:
    for act in ("softplus", "leaky_relu", "sigmoid", "tanh"):
        model = nn.Sequential(nn.Activate(act))
        check(model, [[-800.0 + 20.0 * k] for k in range(81)], tmp_path / f"{act}.onnx", input_shape=(1,))


@pytest.mark.parametrize(("k", "stride", "padding"), [(3, 1, 0), (3, 2, 1), (2, 1, 1), (1, 1, 0), (5, 3, 2)])
def test_cnns(k: int, stride: int, padding: int, tmp_path: Path) -> None:
    rng = random.Random(k + stride)
    conv = nn.Conv2d(2, 3, k, stride=stride, padding=padding, seed=k)
    _, h, w = conv.output_shape(11, 11)
    model = nn.Sequential(conv, nn.ReLU(), nn.MaxPool2d(2, stride=1), nn.Activate("softplus"), nn.AvgPool2d(2),
                          nn.Flatten(), nn.Layer(3 * ((h - 1) // 2) * ((w - 1) // 2), 4, activation="tanh", seed=1),
                          nn.MLP(4, [3, 2], activation="leaky_relu", seed=2))
    xs = [[[[rng.uniform(-1, 1) for _ in range(11)] for _ in range(11)] for _ in range(2)] for _ in range(3)]
    check(model, xs, tmp_path / "cnn.onnx")


def test_a_convolution_alone_runs_on_any_image_size(tmp_path: Path) -> None:
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, seed=0), nn.AvgPool2d(3, stride=2))
    path = tmp_path / "conv.onnx"
    check(model, [[[[random.Random(1).random() for _ in range(9)] for _ in range(7)]]], path)
    rng = random.Random(2)
    check(model, [[[[rng.random() for _ in range(5)] for _ in range(6)]] for _ in range(2)], path)


def test_the_notes_network_and_a_neuron(tmp_path: Path) -> None:
    check(nn.note_model(), [[1.0, 0.5]], tmp_path / "note.onnx")
    check(nn.Neuron(3, activation="sigmoid", seed=3), [[0.1, 0.2, 0.3]], tmp_path / "neuron.onnx")


def test_torch_agrees_on_the_same_model(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    model = nn.Sequential(nn.Conv2d(1, 2, 3, seed=0), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Layer(8, 3, activation="softplus", seed=1))
    xs = [[[[random.Random(k).uniform(-1, 1) for _ in range(6)] for _ in range(6)]] for k in range(4)]
    nn.to_onnx(model, tmp_path / "m.onnx")
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    got = session.run(None, {"x": np.array(xs)})[0]
    theirs = nn.to_torch(model)(torch.tensor(xs, dtype=torch.float64)).detach().numpy()
    assert np.abs(got - theirs).max() <= 1e-12


def test_a_planted_error_is_caught(tmp_path: Path) -> None:
    model = nn.MLP(2, [2, 1], seed=0)
    nn.to_onnx(model, tmp_path / "m.onnx")
    model.layers[0].neurons[0].w[0].data += 1e-9
    with pytest.raises(AssertionError):
        check_only = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
        got = check_only.run(None, {"x": np.array([[0.5, 0.25]])})[0]
        assert abs(got[0][0] - model.forward([0.5, 0.25])[0].data) <= 1e-12


def test_input_shapes_and_refusals(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="input shape is unknown"):
        nn.to_onnx(nn.Sequential(nn.Flatten(), nn.Layer(4, 1)), tmp_path / "a.onnx")
    check(nn.Sequential(nn.Flatten(), nn.Layer(4, 1, seed=0)), [[[[0.1, 0.2], [0.3, 0.4]]]], tmp_path / "f.onnx",
          input_shape=(1, 2, 2))
    for bad in [(0,), (1, 2), "4", (True,), (1.5,)]:
        with pytest.raises(ValueError, match="input_shape must be"):
            nn.to_onnx(nn.Layer(4, 1), tmp_path / "a.onnx", input_shape=bad)  # type: ignore[arg-type]
    with pytest.raises(ExportError, match="put a Flatten before it"):
        nn.to_onnx(nn.Sequential(nn.Conv2d(1, 1, 2), nn.Layer(4, 1)), tmp_path / "a.onnx")
    with pytest.raises(ExportError, match="needs an image"):
        nn.to_onnx(nn.Sequential(nn.Layer(4, 4), nn.MaxPool2d(2)), tmp_path / "a.onnx")
    nan = nn.MLP(2, [1], seed=0)
    nan.layers[0].neurons[0].b.data = float("inf")
    with pytest.raises(ExportError, match=r"'layers\.0\.neurons\.0\.b' is inf"):
        nn.to_onnx(nan, tmp_path / "a.onnx")
    assert not (tmp_path / "a.onnx").exists()


def test_paths_and_threads(tmp_path: Path) -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    target = tmp_path / "m.onnx"
    target.write_text("old")
    assert nn.to_onnx(model, target) == target
    link = tmp_path / "link.onnx"
    link.symlink_to(target)
    nn.to_onnx(nn.MLP(2, [1], seed=1), link)
    assert link.is_symlink() and len(onnx.load(str(target)).graph.initializer) == 2
    target.chmod(0o444)
    with pytest.raises(PermissionError, match="read-only"):
        nn.to_onnx(model, target)
    with pytest.raises(FileNotFoundError):
        nn.to_onnx(model, tmp_path / "missing" / "m.onnx")

    def work(k: int) -> None:
        for j in range(3):
            check(model, [[0.1 * k, -0.2 * j]], tmp_path / ("shared.onnx" if j else f"own{k}.onnx"))

    assert in_threads(work) == []


def test_a_max_pool_window_holding_nan_gives_nan_as_torch(tmp_path: Path) -> None:
    """onnxruntime's MaxPool keeps a NaN only in a window's first place (it compares x > best); torch's
    MaxPool2d gives NaN wherever the window holds one — the oracle here, independent of our engine."""
    torch = pytest.importorskip("torch")
    nan = float("nan")
    image = [[[1.0, nan, 0.0, 2.0], [0.5, 0.25, nan, -1.0], [3.0, 1.0, -0.0, 0.0], [nan, 4.0, 1.0, 1.0]]]
    path = nn.to_onnx(nn.Sequential(nn.MaxPool2d(2, 1)), tmp_path / "pool.onnx", input_shape=(1, 4, 4))
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(None, {"x": np.array([image], dtype=np.float64)})[0]
    want = torch.nn.MaxPool2d(2, 1)(torch.tensor([image], dtype=torch.float64)).numpy()
    assert np.isnan(want).sum() == 6 and np.array_equal(np.isnan(got), np.isnan(want))
    assert np.array_equal(got[~np.isnan(got)], want[~np.isnan(want)])


@pytest.mark.parametrize(("model", "shape", "message"), [
    (lambda: nn.MLP(3, [2], seed=0), (4,), r"dense layer 'layers.0' takes 3 inputs but gets 4"),
    (lambda: nn.Sequential(nn.Conv2d(2, 1, 3, seed=0)), (3, 5, 5), r"'layers.0' takes 2 channel\(s\) but gets 3"),
    (lambda: nn.Sequential(nn.Conv2d(1, 1, 3, seed=0)), (1, 2, 2), r"3×3 window but gets a 2×2 image"),
    (lambda: nn.Sequential(nn.Flatten(), nn.Layer(10, 1, seed=0)), (1, 3, 3), r"'layers.1' takes 10 inputs but gets 9"),
    (lambda: nn.Sequential(nn.Conv2d(1, 1, 2, seed=0), nn.MaxPool2d(3)), (1, 3, 3), r"'layers.1' has a 3×3 window"),
])
def test_an_input_shape_a_layer_cannot_take_is_refused_by_the_layer(model: Any, shape: Any, message: str,
                                                                    tmp_path: Path) -> None:
    """These were a RuntimeError 'the ONNX graph failed onnx.checker … please report it' (the last one: a file
    was written, for a pool wider than its image, where the model itself raises); nothing is written."""
    with pytest.raises(ValueError, match=message):
        nn.to_onnx(model(), tmp_path / "m.onnx", input_shape=shape)
    assert not (tmp_path / "m.onnx").exists()
