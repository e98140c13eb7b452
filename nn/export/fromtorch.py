"""``from_torch(module)``: a PyTorch module read back as an ``nn`` model with the same weights.

The module is read by exact class and attributes, and anything whose numbers would differ is
refused, naming its path in the module (``'3.1'``) and its class: a ``Sequential`` of ``Linear``
layers, each followed by at most one activation, becomes an ``MLP``; another ``Sequential`` an
``nn.Sequential`` (a ``Linear`` and the activation after it folded into one ``Layer``); ``Conv2d``,
``MaxPool2d``, ``AvgPool2d``, ``Flatten`` and the activations (ReLU, Tanh, Sigmoid, LeakyReLU(0.01),
Softplus(beta=1, 36 ≤ threshold ≤ 709), Identity) their ``nn`` namesakes. Parameters must be float64 and
finite, and every layer must have a bias. The weights are taken as they are, float for float, so
``to_torch(from_torch(m))`` has m's structure and weights bit for bit.
"""

from __future__ import annotations

import math
from typing import Any

from nn.export import plan as plans
from nn.export.plan import ExportError
from nn.export.pytorch import SOFTPLUS_THRESHOLD, require_torch
from nn.models.activations import Activate
from nn.models.conv import AvgPool2d, Conv2d, Flatten, MaxPool2d
from nn.models.layers import MLP, Layer
from nn.models.module import Module
from nn.models.sequential import Sequential

SOFTPLUS_MAX = 709.0
"""Above its threshold torch's Softplus computes ln(1 + eᶻ) as log1p(exp(z)), which overflows to inf past
z ≈ 709.78 where ours gives z: a threshold above 709 would be silently wrong there."""

SUPPORTED = ("Sequential, Linear, Conv2d, MaxPool2d, AvgPool2d, Flatten, ReLU, Tanh, Sigmoid, LeakyReLU(0.01), "
             f"Softplus({SOFTPLUS_THRESHOLD:g}<=threshold<={SOFTPLUS_MAX:g}), Identity")


def _at(path: str) -> str:
    """How a message names the module at ``path`` (``''`` is the module handed in)."""
    return f"module {path!r}" if path else "the module"


def _act_name(torch: Any, m: Any, path: str) -> str | None:
    """Our activation's name for an activation module ``m`` (None if it is none), refusing a mismatch."""
    nn = torch.nn
    kind = type(m)
    simple = {nn.ReLU: "relu", nn.Tanh: "tanh", nn.Sigmoid: "sigmoid", nn.Identity: "linear"}
    if kind in simple:
        return simple[kind]
    if kind is nn.LeakyReLU:
        if m.negative_slope != 0.01:
            raise ExportError(f"{_at(path)} is LeakyReLU(negative_slope={m.negative_slope}); deltagrad's "
                              "leaky_relu has slope 0.01")
        return "leaky_relu"
    if kind is nn.Softplus:
        if m.beta != 1 or not SOFTPLUS_THRESHOLD <= m.threshold <= SOFTPLUS_MAX:
            off = (f"below it torch returns z itself, up to {math.exp(-m.threshold):.2g} off" if m.threshold < 36
                   else "above 709 torch's log1p(exp(z)) overflows to inf where ln(1 + eᶻ) is z")
            raise ExportError(f"{_at(path)} is Softplus(beta={m.beta}, threshold={m.threshold}); deltagrad's "
                              f"softplus is ln(1 + eᶻ) with beta 1, which equals torch's only for a threshold from "
                              f"{SOFTPLUS_THRESHOLD:g} to {SOFTPLUS_MAX:g} ({off}): set module.threshold = "
                              f"{SOFTPLUS_THRESHOLD:g}")
        return "softplus"
    return None


