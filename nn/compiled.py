"""``fit(..., compile=True)``: the per-sample loss compiled once, the batch composed around it.

A batch's loss is a sum or a mean of per-sample losses (``half_sse`` sums, ``mse``, ``hinge`` and
``bce`` average; any other loss is tested on two samples to find out which). So the step traces one
sample, ℓ(x, t) = loss(model(x), t), with ``autograd.compile`` and runs it over the batch with the
seed ∂E/∂ℓ_i (1 for a sum, 1/B for a mean); the L2 term R = α Σ p² adds its ∂R/∂p = 2αp (as
``backward()`` of ``nn.l2`` does: α·p twice). The gradients equal ``backward()``'s of the batch loss
to rounding (the same terms, summed sample by sample instead of in the batch graph's order).

A cross-entropy sample is ℓ(x, k) = cross_entropy(model(x), k) with the class index k an ``int``,
a key of the compiled step (one program per class); an image (nested lists, [channel][row][column])
is passed to the program as one flat list and nested again inside ℓ, so a CNN compiles too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import autograd
from autograd import Value, operators
from autograd.compiler.naming import short_name
from nn.models.module import Module

__all__ = ["REDUCTIONS", "CompiledLoss", "short_name"]  # short_name: layers.0.neurons.1.w.0 → L0_n1_w0

REDUCTIONS = {"half_sse": "sum", "mse": "mean", "hinge": "mean", "bce": "mean", "cross_entropy": "mean"}
"""How each named loss of ``nn.losses.LOSSES`` combines the samples of a batch."""


def _row(x: Any) -> Any:
    return list(map(float, x)) if hasattr(x, "__iter__") else float(x)


def _dims(x: Any) -> tuple[int, ...]:
    """The nested lengths of a sample ((64,) for a flat row, (1, 8, 8) for a one-channel image)."""
    x = x.tolist() if hasattr(x, "tolist") else x
    dims: list[int] = []
    while isinstance(x, (list, tuple)):
        dims.append(len(x))
        x = x[0] if x else None
    return tuple(dims)


def _flat(x: Any, dims: tuple[int, ...], k: int) -> list[float]:
    """Sample ``k`` as one flat list of floats (ValueError unless it has the first sample's dims)."""
    x = x.tolist() if hasattr(x, "tolist") else x
    rows = [x]
    for n in dims:
        if any(not isinstance(r, (list, tuple)) or len(r) != n for r in rows):
            raise ValueError(f"fit(compile=True): sample {k} is not nested like sample 0 (lengths {dims}); the "
                             "compiled step takes samples of one shape, or use compile=False")
        rows = [v for r in rows for v in r]
    return [float(v) for v in rows]


def _nest(flat: list[Any], dims: tuple[int, ...]) -> Any:
    """``flat`` nested back into ``dims`` (the inverse of ``_flat``)."""
    out: Any = flat
    for n in reversed(dims[1:]):
        out = [out[i:i + n] for i in range(0, len(out), n)]
    return out


def _class_index(t: Any, k: int) -> int:
    number = float(t.data if isinstance(t, Value) else t)
    if not number.is_integer():
        raise ValueError(f"fit(compile=True): cross-entropy target {k} must be a class index (an int), got {t!r}")
    return int(number)


class CompiledLoss:
    """ℓ(x, t) compiled for ``model``; ``batch(idx)`` gives the batch loss and fills ``p.grad``."""

    def __init__(self, model: Module, loss_fn: Callable[[list[Value], list[Any]], Value], loss_name: str,
                 X: Sequence[Any], y: Sequence[Any], l2: float, rows: bool = False) -> None:
        dims = _dims(X[0])
        image = len(dims) > 1
        self.X = [_flat(x, dims, k) for k, x in enumerate(X)] if image else [_row(x) for x in X]
        self.y: list[Any] = [_class_index(t, k) for k, t in enumerate(y)] if rows else [_row(t) for t in y]
        named = model.named_parameters()
        self.params = [p for _, p in named]
        self.l2 = l2

        def sample(x: Any, t: Any) -> tuple[Value, list[Value]]:
            out = model(_nest(x, dims) if image else x)
            outs = out if isinstance(out, list) else [out]
            if rows:  # one sample's cross-entropy: its logits and its class index
                return loss_fn(outs, t), outs
            return loss_fn(outs, t if isinstance(t, list) else [t]), outs

        self.sample = sample
        self.step = autograd.compile(sample, self.X[0], self.y[0], params=named)
        self.reduction = "mean" if rows else REDUCTIONS.get(loss_name) or self._reduction(loss_fn)

    def _reduction(self, loss_fn: Callable[[list[Value], list[Any]], Value]) -> str:
        """'sum' or 'mean': which one the batch loss is of the per-sample losses (two samples tried)."""
        for a in range(len(self.X) - 1):
            pair = [self.sample(self.X[a + k], self.y[a + k]) for k in (0, 1)]
            one, two = pair[0][0].data, pair[1][0].data
            outs = [v for _, o in pair for v in o]
            targets = [v for k in (a, a + 1) for v in (self.y[k] if isinstance(self.y[k], list) else [self.y[k]])]
            both = loss_fn(outs, targets).data
            if one + two == 0.0:
                continue
            for name, value in (("sum", one + two), ("mean", (one + two) / 2)):
                if math.isclose(both, value, rel_tol=1e-9, abs_tol=1e-12):
                    return name
            break
        raise ValueError("fit(compile=True): the loss is neither the sum nor the mean of per-sample losses; "
                         "use a loss of nn.losses.LOSSES, or compile=False")

    def batch(self, idx: Sequence[int]) -> tuple[float, list[list[float]]]:
        """E of the samples ``idx`` (plus α Σ p²), adding ∂E/∂p into every ``p.grad``; and the outputs."""
        n = len(idx)
        seed = 1.0 if self.reduction == "sum" else 1.0 / n
        results = self.step.many([(self.X[i], self.y[i]) for i in idx], seed=seed)
        losses = [r[0] for r in results]
        E = operators.total(*losses) * (1.0 if self.reduction == "sum" else 1.0 / n)
        if self.l2:
            E += self._l2()
        return E, [r[1] for r in results]

    def _l2(self) -> float:
        """R = α Σ p², adding ∂R/∂p = α·p + α·p into each p.grad (backward() of nn.l2's α·dot(p, p))."""
        alpha = self.l2
        total = 0.0
        for p in self.params:
            d = p.data
            total += d * d
            g = alpha * d
            p.grad += g
            p.grad += g
        return alpha * total
