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
from typing import Any, ClassVar

from autograd import Value
from autograd.errors import NotANumberError
from autograd.files import atomic_write
from nn.serialize import ModelFileError, StateError, check_pair, parse_json


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


@dataclass(frozen=True)
class Range:
    """The numbers a setting may take: from ``low`` (excluded if ``strict``) to ``high`` (excluded if ``high_open``)."""

    low: float = 0.0
    strict: bool = False
    high: float = math.inf
    high_open: bool = False


ANY = Range(-math.inf)
"""Any finite number (a momentum buffer, Adam's first moment m)."""


class Optimizer:
    """Holds the parameters and the learning rate ``lr``; ``zero_grad()`` then ``step()`` after backward."""

    hyper: tuple[str, ...] = ("lr",)  # the settings state_dict() records
    buffers: tuple[str, ...] = ()  # the per-parameter lists state_dict() records
    ranges: ClassVar[dict[str, Range]] = {"lr": Range(0.0, strict=True)}
    """Each setting's and buffer's allowed range, read by the constructor and by ``load_state_dict``
    alike (``checked``): a state that the constructor would refuse cannot be loaded either."""

    @classmethod
    def checked(cls, name: str, value: object, where: str, shown: str | None = None) -> float:
        """``value`` as a float if it is in the range ``ranges[name]`` allows, else a ValueError
        (``NotANumberError`` for a non-number) naming ``shown`` (default: the name) and the range."""
        r = cls.ranges[name]
        return _check(value, shown or name, where, r.low, strict=r.strict, high=r.high, high_open=r.high_open)

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
        self.lr = self.checked("lr", lr, where, "lr (learning rate)")
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
            raise ValueError(f"{where}: the state is of {str(state.get('optimizer'))[:40]!r}, not "
                             f"{type(self).__name__}")
        count = state.get("parameters")
        if type(count) is not int or count != len(self.params):
            raise ValueError(f"{where}: the state is for {str(count)[:40]} parameters, this optimiser "
                             f"has {len(self.params)} (is it the same model, in the same order?)")
        steps = state.get("steps")
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
            raise ValueError(f"{where}: steps must be an int >= 0, got {str(steps)[:40]}")
        settings = {k: self.checked(k, state.get(k), where) for k in self.hyper}
        buffers = state.get("buffers")
        if not isinstance(buffers, Mapping) or set(buffers) != set(self.buffers):
            raise ValueError(f"{where}: buffers must be {sorted(self.buffers)}, got {str(buffers)[:80]}")
        lists = {}
        for k in self.buffers:
            values = buffers[k]
            if not isinstance(values, list) or len(values) != len(self.params):
                raise ValueError(f"{where}: buffer {k!r} must be a list of {len(self.params)} numbers")
            lists[k] = [self.checked(k, v, where, f"{k}[{i}]") for i, v in enumerate(values)]
        self.steps = steps
        for k, v in settings.items():
            setattr(self, k, v)
        for k, values in lists.items():
            setattr(self, k, values)

    def to_json(self, saved_with: Mapping[str, str] | None = None) -> str:
        """The file's text: ``state_dict()`` (and the ``saved_with`` record of the model file saved with it).

        Raises ValueError naming the first setting or buffer entry that is NaN or ±∞ (training diverged):
        such a state could not be loaded back, so it is never written."""
        where = f"{type(self).__name__}.save"
        state = self.state_dict()
        for k in self.hyper:
            if not math.isfinite(state[k]):
                raise StateError(f"{where}: the setting {k} is {state[k]!r}; nothing was written")
        for k, values in state["buffers"].items():
            bad = [i for i, x in enumerate(values) if not math.isfinite(x)]
            if bad:
                raise StateError(f"{where}: the moment buffer {k}[{bad[0]}] is {values[bad[0]]!r} ({len(bad)} of "
                                 f"{len(values)} entries are NaN or ±inf; training diverged? try a smaller lr); "
                                 "nothing was written")
        if saved_with is not None:
            state["saved_with"] = dict(saved_with)
        return json.dumps(state, allow_nan=False, indent=1) + "\n"

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write ``state_dict()`` to the JSON file ``path`` atomically; return the path."""
        target = Path(os.fspath(path))
        atomic_write(target, self.to_json().encode("utf-8"))
        return target

    def load(self, path: str | os.PathLike[str]) -> None:
        """Restore the state from a JSON file written by ``save`` (checked before anything changes)."""
        where = f"{type(self).__name__}.load({os.fspath(path)!r})"
        state = parse_json(path, where)  # bounded (MAX_FILE_BYTES), no NaN, no deep nesting: ModelFileError
        check_pair(path, state, where)  # saved with a model? then that model file must be from the same save
        try:
            self.load_state_dict(state)
        except ValueError as e:
            raise ModelFileError(f"{where}: {e}") from None


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum μ and weight decay λ (PyTorch's rule).

    g = ∂E/∂p + λ p;   v ← μ v + g;   p ← p − η v.   With μ = λ = 0 this is Δw_ij = η δ_j y_i.
    """

    hyper = ("lr", "momentum", "weight_decay")
    buffers = ("velocity",)
    ranges: ClassVar[dict[str, Range]] = {**Optimizer.ranges, "momentum": Range(0.0, high=1.0, high_open=True),
                                          "weight_decay": Range(0.0), "velocity": ANY}

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = self.checked("momentum", momentum, "SGD")
        self.weight_decay = self.checked("weight_decay", weight_decay, "SGD")
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
    ranges: ClassVar[dict[str, Range]] = {**Optimizer.ranges, "beta1": Range(0.0, high=1.0, high_open=True),
                                          "beta2": Range(0.0, high=1.0, high_open=True), "eps": Range(0.0, strict=True),
                                          "weight_decay": Range(0.0), "m": ANY,
                                          "v": Range(0.0)}  # v, a running mean of squares, is never negative

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
        self.beta1 = self.checked("beta1", betas[0], "Adam", "betas[0]")
        self.beta2 = self.checked("beta2", betas[1], "Adam", "betas[1]")
        self.eps = self.checked("eps", eps, "Adam")
        self.weight_decay = self.checked("weight_decay", weight_decay, "Adam")
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