def _tensor(torch: Any, t: Any, path: str, shape: tuple[int, ...]) -> list[Any]:
    """The values of parameter ``t``, which must have ``shape`` (what the module's attributes say)."""
    if t is None:
        raise ExportError(f"{_at(path)} has no bias (bias=False); deltagrad's layers always have one: make it "
                          "with bias=True (a zero bias computes the same)")
    if t.is_meta:
        raise ExportError(f"{_at(path)} is on the meta device: its parameters have no values yet (load them first)")
    if t.is_complex():
        raise ExportError(f"{_at(path)} holds {t.dtype} parameters; deltagrad's numbers are real")
    if t.dtype != torch.float64:
        raise ExportError(f"{_at(path)} holds {t.dtype} parameters; deltagrad computes in float64: convert a copy "
                          "explicitly, from_torch(copy.deepcopy(module).double()) (every float32 is exactly a "
                          "float64; outputs then differ from the float32 module's by its rounding)")
    if tuple(t.shape) != shape:
        raise ExportError(f"{_at(path)} has a parameter of shape {tuple(t.shape)} where its attributes say {shape} "
                          "(was it replaced by hand?); torch computes with the tensor, deltagrad would read the "
                          "attributes: make the module again with the right sizes")
    values = t.detach().cpu().tolist()
    for v in plans.flat(values):
        if not math.isfinite(v):
            raise ExportError(f"{_at(path)} has a parameter that is {v!r}; only finite weights are imported")
    return values


def _same(value: Any, what: str, path: str, module: Any) -> int:
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or pair[0] != pair[1] or not isinstance(pair[0], int):
        raise ExportError(f"{_at(path)} ({module}) has {what}={value!r}; deltagrad needs one int for both sides")
    return int(pair[0])


def _conv(torch: Any, m: Any, path: str) -> Conv2d:
    k = _same(m.kernel_size, "kernel_size", path, m)
    pad = m.padding if m.padding != "valid" else 0
    if isinstance(pad, str) or _same(m.dilation, "dilation", path, m) != 1 or m.groups != 1 \
            or m.padding_mode != "zeros":
        raise ExportError(f"{_at(path)} is {m} (padding_mode={m.padding_mode!r}); deltagrad's Conv2d supports "
                          "stride and zero padding only: groups=1, dilation=1 and an int padding")
    conv = Conv2d(m.in_channels, m.out_channels, k, _same(m.stride, "stride", path, m), _same(pad, "padding", path, m),
                  seed=0)
    weights = _tensor(torch, m.weight, path, (m.out_channels, m.in_channels, k, k))
    bias = _tensor(torch, m.bias, path, (m.out_channels,))
    for p, v in zip(plans.flat(conv.weight), plans.flat(weights), strict=True):
        p.data = v
    for p, v in zip(conv.bias, bias, strict=True):
        p.data = v
    return conv


def _pool(torch: Any, m: Any, path: str) -> Module:
    k = _same(m.kernel_size, "kernel_size", path, m)
    s = _same(k if m.stride is None else m.stride, "stride", path, m)
    fine = _same(m.padding, "padding", path, m) == 0 and not m.ceil_mode
    if type(m) is torch.nn.MaxPool2d:
        fine = fine and _same(m.dilation, "dilation", path, m) == 1 and not m.return_indices
        return MaxPool2d(k, s) if fine else _refuse_pool(m, path)
    fine = fine and m.divisor_override is None
    return AvgPool2d(k, s) if fine else _refuse_pool(m, path)


def _refuse_pool(m: Any, path: str) -> Module:
    raise ExportError(f"{_at(path)} is {m}; deltagrad's pools have no padding, dilation, ceil_mode, returned "
                      "indices or divisor_override")


def _fill(torch: Any, layer: Layer, m: Any, path: str) -> Layer:
    """Set ``layer``'s weights from torch's ``Linear`` ``m`` (w_ij = weight[j][i], b_j = bias[j])."""
    weights = _tensor(torch, m.weight, path, (m.out_features, m.in_features))
    bias = _tensor(torch, m.bias, path, (m.out_features,))
    for neuron, row, b in zip(layer.neurons, weights, bias, strict=True):
        for p, v in zip(neuron.w, row, strict=True):
            p.data = v
        neuron.b.data = b
    return layer


def _mlp(torch: Any, items: list[tuple[str, Any]]) -> MLP | None:
    """An ``MLP`` when ``items`` are Linear layers, each followed by at most one (non-identity) activation,
    whose sizes chain; else None."""
    layers: list[tuple[str, Any, str]] = []
    for path, m in items:
        if type(m) is torch.nn.Linear:
            layers.append((path, m, "linear"))
            continue
        name = _act_name(torch, m, path)
        if name in (None, "linear") or not layers or layers[-1][2] != "linear":
            return None
        layers[-1] = (*layers[-1][:2], str(name))
    sizes = [layers[0][1].in_features, *(m.out_features for _, m, _ in layers)]
    if any(m.in_features != sizes[k] for k, (_, m, _) in enumerate(layers)):
        return None
    model = MLP(sizes[0], sizes[1:], activations=[a for _, _, a in layers], seed=0)
    for layer, (path, m, _) in zip(model.layers, layers, strict=True):
        _fill(torch, layer, m, path)
    return model


