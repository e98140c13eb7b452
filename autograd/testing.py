"""pytest helpers for unit-testing gradients by hand, at their documented import path.

``from autograd.testing import assert_grad, assert_jacobian, assert_hessian, assert_gradcheck``; they
live in ``autograd.checking.testing`` with the rest of gradient checking. ``assert_by_hand`` (a
learner's own ∂L/∂v, node by node) lives in ``autograd.byhand``.
"""

from autograd.byhand import ByHandError, assert_by_hand
from autograd.checking.second_order import assert_hessian
from autograd.checking.testing import assert_grad, assert_gradcheck, assert_jacobian

__all__ = ["ByHandError", "assert_by_hand", "assert_grad", "assert_gradcheck", "assert_hessian", "assert_jacobian"]
