"""See backprop happen: ``explain(y)`` lists every chain-rule step of ``y.backward()`` in its order;
``step_through(y)`` is a page that walks the forward and the backward pass on the drawn graph.

    ∂L/∂p += ∂L/∂v · ∂v/∂p        (one step per edge from a node v to its parent p)

``steps`` replays and checks the steps, ``names`` names the nodes (the note's z, y, δ), ``frames``
turns them into the frames of a walk-through, ``viewer`` makes the page and ``gif`` the animation.
"""

from autograd.explain.steps import ExplainError, Explanation, Step, explain
from autograd.explain.viewer import StepThrough, step_through

__all__ = ["ExplainError", "Explanation", "Step", "StepThrough", "explain", "step_through"]
