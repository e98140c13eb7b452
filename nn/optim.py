"""Optimisers (``SGD``, ``Adam``) and learning-rate schedules, updating parameters in place.

Gradient descent is the note's update rule: with g = ∂E/∂w = −δ_j y_i, the step
Δw_ij = −η g = η δ_j y_i. Each optimiser reads ``p.grad`` (filled by ``backward()``), writes
``p.data``, and never records graph nodes.

``state_dict()`` is plain JSON (the settings, the step count and each per-parameter buffer as a
list of floats) and ``load_state_dict()`` restores it exactly, so a run saved after k steps and
resumed gives bit for bit the same weights as one that never stopped. ``save(path)``/``load(path)``
write and read it as a JSON file (atomically); ``model.save(path, optimizer=opt)`` puts it beside
the model.
"""

from __future__ import annotations

import json
import math
import numbers
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograd import Value
from autograd.errors import DeltagradError
from autograd.files import atomic_write


class NotANumberError(DeltagradError, TypeError, ValueError):
    """A setting (lr, momentum, a saved moment) that is not a real number: a TypeError, and a
    ValueError for code that checks settings with ``except ValueError``."""


def _check(value: object, name: str, where: str, low: float = 0.0, *, strict: bool = False, high: float = math.inf,
           high_open: bool = False) -> float:
    """``value`` as a float if it is a finite real number in range, else a ValueError naming it.

    Any real number is accepted, as ``Value`` accepts it (int, float, numpy scalars, ``Fraction``);
    a non-number (a str, a ``Value``, None) raises ``NotANumberError`` (a TypeError and a ValueError).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        hint = "; pass a real number such as 0.1" + (" (v.data for a Value's number)" if isinstance(value, Value)
                                                     else "")
        raise NotANumberError(f"{where}: {name} must be a finite number, got {str(value)[:40]!r} of type "
                              f"{type(value).__name__}{hint}")
    try:
        v = float(value)
    except (OverflowError, ValueError):
        v = math.inf
    if not math.isfinite(v):
        raise ValueError(f"{where}: {name} must be a finite number, got {str(value)[:40]}")
    too_low = v <= low if strict else v < low
    too_high = v >= high if high_open else v > high
    if too_low or too_high:
        lo = "(" if strict else "["
        hi = ")" if high_open or math.isinf(high) else "]"
        raise ValueError(f"{where}: {name} must be in {lo}{low:g}, {high:g}{hi}, got {value!r}")
    return v


class Optimizer:
    """Holds the parameters and the learning rate ``lr``; ``zero_grad()`` then ``step()`` after backward."""

    hyper: tuple[str, ...] = ("lr",)  # the settings state_dict() records
    buffers: tuple[str, ...] = ()  # the per-parameter lists state_dict() records

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        where = type(self).__name__
        if isinstance(params, Value) or (callable(getattr(params, "parameters", None))
                                         and not isinstance(params, (list, tuple))):
            raise TypeError(f"{where}: got {type(params).__name__}, not its parameters; pass them as "
                            f"{where}(model.parameters(), lr=...)")
        listed = list(params)
        if not listed:
            raise ValueError(f"{where}: got no parameters to optimise (did you pass model.parameters()?)")
        for p in listed:
            if not isinstance(p, Value):
                raise TypeError(f"{where}: parameters must be Value nodes, got {p!r}")
        self.params = list(dict.fromkeys(listed))  # each parameter once (tied weights, [p, p]): one update each
        self.lr = _check(lr, "lr (learning rate)", where, strict=True)
        self.steps = 0

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0.0 (``backward()`` accumulates into leaves)."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its ``grad``."""
        raise NotImplementedError

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.hyper)
        return f"{type(self).__name__}({len(self.params)} parameters, {settings}, steps={self.steps})"

    def state_dict(self) -> dict[str, Any]:
        """The optimiser's state as plain JSON-safe data: its type, settings, step count and buffers."""
        return {"optimizer": type(self).__name__, "parameters": len(self.params), "steps": self.steps,
                **{k: getattr(self, k) for k in self.hyper},
                "buffers": {k: list(getattr(self, k)) for k in self.buffers}}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore ``state_dict()``'s result; everything is checked before anything changes."""
        where = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state, Mapping):
            raise ValueError(f"{where}: expected a mapping from state_dict(), got {type(state).__name__}")
        if state.get("optimizer") != type(self).__name__:
            raise ValueError(f"{where}: the state is of {state.get('optimizer')!r}, not {type(self).__name__}")
        if state.get("parameters") != len(self.params):
            raise ValueError(f"{where}: the state is for {state.get('parameters')!r} parameters, this optimiser "
                             f"has {len(self.params)} (is it the same model, in the same order?)")
        steps = state.get("steps")
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
            raise ValueError(f"{where}: steps must be an int >= 0, got {steps!r}")
        settings = {k: _check(state.get(k), k, where) for k in self.hyper}
        buffers = state.get("buffers")
        if not isinstance(buffers, Mapping) or set(buffers) != set(self.buffers):
            raise ValueError(f"{where}: buffers must be {sorted(self.buffers)}, got {buffers!r:.80}")
        lists = {}
        for k in self.buffers:
            values = buffers[k]
            if not isinstance(values, list) or len(values) != len(self.params):
                raise ValueError(f"{where}: buffer {k!r} must be a list of {len(self.params)} numbers")
            lists[k] = [_check(v, f"{k}[{i}]", where, low=-math.inf) for i, v in enumerate(values)]
        self.steps = steps
        for k, v in settings.items():
            setattr(self, k, v)
        for k, values in lists.items():
            setattr(self, k, values)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write ``state_dict()`` to the JSON file ``path`` atomically; return the path."""
        target = Path(os.fspath(path))
        atomic_write(target, (json.dumps(self.state_dict(), allow_nan=False, indent=1) + "\n").encode("utf-8"))
        return target

    def load(self, path: str | os.PathLike[str]) -> None:
        """Restore the state from a JSON file written by ``save`` (checked before anything changes)."""
        try:
            state = json.loads(Path(os.fspath(path)).read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            raise ValueError(f"{type(self).__name__}.load: {os.fspath(path)!r} is not valid JSON ({e})") from None
        self.load_state_dict(state)


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum μ and weight decay λ (PyTorch's rule).

    g = ∂E/∂p + λ p;   v ← μ v + g;   p ← p − η v.   With μ = λ = 0 this is Δw_ij = η δ_j y_i.
    """

    hyper = ("lr", "momentum", "weight_decay")
    buffers = ("velocity",)

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = _check(momentum, "momentum", "SGD", high=1.0, high_open=True)
        self.weight_decay = _check(weight_decay, "weight_decay", "SGD")
        self.velocity = [0.0] * len(self.params)

    def step(self) -> None:
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        if mu == 0.0 and wd == 0.0:
            for p in self.params:
                p.data -= lr * p.grad
        else:
            vel = self.velocity
            for i, p in enumerate(self.params):
                g = p.grad + wd * p.data
                v = mu * vel[i] + g
                vel[i] = v
                p.data -= lr * v
        self.steps += 1


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015): per-parameter steps from running moments of the gradient.

    g = ∂E/∂p + λ p;  m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²;
    p ← p − η m̂ / (√v̂ + ε), with m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ) at step t.
    """

    hyper = ("lr", "beta1", "beta2", "eps", "weight_decay")
    buffers = ("m", "v")

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}")
        self.beta1 = _check(betas[0], "betas[0]", "Adam", high=1.0, high_open=True)
        self.beta2 = _check(betas[1], "betas[1]", "Adam", high=1.0, high_open=True)
        self.eps = _check(eps, "eps", "Adam", strict=True)
        self.weight_decay = _check(weight_decay, "weight_decay", "Adam")
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def step(self) -> None:
        self.steps += 1
        b1, b2, wd = self.beta1, self.beta2, self.weight_decay
        c1, c2 = 1.0 - b1**self.steps, 1.0 - b2**self.steps
        m, v = self.m, self.v
        for i, p in enumerate(self.params):
            g = p.grad + wd * p.data
            m[i] = b1 * m[i] + (1.0 - b1) * g
            v[i] = b2 * v[i] + (1.0 - b2) * g * g
            p.data -= self.lr * (m[i] / c1) / (math.sqrt(v[i] / c2) + self.eps)


Schedule = Callable[[int], float]
"""A learning-rate schedule: step number k (from 0) → learning rate."""


@dataclass(frozen=True)
class Constant:
    """η_k = lr."""

    lr: float

    def __call__(self, k: int) -> float:
        return self.lr


@dataclass(frozen=True)
class LinearDecay:
    """η_k = start − (start − end)·k / steps, then ``end`` (micrograd's demo: 1.0 − 0.9·k/100).

    ``LinearDecay(1.0, 0.1, 100)`` gives micrograd's rate exactly.
    """

    start: float
    end: float
    steps: int

    def __post_init__(self) -> None:
        _check(self.start, "start", "LinearDecay", strict=True)
        _check(self.end, "end", "LinearDecay")
        if isinstance(self.steps, bool) or not isinstance(self.steps, int) or self.steps < 1:
            raise ValueError(f"LinearDecay: steps must be a positive int, got {self.steps!r}")

    def __call__(self, k: int) -> float:
        if k >= self.steps:
            return self.end
        return self.start - (self.start - self.end) * k / self.steps


@dataclass(frozen=True)
class ExponentialDecay:
    """η_k = lr · γᵏ."""

    lr: float
    gamma: float

    def __post_init__(self) -> None:
        _check(self.lr, "lr", "ExponentialDecay", strict=True)
        _check(self.gamma, "gamma", "ExponentialDecay", strict=True, high=1.0)

    def __call__(self, k: int) -> float:
        return self.lr * self.gamma**k


OPTIMIZERS: dict[str, Callable[..., Optimizer]] = {
    "sgd": SGD,
    "momentum": lambda params, lr: SGD(params, lr, momentum=0.9),
    "adam": Adam,
}
"""Optimisers by the names ``nn.fit`` and the main job accept: ``OPTIMIZERS[name](params, lr)``."""
