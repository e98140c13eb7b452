"""A live page: ``playground(y)`` draws ``y``'s graph with a slider per leaf; moving one recomputes
every value and gradient in the page (forward, then ``backward()``), with each op's JavaScript
generated from the op table (``templates``), the graph sent as data (``program``) and the page made
by ``page``. ``nn.playground`` trains a small network in the same way.
"""

from autograd.playground.page import Playground, playground
from autograd.playground.program import GraphTooLargeForPageError
from autograd.playground.templates import NoTemplateError

__all__ = ["GraphTooLargeForPageError", "NoTemplateError", "Playground", "playground"]
