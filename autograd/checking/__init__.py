"""Gradient checking: ``backward()`` against central differences, your formula, and node by node.

The modules build on each other in one direction:

* ``numerical``: central differences, the report table, ``numerical_grad``;
* ``replay``: rebuilding a graph at shifted inputs (to see a step cross a kink);
* ``nodes``: ``check_graph``, each node's recorded local derivative on the values it saw;
* ``gradcheck``: ``gradcheck``, the numbers first, then the node that is wrong;
* ``testing``: ``assert_grad`` / ``assert_gradcheck`` for unit tests;
* ``second_order``: ``gradgradcheck``.
"""

from autograd.checking.gradcheck import gradcheck
from autograd.checking.nodes import NodeReport, check_graph
from autograd.checking.numerical import ATOL, EPS, RTOL, GradcheckError, GradRow, Report, fmt, numerical_grad
from autograd.checking.second_order import gradgradcheck
from autograd.checking.testing import assert_grad, assert_gradcheck

__all__ = ["ATOL", "EPS", "RTOL", "GradRow", "GradcheckError", "NodeReport", "Report", "assert_grad",
           "assert_gradcheck", "check_graph", "fmt", "gradcheck", "gradgradcheck", "numerical_grad"]
