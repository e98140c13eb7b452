"""A model read as layers: the one description that ``to_torch`` and ``to_onnx`` both build from.

``plan(model)`` walks an ``nn`` model and returns a tree of layer specs, refusing — by the module's
path and class, before anything is built — what the other side could not compute the same way:

* ``Dense``: a ``Layer`` (or a ``Neuron``, one row): z_j = Σ_i w_ij x_i + b_j, y_j = f(z_j), all
  neurons with the same activation and ``nin`` weights — torch's ``Linear`` + the activation;
* ``Conv``: ``Conv2d``, z_oij = Σ_{c,r,q} w_ocrq x_c,(i·s+r−p),(j·s+q−p) + b_o;
* ``Pool`` (max or average), ``Flatten``, ``Act`` (``nn.ReLU()`` and the other activation modules:
  y = f(x) elementwise);
* ``Seq``: an ``MLP`` (its layers) or a ``Sequential`` (its modules), in order.

Only the classes ``nn`` ships are read, by exact type: a subclass may compute something else.
Every parameter must be a finite leaf used once (a NaN weight is refused as ``save`` refuses it;
a weight shared between two places would be two parameters in torch, with other gradients).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Union

import nn.models.activations as acts
from autograd import Value
from autograd.errors import DeltagradError
from nn.models.activations import Activate
from nn.models.conv import AvgPool2d, Conv2d, Flatten, MaxPool2d
from nn.models.layers import MLP, Layer, Neuron
from nn.models.module import Module
from nn.models.sequential import Sequential

SUPPORTED = ("MLP, Layer, Neuron, Sequential, Conv2d, MaxPool2d, AvgPool2d, Flatten and the activations nn.ReLU, "
             "nn.Tanh, nn.Sigmoid, nn.LeakyReLU, nn.Softplus, nn.Identity")


SHIPPED = (MLP, Layer, Neuron, Sequential, Conv2d, MaxPool2d, AvgPool2d, Flatten, *acts.MODULES.values(), Activate)


class ExportError(DeltagradError, TypeError):
    """A model (or a torch module) has a part that cannot be carried over with the same numbers."""


@dataclass(frozen=True)
class Dense:
    path: str
    weight: list[list[Value]]  # [out][in]: w_ij is weight[j][i]
    bias: list[Value]
    activation: str  # a name of nn.activations; 'linear' adds no activation module


@dataclass(frozen=True)
class Conv:
    path: str
    weight: list[list[list[list[Value]]]]  # [out][in][row][column]
    bias: list[Value]
    stride: int
    padding: int


@dataclass(frozen=True)
class Pool:
    path: str
    kind: str  # 'max' or 'avg'
    kernel_size: int
    stride: int


@dataclass(frozen=True)
class Flat:
    path: str


@dataclass(frozen=True)
class Act:
    path: str
    activation: str


@dataclass(frozen=True)
class Seq:
    path: str
    parts: list[Spec]


Spec = Union[Dense, Conv, Pool, Flat, Act, Seq]


def _where(path: str) -> str:
    return f"the model's {path}" if path else "the model"


def _dense(path: str, neurons: list[Any], nin: int) -> Dense:
    acts_seen = set()
    for j, n in enumerate(neurons):
        if type(n) is not Neuron:
            raise ExportError(f"{_where(f'{path}.neurons.{j}' if path else f'neurons.{j}')} is a "
                              f"{type(n).__qualname__}, not an nn.Neuron; it cannot be exported")
        if len(n.w) != nin:
            raise ExportError(f"{_where(path)}: neuron {j} has {len(n.w)} weights but the layer has {nin} inputs")
        acts_seen.add(n.activation)
    if len(acts_seen) > 1:
        raise ExportError(f"{_where(path)} mixes activations ({', '.join(sorted(acts_seen))}); a torch Linear layer "
                          "is followed by one activation: give every neuron the same one")
    return Dense(path, [list(n.w) for n in neurons], [n.b for n in neurons], acts_seen.pop())


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _spec(m: Any, path: str) -> Spec:
    kind = type(m)
    if kind is MLP:
        parts = [_spec(layer, _join(path, f"layers.{k}")) for k, layer in enumerate(m.layers)]
        for k in range(1, len(parts)):
            before, after = parts[k - 1], parts[k]
            if isinstance(before, Dense) and isinstance(after, Dense) and len(after.weight[0]) != len(before.weight):
                raise ExportError(f"{_where(after.path)} takes {len(after.weight[0])} inputs but layer {k - 1} gives "
                                  f"{len(before.weight)} outputs (a neuron was added or removed?)")
        return Seq(path, parts)
    if kind is Sequential:
        return Seq(path, [_spec(part, _join(path, f"layers.{k}")) for k, part in enumerate(m.layers)])
    if kind is Layer:
        return _dense(path, m.neurons, m.nin)
    if kind is Neuron:
        return _dense(path, [m], len(m.w))
    if kind is Conv2d:
        return Conv(path, m.weight, m.bias, m.stride, m.padding)
    if kind is MaxPool2d or kind is AvgPool2d:
        return Pool(path, "max" if kind is MaxPool2d else "avg", m.kernel_size, m.stride)
    if kind is Flatten:
        return Flat(path)
    if kind in acts.MODULES.values() and acts.MODULES[m.kind] is kind:  # nn.ReLU(), nn.Tanh(), … themselves
        return Act(path, m.kind)
    base = next((c for c in SHIPPED if isinstance(m, c)), None)
    shown = f"a subclass of nn.{base.__name__} ({kind.__qualname__})" if base is not None else f"a {kind.__qualname__}"
    raise ExportError(f"{_where(path)} is {shown}, which cannot be exported (it may compute something else); "
                      f"supported: {SUPPORTED}")


def parameters_of(spec: Spec) -> list[tuple[str, str, list[Any]]]:
    """``(spec path, 'weight' or 'bias', nested Values)`` of every layer with parameters, in order."""
    if isinstance(spec, Seq):
        return [item for part in spec.parts for item in parameters_of(part)]
    if isinstance(spec, (Dense, Conv)):
        return [(spec.path, "weight", spec.weight), (spec.path, "bias", spec.bias)]
    return []


def flat(values: Any) -> list[Any]:
    """A nested list's items in row-major order."""
    if isinstance(values, list):
        return [v for item in values for v in flat(item)]
    return [values]


