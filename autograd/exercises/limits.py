"""The note's limits: why gradients vanish in a deep sigmoid network, as a number to work out.

Each sigmoid layer multiplies the gradient flowing back by σ′(z) · w, and σ′(z) = y(1 − y) is at
most ¼ (at z = 0). Through n layers with weights 1, the factor is at most (¼)ⁿ. The exercise's
chain is built with ``Value`` nodes so that every z is exactly 0 and the engine's ∂y_n/∂z_1 is the
bound itself; the grade compares the learner's number with it and names the usual slips: adding
the factors instead of multiplying them, counting one layer too many or too few, inverting.
"""

from __future__ import annotations

from typing import Any

from autograd.engine import Value
from autograd.exercises.base import Exercise, Grade, close, read_number
from autograd.functional.gradients import float_gradients

LAYERS = 10


def chain(n: int = LAYERS) -> tuple[Value, Value]:
    """y_n of n sigmoid neurons in a row, weights 1 and biases making every z_i = 0; returns (y_n, z_1)."""
    z = Value(0.0, label="z1")
    first = z
    for i in range(n):
        y = z.sigmoid()
        y.label = f"y{i + 1}"
        if i + 1 < n:
            z = y * 1.0 - 0.5  # z_{i+1} = w·y_i + b with w = 1, b = −½: σ(0) = ½, so z = 0 again
            z.label = f"z{i + 2}"
    return y, first


class Vanishing(Exercise):
    name = "vanishing"
    title = "Vanishing gradients: how small can ∂y/∂z get through 10 sigmoid layers?"
    text = (f"A chain of {LAYERS} sigmoid neurons, each with weight w = 1: z_{{i+1}} = w·y_i + b_i, y_i = σ(z_i). "
            "σ′(z) = y(1 − y) is largest at z = 0. If every z_i is 0, what is ∂y_10/∂z_1, the factor by which the "
            "gradient shrinks on its way back from the last layer to the first? (A number; 3 significant digits "
            "are enough.)")
    template = "..."

    def check(self, answer: Any) -> Grade:
        grade = Grade(self.name, 0.0, 1.0)
        value, problem = read_number(answer)
        if value is None:
            grade.parts = {"factor": "blank" if problem == "blank" else "unreadable"}
            grade.feedback.append("not answered yet: one number" if problem == "blank" else f"the answer {problem}")
            return grade
        y, z1 = chain()
        (true,) = float_gradients(y, [z1])  # the engine's product of the ten σ′(0)·w
        if close(value, true, rtol=1e-2, atol=0.0):
            grade.score, grade.parts = 1.0, {"factor": "right"}
            grade.feedback.append(f"right: (¼)^{LAYERS} = {true:.3g} — the first layers of a deep sigmoid network "
                                  "barely learn; ReLU's derivative is 1 where it is on, which is why it helps")
            return grade
        grade.parts = {"factor": "wrong"}
        quarter = 0.25
        slips = {quarter * LAYERS: "you added the ten factors; the chain rule multiplies them: σ′·w per layer",
                 quarter: "that is one layer's factor σ′(0) = ¼; the gradient passes through all ten",
                 quarter ** (LAYERS - 1): "one layer short: there are ten σ′ factors, one per neuron",
                 quarter ** (LAYERS + 1): "one layer too many: there are ten σ′ factors, one per neuron",
                 4.0 ** LAYERS: "inverted: each layer makes the gradient smaller, ×¼, not larger",
                 0.5 ** LAYERS: "σ′(0) is ¼, not ½: σ(0) = ½ is the value, σ′ = y(1 − y) = ¼"}
        hint = next((text for x, text in slips.items() if close(value, x, rtol=1e-2, atol=0.0)), "")
        grade.feedback.append(f"{value:.3g} is not it" + (f": {hint}" if hint else
                              ": multiply the local derivatives σ′(z_i)·w of the ten layers"))
        return grade
