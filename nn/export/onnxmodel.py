"""``to_onnx(model, path)``: a model as a layer-level ONNX file in float64, for onnxruntime.

One graph input ``x`` with a batch dimension: ``(batch, nin)`` for a network that starts with a
dense layer, ``(batch, C, height, width)`` for one that starts with a convolution (``input_shape``
gives it when the model starts otherwise, e.g. with ``Flatten``). One output ``y``. The layers:

* dense: ``Gemm`` (y = x Wᵀ + b, W[j][i] = w_ij) and its activation;
* ``MaxPool2d``: ``MaxPool``, NaN for a window holding a NaN; ``Flatten``: ``Flatten`` (axis 1);
* ``Conv2d`` and ``AvgPool2d`` as their windows: onnxruntime has no float64 ``Conv`` or
  ``AveragePool`` kernel, so each window position (r, q) of the kernel is a strided ``Slice`` of
  the (zero-padded) input, and the convolution is z_oij = Σ_{c,r,q} w_ocrq x_c,(i·s+r−p),(j·s+q−p) + b_o
  as one ``MatMul`` over the stacked windows (an average pool: their ``Sum`` times 1/k²) — the
  same formula, in float64, that onnxruntime runs on any image size;
* activations: ``Relu``, ``Tanh``; sigmoid, leaky_relu and softplus from ``builder``'s
  float64 formulas, linear as nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from autograd.export.builder import Graph
from nn.export import plan as plans
from nn.export.plan import ExportError
from nn.models.module import Module

_END = 2 ** 63 - 1  # Slice's "to the end"
_SIMPLE = {"relu": "Relu", "tanh": "Tanh"}


def _leaves(spec: plans.Spec) -> list[plans.Spec]:
    return [s for part in spec.parts for s in _leaves(part)] if isinstance(spec, plans.Seq) else [spec]


def _activate(g: Graph, x: str, name: str) -> str:
    if name in _SIMPLE:
        return g.node(_SIMPLE[name], [x])
    if name == "leaky_relu":
        return g.leaky_relu(x, 0.01)
    if name == "softplus":
        return g.softplus(x)
    if name == "sigmoid":
        return g.sigmoid(x)
    return x  # linear


def _windows(g: Graph, x: str, k: int, s: int) -> list[str]:
    """The k² strided views x[:, :, r::s, q::s] cut to the output size, in window order (r, q)."""
    out = []
    for r in range(k):
        for q in range(k):
            ends = [-(k - 1 - r) or _END, -(k - 1 - q) or _END]
            out.append(g.node("Slice", [x, g.ints([r, q]), g.ints(ends), g.ints([2, 3]), g.ints([s, s])]))
    return out


def _conv(g: Graph, x: str, spec: plans.Conv) -> str:
    o, c, k = len(spec.weight), len(spec.weight[0]), len(spec.weight[0][0])
    if spec.padding:
        p = spec.padding
        x = g.node("Pad", [x, g.ints([0, 0, p, p, 0, 0, p, p])])
    axis = g.ints([4])
    stacked = g.node("Concat", [g.node("Unsqueeze", [w, axis]) for w in _windows(g, x, k, spec.stride)], axis=4)
    rows = g.node("Reshape", [g.node("Transpose", [stacked], perm=[0, 2, 3, 1, 4]), g.ints([0, 0, 0, -1])])
    # W as a (C·k·k) × O matrix, row c·k² + r·k + q: the window order of the stacked columns
    flat = [[float(v.data) for v in plans.flat(f)] for f in spec.weight]
    weight = g.tensor([flat[oo][t] for t in range(c * k * k) for oo in range(o)], [c * k * k, o],
                      doc=f"{spec.path or 'conv'}.weight")
    bias = g.tensor([b.data for b in spec.bias], [o], doc=f"{spec.path or 'conv'}.bias")
    z = g.node("Add", [g.node("MatMul", [rows, weight]), bias])
    return g.node("Transpose", [z], perm=[0, 3, 1, 2])


def _pool(g: Graph, x: str, spec: plans.Pool) -> str:
    """Max pooling as ``MaxPool`` (NaN where the window holds a NaN); average pooling as (1/k²) Σ of the k²
    strided windows (as ``AvgPool2d``)."""
    k, s = spec.kernel_size, spec.stride
    if spec.kind == "max":  # NaN if the window holds one (as torch; onnxruntime's MaxPool skips a NaN after the first)
        pool = g.node("MaxPool", [x], kernel_shape=[k, k], strides=[s, s])
        nans = g.node("MaxPool", [g.node("Cast", [g.node("IsNaN", [x])], to=g.onnx.TensorProto.DOUBLE)],
                      kernel_shape=[k, k], strides=[s, s])
        return g.node("Where", [g.node("Greater", [nans, g.scalar(0.0)]), g.scalar(float("nan")), pool])
    windows = _windows(g, x, k, s)
    total = g.node("Sum", windows) if len(windows) > 1 else windows[0]
    return g.times(total, g.scalar(1.0 / k ** 2))


def _input_shape(leaves: list[plans.Spec], given: Any, where: str) -> list[Any]:
    if given is not None:
        dims = tuple(given) if isinstance(given, (tuple, list)) else None
        if dims is None or len(dims) not in (1, 3) or any(isinstance(d, bool) or not isinstance(d, int) or d < 1
                                                           for d in dims):
            raise ValueError(f"{where}: input_shape must be (nin,) or (C, H, W) of positive ints, without the batch; "
                             f"got {given!r}")
        return ["batch", *dims]
    for s in leaves:
        if isinstance(s, plans.Dense):
            return ["batch", len(s.weight[0])]
        if isinstance(s, plans.Conv):
            return ["batch", len(s.weight[0]), "height", "width"]
        if not isinstance(s, plans.Act):
            break
    raise ValueError(f"{where}: the model does not start with a dense layer or a convolution, so its input shape is "
                     "unknown; pass input_shape=(nin,) or (C, H, W)")


def _check_sizes(leaves: list[plans.Spec], shape: list[Any], where: str) -> None:
    """Refuse, naming the layer, an input size that a layer cannot take (known sizes only; ``shape``
    without the batch, 'height'/'width' unknown): otherwise ``onnx.checker`` fails deep inside, or a
    file is written for a pool wider than its image, where the model itself raises."""
    dims: list[Any] = [d if isinstance(d, int) else None for d in shape]
    for s in leaves:
        name = repr(s.path or "the model")
        if isinstance(s, plans.Dense) and len(dims) == 1 and dims[0] is not None and dims[0] != len(s.weight[0]):
            raise ValueError(f"{where}: the dense layer {name} takes {len(s.weight[0])} inputs but gets {dims[0]}")
        if isinstance(s, plans.Dense):
            dims = [len(s.weight)]
        elif isinstance(s, plans.Flat) and len(dims) == 3:
            dims = [dims[0] * dims[1] * dims[2] if None not in dims else None]
        elif isinstance(s, (plans.Conv, plans.Pool)) and len(dims) == 3:
            k, st, pad = ((len(s.weight[0][0]), s.stride, s.padding) if isinstance(s, plans.Conv)
                          else (s.kernel_size, s.stride, 0))
            if isinstance(s, plans.Conv) and dims[0] is not None and dims[0] != len(s.weight[0]):
                raise ValueError(f"{where}: {name} takes {len(s.weight[0])} channel(s) but gets {dims[0]}")
            if any(d is not None and d + 2 * pad < k for d in dims[1:]):
                raise ValueError(f"{where}: {name} has a {k}×{k} window but gets a {dims[1]}×{dims[2]} image "
                                 f"(padding {pad}); pass a larger input_shape")
            sizes = [None if d is None else (d + 2 * pad - k) // st + 1 for d in dims[1:]]
            dims = [len(s.weight) if isinstance(s, plans.Conv) else dims[0], *sizes]


def to_onnx(model: Module, path: str | os.PathLike[str], *, input_shape: tuple[int, ...] | None = None) -> Path:
    """Write ``model`` to the ONNX file ``path`` (float64, checked by ``onnx.checker``, atomically); return it."""
    where = "nn.to_onnx"
    leaves = _leaves(plans.plan(model, where))
    shape = _input_shape(leaves, input_shape, where)
    _check_sizes(leaves, shape[1:], where)
    g = Graph(where)
    x, rank, out_shape = "x", len(shape), list(shape)
    for s in leaves:
        if isinstance(s, plans.Dense):
            if rank != 2:
                raise ExportError(f"{where}: the dense layer {s.path or '(the model)'!r} gets an image; put a Flatten "
                                  "before it")
            nout, nin = len(s.weight), len(s.weight[0])
            w = g.tensor([v.data for row in s.weight for v in row], [nout, nin], doc=f"{s.path or 'dense'}.weight")
            b = g.tensor([v.data for v in s.bias], [nout], doc=f"{s.path or 'dense'}.bias")
            x = _activate(g, g.node("Gemm", [x, w, b], transB=1), s.activation)
            out_shape = ["batch", nout]
        elif isinstance(s, plans.Act):
            x = _activate(g, x, s.activation)
        elif isinstance(s, plans.Flat):
            if rank == 4:
                x, rank, out_shape = g.node("Flatten", [x], axis=1), 2, ["batch", None]
        else:
            if rank != 4:
                raise ExportError(f"{where}: {s.path or 'the model'!r} needs an image (batch, C, H, W) but gets a "
                                  "vector")
            if isinstance(s, plans.Conv):
                x, out_shape = _conv(g, x, s), ["batch", len(s.weight), None, None]
            elif isinstance(s, plans.Pool):
                x, out_shape = _pool(g, x, s), [*out_shape[:2], None, None]
    g.node("Identity", [x], out="y")
    return g.save(path, [g.value_info("x", shape, doc="the input, a batch of samples")],
                  [g.value_info("y", out_shape, doc="the model's output")], "deltagrad_model",
                  f"deltagrad model {type(model).__name__}: {model!r}"[:2000])
