"""``nn.to_torch`` / ``nn.from_torch``: the same network in PyTorch, outputs and gradients equal to 1e-12.

torch is the oracle here: its own Linear, Conv2d, pools and activations, in float64, run on the
same inputs; the gradients come from torch's autograd, compared entry by entry with ``backward()``.
"""

from __future__ import annotations

import copy
import itertools
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import nn
from autograd import Value
from nn.export import ExportError, torch_grads, torch_names

torch = pytest.importorskip("torch")
ACTS = ["relu", "tanh", "sigmoid", "leaky_relu", "softplus", "linear"]
ROOT = Path(__file__).resolve().parents[2]


def close(a: float, b: float, tol: float = 1e-12) -> bool:
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def compare(model: Any, inputs: list[Any]) -> tuple[int, int]:
    """Outputs and every parameter's gradient of Σ outputs², ours against ``to_torch(model)``'s; returns counts."""
    module = nn.to_torch(model)
    outs = [model(x) for x in inputs]
    flat = [[o] if isinstance(o, Value) else nn.Flatten()(o) for o in outs]
    model.zero_grad()
    loss = sum((v * v for row in flat for v in row), Value(0.0))
    loss.backward()
    got = module(torch.tensor(inputs, dtype=torch.float64))
    (got ** 2).sum().backward()
    rows = got.detach().reshape(len(inputs), -1).tolist()
    for ours, theirs in zip(flat, rows, strict=True):
        assert len(ours) == len(theirs)
        assert all(close(o.data, t) for o, t in zip(ours, theirs, strict=True)), (ours, theirs)
    grads = torch_grads(model, module)
    named = dict(model.named_parameters())
    assert set(grads) == set(named)
    bad = {n: (named[n].grad, g) for n, g in grads.items() if not close(named[n].grad, g)}
    assert bad == {}
    return len(rows) * len(rows[0]), len(grads)


@pytest.mark.parametrize("act", ACTS)
def test_mlps_with_every_activation(act: str) -> None:
    rng = random.Random(ACTS.index(act))
    for seed in range(5):
        model = nn.MLP(3, [5, 4, 2], activation=act, output_activation=rng.choice(ACTS), seed=seed)
        xs = [[rng.uniform(-3, 3) for _ in range(3)] for _ in range(6)]
        compare(model, xs)


def test_softplus_far_out_and_the_threshold() -> None:
    """ln(1 + eᶻ) for z from −60 to 60: torch's Softplus(threshold=36) equals ours."""
    model = nn.Sequential(nn.Activate("softplus"))
    module = nn.to_torch(model)
    zs = [[-60.0 + 0.5 * k] for k in range(241)]
    got = module(torch.tensor(zs, dtype=torch.float64)).reshape(-1).tolist()
    assert all(close(model([z])[0].data, g) for (z,), g in zip(zs, got, strict=True))


def test_the_notes_network_layers_and_neurons() -> None:
    compare(nn.note_model(), [[1.0, 0.5], [0.0, -1.0]])
    compare(nn.Layer(4, 3, activation="tanh", seed=1), [[0.1, -0.2, 0.3, 0.9]])
    compare(nn.Neuron(3, activation="sigmoid", seed=2), [[0.5, -1.0, 2.0], [1.0, 1.0, 1.0]])
    compare(nn.Sequential(nn.Layer(2, 3, activation="relu", seed=0), nn.Activate("tanh"),
                          nn.MLP(3, [2, 2], activation="softplus", seed=1)), [[0.3, -0.7], [1.5, 2.0]])


@pytest.mark.parametrize(("k", "stride", "padding"), [(3, 1, 0), (3, 2, 1), (2, 1, 1), (1, 1, 0), (5, 3, 2)])
def test_cnns(k: int, stride: int, padding: int) -> None:
    rng = random.Random(k * 10 + stride)
    conv = nn.Conv2d(2, 3, k, stride=stride, padding=padding, seed=k)
    _, h, w = conv.output_shape(11, 11)
    model = nn.Sequential(conv, nn.ReLU(), nn.MaxPool2d(2, stride=1), nn.Activate("tanh"), nn.AvgPool2d(2),
                          nn.Flatten(), nn.Layer(3 * ((h - 1) // 2) * ((w - 1) // 2), 4, activation="sigmoid", seed=1),
                          nn.Layer(4, 2, activation="linear", seed=2))
    xs = [[[[rng.uniform(-1, 1) for _ in range(11)] for _ in range(11)] for _ in range(2)] for _ in range(3)]
    compare(model, xs)


def test_a_digits_sized_cnn() -> None:
    rng = random.Random(5)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, seed=0), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Layer(36, 10, activation="linear", seed=1))
    xs = [[[[rng.random() for _ in range(8)] for _ in range(8)]] for _ in range(2)]
    assert compare(model, xs) == (20, len(model.parameters()))


