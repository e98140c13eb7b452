"""``to_torch(model)`` and ``from_torch(module)``: the same network in PyTorch (float64), and back.

``to_torch`` builds a ``torch.nn.Sequential`` from the model's layers (``plan``): a ``Layer`` is
``Linear`` (weight[j][i] = w_ij, bias[j] = b_j) followed by its activation module, an ``MLP`` a
``Sequential`` of those, ``Conv2d`` (weight[o][c][r][q]), the pools, ``Flatten`` and the activation
modules (``nn.ReLU()`` …) as themselves. The modules are made with ``torch.nn.utils.skip_init`` and
filled from our floats, so torch's random generator is left alone. It takes ``(batch, nin)`` or ``(batch, C, H, W)``.

``torch_names`` and ``torch_grads`` line the torch module's parameters up with the model's names,
so that gradients can be compared entry by entry. The way back is ``nn.export.fromtorch``.
"""

from __future__ import annotations

from typing import Any

from nn.export import plan as plans
from nn.export.plan import ExportError
from nn.models.module import Module

INSTALL = 'pip install "deltagrad[torch]"'
SOFTPLUS_THRESHOLD = 36.0
"""torch's Softplus returns z itself above its threshold. Beyond 36, ln(1 + eᶻ) = z + e⁻ᶻ with
e⁻ᶻ < 2.4e-16, under half a rounding step of z: our softplus gives z too, the very same float."""


def require_torch(where: str) -> Any:
    """The ``torch`` module, or an ImportError naming ``where`` and the extra to install."""
    try:
        import torch
    except ImportError as e:
        raise ImportError(f"{where} needs PyTorch, which is not installed; install it with {INSTALL}") from e
    return torch


def _activation(torch: Any, name: str) -> Any:
    nn = torch.nn
    return {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "linear": nn.Identity,
            "leaky_relu": lambda: nn.LeakyReLU(0.01),
            "softplus": lambda: nn.Softplus(beta=1.0, threshold=SOFTPLUS_THRESHOLD)}[name]()


def _filled(torch: Any, cls: Any, values: dict[str, list[Any]], *args: Any, **kwargs: Any) -> Any:
    module = torch.nn.utils.skip_init(cls, *args, dtype=torch.float64, **kwargs)
    with torch.no_grad():
        for key, nested in values.items():
            getattr(module, key).copy_(torch.tensor(_data(nested), dtype=torch.float64))
    return module


def _data(nested: Any) -> Any:
    return [_data(v) for v in nested] if isinstance(nested, list) else nested.data


def _pieces(torch: Any, spec: plans.Spec) -> list[Any]:
    nn = torch.nn
    if isinstance(spec, plans.Seq):
        return [nn.Sequential(*(m for part in spec.parts for m in _pieces(torch, part)))]
    if isinstance(spec, plans.Dense):
        linear = _filled(torch, nn.Linear, {"weight": spec.weight, "bias": spec.bias}, len(spec.weight[0]),
                         len(spec.weight))
        return [linear] if spec.activation == "linear" else [linear, _activation(torch, spec.activation)]
    if isinstance(spec, plans.Conv):
        o, c, k = len(spec.weight), len(spec.weight[0]), len(spec.weight[0][0])
        return [_filled(torch, nn.Conv2d, {"weight": spec.weight, "bias": spec.bias}, c, o, k, stride=spec.stride,
                        padding=spec.padding)]
    if isinstance(spec, plans.Pool):
        cls = nn.MaxPool2d if spec.kind == "max" else nn.AvgPool2d
        return [cls(spec.kernel_size, stride=spec.stride)]
    if isinstance(spec, plans.Flat):
        return [nn.Flatten()]
    return [_activation(torch, spec.activation)]


def to_torch(model: Module) -> Any:
    """The model as a ``torch.nn.Sequential`` in float64 with the same weights (see the module docstring)."""
    spec = plans.plan(model, "nn.to_torch")
    torch = require_torch("nn.to_torch")
    pieces = _pieces(torch, spec)
    return pieces[0] if isinstance(spec, plans.Seq) else torch.nn.Sequential(*pieces)


def torch_names(model: Module) -> list[tuple[str, list[str], list[int]]]:
    """``(torch parameter name, our parameter name of each entry in row-major order, shape)`` for
    the module ``to_torch(model)`` builds: how its parameters line up with ``model.named_parameters()``."""
    spec = plans.plan(model, "nn.export.torch_names")
    ours = {id(p): name for name, p in model.named_parameters()}
    out: list[tuple[str, list[str], list[int]]] = []

    def walk(s: plans.Spec, prefix: str, index: list[int]) -> None:
        if isinstance(s, plans.Seq):
            inner = [0]
            for part in s.parts:
                walk(part, f"{prefix}{index[0]}." if prefix or s is not spec else "", inner)
            index[0] += 1
            return
        if isinstance(s, (plans.Dense, plans.Conv)):
            for key, nested in (("weight", s.weight), ("bias", s.bias)):
                out.append((f"{prefix}{index[0]}.{key}", [ours[id(v)] for v in plans.flat(nested)], _shape(nested)))
        index[0] += 1 if not isinstance(s, plans.Dense) or s.activation == "linear" else 2

    walk(spec, "", [0])
    return out


def _shape(nested: Any) -> list[int]:
    dims = []
    while isinstance(nested, list):
        dims.append(len(nested))
        nested = nested[0]
    return dims


def torch_grads(model: Module, module: Any) -> dict[str, float]:
    """The gradients held by ``module`` (made by ``to_torch(model)``), keyed by ``model``'s parameter names,
    so that they can be compared with ``{name: p.grad for name, p in model.named_parameters()}``."""
    torch = require_torch("nn.export.torch_grads")
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"nn.export.torch_grads: expected the torch.nn.Module that nn.to_torch(model) made, got "
                        f"{type(module).__name__}")
    params = dict(module.named_parameters())
    grads: dict[str, float] = {}
    for tname, names, shape in torch_names(model):
        p = params.get(tname)
        if p is None or list(p.shape) != shape:
            raise ExportError(f"nn.export.torch_grads: the torch module has no parameter {tname!r} of shape {shape}; "
                              "pass the module that nn.to_torch(model) made")
        flat = [0.0] * len(names) if p.grad is None else p.grad.detach().reshape(-1).tolist()
        grads.update(zip(names, flat, strict=True))
    return grads
