"""autograd: a scalar autograd engine in the spirit of micrograd — correct, fast, and readable.

``Value`` is a scalar node that records its parents and the op that made it; ``backward()``
applies the chain rule over the graph in topological order. Around it: user-defined operations
(``op``), gradient checking (``gradcheck``, ``check_graph``), a learner's own backprop checked step
by step (``check_by_hand``, the graded ``autograd.exercises``), higher-order gradients and a
functional API (``grad``, ``hessian``), forward mode (``jvp``, ``jacfwd``), anomaly detection
(``detect_anomaly``) and gradient hooks (``v.register_hook``), a sympy bridge (``to_sympy``,
``formula``), drawing (``draw_dot``), backprop step by step (``explain``, ``step_through``),
a live page (``playground``), compiled training steps (``compile``) and ONNX export (``to_onnx``).

The import name clashes with the ``autograd`` package on PyPI (HIPS autograd); this project's
distribution is ``deltagrad``. Installed in one environment with HIPS autograd, importing raises an
``ImportError`` that says so (``autograd.installed``).
"""

from autograd import installed  # noqa: F401  (first: a folder mixed with HIPS autograd is reported here)

# isort: split
from autograd import exercises, ops
from autograd.byhand import assert_by_hand, check_by_hand
from autograd.checking import (
    GradcheckError,
    assert_grad,
    assert_gradcheck,
    check_graph,
    gradcheck,
    gradgradcheck,
    numerical_grad,
)
from autograd.compiler import CompiledStep, TraceError, memory_of
from autograd.compiler import compile as compile  # re-exported, see below
from autograd.custom import op
from autograd.debugging import AnomalyError, detect_anomaly
from autograd.drawing import GraphTooLargeError, GraphvizNotFoundError, draw_dot, save_graph
from autograd.engine import Value, apply
from autograd.explain import explain, step_through
from autograd.export import to_onnx
from autograd.forward import jacfwd, jvp
from autograd.functional import grad, hessian, jacobian, value_and_grad
from autograd.graph import backward_order, walk
from autograd.modes import is_grad_enabled, no_grad
from autograd.ops import Op
from autograd.playground import playground
from autograd.reductions import dot
from autograd.reductions import sum as sum  # re-exported, see below
from autograd.symbolic import formula, to_sympy

__all__ = [
    "AnomalyError",
    "CompiledStep",
    "GradcheckError",
    "GraphTooLargeError",
    "GraphvizNotFoundError",
    "Op",
    "TraceError",
    "Value",
    "apply",
    "assert_by_hand",
    "assert_grad",
    "assert_gradcheck",
    "backward_order",
    "check_by_hand",
    "check_graph",
    "detect_anomaly",
    "dot",
    "draw_dot",
    "exercises",
    "explain",
    "formula",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "hessian",
    "is_grad_enabled",
    "jacfwd",
    "jacobian",
    "jvp",
    "memory_of",
    "no_grad",
    "numerical_grad",
    "op",
    "ops",
    "playground",
    "save_graph",
    "step_through",
    "to_onnx",
    "to_sympy",
    "value_and_grad",
    "walk",
]
# ``sum`` is importable (autograd.sum, as torch.sum) but left out of __all__ so that a star
# import never shadows the built-in; so is ``compile`` (autograd.compile, the compiled training step).
