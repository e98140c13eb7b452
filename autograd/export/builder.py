"""Building an ONNX graph in float64 with ``onnx.helper``, and writing it checked and atomically.

Shared by ``autograd.to_onnx`` (a scalar graph) and ``nn.to_onnx`` (a model's layers): ``Graph``
hands out tensor names and records nodes and constants; ``save`` builds the model (opset 17, IR
version 8, which every current onnxruntime reads), runs ``onnx.checker`` with shape inference and
writes the bytes with ``autograd.files.atomic_write``. ``onnx`` is imported only when an export is
asked for; without it the ImportError names ``pip install "deltagrad[onnx]"``.

Names: a tensor of ours is ``_t<k>`` (a leading underscore, which no name made from a user's label
has); a label becomes a name only through ``Names`` (ASCII letters, digits and ``_``, at most 40
characters, unique). The label itself is kept, made valid UTF-8 (a lone surrogate becomes
``\\udc80``), in the input's ``doc_string``.

Two formulas are written here once for both exporters, from ONNX nodes that onnxruntime runs in
float64 (its ``Softplus`` and ``LeakyRelu`` kernels are float32-only or take a float32 slope, and its
float64 ``Sigmoid`` is inexact in the tail):

* sigmoid: y = (1 for z ≥ 0, else u)/(1 + u) with u = e^(−|z|) (``autograd.operators.sigmoid``'s stable form:
  onnxruntime's own float64 ``Sigmoid`` loses the tail below z ≈ −10);
* softplus: y = max(z, 0) + ln(1 + e^(−|z|)) (``autograd.operators.softplus``'s stable form, ln(1 + u) as log1p);
* leaky_relu: y = z for z > 0, else slope·z, the slope a float64 constant.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from autograd.files import atomic_write

OPSET = 17
IR_VERSION = 8
INSTALL = 'pip install "deltagrad[onnx]"'

_OTHER = re.compile(r"[^0-9A-Za-z_]+")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")


def require_onnx(where: str) -> Any:
    """The ``onnx`` module, or an ImportError naming ``where`` and the extra to install."""
    try:
        import onnx
    except ImportError as e:
        raise ImportError(f"{where} needs the onnx package, which is not installed; install it with {INSTALL} "
                          "(onnx, and onnxruntime to run the file)") from e
    return onnx


def safe_text(text: str, limit: int = 200) -> str:
    """``text`` as valid UTF-8 for a protobuf string (lone surrogates escaped), cut to ``limit``."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")[:limit]


