"""autograd: a scalar autograd engine in the spirit of micrograd — correct, fast, and readable.

``Value`` is a scalar node that records its parents and the op that made it; ``backward()``
applies the chain rule over the graph in topological order. Around it: user-defined operations
(``op``), gradient checking (``gradcheck``, ``check_graph``), higher-order gradients and a
functional API (``grad``, ``hessian``), and drawing (``draw_dot``).

The import name clashes with the ``autograd`` package on PyPI (HIPS autograd); this project's
distribution is ``deltagrad``.
"""

from autograd.backprop import backward_order
from autograd.checking import GradcheckError, gradcheck, numerical_grad
from autograd.custom import apply, op
from autograd.draw import GraphTooLargeError, draw_dot, save_graph
from autograd.engine import Value, walk
from autograd.function import Op
from autograd.functional import grad, hessian, jacobian, value_and_grad
from autograd.grad_mode import is_grad_enabled, no_grad
from autograd.graphcheck import check_graph
from autograd.reductions import dot
from autograd.reductions import sum as sum  # re-exported, see below
from autograd.render import GraphvizNotFoundError
from autograd.second_order import gradgradcheck

__all__ = [
    "GradcheckError",
    "GraphTooLargeError",
    "GraphvizNotFoundError",
    "Op",
    "Value",
    "apply",
    "backward_order",
    "check_graph",
    "dot",
    "draw_dot",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "hessian",
    "is_grad_enabled",
    "jacobian",
    "no_grad",
    "numerical_grad",
    "op",
    "save_graph",
    "value_and_grad",
    "walk",
]
# ``sum`` is importable (autograd.sum, as torch.sum) but left out of __all__ so that a star
# import never shadows the built-in.
