"""Gradients of small expressions by hand: a lecture's expression and neuron, softmax + NLL.

The expression exercises are graded by ``check_by_hand``: each ∂L/∂v right earns a point, one done
right from the learner's own wrong upstream numbers (*inherited*) half a point, and a wrong step
(*local*) gets its chain rule written out with the learner's numbers and the op table's formula.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import islice
from typing import Any

from autograd.byhand import INHERITED, RIGHT, Row, check_by_hand
from autograd.engine import Value
from autograd.exercises.base import (
    Exercise,
    Grade,
    Key,
    call_safely,
    close,
    read_number,
    read_parts,
    safe_repr,
    sign_or_size,
)
from autograd.functional.gradients import float_gradients
from autograd.reductions import sum as vsum


def _step(row: Row) -> str:
    terms = " + ".join(f"∂L/∂{t.name} · ∂{t.name}/∂{row.name} = ({t.upstream:.6g}) · {t.local:.6g}"
                       + (f" [{t.formula}]" if t.formula else "") for t in row.terms)
    return terms or "the seed, 1"


def grade_graph(name: str, root: Value, nodes: dict[str, Value], keys: Sequence[Key], answer: Any) -> Grade:
    """Grade a dict of ∂root/∂node by label with ``check_by_hand`` (see the module docstring)."""
    numbers, grade = read_parts(answer, keys, name)
    if not numbers:
        return grade
    report = check_by_hand(root, {nodes[k]: v for k, v in numbers.items()}, rtol=1e-3, atol=1e-9)
    for row in report.rows:
        key = row.name
        grade.parts[key] = row.verdict
        if row.verdict == RIGHT:
            grade.score += 1
        elif row.verdict == INHERITED:
            grade.score += 0.5
            above = ", ".join(t.name for t in row.terms if not t.true)
            grade.feedback.append(f"∂L/∂{key} = {row.theirs:.6g}: your step is right from your ∂L/∂{above}; it is "
                                  f"wrong only because ∂L/∂{above} is (½ point)")
        else:
            grade.feedback.append(f"∂L/∂{key} = {row.theirs:.6g} is wrong at its own step "
                                  f"({sign_or_size(row.theirs, row.expected_here or 0.0)}): {_step(row)}, "
                                  f"so {row.expected_here:.6g}")
    if report.wrong:
        grade.feedback.insert(0, f"the first mistake, going backward, is at {report.wrong[0].name}")
    elif grade.passed:
        grade.feedback.append("every gradient right")
    return grade


def lecture() -> dict[str, Value]:
    """The lecture's expression L = (a·b + c)·f with a = 2, b = −3, c = 10, f = −2."""
    a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    return {v.label: v for v in (a, b, c, f, e, d, L)}


class LectureExpression(Exercise):
    name = "lecture_expression"
    title = "A lecture's expression: every ∂L/∂v by hand"
    text = ("a = 2, b = −3, c = 10, f = −2;  e = a·b,  d = e + c,  L = d·f.\n\n"
            "Work backward from ∂L/∂L = 1 and give ∂L/∂v for every node. A multiplication passes the upstream "
            "gradient times the *other* input; an addition passes it on unchanged.")
    template = '{"L": ..., "d": ..., "f": ..., "e": ..., "c": ..., "a": ..., "b": ...}'
    keys = tuple(Key(k) for k in ("L", "d", "f", "e", "c", "a", "b"))

    def check(self, answer: Any) -> Grade:
        g = lecture()
        return grade_graph(self.name, g["L"], g, self.keys, answer)