def _sequential(torch: Any, m: Any, path: str) -> Module:
    items = [(f"{path}.{name}" if path else name, child) for name, child in m.named_children()]
    if not items:
        raise ExportError(f"{_at(path)} is an empty Sequential; there is nothing to convert")
    model = _mlp(torch, items)
    if model is not None:
        return model
    modules: list[Module] = []
    k = 0
    while k < len(items):
        p, child = items[k]
        if type(child) is torch.nn.Linear:
            after = _act_name(torch, items[k + 1][1], items[k + 1][0]) if k + 1 < len(items) else None
            fold = after not in (None, "linear")
            layer = Layer(child.in_features, child.out_features, activation=after if fold else "linear", seed=0)
            modules.append(_fill(torch, layer, child, p))
            k += 2 if fold else 1
            continue
        modules.append(_convert(torch, child, p))
        k += 1
    return Sequential(*modules)


def _check(torch: Any, m: Any) -> None:
    """Refuse, anywhere in ``m`` or globally, forward hooks (they change what a module computes) and a parameter
    reached twice (tied weights: one parameter in torch, two with other gradients in deltagrad)."""
    hooks = torch.nn.modules.module
    if getattr(hooks, "_global_forward_hooks", None) or getattr(hooks, "_global_forward_pre_hooks", None):
        raise ExportError("a global forward hook is registered (torch.nn.modules.module.register_module_forward_hook "
                          "or ..._pre_hook), which changes what every module computes; remove it first")
    for sub_path, sub in m.named_modules(remove_duplicate=False):
        if sub._forward_hooks or sub._forward_pre_hooks:
            raise ExportError(f"{_at(sub_path)} has forward hooks, which change what it computes; "
                              "remove them first")
    seen: dict[int, str] = {}
    for name, p in m.named_parameters(remove_duplicate=False):
        if id(p) in seen:
            raise ExportError(f"parameter {name!r} is {seen[id(p)]!r} again (tied weights); deltagrad would make two "
                              "parameters of it, with other gradients: untie them first")
        seen[id(p)] = name


def _convert(torch: Any, m: Any, path: str) -> Module:
    nn = torch.nn
    kind = type(m)
    if kind is nn.Sequential:
        return _sequential(torch, m, path)
    if kind is nn.Linear:
        return _fill(torch, Layer(m.in_features, m.out_features, activation="linear", seed=0), m, path)
    if kind is nn.Conv2d:
        return _conv(torch, m, path)
    if kind is nn.MaxPool2d or kind is nn.AvgPool2d:
        return _pool(torch, m, path)
    if kind is nn.Flatten:
        if (m.start_dim, m.end_dim) != (1, -1):
            raise ExportError(f"{_at(path)} is Flatten(start_dim={m.start_dim}, end_dim={m.end_dim}); deltagrad's "
                              "Flatten keeps the batch and flattens the rest (start_dim=1, end_dim=-1)")
        return Flatten()
    name = _act_name(torch, m, path)
    if name is not None:
        return Activate(name)
    shown = next((f"a subclass of torch.nn.{c.__name__} ({kind.__qualname__})" for c in kind.__mro__[1:]
                  if c.__module__.startswith("torch.nn") and c.__name__ in SUPPORTED), None)
    raise ExportError(f"{_at(path)} is {shown or f'a {kind.__module__}.{kind.__qualname__}'}, which "
                      f"deltagrad has no equivalent for; supported: {SUPPORTED}")


def from_torch(module: Any) -> Module:
    """An ``nn`` model with ``module``'s structure and weights (see the module docstring)."""
    torch = require_torch("nn.from_torch")
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"nn.from_torch: expected a torch.nn.Module, got {type(module).__name__}")
    try:
        _check(torch, module)
        return _convert(torch, module, "")
    except ExportError as e:
        raise ExportError(f"nn.from_torch: {e}") from None
