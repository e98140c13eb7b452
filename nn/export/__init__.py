"""When you outgrow deltagrad: the same network in PyTorch and in ONNX, with the same numbers.

* ``nn.to_torch(model)``: a ``torch.nn.Sequential`` (float64) with the model's weights, taking
  ``(batch, nin)`` or ``(batch, C, H, W)``; its outputs and gradients equal ours to rounding.
* ``nn.from_torch(module)``: back, for the structures that map (refusing the rest by path and class).
* ``nn.to_onnx(model, path)``: the model as a layer-level ONNX file (float64) for onnxruntime.
* ``torch_grads(model, module)``: torch's gradients keyed by the model's parameter names.

torch and onnx are imported only when called (``pip install "deltagrad[torch]"``, ``"deltagrad[onnx]"``).
``plan`` reads a model as layers, once, for both exporters.
"""

from nn.export.fromtorch import from_torch
from nn.export.onnxmodel import to_onnx
from nn.export.plan import ExportError
from nn.export.pytorch import to_torch, torch_grads, torch_names

__all__ = ["ExportError", "from_torch", "to_onnx", "to_torch", "torch_grads", "torch_names"]