def neuron() -> dict[str, Value]:
    """A neuron o = tanh(x1·w1 + x2·w2 + b) with x1 = 2, x2 = 0, w1 = −3, w2 = 1, b = 6.8813735870195432."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2, b = Value(-3.0, label="w1"), Value(1.0, label="w2"), Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1w1"
    x2w2 = x2 * w2
    x2w2.label = "x2w2"
    s = x1w1 + x2w2
    s.label = "s"
    n = s + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return {v.label: v for v in (x1, x2, w1, w2, b, x1w1, x2w2, s, n, o)}


class LectureNeuron(Exercise):
    name = "lecture_neuron"
    title = "A lecture's neuron: o = tanh(x1·w1 + x2·w2 + b)"
    text = ("x1 = 2, x2 = 0, w1 = −3, w2 = 1, b = 6.8813735870195432;  x1w1 = x1·w1,  x2w2 = x2·w2,  "
            "s = x1w1 + x2w2,  n = s + b,  o = tanh(n)  (so o ≈ 0.7071).\n\n"
            "Give ∂o/∂v for every node except o. tanh′(n) = 1 − o².")
    template = '{"n": ..., "b": ..., "s": ..., "x1w1": ..., "x2w2": ..., "x1": ..., "w1": ..., "x2": ..., "w2": ...}'
    keys = tuple(Key(k) for k in ("n", "b", "s", "x1w1", "x2w2", "x1", "w1", "x2", "w2"))

    def check(self, answer: Any) -> Grade:
        g = neuron()
        return grade_graph(self.name, g["o"], g, self.keys, answer)


LOGITS, TARGET = (1.0, 2.0, 0.5), 1


def _as_list(x: Any) -> Any:
    """A learner's sequence (a list, a tuple, a numpy array, any sized iterable that is not text or a dict)
    as a list (its first 100 items), or ``x`` itself when it is none (the caller says what was expected)."""
    if isinstance(x, (str, bytes, Mapping)) or not hasattr(x, "__iter__") or not hasattr(x, "__len__"):
        return x
    try:
        return list(islice(iter(x), 100))
    except Exception:  # a hostile iterable: treated as not a list
        return x


def nll_graph(z: Sequence[float], t: int) -> tuple[Value, list[Value]]:
    """L = −log softmax(z)_t from exp, sum and log nodes: L = log Σ_i e^{z_i} − z_t."""
    zs = [Value(float(v), label=f"z{i}") for i, v in enumerate(z)]
    m = max(z)
    L = vsum([(v - m).exp() for v in zs]).log() + m - zs[t]
    return L, zs


class SoftmaxNLL(Exercise):
    name = "softmax_nll"
    title = "Softmax and the negative log-likelihood in one formula"
    text = (f"Logits z = {LOGITS}, target class t = {TARGET}; p = softmax(z), L = −log p_t.\n\n"
            "Give ∂L/∂z_i for every i, as a list of three numbers — or, better, as a Python function "
            "`grad(z, t)` returning that list for any logits (it is tried on several). Hint: one formula "
            "covers every i.")
    template = "[..., ..., ...]  or  def grad(z, t): return [...]"

    def check(self, answer: Any) -> Grade:
        if callable(answer):
            return self._check_function(answer)
        grade = Grade(self.name, 0.0, 3.0)
        if answer is ...:
            grade.parts = {f"z{i}": "blank" for i in range(3)}
            grade.feedback.append("not answered yet: a list of three numbers, or a function grad(z, t)")
            return grade
        if isinstance(answer, dict):
            answer = [answer.get(f"z{i}", answer.get(i, ...)) for i in range(3)]
        answer = _as_list(answer)
        if not isinstance(answer, list) or len(answer) != 3:
            grade.feedback.append(f"give a list of 3 numbers (one per logit), got {type(answer).__name__}"
                                  + (f" of length {len(answer)}" if isinstance(answer, (list, tuple)) else ""))
            return grade
        values = []
        for i, x in enumerate(answer):
            v, problem = read_number(x)
            grade.parts[f"z{i}"] = "blank" if problem == "blank" else "unreadable" if problem else "read"
            if problem and problem != "blank":
                grade.feedback.append(f"∂L/∂z{i} {problem}")
            values.append(v)
        blanks = [k for k, v in grade.parts.items() if v == "blank"]
        if blanks:
            grade.feedback.append(f"still to fill in: ∂L/∂{', ∂L/∂'.join(blanks)}")
        self._grade(grade, LOGITS, TARGET, values)
        return grade

    def _grade(self, grade: Grade, z: Sequence[float], t: int, values: Sequence[float | None], where: str = "") -> None:
        L, zs = nll_graph(z, t)
        true = float_gradients(L, zs)  # the engine's, through exp, sum and log nodes (no formula of ours)
        p = [g + (1.0 if i == t else 0.0) for i, g in enumerate(true)]
        for i, (mine, want) in enumerate(zip(values, true, strict=True)):
            if mine is None:
                continue
            if close(mine, want):
                grade.score += 1
                grade.parts[f"z{i}"] = "right"
                continue
            grade.parts[f"z{i}"] = "wrong"
            hint = ""
            if i == t and close(mine, p[i]):
                hint = f": at the target class you forgot the −1 (∂L/∂z_t = p_t − 1 = {want:.6g})"
            elif close(mine, -want):
                hint = ": the sign is flipped (∂L/∂z_i = p_i − [i = t])"
            elif close(mine, p[i] * (1 - p[i])):
                hint = ": that is softmax's own ∂p_i/∂z_i, not the loss's gradient"
            grade.feedback.append(f"∂L/∂z{i}{where} = {mine:.6g} is wrong ({sign_or_size(mine, want)}), it is "
                                  f"{want:.6g}{hint}")
        done = [v for v in values if v is not None]
        right = all(close(v, w) for v, w in zip(done, true, strict=False)) and len(done) == len(values)
        if len(done) == len(values) and not right and not close(sum(done), 0.0, atol=1e-3 * sum(map(abs, true))):
            grade.feedback.append(f"your three gradients sum to {sum(done):.4g}; they must sum to 0 (Σ p_i − 1)")

    def _check_function(self, fn: Callable[..., Any]) -> Grade:
        cases = [(LOGITS, TARGET), ((0.0, 0.0, 0.0), 0), ((3.0, -1.0, 0.2), 2), ((-2.0, 5.0, 1.0), 0)]
        grade = Grade(self.name, 0.0, 3.0 * len(cases))
        for z, t in cases:
            out, error = call_safely(fn, list(z), t)
            where = f" at z = {list(z)}, t = {t}"
            if error:
                grade.feedback.append(f"grad({list(z)}, {t}) raised {error}")
                continue
            out = _as_list(out)
            if not isinstance(out, list) or len(out) != 3:
                grade.feedback.append(f"grad({list(z)}, {t}) returned {safe_repr(out)}, not a list of 3 numbers")
                continue
            read = [read_number(x) for x in out]
            grade.feedback.extend(f"grad({list(z)}, {t})[{i}] {problem}" for i, (v, problem) in enumerate(read)
                                  if v is None)
            self._grade(grade, z, t, [v for v, _ in read], where)
        grade.parts = {"function": "right" if grade.passed else "wrong"}
        return grade
