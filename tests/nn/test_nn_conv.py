"""Conv2d, pools, Flatten, Activate and Sequential: values from the definition, gradients by central
differences (gradcheck) on small random images, names, and the model file (version 2; version 1 still loads).

z_oij = Σ_{c,r,q} w_ocrq x_c,(i·s+r−p),(j·s+q−p) + b_o;  ∂z/∂w = x at that position, ∂z/∂x = w, ∂z/∂b = 1.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

import autograd
import nn
from autograd import Value, gradcheck
from autograd.checking.nodes import check_graph


def reference(conv: nn.Conv2d, x: list[list[list[float]]]) -> list[list[list[float]]]:
    """The convolution from its definition, on floats (zero padding written out)."""
    c, h, w = len(x), len(x[0]), len(x[0][0])
    k, s, p = conv.kernel_size, conv.stride, conv.padding
    padded = [[[0.0] * (w + 2 * p) for _ in range(h + 2 * p)] for _ in range(c)]
    for ci in range(c):
        for a in range(h):
            for b in range(w):
                padded[ci][a + p][b + p] = x[ci][a][b]
    oh, ow = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
    return [[[conv.bias[o].data + sum(conv.weight[o][ci][r][q].data * padded[ci][i * s + r][j * s + q]
                                      for ci in range(c) for r in range(k) for q in range(k))
              for j in range(ow)] for i in range(oh)] for o in range(conv.out_channels)]


def floats(img: Any) -> list[float]:
    return [v.data for ch in img for row in ch for v in row]


CONFIGS = [(1, 1, 3, 1, 0), (2, 3, 3, 1, 1), (2, 2, 3, 2, 0), (3, 2, 2, 2, 1), (1, 2, 3, 2, 1)]


@pytest.mark.parametrize(("cin", "cout", "k", "stride", "pad"), CONFIGS)
def test_conv_values_match_the_definition(cin: int, cout: int, k: int, stride: int, pad: int) -> None:
    rng = random.Random(cin * 100 + cout * 10 + stride + pad)
    conv = nn.Conv2d(cin, cout, k, stride=stride, padding=pad, seed=1)
    for b in conv.bias:
        b.data = rng.uniform(-1, 1)
    x = [[[rng.uniform(-1, 1) for _ in range(5)] for _ in range(6)] for _ in range(cin)]
    want = [v for ch in reference(conv, x) for row in ch for v in row]
    assert floats(conv(x)) == pytest.approx(want, rel=1e-12, abs=1e-14)
    nodes = [[[Value(v) for v in row] for row in ch] for ch in x]
    assert floats(conv(nodes)) == floats(conv(x))  # data (linear_c) and nodes (linear): the same floats
    out = conv(x)
    assert all(v.operation is autograd.ops.LINEAR_C for ch in out for row in ch for v in row)


@pytest.mark.parametrize(("cin", "cout", "k", "stride", "pad"), CONFIGS)
def test_conv_gradcheck_on_inputs_weights_and_bias(cin: int, cout: int, k: int, stride: int, pad: int) -> None:
    rng = random.Random(7 + cin + stride + pad)
    h, w = 4, 5
    conv = nn.Conv2d(cin, cout, k, stride=stride, padding=pad, seed=2)
    params = conv.parameters()
    n_in = cin * h * w
    start = [rng.uniform(-1, 1) for _ in range(n_in)] + [p.data for p in params]
    mix = [rng.uniform(-1, 1) for _ in range(200)]

    def f(*vs: Value) -> Value:  # the image's pixels as nodes: gradcheck of ∂L/∂x through the convolution
        x = [[[vs[(ci * h + a) * w + b] for b in range(w)] for a in range(h)] for ci in range(cin)]
        flat = [v for ch in conv(x) for row in ch for v in row]
        return autograd.sum([(v * m).tanh() for v, m in zip(flat, mix, strict=False)])

    report = gradcheck(f, start[:n_in])
    assert report and all(r.status == "ok" for r in report.rows)
    # the parameters: backward into conv.weight / conv.bias against central differences of the loss
    x = [[[start[(ci * h + a) * w + b] for b in range(w)] for a in range(h)] for ci in range(cin)]

    def loss() -> Value:
        flat = [v for ch in conv(x) for row in ch for v in row]
        return autograd.sum([(v * m).tanh() for v, m in zip(flat, mix, strict=False)])

    L = loss()
    conv.zero_grad()
    L.backward()
    check_graph(L)
    for p in params:
        d, eps = p.data, 1e-6
        p.data = d + eps
        up = loss().data
        p.data = d - eps
        down = loss().data
        p.data = d
        assert p.grad == pytest.approx((up - down) / (2 * eps), rel=1e-5, abs=1e-8)


def test_pools_flatten_and_their_gradients() -> None:
    rng = random.Random(3)
    vals = [rng.uniform(-1, 1) for _ in range(2 * 4 * 4)]

    def image(vs: Any) -> Any:
        return [[[vs[(c * 4 + a) * 4 + b] for b in range(4)] for a in range(4)] for c in range(2)]

    mx = nn.MaxPool2d(2)(image(vals))
    assert [[v.data for v in row] for row in mx[1]] == [
        [max(vals[16 + a * 4 + b] for a in (0, 1) for b in (0, 1)), max(vals[16 + a * 4 + b] for a in (0, 1)
                                                                         for b in (2, 3))],
        [max(vals[16 + a * 4 + b] for a in (2, 3) for b in (0, 1)), max(vals[16 + a * 4 + b] for a in (2, 3)
                                                                         for b in (2, 3))]]
    avg = nn.AvgPool2d(2, stride=1)(image(vals))
    assert len(avg[0]) == 3 and avg[0][0][0].data == pytest.approx(sum(vals[i] for i in (0, 1, 4, 5)) / 4, rel=1e-14)
    for pool in (nn.MaxPool2d(2), nn.AvgPool2d(2), nn.MaxPool2d(3, stride=1), nn.AvgPool2d(2, stride=1)):
        def f(*vs: Value, pool: Any = pool) -> Value:
            flat = nn.Flatten()(pool(image(vs)))
            return autograd.sum([(v * (i + 1)).tanh() for i, v in enumerate(flat)])

        report = gradcheck(f, vals)
        assert report and all(r.status == "ok" for r in report.rows), pool
    x = [Value(v) for v in (0.5, 2.0, -1.0, 2.0)]
    y = nn.MaxPool2d(2)([[x[:2], x[2:]]])[0][0][0]
    y.backward()
    assert y.data == 2.0 and [v.grad for v in x] == [0.0, 1.0, 0.0, 0.0]  # a tie: the first largest


def test_flatten_is_channel_then_row_order() -> None:
    img = [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]
    assert nn.Flatten()(img) == [1, 2, 3, 4, 5, 6, 7, 8]


def cnn() -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, seed=0), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Layer(8, 3, activation="linear", seed=1))


def test_sequential_names_gradients_and_fit() -> None:
    model = cnn()
    names = [n for n, _ in model.named_parameters()]
    assert names[:2] == ["layers.0.weight.0.0.0.0", "layers.0.weight.0.0.0.1"]
    assert "layers.0.weight.1.0.2.2" in names and "layers.0.bias.1" in names and names[-1] == "layers.4.neurons.2.b"
    assert model.num_parameters() == 2 * 9 + 2 + 3 * 9
    rng = random.Random(0)
    X = [[[[rng.random() for _ in range(4)] for _ in range(4)]] for _ in range(6)]
    y = [0, 1, 2, 0, 1, 2]
    out = model(X[0])
    assert isinstance(out, list) and len(out) == 3
    h = nn.fit(model, X, y, loss="cross_entropy", optimizer="adam", lr=0.05, epochs=60, target_accuracy=1.0)
    assert h.stopped == "target_accuracy" and nn.accuracy(model, X, y) == 1.0
    assert len(h.grad_norms[-1]) == 5  # one norm per module (0 for those without parameters)


def test_sequential_round_trip_and_version_1_files(tmp_path: Path) -> None:
    model = cnn()
    for p in model.parameters():
        p.data += 0.125
    path = tmp_path / "cnn.json"
    model.save(str(path))
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["version"] == 2 and doc["architecture"]["type"] == "Sequential"
    back = nn.load_model(str(path))
    assert isinstance(back, nn.Sequential) and back.state_dict() == model.state_dict()
    img = [[[0.1 * (a + b) for b in range(4)] for a in range(4)]]
    assert [v.data for v in back(img)] == [v.data for v in model(img)]
    mlp = nn.MLP(2, [3, 1], seed=0)
    old = {"format": "deltagrad.nn", "version": 1, "architecture": mlp.architecture(), "parameters": mlp.state_dict()}
    (tmp_path / "old.json").write_text(json.dumps(old), encoding="utf-8")
    assert nn.load_model(str(tmp_path / "old.json")).state_dict() == mlp.state_dict()
    doc["architecture"]["modules"][1]["type"] = "Nope"
    (tmp_path / "bad.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(nn.StateError, match="unknown type 'Nope'"):
        nn.load_model(str(tmp_path / "bad.json"))


def test_bad_images_and_sizes_are_named() -> None:
    conv = nn.Conv2d(2, 1, 3)
    with pytest.raises(ValueError, match=r"expected 2 input channel\(s\), got 1"):
        conv([[[0.0] * 4] * 4])
    with pytest.raises(ValueError, match="expected an image as nested lists"):
        conv([0.0, 1.0])
    with pytest.raises(ValueError, match="smaller than the kernel"):
        conv([[[0.0] * 2] * 2] * 2)
    with pytest.raises(ValueError, match="kernel_size must be an int >= 1"):
        nn.Conv2d(1, 1, 0)
    with pytest.raises(TypeError, match=r"module 1 must be an nn\.Module"):
        nn.Sequential(nn.Flatten(), "relu")  # type: ignore[arg-type]