def test_the_comparison_can_fail() -> None:
    """A planted difference (one weight changed in torch) is caught."""
    model = nn.MLP(2, [3, 1], seed=0)
    module = nn.to_torch(model)
    with torch.no_grad():
        module[0].weight[1, 0] += 1e-9
    x = [[0.4, -0.8]]
    assert not close(model.forward(x[0])[0].data, float(module(torch.tensor(x, dtype=torch.float64)).detach()))


def test_names_line_up_and_the_rng_is_untouched() -> None:
    model = nn.Sequential(nn.Conv2d(1, 2, 2, seed=0), nn.Flatten(), nn.MLP(8, [3, 1], seed=1))
    state = torch.random.get_rng_state()
    module = nn.to_torch(model)
    assert torch.equal(torch.random.get_rng_state(), state)
    names = torch_names(model)
    assert [n for n, _, _ in names] == [n for n, _ in module.named_parameters()]
    assert names[0][1][:2] == ["layers.0.weight.0.0.0.0", "layers.0.weight.0.0.0.1"]
    assert names[2][0] == "2.0.weight" and names[2][1][1] == "layers.2.layers.0.neurons.0.w.1"
    assert all(p.dtype == torch.float64 for p in module.parameters())


# -- round trips ----------------------------------------------------------------------------------------


def random_torch(seed: int) -> Any:
    g = torch.Generator().manual_seed(seed)
    tnn = torch.nn
    acts = [tnn.ReLU, tnn.Tanh, tnn.Sigmoid, lambda: tnn.LeakyReLU(0.01), lambda: tnn.Softplus(threshold=36.0)]
    r = random.Random(seed)
    if seed % 2:
        sizes = [r.randint(1, 5) for _ in range(r.randint(2, 4))]
        layers: list[Any] = []
        for a, b in itertools.pairwise(sizes):
            layers.append(tnn.Linear(a, b, dtype=torch.float64))
            if r.random() < 0.7:
                layers.append(r.choice(acts)())
        module = tnn.Sequential(*layers)
    else:
        module = tnn.Sequential(tnn.Conv2d(2, 3, 3, stride=2, padding=1, dtype=torch.float64), r.choice(acts)(),
                                tnn.MaxPool2d(2), tnn.Identity(), tnn.AvgPool2d(1), tnn.Flatten(),
                                tnn.Sequential(tnn.Linear(12, 4, dtype=torch.float64), r.choice(acts)(),
                                               tnn.Linear(4, 2, dtype=torch.float64)),
                                tnn.Linear(2, 2, dtype=torch.float64), tnn.Tanh(), tnn.Tanh())
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=torch.float64))
    return module


@pytest.mark.parametrize("seed", range(12))
def test_torch_to_deltagrad_to_torch_is_exact(seed: int) -> None:
    module = random_torch(seed)
    ours = nn.from_torch(module)
    again = nn.to_torch(ours)
    assert str(again) == str(module)  # the same structure, module for module
    a, b = module.state_dict(), again.state_dict()
    assert list(a) == list(b)
    assert all(torch.equal(a[k], b[k]) for k in a)  # bit for bit
    x = torch.randn((3, 2, 8, 8) if seed % 2 == 0 else (3, module[0].in_features), dtype=torch.float64,
                    generator=torch.Generator().manual_seed(seed))
    assert torch.equal(module(x), again(x))
    inputs = x.tolist()
    got = module(x).reshape(3, -1).tolist()
    for row, sample in zip(got, inputs, strict=True):
        out = ours(sample)
        mine = [out] if isinstance(out, Value) else nn.Flatten()(out)
        assert all(close(m.data, t) for m, t in zip(mine, row, strict=True))


def test_a_linear_stack_comes_back_as_an_mlp() -> None:
    module = torch.nn.Sequential(torch.nn.Linear(2, 3, dtype=torch.float64), torch.nn.Tanh(),
                                 torch.nn.Linear(3, 1, dtype=torch.float64))
    model = nn.from_torch(module)
    assert type(model) is nn.MLP and model.architecture()["activations"] == ["tanh", "linear"]
    assert type(nn.from_torch(torch.nn.Linear(2, 2, dtype=torch.float64))) is nn.Layer


# -- refusals, by name ------------------------------------------------------------------------------------


def d(module: Any) -> Any:
    return module.double()


