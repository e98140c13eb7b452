"""Compiling a training step: the chain rule written out as a straight-line program on floats.

``autograd.compile(fn, *example_args)`` traces ``fn`` once (``trace``), writes its forward and
backward pass as Python source from the op table (``codegen``, ``templates``) and runs it
(``step``). The eager ``Value``/``backward()`` stays the teaching path; the compiled step is the
same arithmetic in the same order, without building a graph on every call — and a readable
artefact: ``step.source`` is the backward pass of a network, line by line.
"""

import tracemalloc
from collections.abc import Callable
from typing import Any

from autograd.compiler.step import CompiledStep, compile_step
from autograd.compiler.trace import TraceError

compile = compile_step  # autograd.compile; this package never needs the built-in of that name


def memory_of(make: Callable[[], Any]) -> tuple[Any, int]:
    """``make()`` and the bytes it left allocated (tracemalloc), e.g. a compiled step's size."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = make()
        return result, tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


__all__ = ["CompiledStep", "TraceError", "compile", "compile_step", "memory_of"]
