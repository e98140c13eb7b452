"""Derive an op's local derivative: the learner's ``f′`` is made an op and checked like any user op.

The answer is a function ``d(x)`` or ``d(x, y)`` (x the input z, y = f(z) the output). It becomes the
derivative of an ``autograd.custom.op`` over the table's forward, so it is graded by the project's
own checks: ``check_graph`` (the recorded local derivative against central differences at the
input) and ``gradcheck`` (through a small expression), with ``gradcheck``'s kinks: at relu's z = 0
there is no derivative, and any number in [0, 1] (a subgradient; PyTorch takes 0) is accepted. The
feedback names the input where the formula fails and the classic slips: the sign, a constant
factor, and the derivative written at the input where the formula uses the output (1 − z² for
tanh′ = 1 − y²).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from autograd import ops
from autograd.checking import GradcheckError, check_graph, gradcheck
from autograd.custom import op
from autograd.engine import Value
from autograd.exercises.base import Exercise, Grade, call_safely, close, read_number


@dataclass(frozen=True)
class Spec:
    """An op to differentiate: the table's entry, where to try it, and the text of the question."""

    table: ops.Op
    points: tuple[float, ...]
    question: str
    kink: float | None = None


SPECS = {
    "tanh": Spec(ops.TANH, (-1.7, -0.4, 0.3, 1.2), "y = tanh(z). Write f′ as a function of z, of y, or both."),
    "relu": Spec(ops.RELU, (-1.3, -0.2, 0.4, 2.0), "y = relu(z) = max(0, z). What is f′(z) on each side of 0, "
                 "and what does your function return at z = 0, where relu has a kink?", kink=0.0),
}


def _true(spec: Spec, x: float) -> float:
    return float(spec.table.deriv(x, spec.table.forward(x), None))


def _takes_y(fn: Callable[..., Any]) -> bool | None:
    """Whether the learner's function takes (x, y) — True — or (x) — False; None when it takes neither."""
    try:
        params = [p for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty]
    except (TypeError, ValueError):
        return None
    return {1: False, 2: True}.get(len(params))


class DeriveLocal(Exercise):
    """``DeriveLocal("tanh")``, ``DeriveLocal("relu")``: derive the op's local derivative f′(z)."""

    def __init__(self, which: str) -> None:
        if which not in SPECS:
            raise ValueError(f"DeriveLocal: no exercise for {which!r}; there are {', '.join(SPECS)}")
        self.spec = SPECS[which]
        self.name = f"derive_{which}"
        self.title = f"Derive {which}'s local derivative"
        self.text = (f"{self.spec.question}\n\nAnswer with a Python function `d(z)` or `d(z, y)` returning ∂y/∂z. "
                     "It is graded as a custom op would be: check_graph and gradcheck against central differences"
                     + (", with the kink at z = 0 reported as a kink." if self.spec.kink is not None else "."))
        self.template = "lambda z, y: ..."

    def check(self, answer: Any) -> Grade:
        spec = self.spec
        points = [*spec.points, *([spec.kink] if spec.kink is not None else [])]
        grade = Grade(self.name, 0.0, float(len(points)))
        if answer is ...:
            grade.parts = {"function": "blank"}
            grade.feedback.append("not answered yet: write a function d(z) or d(z, y)")
            return grade
        takes_y = _takes_y(answer) if callable(answer) else None
        if takes_y is None:
            grade.feedback.append("the answer must be a function of z, or of z and y (lambda z, y: ...), got "
                                  + (f"{type(answer).__name__} {repr(answer)[:30]}" if not callable(answer) else
                                     "a function of another shape"))
            return grade
        fn = answer if takes_y else (lambda x, y: answer(x))
        theirs: dict[float, float] = {}
        for x in points:
            value, error = call_safely(fn, x, spec.table.forward(x))
            number, problem = (None, "") if error else read_number(value)
            if number is None:
                grade.feedback.append(f"at z = {x:g} your function raised {error}" if error else
                                      f"at z = {x:g} what your function returned {problem}")
                continue
            theirs[x] = number
        user = op(f"your_{spec.table.name}", derivative=answer,
                  kink=(lambda x: x == spec.kink) if spec.kink is not None else None)(spec.table.forward)
        for x in points:
            if x not in theirs:
                continue
            if x == spec.kink:
                ok = 0.0 <= theirs[x] <= 1.0
                grade.score += ok
                grade.feedback.append(f"at the kink z = {x:g} relu has no derivative: your {theirs[x]:.6g} "
                                      + ("is a subgradient (any number in [0, 1]; PyTorch takes 0) — accepted"
                                         if ok else "is outside [0, 1], so no subgradient; PyTorch takes 0"))
                continue
            problem = self._judge(user, x)
            if not problem:
                grade.score += 1
            else:
                grade.feedback.append(f"at z = {x:g}: {problem}")
        grade.feedback.extend(self._pattern(theirs))
        grade.parts = {"function": "right" if grade.passed else "wrong"}
        return grade

    def _judge(self, user: ops.Op, x: float) -> str:
        """'' if the learner's op passes check_graph and gradcheck at x, else what they say."""
        spec = self.spec
        try:
            check_graph(user(Value(x, label="z")), rtol=1e-4, atol=1e-7)
            gradcheck(lambda z: user(z) * 1.5, [x])
        except GradcheckError:
            mine = float(user.deriv(x, spec.table.forward(x), None))
            return f"yours is {mine:.6g}, central differences give {_true(spec, x):.6g} (check_graph, gradcheck)"
        except Exception as e:  # a learner's function may raise or return a non-number deep in a check
            return f"the checks failed: {type(e).__name__}: {str(e)[:100]}"
        return ""

    def _pattern(self, theirs: dict[float, float]) -> list[str]:
        """The slip a wrong formula looks like, over all the points tried (not the kink)."""
        spec = self.spec
        xs = [x for x in theirs if x != spec.kink]
        true = {x: _true(spec, x) for x in xs}
        wrong = [x for x in xs if not close(theirs[x], true[x], 1e-4, 1e-7)]
        if not wrong:
            return []
        if all(close(theirs[x], -true[x], 1e-4, 1e-7) for x in xs):
            return ["your formula has the wrong sign everywhere"]
        swapped = {x: float(spec.table.deriv(spec.table.forward(x), x, None)) for x in xs}
        if all(close(theirs[x], swapped[x], 1e-4, 1e-7) for x in xs):
            return ["you wrote the formula with the input z where it needs the output y = f(z) (or the other way "
                    "round): for tanh, f′ = 1 − y², not 1 − z²"]
        ratios = {round(theirs[x] / true[x], 6) for x in xs if true[x] != 0.0}
        if len(ratios) == 1 and (r := ratios.pop()) != 1.0:
            return [f"your formula is off by a constant factor of {r:g}"]
        return []
