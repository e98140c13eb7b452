"""Graded exercises in backpropagation, for a notebook: ``describe()`` one, answer it, ``check(answer)``.

::

    from autograd import exercises
    ex = exercises.get("note_deltas")
    ex.describe()                                    # the question (Markdown in Jupyter)
    grade = ex.check({"δ_k": 0.032, "δ_j0": ..., "δ_j1": ...})
    grade                                            # points and feedback that names the step

Every ``check`` reads the answer without trust: a blank (``...``), text, NaN, an unknown key or a
function that raises gives feedback, never an exception. A wrong number is traced to the step
that went wrong (``autograd.byhand``), or to the slip it looks like (a sign, a factor, ``=`` for
``+=``, a forgotten ``out.grad``, the −1 at the target class, adding where the chain rule multiplies).

The exercises (``catalogue()`` lists them): the note's 2-2-1 network (``note_deltas``,
``note_updates``), a lecture's expression and neuron, softmax + NLL in one formula, deriving tanh's
and relu's local derivatives (graded with ``check_graph``, ``gradcheck`` and kinks), writing
micrograd's ``_backward`` for ``*`` and ``tanh`` (called on test nodes), and vanishing gradients.
"""

from __future__ import annotations

from autograd.exercises.base import BLANK, Description, Exercise, Grade
from autograd.exercises.closures import WriteBackward
from autograd.exercises.derive import DeriveLocal
from autograd.exercises.graphs import LectureExpression, LectureNeuron, SoftmaxNLL
from autograd.exercises.limits import Vanishing
from autograd.exercises.network import NoteDeltas, NoteUpdates

__all__ = ["ALL", "BLANK", "DeriveLocal", "Description", "Exercise", "Grade", "LectureExpression", "LectureNeuron",
           "NoteDeltas", "NoteUpdates", "SoftmaxNLL", "Vanishing", "WriteBackward", "catalogue", "get"]

ALL: tuple[Exercise, ...] = (NoteDeltas(), NoteUpdates(), LectureExpression(), LectureNeuron(), SoftmaxNLL(),
                             DeriveLocal("tanh"), DeriveLocal("relu"), WriteBackward("mul"), WriteBackward("tanh"),
                             Vanishing())
"""Every exercise, once, in the order of notebook 11."""


def get(name: str) -> Exercise:
    """The exercise called ``name`` (``"note_deltas"``, ``"derive_relu"``, …)."""
    for ex in ALL:
        if ex.name == name:
            return ex
    raise KeyError(f"exercises.get: no exercise {name!r}; there are {', '.join(e.name for e in ALL)}")


class Catalogue:
    """The list of exercises; a Markdown table in Jupyter."""

    def __str__(self) -> str:
        return "\n".join(f"{e.name:20} {e.title}" for e in ALL)

    def _repr_markdown_(self) -> str:
        rows = "\n".join(f"| `{e.name}` | {e.title} |" for e in ALL)
        return f"| name | exercise |\n|---|---|\n{rows}"


def catalogue() -> Catalogue:
    return Catalogue()
