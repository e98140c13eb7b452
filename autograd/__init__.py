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
import importlib
from typing import TYPE_CHECKING, Any

# The engine, loaded with the package: a node, the op table, the chain rule and the recording modes.
from autograd import ops
from autograd.engine import Value, apply
from autograd.errors import DeltagradError, TraceError

# Two functions share their name with the subpackage that defines them: imported now, so that the name
# is the function even after another module imports the subpackage (which would set it to the module).
from autograd.explain import explain
from autograd.graph import backward_order, walk
from autograd.modes import AnomalyError, detect_anomaly, is_grad_enabled, no_grad
from autograd.ops import Op
from autograd.playground import playground
from autograd.reductions import dot
from autograd.reductions import sum as sum  # re-exported, see below

# Every other capability is loaded when first used (``autograd.gradcheck`` imports autograd.checking then):
# ``import autograd`` stays fast (tests/install/test_import_time.py). Each public name, and where it is written.
CAPABILITIES: dict[str, tuple[str, ...]] = {
    "autograd.byhand": ("assert_by_hand", "check_by_hand"),
    "autograd.checking": ("GradcheckError", "assert_grad", "assert_gradcheck", "check_graph", "gradcheck",
                          "gradgradcheck", "numerical_grad"),
    "autograd.compiler": ("CompiledStep", "compile", "memory_of"),
    "autograd.custom": ("op",),
    "autograd.drawing": ("GraphTooLargeError", "GraphvizNotFoundError", "draw_dot", "save_graph"),
    "autograd.explain": ("step_through",),
    "autograd.export": ("to_onnx",),
    "autograd.forward": ("jacfwd", "jvp"),
    "autograd.functional": ("grad", "hessian", "jacobian", "value_and_grad"),
    "autograd.symbolic": ("formula", "to_sympy"),
}
if TYPE_CHECKING:  # the same names for type checkers, which do not run __getattr__
    from autograd import exercises, testing  # noqa: F401  (autograd.testing, a module)
    from autograd.byhand import assert_by_hand, check_by_hand
    from autograd.checking import GradcheckError, assert_grad, assert_gradcheck, check_graph, numerical_grad
    from autograd.checking.gradcheck import gradcheck  # (the function; its module has the same name)
    from autograd.checking.second_order import gradgradcheck
    from autograd.compiler import CompiledStep, memory_of
    from autograd.compiler import compile as compile
    from autograd.custom import op
    from autograd.drawing import GraphTooLargeError, GraphvizNotFoundError, draw_dot, save_graph
    from autograd.explain import step_through
    from autograd.export import to_onnx
    from autograd.forward import jacfwd, jvp
    from autograd.functional import grad, hessian, jacobian, value_and_grad
    from autograd.symbolic import formula, to_sympy

_WHERE = {name: module for module, names in CAPABILITIES.items() for name in names}
_SUBMODULES = ("exercises", "testing")  # capabilities used as modules: autograd.exercises.ALL


def __getattr__(name: str) -> Any:
    """A capability's public name, imported from its subpackage on first use (PEP 562) and kept."""
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"autograd.{name}")
    else:
        raise AttributeError(f"module 'autograd' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE) | set(_SUBMODULES))


__all__ = [
    "AnomalyError",
    "CompiledStep",
    "DeltagradError",
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
