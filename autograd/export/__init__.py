"""Exporting a graph to ONNX: ``autograd.to_onnx(y, path, grads=False)``.

A scalar graph becomes an ONNX file (float64, leaves as rank-0 inputs named from their labels);
with ``grads=True`` the file also holds the backward pass and returns ∂y/∂leaf for every leaf —
the chain rule as a portable program that onnxruntime (or any ONNX runtime) runs. Every op of
``autograd.ops.TABLE`` has its forward and its derivative in ``rules``; ``builder`` writes the
file (checked by ``onnx.checker``, written atomically). ``onnx`` is imported only when called;
without it the ImportError says ``pip install "deltagrad[onnx]"``. Models (layers as Gemm, Conv,
pooling) are exported by ``nn.to_onnx``, which builds on ``builder``.
"""

from autograd.export.graph import MAX_NODES, Exported, to_onnx

__all__ = ["MAX_NODES", "Exported", "to_onnx"]
