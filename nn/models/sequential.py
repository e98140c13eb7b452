"""``Sequential``: modules applied one after the other, y = m_n(… m_2(m_1(x))).

Backward needs nothing special: each module records its own nodes, and the chain rule runs through
them in reverse, ∂L/∂x = ∂L/∂y_n · ∂y_n/∂y_{n−1} ⋯ ∂y_1/∂x. The modules are kept in ``layers``,
so parameters are named ``layers.0.weight.0.0.1.2`` (module 0, its own names after) and
``nn.grad_norms`` gives one norm per module. Saved files hold each module's architecture in order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nn.architectures import ARCHITECTURES, register
from nn.models.module import Module


class Sequential(Module):
    """``Sequential(Conv2d(1, 8, 3), ReLU(), MaxPool2d(2), Flatten(), Layer(72, 10, activation="linear"))``.

    Calling it passes the input through every module's ``forward`` and returns the last module's result
    (a list for a ``Layer``).
    """

    def __init__(self, *modules: Module) -> None:
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(f"Sequential: module {i} must be an nn.Module, got {m!r:.60}")
        if not modules:
            raise ValueError("Sequential: give at least one module")
        self.layers = list(modules)

    def forward(self, x: Any) -> Any:
        out = x
        for m in self.layers:
            out = m.forward(out)
        return out

    def architecture(self) -> dict[str, Any]:
        return {"type": "Sequential", "modules": [m.architecture() for m in self.layers]}

    @classmethod
    def from_architecture(cls, arch: Mapping[str, Any]) -> Sequential:
        parts = arch["modules"]
        if not isinstance(parts, list):
            raise TypeError(f"Sequential: 'modules' must be a list of architectures, got {parts!r:.60}")
        modules = []
        for i, part in enumerate(parts):
            kind = part.get("type") if isinstance(part, dict) else None
            cls_i = ARCHITECTURES.get(kind) if isinstance(kind, str) else None
            if cls_i is None:
                raise ValueError(f"Sequential: module {i} has unknown type {kind!r}")
            modules.append(cls_i.from_architecture(part))
        return cls(*modules)

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, i: int) -> Module:
        return self.layers[i]

    def __repr__(self) -> str:
        return "Sequential(" + ", ".join(repr(m) for m in self.layers) + ")"


register(Sequential)
