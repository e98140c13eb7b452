"""Random scalar programs over every op of the table, built twice: on ``Value`` nodes and on torch tensors.

``random_program(seed)`` draws leaves and then steps, each an op applied to earlier nodes (with
the constants it needs); a step whose input is outside the op's domain, or whose result is far
from 1 in size, is left out, so every program is well defined and well conditioned. ``replay``
builds the same program on torch float64 tensors, an oracle independent of the engine.

Not a test module (pytest collects ``test_*.py`` only).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import autograd
from autograd import Value, ops
from autograd.ops import Op
from autograd.reductions import dot_const
from tests.support.threads import in_threads  # noqa: F401  (the export tests' runner, shared)

# name: (the table op it records, how many node inputs, constants drawn, ours, torch's, domain guard on the inputs)
Build = Callable[[list[Any], list[float]], Any]


def _tf() -> Any:
    import torch.nn.functional as F

    return F


def _chain(xs: list[Any], start: Any) -> Any:
    total = start
    for x in xs:
        total = total + x
    return total


@dataclass(frozen=True)
class Step:
    name: str
    op: Op
    arity: int
    consts: Callable[[random.Random], list[float]]
    ours: Build
    torch: Build
    ok: Callable[[list[float]], bool] = lambda xs: True


def _none(rng: random.Random) -> list[float]:
    return []


def _pick(*values: float) -> Callable[[random.Random], list[float]]:
    return lambda rng: [rng.choice(values)]


def _uniform(n: int) -> Callable[[random.Random], list[float]]:
    return lambda rng: [round(rng.uniform(-2, 2), 3) for _ in range(n)]


STEPS: list[Step] = [
    Step("add", ops.ADD, 2, _none, lambda a, c: a[0] + a[1], lambda a, c: a[0] + a[1]),
    Step("sub", ops.SUB, 2, _none, lambda a, c: a[0] - a[1], lambda a, c: a[0] - a[1]),
    Step("mul", ops.MUL, 2, _none, lambda a, c: a[0] * a[1], lambda a, c: a[0] * a[1]),
    Step("div", ops.DIV, 2, _none, lambda a, c: a[0] / a[1], lambda a, c: a[0] / a[1], lambda x: abs(x[1]) > 0.2),
    Step("pow", ops.POW, 2, _none, lambda a, c: a[0] ** a[1], lambda a, c: a[0] ** a[1],
         lambda x: x[0] > 0.2 and abs(x[1]) < 3),
    Step("add_c", ops.ADD_C, 1, _uniform(1), lambda a, c: a[0] + c[0], lambda a, c: a[0] + c[0]),
    Step("radd_c", ops.ADD_C, 1, _uniform(1), lambda a, c: c[0] + a[0], lambda a, c: c[0] + a[0]),
    Step("sub_c", ops.SUB_C, 1, _uniform(1), lambda a, c: a[0] - c[0], lambda a, c: a[0] - c[0]),
    Step("rsub", ops.RSUB, 1, _uniform(1), lambda a, c: c[0] - a[0], lambda a, c: c[0] - a[0]),
    Step("mul_c", ops.MUL_C, 1, _uniform(1), lambda a, c: a[0] * c[0], lambda a, c: a[0] * c[0]),
    Step("div_c", ops.DIV_C, 1, _pick(3.0, -0.5, 1.7), lambda a, c: a[0] / c[0], lambda a, c: a[0] / c[0]),
    Step("rdiv", ops.RDIV, 1, _pick(1.0, -2.5), lambda a, c: c[0] / a[0], lambda a, c: c[0] / a[0],
         lambda x: abs(x[0]) > 0.2),
    Step("pow_int", ops.POW_C, 1, _pick(2.0, 3.0, 0.0, 1.0), lambda a, c: a[0] ** c[0], lambda a, c: a[0] ** c[0]),
    Step("pow_neg", ops.POW_C, 1, _pick(-1.0, -2.0), lambda a, c: a[0] ** c[0], lambda a, c: a[0] ** c[0],
         lambda x: abs(x[0]) > 0.3),
    Step("pow_frac", ops.POW_C, 1, _pick(0.5, 2.5, -1.5), lambda a, c: a[0] ** c[0], lambda a, c: a[0] ** c[0],
         lambda x: x[0] > 0.2),
    Step("rpow", ops.RPOW, 1, _pick(2.0, 0.5, 1.7), lambda a, c: c[0] ** a[0], lambda a, c: c[0] ** a[0],
         lambda x: abs(x[0]) < 5),
    Step("neg", ops.NEG, 1, _none, lambda a, c: -a[0], lambda a, c: -a[0]),
    Step("exp", ops.EXP, 1, _none, lambda a, c: a[0].exp(), lambda a, c: a[0].exp(), lambda x: x[0] < 4),
    Step("log", ops.LOG, 1, _none, lambda a, c: a[0].log(), lambda a, c: a[0].log(), lambda x: x[0] > 0.1),
    Step("tanh", ops.TANH, 1, _none, lambda a, c: a[0].tanh(), lambda a, c: a[0].tanh()),
    Step("sigmoid", ops.SIGMOID, 1, _none, lambda a, c: a[0].sigmoid(), lambda a, c: a[0].sigmoid()),
    Step("softplus", ops.SOFTPLUS, 1, _none, lambda a, c: a[0].softplus(),
         lambda a, c: _tf().softplus(a[0], beta=1.0, threshold=36.0)),
    Step("relu", ops.RELU, 1, _none, lambda a, c: a[0].relu(), lambda a, c: a[0].relu()),
    Step("leaky_relu", ops.LEAKY_RELU, 1, _pick(0.01, 0.2), lambda a, c: a[0].leaky_relu(c[0]),
         lambda a, c: _tf().leaky_relu(a[0], c[0])),
    Step("abs", ops.ABS, 1, _none, lambda a, c: abs(a[0]), lambda a, c: a[0].abs()),
    Step("sqrt", ops.SQRT, 1, _none, lambda a, c: a[0].sqrt(), lambda a, c: a[0].sqrt(), lambda x: x[0] > 0.1),
    Step("sin", ops.SIN, 1, _none, lambda a, c: a[0].sin(), lambda a, c: a[0].sin()),
    Step("cos", ops.COS, 1, _none, lambda a, c: a[0].cos(), lambda a, c: a[0].cos()),
    Step("sum", ops.SUM, 3, _none, lambda a, c: autograd.sum(a), lambda a, c: _chain(a, 0.0)),
    Step("dot", ops.LINEAR, 5, _none, lambda a, c: autograd.dot(a[:2], a[2:4], a[4]),
         lambda a, c: _chain([a[0] * a[2], a[1] * a[3]], a[4])),
    Step("dot_const", ops.LINEAR_C, 3, _uniform(2), lambda a, c: dot_const(a[:2], c, a[2]),
         lambda a, c: _chain([a[0] * c[0], a[1] * c[1]], a[2])),
]


@dataclass
class Program:
    leaves: list[float]
    labels: list[str]
    steps: list[tuple[Step, list[int], list[float]]] = field(default_factory=list)

    def build(self) -> tuple[list[Value], Value]:
        """The program on ``Value`` leaves: (leaves, y); y sums the last three results."""
        nodes: list[Any] = [Value(x, label=lab) for x, lab in zip(self.leaves, self.labels, strict=True)]
        leaves = list(nodes)
        for step, args, consts in self.steps:
            nodes.append(step.ours([nodes[i] for i in args], consts))
        return leaves, autograd.sum(nodes[-3:])

    def replay(self) -> tuple[list[Any], Any]:
        """The same program on torch float64 tensors that require gradients: (leaves, y)."""
        import torch

        nodes: list[Any] = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in self.leaves]
        leaves = list(nodes)
        for step, args, consts in self.steps:
            nodes.append(step.torch([nodes[i] for i in args], consts))
        return leaves, _chain(nodes[-3:], 0.0)


def random_program(seed: int, n_steps: int = 24, labels: list[str] | None = None) -> Program:
    """A program of ``n_steps`` ops drawn by ``seed`` (the table's ops in turn, then at random)."""
    rng = random.Random(seed)
    n_leaves = rng.randint(2, 5)
    leaves = [round(rng.uniform(-2, 2), 4) for _ in range(n_leaves)]
    program = Program(leaves, labels[:n_leaves] if labels else [f"x{i}" for i in range(n_leaves)])
    values: list[Any] = [Value(x) for x in leaves]
    order = [STEPS[(seed + k) % len(STEPS)] for k in range(len(STEPS))]
    tries = 0
    while len(program.steps) < n_steps and tries < 50 * n_steps:
        tries += 1
        step = order.pop(0) if order else rng.choice(STEPS)
        recent = max(0, len(values) - 6)
        args = [rng.randrange(recent, len(values)) if rng.random() < 0.7 else rng.randrange(len(values))
                for _ in range(step.arity)]
        xs = [values[i].data for i in args]
        if not step.ok(xs):
            continue
        consts = step.consts(rng)
        try:
            out = step.ours([values[i] for i in args], consts)
        except (ValueError, ArithmeticError):
            continue
        if not math.isfinite(out.data) or abs(out.data) > 50:
            continue
        values.append(out)
        program.steps.append((step, args, consts))
    return program
