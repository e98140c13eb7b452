"""autograd.exercises: every exercise graded right and wrong, and a hostile learner's answers.

The right answers are written here by hand (formulas on floats with ``math``) or taken from
``nn.delta`` (the note's δ rule on plain floats) — never from the exercise's own code.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

import nn
from autograd import Value, exercises
from autograd.exercises import network
from nn import data, delta

NOTE_NAMES = {"Δw_x0_j0": "layers.0.neurons.0.w.0", "Δw_x1_j0": "layers.0.neurons.0.w.1",
              "Δw_x0_j1": "layers.0.neurons.1.w.0", "Δw_x1_j1": "layers.0.neurons.1.w.1",
              "Δb_j0": "layers.0.neurons.0.b", "Δb_j1": "layers.0.neurons.1.b", "Δw_j0_k": "layers.1.neurons.0.w.0",
              "Δw_j1_k": "layers.1.neurons.0.w.1", "Δb_k": "layers.1.neurons.0.b"}


def _trace() -> delta.Trace:
    model = nn.note_model()
    return delta.trace(delta.Net.of(model), data.NOTE_INPUT, data.NOTE_TARGET)


def note_deltas() -> dict[str, float]:
    tr = _trace()
    return {"δ_k": tr.delta[1][0], "δ_j0": tr.delta[0][0], "δ_j1": tr.delta[0][1]}


def note_updates() -> dict[str, float]:
    g = delta.gradients(delta.Net.of(nn.note_model()), [data.NOTE_INPUT], [data.NOTE_TARGET]).named()
    return {k: -1.0 * g[name] for k, name in NOTE_NAMES.items()}  # Δw = −η ∂E/∂w, η = 1


def softmax_grad(z: list[float], t: int) -> list[float]:
    e = [math.exp(v - max(z)) for v in z]
    return [x / sum(e) - (1.0 if i == t else 0.0) for i, x in enumerate(e)]


def backward_mul(out: Any) -> None:
    a, b = out._prev
    a.grad += b.data * out.grad
    b.grad += a.data * out.grad


def backward_tanh(out: Any) -> None:
    (x,) = out._prev
    x.grad += (1 - out.data**2) * out.grad


dn = 1.0 - math.tanh(2.0 * -3.0 + 6.8813735870195432) ** 2
RIGHT: dict[str, Any] = {
    "note_deltas": note_deltas(),
    "note_updates": note_updates(),
    "lecture_expression": {"L": 1.0, "d": -2.0, "f": 4.0, "e": -2.0, "c": -2.0, "a": 6.0, "b": -4.0},
    "lecture_neuron": {"n": dn, "b": dn, "s": dn, "x1w1": dn, "x2w2": dn, "x1": -3 * dn, "w1": 2 * dn, "x2": dn,
                       "w2": 0.0},
    "softmax_nll": softmax_grad,
    "derive_tanh": lambda z, y: 1 - y * y,
    "derive_relu": lambda z: 1.0 if z > 0 else 0.0,
    "backward_mul": backward_mul,
    "backward_tanh": backward_tanh,
    "vanishing": 0.25**10,
}


def test_there_are_at_least_eight_and_each_has_a_right_answer_here() -> None:
    names = [e.name for e in exercises.ALL]
    assert len(names) >= 8 and len(set(names)) == len(names) and set(names) == set(RIGHT)
    assert "note_deltas" in str(exercises.catalogue()) and "| `vanishing` |" in exercises.catalogue()._repr_markdown_()
    with pytest.raises(KeyError, match="no exercise 'nope'"):
        exercises.get("nope")


@pytest.mark.parametrize("name", list(RIGHT))
def test_right_answers_get_full_marks(name: str) -> None:
    ex = exercises.get(name)
    grade = ex.check(RIGHT[name])
    assert grade.passed and grade.score == grade.out_of > 0, str(grade)
    assert grade.headline().endswith("all right") and "✓" in grade._repr_markdown_()


@pytest.mark.parametrize("name", list(RIGHT))
def test_describe_and_blank(name: str) -> None:
    ex = exercises.get(name)
    d = ex.describe()
    assert d.title and d.text and d.template and str(d).startswith(d.title)
    assert d._repr_markdown_().startswith("### ") and ex._repr_markdown_() == d._repr_markdown_()
    blank = ex.check(...)
    assert blank.score == 0 and not blank.passed and "not answered yet" in str(blank)


# ---------------------------------------------------------------------------------------------
# Wrong answers: feedback that points at the step.


def test_note_deltas_sign_slip_at_the_output_and_inherited_below() -> None:
    d = note_deltas()
    wrong = {"δ_k": -d["δ_k"], "δ_j0": -d["δ_j0"], "δ_j1": d["δ_j1"] * 3}
    grade = exercises.get("note_deltas").check(wrong)
    assert grade.parts == {"δ_k": "local", "δ_j0": "inherited", "δ_j1": "local"} and grade.score == 0.5
    text = str(grade)
    assert "(t − y_k), not (y_k − t)" in text and "the step from δ_k is right" in text
    assert "δ_j1 = " in text and "on the edge y_j1 → z_k" in text


def test_note_deltas_ascii_keys_and_a_wrong_hidden_step() -> None:
    d = note_deltas()
    grade = exercises.get("note_deltas").check({"delta_k": d["δ_k"], "delta_j0": d["δ_j0"] / 0.6, "d_j1": d["δ_j1"]})
    assert grade.parts["δ_j0"] == "local" and grade.score == 2
    assert "f′(z_j0) · δ_k · w_j0k" in str(grade)


def test_note_updates_wrong_sign_and_the_weight_instead_of_the_input() -> None:
    u = note_updates()
    d = note_deltas()
    wrong = dict(u, Δw_j0_k=-u["Δw_j0_k"], Δw_j1_k=d["δ_k"] * 0.9)
    grade = exercises.get("note_updates").check(wrong)
    assert grade.score == 7 and grade.parts["Δw_j0_k"] == grade.parts["Δw_j1_k"] == "wrong"
    text = str(grade)
    assert "Δw_j0_k (edge y_j0 → z_k)" in text and "the sign is flipped: Δw = +η δ y" in text
    assert "you multiplied by the weight" in text


def test_lecture_expression_local_and_inherited() -> None:
    wrong = dict(RIGHT["lecture_expression"], d=2.0, e=2.0, c=2.0, a=-6.0, b=4.0)
    grade = exercises.get("lecture_expression").check(wrong)
    assert grade.parts["d"] == "local" and grade.parts["e"] == grade.parts["a"] == "inherited"
    assert grade.score == 2 + 4 * 0.5 + 0  # L, f right; four inherited; d wrong
    assert str(grade).splitlines()[1] == "  - the first mistake, going backward, is at d"


def test_lecture_neuron_a_wrong_tanh_derivative() -> None:
    o = math.tanh(2.0 * -3.0 + 6.8813735870195432)
    grade = exercises.get("lecture_neuron").check({"n": 1 - 0.8813735870195432**2, "b": dn})
    assert grade.parts["n"] == "local" and grade.parts["b"] == "right" and abs(o - 0.7071) < 1e-4
    assert "[tanh: 1 − y²]" in str(grade)


def test_softmax_nll_forgot_the_minus_one_and_numbers() -> None:
    p = [g + (i == 1) for i, g in enumerate(softmax_grad([1.0, 2.0, 0.5], 1))]
    grade = exercises.get("softmax_nll").check(p)
    assert grade.score == 2 and "forgot the −1" in str(grade) and "sum to 1" in str(grade)
    grade = exercises.get("softmax_nll").check(softmax_grad([1.0, 2.0, 0.5], 1))
    assert grade.passed
    grade = exercises.get("softmax_nll").check(lambda z, t: [-g for g in softmax_grad(z, t)])
    assert grade.score == 0 and "sign is flipped" in str(grade)


def test_derive_wrong_formulas() -> None:
    grade = exercises.get("derive_tanh").check(lambda z, y: 1 - z * z)
    assert grade.score == 0 and "1 − y², not 1 − z²" in str(grade) and "central differences" in str(grade)
    assert "constant factor of 2" in str(exercises.get("derive_tanh").check(lambda z, y: 2 * (1 - y * y)))
    assert "wrong sign" in str(exercises.get("derive_tanh").check(lambda z, y: y * y - 1))
    relu = exercises.get("derive_relu")
    assert relu.check(lambda z: 1.0 if z >= 0 else 0.0).passed  # 1 at the kink: a subgradient
    grade = relu.check(lambda z: 1.0 if z > 0 else 2.0)
    assert grade.score == 2 and "outside [0, 1]" in str(grade) and "at z = -1.3" in str(grade)


def test_backward_closures_catch_assignment_and_a_forgotten_out_grad() -> None:
    def assigns(out: Any) -> None:
        a, b = out._prev
        a.grad = b.data * out.grad
        b.grad = a.data * out.grad

    def forgets(out: Any) -> None:
        a, b = out._prev
        a.grad += b.data
        b.grad += a.data

    def swaps(out: Any) -> None:
        (x,) = out._prev
        x.grad += (1 - x.data**2) * out.grad

    mul = exercises.get("backward_mul")
    grade = mul.check(assigns)
    assert grade.score == 2 and "`=` instead of `+=`" in str(grade) and "a * a" in str(grade)
    grade = mul.check(forgets)
    assert grade.score == 3 and "a forgotten factor out.grad" in str(grade)
    assert "added nothing" in str(mul.check(lambda out: None)) and mul.check(lambda out: None).score == 0
    grade = exercises.get("backward_tanh").check(swaps)
    assert grade.score == 2 and "edge x → out" in str(grade) and "1 − out²" in str(grade)


def test_vanishing_slips() -> None:
    v = exercises.get("vanishing")
    assert "added the ten factors" in str(v.check(2.5))
    assert "one layer short" in str(v.check(0.25**9))
    assert "σ′(0) is ¼, not ½" in str(v.check(0.5**10))
    assert v.check(9.54e-7).passed  # three significant digits


# ---------------------------------------------------------------------------------------------
# A hostile learner.


HOSTILE: list[Any] = ["0.032", float("nan"), float("inf"), 10**400, True, None, 1j, [], {}, Value(1.0), object(),
                      {"δ_k": "x", "<script>": 1, "\ud800": 2}, lambda *a, **k: 1 / 0, lambda z: "1", (1, 2, 3)]


@pytest.mark.parametrize("name", list(RIGHT))
@pytest.mark.parametrize("answer", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_answers_get_feedback_never_an_exception(name: str, answer: Any) -> None:
    grade = exercises.get(name).check(answer)
    assert not grade.passed and grade.feedback, (name, answer)
    md = grade._repr_markdown_()
    assert "<script>" not in md
    md.encode("utf-8", "surrogatepass")


def test_extra_and_misspelt_keys_are_named() -> None:
    answer = dict(RIGHT["lecture_expression"], dd=1.0)
    grade = exercises.get("lecture_expression").check(answer)
    assert grade.passed and "'dd' is not a part of this exercise (did you mean 'd'?)" in str(grade)
    grade = exercises.get("note_deltas").check({"delta_k": 0.032, "δ_k": 0.032})
    assert "given twice" in str(grade)


def test_huge_numbers_are_just_wrong() -> None:
    grade = exercises.get("lecture_expression").check(dict(RIGHT["lecture_expression"], a=1e300))
    assert grade.parts["a"] == "local" and "too large" in str(grade)


def test_the_network_is_the_notes() -> None:
    g = network.network()
    model = nn.note_model()
    for key, name in NOTE_NAMES.items():
        p = dict(model.named_parameters())[name]
        assert g[key[1:]].data == pytest.approx(p.data, abs=1e-15), key
    assert g["y_k"].data == pytest.approx(data.NOTE_FIRST_PREDICTION, abs=1e-12)
    assert network.X == tuple(data.NOTE_INPUT) and network.T == data.NOTE_TARGET


def test_softmax_a_numpy_array_is_a_list_of_three_numbers() -> None:
    import numpy as np

    ex = exercises.get("softmax_nll")
    right = softmax_grad([1.0, 2.0, 0.5], 1)  # the formula p_i − [i = t] on floats
    assert ex.check(np.array(right)).passed  # used to be 0/3: "got ndarray"

    def numpy_grad(z: list[float], t: int) -> Any:
        e = np.exp(np.array(z) - max(z))
        p = e / e.sum()
        p[t] -= 1.0
        return p

    assert ex.check(numpy_grad).passed  # used to be 0/12: "returned array(...), not a list"
    assert not ex.check(np.array([0.1, 0.2, 0.3])).passed


def test_softmax_right_rounded_answers_get_no_complaint_about_their_sum() -> None:
    ex = exercises.get("softmax_nll")
    rounded = [round(g, 4) for g in softmax_grad([1.0, 2.0, 0.5], 1)]  # sums to −0.0001, each right
    grade = ex.check(rounded)
    assert grade.passed and not any("sum to" in line for line in grade.feedback), grade.feedback
    wrong = ex.check([0.5, 0.5, 0.5])
    assert any("sum to 1.5" in line for line in wrong.feedback)


def test_softmax_function_returning_text_says_so() -> None:
    grade = exercises.get("softmax_nll").check(lambda z, t: ["0.1", "0.2", "0.3"])
    assert grade.score == 0 and any("is the text '0.1'" in line for line in grade.feedback), grade.feedback


def test_a_number_type_whose_float_raises_is_feedback_not_a_crash() -> None:
    import numbers

    class Liar:
        def __float__(self) -> float:
            raise RuntimeError("no float for you")

        def __repr__(self) -> str:
            raise RuntimeError("no repr either")

    numbers.Real.register(Liar)
    for name, answer in (("note_deltas", {"δ_k": Liar()}), ("vanishing", Liar()), ("softmax_nll", [Liar(), 0, 0])):
        grade = exercises.get(name).check(answer)
        assert not grade.passed
    assert any("whose float() fails" in line for line in exercises.get("note_deltas").check({"δ_k": Liar()}).feedback)


def test_backward_with_abs_of_out_grad_does_not_get_full_marks() -> None:
    # every run had out.grad > 0, so abs(out.grad) (or max(out.grad, 0)) scored 4/4
    def backward_abs(out: Any) -> None:
        a, b = out._prev
        a.grad += b.data * abs(out.grad)
        b.grad += a.data * abs(out.grad)

    grade = exercises.get("backward_mul").check(backward_abs)
    assert not grade.passed and any("out.grad = -2.5" in line for line in grade.feedback), grade.feedback
    assert exercises.get("backward_mul").check(backward_mul).passed
    assert exercises.get("backward_tanh").check(backward_tanh).passed
