"""pytest helpers for unit-testing gradients by hand, at their documented import path.

``from autograd.testing import assert_grad, assert_gradcheck``; they live in
``autograd.checking.testing`` with the rest of gradient checking.
"""

from autograd.checking.testing import assert_grad, assert_gradcheck

__all__ = ["assert_grad", "assert_gradcheck"]
