"""Exported sigmoid and softplus keep their small tails (relative accuracy far out on the negative side).

onnxruntime's float64 ``Sigmoid`` kernel loses the tail: σ(−20) comes out 3.6e-8 off in relative
terms and σ(−37) as 0.0, where the true value is 8.5e-17 (hand-written oracle: σ(z) = e^z/(1 + e^z),
which for z < 0 is evaluated without cancellation). ln(1 + u) written as ``Log(1 + u)`` loses u
below 1.1e-16 in the same way (softplus(−40) is 4.2e-18, not 0). A later log or a large factor
turns those absolute errors of 1e-17 into wrong numbers, so the exports are compared here
*relatively*, far out where the absolute tolerance of the other tests cannot see it.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

import autograd
import nn
from autograd import Value

np = pytest.importorskip("numpy")
ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

FAR = [-745.0, -700.0, -100.0, -40.0, -37.0, -36.0, -30.0, -20.0, -10.0, -1.0, -1e-300, -0.0, 0.0, 1e-300, 1.0,
       10.0, 20.0, 37.0, 40.0, 700.0]


def sigma(z: float) -> float:
    """σ(z) by hand, with no cancellation: 1/(1 + e⁻ᶻ) for z ≥ 0, eᶻ/(1 + eᶻ) below."""
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0.0 else math.exp(z) / (1.0 + math.exp(z))


def softplus(z: float) -> float:
    """ln(1 + eᶻ) by hand: max(z, 0) + log1p(e^(−|z|))."""
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


def relative(a: float, b: float) -> float:
    return 0.0 if a == b else abs(a - b) / max(abs(a), abs(b))


def run_graph(y: Value, x: Value, z: float, path: Path) -> list[float]:
    exported = autograd.to_onnx(y, path, grads=True)
    session = ort.InferenceSession(str(exported.path), providers=["CPUExecutionProvider"])
    (name,) = exported.inputs
    return [float(v) for v in session.run(None, {name: np.array(z, dtype=np.float64)})]


@pytest.mark.parametrize("op", ["sigmoid", "softplus"])
def test_a_graphs_sigmoid_and_softplus_and_their_gradients_keep_the_tail(op: str, tmp_path: Path) -> None:
    x = Value(-40.0, label="x")
    y = getattr(x, op)()
    path = tmp_path / f"{op}.onnx"
    autograd.to_onnx(y, path, grads=True)
    f = sigma if op == "sigmoid" else softplus
    df = (lambda z: sigma(z) * (1.0 - sigma(z))) if op == "sigmoid" else sigma  # σ′ = σ(1 − σ), softplus′ = σ
    for z in FAR:
        got, grad = run_graph(y, x, z, path)
        assert relative(got, f(z)) <= 1e-14, (op, z, got, f(z))
        assert relative(grad, df(z)) <= 1e-14, (op, z, grad, df(z))
        x.data = z  # and our own engine, on the same point
        assert relative(getattr(x, op)().data, f(z)) <= 1e-14


def test_log_of_sigmoid_far_out_is_not_minus_infinity(tmp_path: Path) -> None:
    x = Value(-40.0, label="x")
    y = x.sigmoid().log()  # ln σ(−40) = −40 − ln(1 + e⁻⁴⁰) ≈ −40
    got, grad = run_graph(y, x, -40.0, tmp_path / "logsig.onnx")
    assert got == pytest.approx(-40.0, rel=1e-15) and y.data == pytest.approx(-40.0, rel=1e-15)
    assert grad == pytest.approx(1.0 - sigma(-40.0), rel=1e-15)  # d ln σ(z)/dz = 1 − σ(z)


@pytest.mark.parametrize("act", ["sigmoid", "softplus"])
def test_a_models_sigmoid_and_softplus_keep_the_tail(act: str, tmp_path: Path) -> None:
    layer = nn.Layer(1, 1, activation=act, seed=0)
    layer.neurons[0].w[0].data, layer.neurons[0].b.data = 1.0, 0.0  # y = f(x)
    path = nn.to_onnx(layer, tmp_path / "m.onnx")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(None, {"x": np.array([[z] for z in FAR], dtype=np.float64)})[0].reshape(-1)
    f = sigma if act == "sigmoid" else softplus
    for z, g in zip(FAR, got, strict=True):
        assert relative(float(g), f(z)) <= 1e-14, (act, z, float(g), f(z))
        assert relative(_out(layer, z), f(z)) <= 1e-14


def _out(m: Any, z: float) -> float:
    out = m([z])
    return (out[0] if isinstance(out, list) else out).data
