"""autograd: a scalar autograd engine in the spirit of micrograd — correct, fast, and readable.

``Value`` is a scalar node that records its parents and the op that made it; ``backward()``
applies the chain rule over the graph in topological order. The import name clashes with the
``autograd`` package on PyPI (HIPS autograd); this project's distribution is ``deltagrad``.
"""

from autograd.engine import Value, apply, walk
from autograd.function import Op
from autograd.grad_mode import is_grad_enabled, no_grad
from autograd.reductions import dot
from autograd.reductions import sum as sum  # re-exported, see below

__all__ = ["Op", "Value", "apply", "dot", "is_grad_enabled", "no_grad", "walk"]
# ``sum`` is importable (autograd.sum, as torch.sum) but left out of __all__ so that a star
# import never shadows the built-in.