def plan(model: Any, where: str) -> Spec:
    """The layer specs of ``model``; ``ExportError`` naming the first part that cannot be exported."""
    if not isinstance(model, Module):
        raise TypeError(f"{where}: expected an nn model (an nn.Module such as nn.MLP), got {type(model).__name__}")
    try:
        spec = _spec(model, "")
    except ExportError as e:
        raise ExportError(f"{where}: {e}") from None
    names = {id(p): name for name, p in model.named_parameters()}
    seen: set[int] = set()
    for path, kind, values in parameters_of(spec):
        for k, v in enumerate(flat(values)):
            shown = names.get(id(v), f"{path}.{kind}[{k}]")
            if not isinstance(v, Value) or not v.is_leaf:
                what = "a computed node" if isinstance(v, Value) else f"a {type(v).__name__}"
                raise ExportError(f"{where}: parameter {shown!r} is {what}, not a leaf Value; only leaves can be "
                                  "exported as weights")
            if id(v) in seen:
                raise ExportError(f"{where}: parameter {shown!r} is used in two places (tied weights); the export "
                                  "would make two separate parameters with other gradients: untie it first")
            seen.add(id(v))
            if not math.isfinite(v.data):
                raise ExportError(f"{where}: parameter {shown!r} is {v.data!r}; only finite weights are exported "
                                  "(training diverged?)")
    return spec