REFUSED = [
    (lambda: torch.nn.Sequential(d(torch.nn.Linear(2, 2)), torch.nn.Dropout()), r"'1' is a torch.*Dropout"),
    (lambda: torch.nn.Sequential(d(torch.nn.Linear(2, 2)), d(torch.nn.BatchNorm1d(2))), r"'1' is a .*BatchNorm1d"),
    (lambda: torch.nn.Linear(2, 2), r"torch.float32 parameters.*double\(\)"),
    (lambda: d(torch.nn.Linear(2, 2, bias=False)), r"no bias \(bias=False\)"),
    (lambda: d(torch.nn.Conv2d(2, 2, 3, groups=2)), r"groups=1"),
    (lambda: d(torch.nn.Conv2d(2, 2, 3, dilation=2)), r"dilation"),
    (lambda: d(torch.nn.Conv2d(2, 2, 3, padding="same")), r"int padding"),
    (lambda: d(torch.nn.Conv2d(2, 2, 3, padding=1, padding_mode="reflect")), r"padding_mode='reflect'"),
    (lambda: d(torch.nn.Conv2d(2, 2, (3, 2))), r"kernel_size=\(3, 2\)"),
    (lambda: d(torch.nn.Conv2d(2, 2, 3, stride=(1, 2))), r"stride=\(1, 2\)"),
    (lambda: torch.nn.LeakyReLU(0.2), r"negative_slope=0.2"),
    (lambda: torch.nn.Softplus(), r"threshold=20.*set module.threshold = 36"),
    (lambda: torch.nn.Softplus(beta=2.0, threshold=40.0), r"beta=2.0"),
    (lambda: torch.nn.MaxPool2d(2, padding=1), r"no padding"),
    (lambda: torch.nn.MaxPool2d(2, ceil_mode=True), r"ceil_mode"),
    (lambda: torch.nn.AvgPool2d(2, divisor_override=3), r"divisor_override"),
    (lambda: torch.nn.Flatten(0), r"start_dim=0"),
    (lambda: torch.nn.Sequential(), r"empty Sequential"),
    (lambda: torch.nn.Sequential(torch.nn.Sequential(torch.nn.GELU())), r"'0.0' is a .*GELU"),
    (lambda: torch.nn.Softplus(threshold=float("inf")), r"from 36 to 709 \(above 709 .* overflows"),
    (lambda: torch.nn.Linear(2, 2, device="meta", dtype=torch.float64), r"the module is on the meta device"),
    (lambda: torch.nn.Linear(2, 2, dtype=torch.complex128), r"complex128 parameters; deltagrad's numbers are real"),
    (lambda: torch.nn.ModuleList([torch.nn.ReLU()]), r"the module is a torch.*ModuleList"),
    (lambda: type("MyLinear", (torch.nn.Linear,), {})(2, 2, dtype=torch.float64),
     r"a subclass of torch.nn.Linear \(MyLinear\)"),
]


@pytest.mark.parametrize(("make", "message"), REFUSED, ids=[m for _, m in REFUSED])
def test_from_torch_refuses_what_would_compute_otherwise(make: Any, message: str) -> None:
    with pytest.raises(ExportError, match="nn.from_torch: .*" + message):
        nn.from_torch(make())


def test_from_torch_refuses_hooks_tied_weights_nan_and_non_modules() -> None:
    lin = d(torch.nn.Linear(2, 2))
    with pytest.raises(ExportError, match=r"'0.weight' again \(tied weights\)|tied"):
        nn.from_torch(torch.nn.Sequential(lin, torch.nn.ReLU(), lin))
    hooked = d(torch.nn.Linear(2, 2))
    hooked.register_forward_hook(lambda m, i, o: o * 2)
    with pytest.raises(ExportError, match="'1' has forward hooks"):
        nn.from_torch(torch.nn.Sequential(torch.nn.Tanh(), hooked))
    bad = d(torch.nn.Linear(2, 2))
    with torch.no_grad():
        bad.weight[0, 1] = float("nan")
    with pytest.raises(ExportError, match="nan; only finite"):
        nn.from_torch(bad)
    with pytest.raises(TypeError, match=r"expected a torch\.nn\.Module"):
        nn.from_torch(nn.MLP(2, [1]))
    float32 = torch.nn.Linear(2, 2)
    layer = nn.from_torch(copy.deepcopy(float32).double())
    assert isinstance(layer, nn.Layer) and layer.neurons[0].w[0].data == float32.weight[0, 0].item()


class Custom(nn.Module):
    def __init__(self) -> None:
        self.w = Value(1.0)

    def __call__(self, x: Any) -> Any:
        return x