class Names:
    """Distinct tensor names made from labels: ``Names().make("w.1", "x3")`` is ``'w_1'``."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def make(self, label: object, fallback: str) -> str:
        """A name for ``label`` (any object; only a str is used), ``fallback`` when nothing usable is left."""
        base = _OTHER.sub("_", label).strip("_") if isinstance(label, str) and label.isascii() else ""
        if not _WORD.fullmatch(base):
            base = fallback
        name, k = base, 2
        while name in self.taken:
            name, k = f"{base}_{k}", k + 1
        self.taken.add(name)
        return name


class Graph:
    """The nodes, constants and names of one ONNX graph under construction (float64 throughout)."""

    def __init__(self, where: str) -> None:
        self.onnx = require_onnx(where)
        self.where = where
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._count = 0
        self._scalars: dict[str, str] = {}

    def fresh(self) -> str:
        """A new name for an intermediate tensor."""
        self._count += 1
        return f"_t{self._count}"

    def node(self, op_type: str, inputs: list[str], out: str | None = None, **attrs: Any) -> str:
        """Add one node ``op_type(inputs)``; returns its output's name (``out`` if given)."""
        name = out if out is not None else self.fresh()
        self.nodes.append(self.onnx.helper.make_node(op_type, inputs, [name], name=f"{op_type}{len(self.nodes)}",
                                                     **attrs))
        return name

    def tensor(self, values: list[float], dims: list[int], name: str | None = None, doc: str = "") -> str:
        """A float64 constant (an initializer) of shape ``dims`` from ``values`` in row-major order."""
        tensor_name = name if name is not None else self.fresh()
        t = self.onnx.helper.make_tensor(tensor_name, self.onnx.TensorProto.DOUBLE, dims, [float(v) for v in values])
        if doc:
            t.doc_string = safe_text(doc)
        self.initializers.append(t)
        return tensor_name

    def ints(self, values: list[int]) -> str:
        """An int64 1-D constant (shapes, axes, slice bounds)."""
        name = self.fresh()
        self.initializers.append(self.onnx.helper.make_tensor(name, self.onnx.TensorProto.INT64, [len(values)],
                                                              values))
        return name

    def scalar(self, value: float) -> str:
        """A rank-0 float64 constant, one per distinct number (NaN and ±0.0 each kept apart)."""
        key = repr(float(value))
        got = self._scalars.get(key)
        if got is None:
            got = self._scalars[key] = self.tensor([value], [])
        return got

    def times(self, a: str, b: str) -> str:
        """a·b, or the other factor when one is the constant 1.

        onnxruntime removes a multiplication by a constant 1 (``NoopElimination``) and, in the same
        pass, fuses ``Div(1, x)`` followed by ``Mul`` (``DivMulFusion``); together they can leave a
        node reading a tensor that no longer exists, and the session refuses the file. So no node of
        ours multiplies by a constant 1 (nor adds or subtracts a constant 0, nor divides by 1), and
        no ``Div(1, x)`` of ours feeds a ``Mul``.
        """
        one = self._scalars.get("1.0")
        if one is not None and b == one:
            return a
        if one is not None and a == one:
            return b
        return self.node("Mul", [a, b])

    # -- formulas shared by both exporters ---------------------------------------------------------
    def _tail(self, z: str) -> str:
        """u = e^(−|z|), in (0, 1]: never overflows."""
        return self.node("Exp", [self.node("Neg", [self.node("Abs", [z])])])

    def sigmoid(self, z: str) -> str:
        """y = 1/(1 + e⁻ᶻ) for z ≥ 0, eᶻ/(1 + eᶻ) below (``autograd.operators.sigmoid``), as (1 or u)/(1 + u).

        Not onnxruntime's float64 ``Sigmoid``, which loses the tail: σ(−20) 3.6e-8 off relatively, σ(−37) 0.0."""
        u = self._tail(z)
        top = self.node("Where", [self.node("GreaterOrEqual", [z, self.scalar(0.0)]), self.scalar(1.0), u])
        return self.node("Div", [top, self.node("Add", [self.scalar(1.0), u])])

    def softplus(self, z: str) -> str:
        """y = max(z, 0) + ln(1 + u), u = e^(−|z|), with ln(1 + u) as log1p: u where 1 + u rounds to 1, else
        ln(w)·u/(w − 1) for w = 1 + u (Goldberg's form, a few roundings off; ``Log(1 + u)`` would lose all of
        u below 1.1e-16: softplus(−40) = 4.2e-18, not 0)."""
        u = self._tail(z)
        w = self.node("Add", [self.scalar(1.0), u])
        rest = self.node("Div", [self.node("Mul", [self.node("Log", [w]), u]), self.node("Sub", [w, self.scalar(1.0)])])
        tail = self.node("Where", [self.node("Equal", [w, self.scalar(1.0)]), u, rest])
        return self.node("Add", [self.node("Relu", [z]), tail])

    def leaky_relu(self, z: str, slope: float) -> str:
        """y = z for z > 0, else slope·z (the slope in float64)."""
        return self.node("Where", [self.node("Greater", [z, self.scalar(0.0)]), z, self.times(z, self.scalar(slope))])

    def value_info(self, name: str, shape: list[Any], doc: str = "") -> Any:
        """A float64 graph input or output: ``shape`` of ints and symbolic names ('batch')."""
        info = self.onnx.helper.make_tensor_value_info(name, self.onnx.TensorProto.DOUBLE, shape)
        if doc:
            info.doc_string = safe_text(doc)
        return info

    def save(self, path: str | os.PathLike[str], inputs: list[Any], outputs: list[Any], graph_name: str,
             doc: str) -> Path:
        """Check the model (``onnx.checker`` with shape inference) and write it to ``path`` atomically."""
        onnx = self.onnx
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"{self.where}: path must be a str or os.PathLike, got {type(path).__name__}")
        used = {name for node in self.nodes for name in node.input}  # a constant no node reads (the 1 a
        kept = [t for t in self.initializers if t.name in used]  # root's gradient starts from) is left out
        graph = onnx.helper.make_graph(self.nodes, graph_name, inputs, outputs, kept,
                                       doc_string=safe_text(doc, 2000))
        model = onnx.helper.make_model(graph, producer_name="deltagrad",
                                       opset_imports=[onnx.helper.make_opsetid("", OPSET)])
        model.ir_version = IR_VERSION
        try:
            onnx.checker.check_model(model, full_check=True)
        except Exception as e:  # pragma: no cover - a bug of ours: the graph is built from our own parts
            raise RuntimeError(f"{self.where}: the ONNX graph failed onnx.checker ({e}); please report it") from e
        return atomic_write(path, model.SerializeToString())
