"""Images on ``Value`` nodes: ``Conv2d``, ``MaxPool2d``, ``AvgPool2d`` and ``Flatten``.

(The activations, ``nn.ReLU()`` and its friends, are modules of ``nn.models.activations``.)

An image is a nested list ``[channel][row][column]`` of ``Value`` nodes or plain numbers. A
convolution's output at channel o, row i, column j is one neuron over its window,

    z_oij = Σ_c Σ_r Σ_q w_ocrq · x_c,(i·s + r − p),(j·s + q − p) + b_o

(stride s, zero padding p: positions outside the image contribute nothing), recorded as **one** node:
``linear`` (``autograd.dot``) over node inputs, or ``linear_c`` when the image is data (numbers),
whose parents are only the window's weights and the bias. Local derivatives: ∂z/∂w_ocrq = x at that
position, ∂z/∂x = w_ocrq, ∂z/∂b_o = 1. The same weights serve every window (weight sharing), so a
weight's gradient is the sum over all windows.

Pooling: max pooling is one ``max`` node per window, y = max_i x_i with ∂y/∂x_i = 1 for the (first)
largest input and 0 for the others; average pooling is y = (1/n) Σ_i x_i, ∂y/∂x_i = 1/n.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import autograd
import nn.models.init as initialise
from autograd import Op, Value
from autograd.engine import as_number, make_node
from autograd.ops import LINEAR, LINEAR_C
from autograd.reductions import dense_rows, index_of_max, maximum
from autograd.symbolic import define
from nn.models.module import Module, as_node

Image = list[list[list[Any]]]


def _size(n: object, what: str, low: int = 1) -> int:
    """``n`` as an int >= ``low``: any integer type (int, numpy's int64, ...), as ``Value`` takes numpy scalars."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < low:
        raise ValueError(f"{what} must be an int >= {low}, got {n!r}")
    return int(n)


def shape_of(x: Any, where: str) -> tuple[int, int, int]:
    """(channels, rows, columns) of a nested-list image, or a ValueError saying what is wrong."""
    if not isinstance(x, (list, tuple)) or not x or not isinstance(x[0], (list, tuple)) or not x[0] \
            or not isinstance(x[0][0], (list, tuple)):
        raise ValueError(f"{where}: expected an image as nested lists [channel][row][column], got {_preview(x)}")
    c, h, w = len(x), len(x[0]), len(x[0][0])
    for k, channel in enumerate(x):
        if len(channel) != h or any(len(row) != w for row in channel):
            raise ValueError(f"{where}: channel {k} is not {h}×{w} like channel 0")
    return c, h, w


def _preview(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 80 else text[:77] + "..."


def _out_size(n: int, k: int, s: int, p: int, where: str) -> int:
    out = (n + 2 * p - k) // s + 1
    if out < 1:
        raise ValueError(f"{where}: a {n}-pixel side with padding {p} is smaller than the kernel ({k})")
    return out


def _all_numbers(x: Image) -> bool:
    """True when every pixel is a plain float or int (data, kept as constants by ``linear_c``)."""
    return all(type(v) is float or type(v) is int for ch in x for row in ch for v in row)


def _as_nodes(x: Image, where: str) -> Image:
    """The image with every number turned into a leaf (once), nodes kept."""
    return [[[as_node(v, where, "pixels") for v in row] for row in ch] for ch in x]


class Conv2d(Module):
    """A 2-D convolution: ``out_channels`` filters of ``in_channels × kernel_size × kernel_size`` weights.

    Parameters: ``weight[o][c][r][q]`` (filter o, input channel c, kernel row r, column q) and
    ``bias[o]``, named ``weight.o.c.r.q`` and ``bias.o`` by ``named_parameters()``. Weights start
    from ``init`` (``'he'`` by default: N(0, 2/fan_in), fan_in = in_channels·k²), biases at 0.
    Calling it on an image ``[channel][row][column]`` returns ``[out_channel][row][column]`` of nodes.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1, padding: int = 0,
                 seed: initialise.Seed = None, *, init: str = "he") -> None:
        self.in_channels = _size(in_channels, "Conv2d: in_channels")
        self.out_channels = _size(out_channels, "Conv2d: out_channels")
        self.kernel_size = _size(kernel_size, "Conv2d: kernel_size")
        self.stride = _size(stride, "Conv2d: stride")
        self.padding = _size(padding, "Conv2d: padding", 0)
        rng = initialise.make_rng(seed, "Conv2d(seed)")
        k, fan_in = self.kernel_size, self.in_channels * self.kernel_size ** 2
        scheme = initialise.check_scheme(init, "Conv2d")
        self.init = scheme
        self.weight: list[list[list[list[Value]]]] = []
        for _ in range(self.out_channels):
            flat = iter(initialise.weights(scheme, fan_in, self.out_channels * k * k, rng))
            self.weight.append([[[Value(next(flat)) for _ in range(k)] for _ in range(k)]
                                for _ in range(self.in_channels)])
        self.bias = [Value(0.0) for _ in range(self.out_channels)]

    def output_shape(self, h: int, w: int) -> tuple[int, int, int]:
        k, s, p = self.kernel_size, self.stride, self.padding
        return self.out_channels, _out_size(h, k, s, p, repr(self)), _out_size(w, k, s, p, repr(self))

    def forward(self, x: Image) -> Image:
        """z_oij = Σ_{c,r,q} w_ocrq x_c,(i·s+r−p),(j·s+q−p) + b_o, one node per output."""
        c, h, w = shape_of(x, repr(self))
        if c != self.in_channels:
            raise ValueError(f"{self!r}: expected {self.in_channels} input channel(s), got {c}")
        _, oh, ow = self.output_shape(h, w)
        data = _all_numbers(x)
        img = x if data else _as_nodes(x, repr(self))
        k, s, p = self.kernel_size, self.stride, self.padding
        # each filter's weights flattened in window order (c, r, q), read once for all windows
        flat = [tuple(v for ch in f for row in ch for v in row) for f in self.weight]
        rows = dense_rows(flat, self.bias)  # checks every parameter is a node
        wdata = [[v.data for v in ws] for ws in flat]
        full = [(*ws, b) for ws, b in rows]
        op = LINEAR_C if data else LINEAR
        out: Image = [[[None] * ow for _ in range(oh)] for _ in range(self.out_channels)]
        for i in range(oh):
            for j in range(ow):
                sel, xs = [], []
                n = 0
                for ci in range(c):
                    plane = img[ci]
                    for r in range(k):
                        a = i * s + r - p
                        for q in range(k):
                            b = j * s + q - p
                            if 0 <= a < h and 0 <= b < w:
                                sel.append(n)
                                xs.append(plane[a][b])
                            n += 1
                whole = len(sel) == n
                xt = tuple(as_number(v, f"{self!r} (pixels)") for v in xs) if data else tuple(xs)
                xd = xt if data else [v.data for v in xs]
                for o in range(self.out_channels):
                    wd, b_o = wdata[o], self.bias[o]
                    total = b_o.data  # from b, in window order: the same float as autograd.dot
                    if whole:
                        for wv, xv in zip(wd, xd):  # noqa: B905  (one weight per window position)
                            total += wv * xv
                        ws = full[o][:-1]
                    else:
                        for t, xv in zip(sel, xd):  # noqa: B905
                            total += wd[t] * xv
                        ws = tuple(flat[o][t] for t in sel)
                    if data:
                        out[o][i][j] = make_node(total, op, (*ws, b_o) if not whole else full[o], None, xt)
                    else:
                        out[o][i][j] = make_node(total, op, (*ws, *xt, b_o))
        return out

    def architecture(self) -> dict[str, Any]:
        return {"type": "Conv2d", "in_channels": self.in_channels, "out_channels": self.out_channels,
                "kernel_size": self.kernel_size, "stride": self.stride, "padding": self.padding}

    @classmethod
    def from_architecture(cls, arch: Mapping[str, Any]) -> Conv2d:
        return cls(arch["in_channels"], arch["out_channels"], arch["kernel_size"], arch["stride"], arch["padding"],
                   seed=0)

    def __repr__(self) -> str:
        return (f"Conv2d({self.in_channels}, {self.out_channels}, {self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding})")


def _max_kink(*args: Any) -> bool:
    """Two or more inputs share the largest value: max is not differentiable there."""
    xs = [float(v) for v in args[:-1]]
    return xs.count(maximum(*xs)) > 1


def _d_max(xs: list[Any], y: Any, c: Any) -> list[float]:
    """y = max_i x_i;  ∂y/∂x_i = 1 for the first largest input (the first NaN, if any), 0 for the others."""
    vals = [x if isinstance(x, float) else float(x.data) for x in xs]
    out = [0.0] * len(vals)
    out[index_of_max(vals)] = 1.0
    return out


MAX = Op("max", maximum, _d_max, arity=0, symmetric=True, kink=_max_kink,
         doc="y = max_i x_i", formula="∂y/∂x_i = 1 for the largest x_i (the first on ties), else 0")
"""Max pooling's op (``nn``'s own, built with ``autograd.Op``): one node per window."""


def _sym_max(sp: Any, xs: Any, c: Any) -> Any:
    """max as the engine takes it: the first largest input (x_i where x_i ≥ every later x_j, the
    earlier branches having failed), so that ∂/∂x_i at a tie is 1 for the first, as ``_d_max``."""
    n = len(xs)
    return sp.Piecewise(*[(xs[i], sp.And(*[xs[i] >= xs[j] for j in range(i + 1, n)])) for i in range(n - 1)],
                        (xs[-1], True))


define(MAX, _sym_max)


class _Pool(Module):
    kind = ""

    def __init__(self, kernel_size: int, stride: int | None = None) -> None:
        self.kernel_size = _size(kernel_size, f"{type(self).__name__}: kernel_size")
        self.stride = self.kernel_size if stride is None else _size(stride, f"{type(self).__name__}: stride")

    def _windows(self, x: Image) -> tuple[Image, list[list[list[list[Value]]]]]:
        c, h, w = shape_of(x, repr(self))
        k, s = self.kernel_size, self.stride
        oh, ow = _out_size(h, k, s, 0, repr(self)), _out_size(w, k, s, 0, repr(self))
        img = _as_nodes(x, repr(self))
        return img, [[[[img[ch][i * s + r][j * s + q] for r in range(k) for q in range(k)] for j in range(ow)]
                      for i in range(oh)] for ch in range(c)]

    def architecture(self) -> dict[str, Any]:
        return {"type": type(self).__name__, "kernel_size": self.kernel_size, "stride": self.stride}

    @classmethod
    def from_architecture(cls, arch: Mapping[str, Any]) -> _Pool:
        return cls(arch["kernel_size"], arch["stride"])

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.kernel_size}, stride={self.stride})"


class MaxPool2d(_Pool):
    """y = max over each ``kernel_size × kernel_size`` window (step ``stride``, default the kernel size),
    per channel; ∂y/∂x = 1 for the window's largest input, 0 elsewhere."""

    def forward(self, x: Image) -> Image:
        _, windows = self._windows(x)
        return [[[make_node(maximum(*[v.data for v in win]), MAX, tuple(win)) for win in row] for row in ch]
                for ch in windows]


class AvgPool2d(_Pool):
    """y = (1/n) Σ over each window of n = kernel_size² inputs, per channel;  ∂y/∂x_i = 1/n."""

    def forward(self, x: Image) -> Image:
        _, windows = self._windows(x)
        scale = 1.0 / self.kernel_size ** 2
        return [[[autograd.sum(win) * scale for win in row] for row in ch] for ch in windows]


class Flatten(Module):
    """An image ``[channel][row][column]`` as one list, channel by channel, row by row (for a ``Layer``)."""

    def forward(self, x: Any) -> list[Any]:
        if isinstance(x, (list, tuple)) and x and isinstance(x[0], (list, tuple)):
            return [v for part in x for v in self.forward(part)]
        return list(x) if isinstance(x, (list, tuple)) else [x]

    def architecture(self) -> dict[str, Any]:
        return {"type": "Flatten"}

    @classmethod
    def from_architecture(cls, arch: Mapping[str, Any]) -> Flatten:
        return cls()

    def __repr__(self) -> str:
        return "Flatten()"


def shapes(modules: Sequence[Module], c: int, h: int, w: int) -> list[str]:
    """Each module's output shape for a (c, h, w) input, as text, by running a blank image through."""
    x: Any = [[[0.0] * w for _ in range(h)] for _ in range(c)]
    out = []
    with autograd.no_grad():
        for m in modules:
            x = m(x)
            out.append(_describe_shape(x))
    return out


def _describe_shape(x: Any) -> str:
    dims = []
    while isinstance(x, list):
        dims.append(len(x))
        x = x[0] if x else None
    return "×".join(map(str, dims))
