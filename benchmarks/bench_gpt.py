"""A tiny GPT-like training step written the way microgpt writes it — our ``Value`` against a minimal one.

microgpt-style code builds every sum from ``sum(w_i * x_i for ...)`` over plain ``Value`` nodes (no fused
nodes), so this is where a learner waits longest. The workload, the same code for both engines:

* a vocabulary of 16 tokens, embeddings of width 16, a context of 8 tokens;
* per position: token + position embedding, rmsnorm, one causal attention head (q, k, v projections, scaled
  scores, softmax, the weighted sum of values, an output projection, a residual), rmsnorm, an MLP (16 → 64 →
  16 with ReLU, a residual), the language-model head, softmax and the negative log-likelihood of the next
  token; the loss is the mean over the positions;
* one step = forward + ``backward()`` + an SGD update of the 3,712 parameters.

The anchor, ``Minimal``, is a closure-free node of microgpt's ``(data, children, local_grads)`` kind written
here: each op stores its parents and the numbers ∂out/∂parent, and ``backward()`` orders the graph (an
explicit stack, so depth is no limit) and applies ``child.grad += local · out.grad``. Both engines start from
the same weights; the benchmark checks that their losses and gradients agree to 1e-12 (relative) before it
times anything. The garbage collector stays on; the engines take turns (``benchmarks.common.interleave``).

    python -m benchmarks.bench_gpt            # the full run (about a minute)
    python -m benchmarks.bench_gpt --quick    # a smoke run (seconds: a context of 3, two rounds)
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

import autograd
from benchmarks import common
from benchmarks.common import Metrics

TARGET = 3.0  # the minimal Value's step time ÷ ours


class Minimal:
    """A node that records its parents and the local derivatives ∂y/∂parent as numbers (microgpt's kind)."""

    __slots__ = ("_children", "_local_grads", "data", "grad")

    def __init__(self, data: float, children: tuple[Minimal, ...] = (), local_grads: tuple[float, ...] = ()):
        self.data = data
        self.grad = 0.0
        self._children = children
        self._local_grads = local_grads

    def __add__(self, other: Any) -> Minimal:  # y = a + b;  ∂y/∂a = ∂y/∂b = 1
        other = other if isinstance(other, Minimal) else Minimal(float(other))
        return Minimal(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other: Any) -> Minimal:  # y = a·b;  ∂y/∂a = b, ∂y/∂b = a
        other = other if isinstance(other, Minimal) else Minimal(float(other))
        return Minimal(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, c: float) -> Minimal:  # y = xᶜ;  ∂y/∂x = c·xᶜ⁻¹
        return Minimal(self.data**c, (self,), (c * self.data ** (c - 1),))

    def exp(self) -> Minimal:  # y = eˣ;  ∂y/∂x = y
        y = math.exp(self.data)
        return Minimal(y, (self,), (y,))

    def log(self) -> Minimal:  # y = ln x;  ∂y/∂x = 1/x
        return Minimal(math.log(self.data), (self,), (1.0 / self.data,))

    def relu(self) -> Minimal:  # y = max(0, x);  ∂y/∂x = 1 for x > 0, else 0
        return Minimal(self.data if self.data > 0 else 0.0, (self,), (1.0 if self.data > 0 else 0.0,))

    def __neg__(self) -> Minimal:
        return self * -1.0

    def __radd__(self, other: Any) -> Minimal:
        return self + other

    def __sub__(self, other: Any) -> Minimal:
        return self + (-other)

    def __rmul__(self, other: Any) -> Minimal:
        return self * other

    def __truediv__(self, other: Any) -> Minimal:
        return self * other**-1.0

    def backward(self) -> None:
        """∂self/∂node into every node's ``grad``: a topological order by an explicit stack, then the chain rule."""
        order: list[Minimal] = []
        seen: set[int] = set()
        stack: list[tuple[Minimal, bool]] = [(self, False)]
        while stack:
            v, done = stack.pop()
            if done:
                order.append(v)
            elif id(v) not in seen:
                seen.add(id(v))
                stack.append((v, True))
                stack.extend((c, False) for c in v._children)
        self.grad = 1.0
        for v in reversed(order):
            for child, local in zip(v._children, v._local_grads, strict=True):
                child.grad += local * v.grad


# -- the model, written once for both engines (microgpt's style: lists of scalar nodes) ---------------------
VOCAB, EMBD, HIDDEN = 16, 16, 64


def init_weights(context: int, seed: int = 0) -> dict[str, list[list[float]]]:
    """The model's weights as plain numbers, so that both engines start from the same ones."""
    rng = random.Random(seed)

    def matrix(rows: int, cols: int, std: float = 0.08) -> list[list[float]]:
        return [[rng.gauss(0.0, std) for _ in range(cols)] for _ in range(rows)]

    return {"wte": matrix(VOCAB, EMBD), "wpe": matrix(context, EMBD), "wq": matrix(EMBD, EMBD),
            "wk": matrix(EMBD, EMBD), "wv": matrix(EMBD, EMBD), "wo": matrix(EMBD, EMBD),
            "fc1": matrix(HIDDEN, EMBD), "fc2": matrix(EMBD, HIDDEN), "head": matrix(VOCAB, EMBD)}


def linear(x: Sequence[Any], w: Sequence[Sequence[Any]]) -> list[Any]:
    return [sum(wi * xi for wi, xi in zip(row, x, strict=True)) for row in w]


def softmax(logits: Sequence[Any]) -> list[Any]:
    top = max(v.data for v in logits)
    exps = [(v - top).exp() for v in logits]
    total = sum(exps)
    return [e / total for e in exps]


def rmsnorm(x: Sequence[Any]) -> list[Any]:
    scale = (sum(xi * xi for xi in x) / len(x) + 1e-5) ** -0.5
    return [xi * scale for xi in x]


def gpt_loss(params: dict[str, list[list[Any]]], tokens: Sequence[int]) -> Any:
    """The mean negative log-likelihood of each next token, one causal attention head, a KV cache."""
    keys: list[list[Any]] = []
    values: list[list[Any]] = []
    losses = []
    for pos, (tok, target) in enumerate(itertools.pairwise(tokens)):
        x = [t + p for t, p in zip(params["wte"][tok], params["wpe"][pos], strict=True)]
        h = rmsnorm(x)
        q, k, v = linear(h, params["wq"]), linear(h, params["wk"]), linear(h, params["wv"])
        keys.append(k)
        values.append(v)
        scores = [sum(qi * ki for qi, ki in zip(q, kk, strict=True)) / math.sqrt(EMBD) for kk in keys]
        att = softmax(scores)
        mixed = [sum(a * vv[j] for a, vv in zip(att, values, strict=True)) for j in range(EMBD)]
        x = [xi + oi for xi, oi in zip(x, linear(mixed, params["wo"]), strict=True)]
        h = [hi.relu() for hi in linear(rmsnorm(x), params["fc1"])]
        x = [xi + mi for xi, mi in zip(x, linear(h, params["fc2"]), strict=True)]
        probs = softmax(linear(x, params["head"]))
        losses.append(-probs[target].log())
    return sum(losses) / len(losses)


def make_params(engine: Callable[[float], Any], weights: dict[str, list[list[float]]]) -> dict[str, list[list[Any]]]:
    return {name: [[engine(w) for w in row] for row in m] for name, m in weights.items()}


def flat(params: dict[str, list[list[Any]]]) -> list[Any]:
    return [p for m in params.values() for row in m for p in row]


def train_step(params: dict[str, list[list[Any]]], tokens: Sequence[int], lr: float = 0.01) -> float:
    """One step: zero the gradients, forward, backward, SGD. Returns the loss."""
    ps = flat(params)
    for p in ps:
        p.grad = 0.0
    loss = gpt_loss(params, tokens)
    loss.backward()
    for p in ps:
        p.data -= lr * p.grad
    return float(loss.data)


def agreement(weights: dict[str, list[list[float]]], tokens: Sequence[int]) -> float:
    """The largest relative difference between the two engines' loss and gradients on the same weights."""
    ours, minimal = make_params(autograd.Value, weights), make_params(Minimal, weights)
    a, b = gpt_loss(ours, tokens), gpt_loss(minimal, tokens)
    a.backward()
    b.backward()
    pairs = [(a.data, b.data), *((p.grad, q.grad) for p, q in zip(flat(ours), flat(minimal), strict=True))]
    return max(abs(x - y) / max(abs(x), abs(y), 1e-300) for x, y in pairs)


def runner(engine: Callable[[float], Any], weights: dict[str, list[list[float]]],
           tokens: Sequence[int]) -> Callable[[], Metrics]:
    def run() -> Metrics:
        params = make_params(engine, weights)
        common.settle()
        start = time.perf_counter()
        train_step(params, tokens)
        return {"step": time.perf_counter() - start}

    return run


def main(argv: Sequence[str] | None = None) -> None:
    args = common.parse_quick(__doc__ or "", argv)
    context = 3 if args.quick else 8
    weights = init_weights(context)
    tokens = [random.Random(1).randrange(VOCAB) for _ in range(context + 1)]
    print(common.environment())
    worst = agreement(weights, tokens)
    print(f"largest relative difference of loss and gradients between the engines: {worst:.2e}"
          f" ({'agree' if worst <= 1e-12 else 'WRONG'})")
    result = common.interleave({"deltagrad": runner(autograd.Value, weights, tokens),
                                "minimal": runner(Minimal, weights, tokens)}, repeats=args.repeats)
    ours, minimal = result["deltagrad"]["step"], result["minimal"]["step"]
    common.print_table(f"microgpt-style step: context {context}, {len(flat(weights))} parameters (median s)",
                       ["engine", "step s"], [["deltagrad", common.fmt(ours)], ["minimal", common.fmt(minimal)]])
    print(f"minimal ÷ deltagrad: {common.fmt_ratio(common.ratio(minimal, ours))}")
    print(common.check_target("speed-up over the minimal Value", common.ratio(minimal, ours), TARGET, at_least=True))


if __name__ == "__main__":
    main()
