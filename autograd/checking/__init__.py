"""Gradient checking: ``backward()`` against central differences, your formula, and node by node.

The modules build on each other in one direction:

* ``report``: the rows, ``close`` (numpy's ``allclose`` for one pair), messages for a terminal;
* ``numerical``: inputs, evaluations, central differences, ``numerical_grad``;
* ``replay``: rebuilding a graph at shifted inputs (to see a step cross a kink);
* ``nodes``: ``check_graph``, each node's recorded local derivative on the values it saw;
* ``diagnose``: what f itself shows when no node is to blame;
* ``rows`` / ``fast`` / ``gradcheck``: ``gradcheck``, in full or by random projections;
* ``testing``: ``assert_grad`` / ``assert_jacobian`` / ``assert_gradcheck`` for unit tests;
* ``second_order``: ``gradgradcheck`` and ``assert_hessian``.
"""

from autograd.checking.gradcheck import gradcheck
from autograd.checking.nodes import NodeReport, check_graph
from autograd.checking.numerical import ATOL, EPS, RTOL, numerical_grad
from autograd.checking.report import GradcheckError, GradRow, Report, close, fmt
from autograd.checking.second_order import assert_hessian, gradgradcheck
from autograd.checking.testing import assert_grad, assert_gradcheck, assert_jacobian

__all__ = ["ATOL", "EPS", "RTOL", "GradRow", "GradcheckError", "NodeReport", "Report", "assert_grad",
           "assert_gradcheck", "assert_hessian", "assert_jacobian", "check_graph", "close", "fmt", "gradcheck",
           "gradgradcheck", "numerical_grad"]