def test_to_torch_refuses_by_path_and_class() -> None:
    with pytest.raises(ExportError, match=r"layers.1 is a test_export_torch.Custom|layers.1 is a Custom"):
        nn.to_torch(nn.Sequential(nn.Layer(2, 2), Custom()))
    sub = type("MyMLP", (nn.MLP,), {})(2, [2])
    with pytest.raises(ExportError, match=r"a subclass of nn.MLP \(MyMLP\)"):
        nn.to_torch(sub)
    mixed = nn.Layer(2, 2, seed=0)
    mixed.neurons[1].activation = "tanh"
    with pytest.raises(ExportError, match="mixes activations"):
        nn.to_torch(nn.Sequential(mixed))
    nan = nn.MLP(2, [2, 1], seed=0)
    nan.layers[1].neurons[0].w[1].data = float("nan")
    with pytest.raises(ExportError, match=r"'layers\.1\.neurons\.0\.w\.1' is nan"):
        nn.to_torch(nan)
    tied = nn.MLP(2, [2, 1], seed=0)
    tied.layers[0].neurons[1].w[0] = tied.layers[0].neurons[0].w[0]
    with pytest.raises(ExportError, match="tied weights"):
        nn.to_torch(tied)
    shrunk = nn.MLP(2, [3, 1], seed=0)
    shrunk.layers[0].neurons.pop()
    with pytest.raises(ExportError, match=r"layers\.1 takes 3 inputs but layer 0 gives 2 outputs"):
        nn.to_torch(shrunk)
    computed = nn.MLP(2, [1], seed=0)
    computed.layers[0].neurons[0].w[0] = Value(1.0) * 2
    with pytest.raises(ExportError, match="computed node"):
        nn.to_torch(computed)
    with pytest.raises(TypeError, match="expected an nn model"):
        nn.to_torch(torch.nn.Linear(2, 2))


@pytest.mark.parametrize(("absent", "call"), [("torch", "nn.to_torch(nn.MLP(2, [1]))"),
                                               ("torch", "nn.from_torch(object())"),
                                               ("onnx", "nn.to_onnx(nn.MLP(2, [1]), 'm.onnx')")])
def test_without_the_extra_the_import_error_names_it(absent: str, call: str, tmp_path: Path) -> None:
    code = (f"import sys; sys.modules[{absent!r}] = None\nimport nn\n"
            "assert 'torch' not in sys.modules or sys.modules['torch'] is None\n"
            f"try:\n    {call}\nexcept ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    assert f'pip install "deltagrad[{absent}]"' in out.stdout, out
    assert not (tmp_path / "m.onnx").exists()


def test_importing_nn_imports_neither_torch_nor_onnx() -> None:
    code = "import sys, nn, autograd; print(sorted(m for m in ('torch', 'onnx', 'onnxruntime') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout.strip() == "[]"


def test_from_torch_refuses_a_parameter_whose_shape_disagrees_with_the_attributes() -> None:
    conv = d(torch.nn.Conv2d(2, 2, 2))  # (2, 2, 2, 2): 16 weights
    conv.weight = torch.nn.Parameter(torch.zeros(2, 8, 1, 1, dtype=torch.float64))  # a 1×1 kernel over 8 channels
    with pytest.raises(ExportError, match=r"'0' has a parameter of shape \(2, 8, 1, 1\) where its attributes say "
                                          r"\(2, 2, 2, 2\)"):
        nn.from_torch(torch.nn.Sequential(conv))  # was read as a 2×2 kernel over 2 channels, silently
    lin = d(torch.nn.Linear(4, 2))
    lin.weight = torch.nn.Parameter(torch.zeros(2, 5, dtype=torch.float64))
    with pytest.raises(ExportError, match=r"shape \(2, 5\) where its attributes say \(2, 4\)"):
        nn.from_torch(lin)  # was a bare ValueError from zip


@pytest.mark.parametrize("kind", ["forward", "forward_pre"])
def test_from_torch_refuses_a_global_forward_hook(kind: str) -> None:
    module = d(torch.nn.Linear(2, 1))
    register = getattr(torch.nn.modules.module, f"register_module_{kind}_hook")
    handle = register((lambda m, i, o: o * 2) if kind == "forward" else (lambda m, i: (i[0] * 2,)))
    try:
        x = torch.ones(1, 2, dtype=torch.float64)
        assert module(x).item() != torch.nn.functional.linear(x, module.weight, module.bias).item()  # it does change it
        with pytest.raises(ExportError, match="a global forward hook is registered"):
            nn.from_torch(module)  # was read without it: 2.68 off on random inputs, silently
    finally:
        handle.remove()
    assert isinstance(nn.from_torch(module), nn.Layer)


def test_torch_grads_refuses_what_is_not_a_torch_module() -> None:
    with pytest.raises(TypeError, match=r"torch_grads: expected the torch\.nn\.Module .* got MLP"):
        torch_grads(nn.MLP(2, [1], seed=0), nn.MLP(2, [1], seed=0))  # was a bare AttributeError
