"""Write micrograd's ``_backward`` for an op: the learner's function is called on test nodes.

The answer is a Python function ``backward(out)`` that does what micrograd's closure does for the
node ``out``: add ``out.grad`` × the local derivative into each parent's ``grad``. Nothing is
``eval``-ed: the function is called on fresh nodes made micrograd's way (``Value(data, (a, b),
'*')``, parents in ``out._prev``), with controlled gradients, as ``check_graph`` checks a closure:

1. from parents' grads 0 and ``out.grad = 1`` it must add the local derivatives (the values);
2. from grads 0.5, 0.75 it must add the same amounts — **``=`` instead of ``+=``** fails here;
3. with ``out.grad = −2.5`` it must add −2.5 times as much — **a forgotten ``out.grad``** fails here
   (negative, so ``abs(out.grad)`` or a clipped upstream fails too);
4. for ``*``, on ``a * a`` (one node twice in ``_prev``) it must add 2a·out.grad into a.grad;

and it must change nothing else (``out.grad``, any ``data``). Each check is a point.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from autograd.engine import Value
from autograd.exercises.base import Exercise, Grade, call_safely, close


@dataclass(frozen=True)
class Spec:
    tag: str
    forward: Callable[..., float]
    local: Callable[..., tuple[float, ...]]  # ∂out/∂parent_i at the parents' data
    point: tuple[float, ...]
    formula: str
    reused: bool = False


SPECS = {
    "mul": Spec("*", lambda a, b: a * b, lambda a, b: (b, a), (2.0, -3.0), "∂out/∂a = b, ∂out/∂b = a", reused=True),
    "tanh": Spec("tanh", math.tanh, lambda x: (1.0 - math.tanh(x) ** 2,), (0.5,), "∂out/∂x = 1 − out²"),
}
_NAMES = ("a", "b")
SCALE = -2.5  # the upstream out.grad of the third run: not 1, and negative


def _nodes(spec: Spec, xs: tuple[float, ...], same: bool = False) -> tuple[Value, list[Value]]:
    ps = [Value(x, label=(_NAMES[i] if len(xs) > 1 else "x")) for i, x in enumerate(xs)]
    if same:
        ps = [ps[0], ps[0]]
    out = Value(spec.forward(*[p.data for p in ps]), tuple(ps), spec.tag)
    out.label = "out"
    return out, ps


class WriteBackward(Exercise):
    """``WriteBackward("mul")``, ``WriteBackward("tanh")``: micrograd's ``_backward`` for the op."""

    def __init__(self, which: str) -> None:
        if which not in SPECS:
            raise ValueError(f"WriteBackward: no exercise for {which!r}; there are {', '.join(SPECS)}")
        self.spec = SPECS[which]
        self.name = f"backward_{which}"
        self.title = f"Write micrograd's _backward for {self.spec.tag}"
        args = "a, b = out._prev" if len(self.spec.point) > 1 else "(x,) = out._prev"
        self.text = (f"A node `out` made by `{self.spec.tag}` has its parents in `out._prev`. Write "
                     f"`def backward(out):` that does what micrograd's `out._backward` does: `{args}`, then add "
                     "`out.grad` × the local derivative into each parent's `.grad`. Your function is called on test "
                     "nodes (never read as text).")
        self.template = f"def backward(out):\n    {args}\n    ..."

    def check(self, answer: Any) -> Grade:
        spec = self.spec
        grade = Grade(self.name, 0.0, 4.0 if spec.reused else 3.0)
        if answer is ...:
            grade.parts = {"function": "blank"}
            grade.feedback.append("not answered yet: write def backward(out): ...")
            return grade
        if not callable(answer):
            grade.feedback.append(f"the answer must be a function backward(out), got {type(answer).__name__}")
            return grade
        locs = spec.local(*spec.point)
        runs = {}
        for key, starts, g in (("values", (0.0, 0.0), 1.0), ("adds", (0.5, 0.75), 1.0), ("scales", (0.0, 0.0), SCALE)):
            run, problem = self._run(answer, spec.point, starts, g)
            if problem:
                grade.feedback.append(problem)
                grade.parts = {"function": "wrong"}
                return grade
            runs[key] = run
        names = [_NAMES[i] if len(locs) > 1 else "x" for i in range(len(locs))]
        values, adds, scales = runs["values"], runs["adds"], runs["scales"]
        if all(v == 0.0 for v in values) and all(v == 0.0 for v in scales):
            grade.feedback.append("it added nothing into the parents' .grad: each parent gets out.grad × its local "
                                  f"derivative ({spec.formula}) added with +=")
            grade.parts = {"function": "wrong"}
            return grade
        bad = [i for i, d in enumerate(locs) if not close(values[i], d, 1e-9)]
        if bad:
            i = bad[0]
            grade.feedback.append(f"into {names[i]}.grad (edge {names[i]} → out) it adds {values[i]:.6g} when "
                                  f"out.grad = 1; the local derivative there is {locs[i]:.6g} ({spec.formula})")
        else:
            grade.score += 1
        if any(not close(adds[i], values[i], 1e-9) for i in range(len(locs))):
            i = next(i for i in range(len(locs)) if not close(adds[i], values[i], 1e-9))
            start = (0.5, 0.75)[i]
            grade.feedback.append(f"{names[i]}.grad started at {start:g} and was left at {start + adds[i]:.6g}, not "
                                  f"{start + values[i]:.6g}: `=` instead of `+=`? A node used twice gets a gradient "
                                  "from each use, so each must be added")
        else:
            grade.score += 1
        if any(not close(scales[i], SCALE * values[i], 1e-9) for i in range(len(locs))):
            i = next(i for i in range(len(locs)) if not close(scales[i], SCALE * values[i], 1e-9))
            grade.feedback.append(f"with out.grad = {SCALE:g} it adds {scales[i]:.6g} into {names[i]}.grad, not "
                                  f"{SCALE * values[i]:.6g}: a forgotten factor out.grad? (the chain rule: upstream × "
                                  "local)")
        else:
            grade.score += 1
        if spec.reused:
            grade.score += self._reused(answer, grade)
        grade.parts = {"function": "right" if grade.passed else "wrong"}
        if grade.passed:
            grade.feedback.append("right: it adds, scales with out.grad, and has the right local derivatives")
        return grade

    def _run(self, fn: Callable[..., Any], xs: tuple[float, ...], starts: tuple[float, ...],
             g: float) -> tuple[list[float], str]:
        """Call ``fn(out)`` on fresh nodes; (what it added into each parent's grad, a problem or "")."""
        out, ps = _nodes(self.spec, xs)
        for p, s in zip(ps, starts, strict=False):
            p.grad = s
        out.grad = g
        data = [out.data, *(p.data for p in ps)]
        _, error = call_safely(fn, out)
        if error:
            return [], f"backward(out) raised {error}"
        if out.grad != g:
            return [], f"backward(out) changed out.grad (from {g:g} to {out.grad!r}); it should only read it"
        if [out.data, *(p.data for p in ps)] != data:
            return [], "backward(out) changed a node's .data; it should only add into the parents' .grad"
        try:
            return [float(p.grad) - s for p, s in zip(ps, starts, strict=False)], ""
        except (TypeError, ValueError):
            return [], "after backward(out) a parent's .grad is not a number"

    def _reused(self, fn: Callable[..., Any], grade: Grade) -> float:
        a = self.spec.point[0]
        out, ps = _nodes(self.spec, (a, a), same=True)
        out.grad = 1.0
        _, error = call_safely(fn, out)
        got = ps[0].grad
        want = 2 * a
        if error or not isinstance(got, float) or not close(got, want, 1e-9):
            grade.feedback.append(f"on out = a * a (a = {a:g}, in out._prev twice) a.grad should become 2a = {want:g}"
                                  + (f", but backward(out) raised {error}" if error else f", got {got!r}")
                                  + (" — `=` lets the second use overwrite the first" if got == a else ""))
            return 0.0
        return 1.0
