"""``compile(fn, *example_args)``: a training step traced once and run as generated float code.

``step(*args)`` returns ``fn(*args)``'s value as a float and adds ∂fn/∂p into ``p.grad`` for every
parameter p — the same floats as ``fn(*args).backward()`` (see ``codegen``); ``step.many(rows)``
does it for many rows of arguments in one call, as consecutive ``backward()`` calls would;
``step.forward(*args)`` gives the value alone. Arguments are numbers or lists of numbers. A call
whose arguments have another shape (another list length, a number for a list) is traced and
compiled again, once per shape; ``many`` takes rows of one shape (that of its first row).

``check=N`` (3 by default) runs the eager graph beside the compiled step for the first N rows of
each shape and raises ``TraceError`` if the values or gradients differ at all: that catches a
number read from ``v.data`` (frozen into the program as a constant) and any other difference
between the traced graph and what ``fn`` builds on other arguments. An error inside the compiled
code names the node it came from (variable, op, label) and leaves every ``p.grad`` as it was.

Threads: a call holds ``backprop.pass_lock``, the lock of every ``backward()`` pass, from loading the
parameters into the program to writing the gradients back, so threads sharing parameters (through
compiled steps, eager ``backward()`` or both) lose no ``+=``.
"""

from __future__ import annotations

import builtins
import linecache
import math
import time
import tracemalloc
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from autograd import engine
from autograd.backprop import pass_lock
from autograd.compiler.codegen import Source, generate
from autograd.compiler.trace import Shape, TraceError, as_floats, check_params, same_number, shape_of, trace
from autograd.engine import Value
from autograd.graph import operation_of


class Program:
    """One shape's compiled code: the trace's classification and the two generated functions."""

    def __init__(self, fn: Callable[..., Any], example: Sequence[Any], shape: Shape,
                 params: list[tuple[str, Value]] | None, serial: int) -> None:
        start = time.perf_counter()
        tr = trace(fn, example, params)
        self.trace_seconds = time.perf_counter() - start
        name = getattr(fn, "__qualname__", type(fn).__name__)
        self.source: Source = generate(tr, name, list(shape))
        self.filename = f"<autograd.compile #{serial}>"
        arg_names = self.source.arg_names
        self.source.namespace["_fix"] = lambda xs: [engine.as_number(x, f"compiled step: argument {n}")
                                                    for x, n in zip(xs, arg_names, strict=True)]
        text, cut = self.source.text, self.source.forward_at
        exec(builtins.compile(text[:cut], self.filename, "exec"), self.source.namespace)  # our own text only
        linecache.cache[self.filename] = (len(text), None, text.splitlines(True), self.filename)  # (see codegen)
        self.many: Callable[..., tuple[float, ...]] = self.source.namespace["_many"]
        self.params, self.frozen, self.aux = tr.params, tr.frozen, tr.aux is not None
        self.leaves = tr.params + tr.frozen
        self.param_names = [self.source.names[id(p)] for p in tr.params]
        self.seconds = time.perf_counter() - start
        self.checks_left = 0

    def forward(self, *args: Any) -> Any:
        """The generated ``_forward``, compiled on first use (most steps never need it)."""
        fn = self.source.namespace.get("_forward")
        if fn is None:
            text = "\n" * self.source.forward_from + self.source.text[self.source.forward_at:]  # the same line numbers
            exec(builtins.compile(text, self.filename, "exec"), self.source.namespace)
            fn = self.source.namespace["_forward"]
        return fn(*args)

    def load(self) -> None:
        """Set the program's globals (the parameters, then the frozen leaves) to the leaves' data now."""
        self.source.namespace.update(zip(self.source.leaf_names, [p.data for p in self.leaves], strict=True))

    def node_error(self, e: Exception) -> Exception:
        """``e`` raised inside the generated code, re-made with the node it came from."""
        tb = e.__traceback__
        where = None
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == self.filename:
                where = tb
            tb = tb.tb_next
        if where is None:
            return e
        info = self.source.lines.get(where.tb_lineno)
        text = linecache.getline(self.filename, where.tb_lineno).strip()
        if info is None:
            return TraceError(f"compiled step: {type(e).__name__}: {e} (line {where.tb_lineno} of step.source: "
                              f"{text}); the arguments may not have the traced shape")
        node, _ = info
        op = operation_of(node)
        var = self.source.names.get(id(node), "?")
        label = f", label {node.label!r}" if node.label else ""
        message = (f"{e} — in the compiled step at node {var} (op {op.name if op else 'leaf'!r}{label}), line "
                   f"{where.tb_lineno} of step.source: {text}")
        try:
            return type(e)(message)
        except Exception:  # an exception type that wants other arguments
            return TraceError(f"{type(e).__name__}: {message}")


class CompiledStep:
    """The result of ``autograd.compile``; see the module docstring."""

    def __init__(self, fn: Callable[..., Any], example: Sequence[Any], params: Any = None, check: int = 3) -> None:
        if not callable(fn):
            raise TypeError(f"compile: fn must be callable, got {engine.describe(fn)}")
        if isinstance(check, bool) or not isinstance(check, int) or check < 0:
            raise ValueError(f"compile: check must be an int >= 0 (rows checked against the eager graph), got "
                             f"{check!r}")
        self.fn, self.check = fn, check
        self._params = check_params(params)
        self._programs: dict[Shape, Program] = {}
        self._last: Program = self._program(list(example))

    # -- programs, one per shape ---------------------------------------------------------------
    def _program(self, args: Sequence[Any]) -> Program:
        shape = shape_of(args, "compile")
        program = self._programs.get(shape)
        if program is None:
            program = Program(self.fn, as_floats(args, "compile"), shape, self._params, len(self._programs))
            program.checks_left = self.check
            self._programs[shape] = program
        self._last = program
        return program

    @property
    def source(self) -> str:
        """The generated Python of the last shape used (the example's, at first)."""
        return self._last.source.text

    @property
    def compile_seconds(self) -> float:
        """Seconds to trace, generate and compile the last shape's program."""
        return self._last.seconds

    @property
    def params(self) -> list[Value]:
        """The leaves that receive gradients, in the program's order."""
        return list(self._last.params)

    @property
    def param_names(self) -> list[str]:
        """Their variable names in ``source``."""
        return list(self._last.param_names)

    # -- calls ------------------------------------------------------------------------------
    def __call__(self, *args: Any, seed: float = 1.0) -> Any:
        """fn's value as a float (or ``(value, outputs)``), adding seed·∂fn/∂p into every ``p.grad``."""
        return self.many([args], seed=seed)[0]

    def forward(self, *args: Any) -> Any:
        """fn's value (or ``(value, outputs)``) alone; no gradient is touched."""
        with pass_lock:  # the program's globals hold one call's parameters at a time
            program = self._program(args)
            try:
                program.load()
                return program.forward(*args)
            except Exception as e:
                raise program.node_error(e) from None

    def many(self, rows: Iterable[Sequence[Any]], seed: float = 1.0) -> list[Any]:
        """``[step(*row) for row in rows]`` in one call: the same floats, the parameters loaded once."""
        rows = list(rows)
        if not rows:
            return []
        seed = engine.as_number(seed, "compiled step: seed")
        with pass_lock:  # as backward(): one pass adding into .grad at a time, across all threads
            return self._many(rows, seed)

    def _many(self, rows: list[Sequence[Any]], seed: float) -> list[Any]:
        program = self._program(rows[0])
        out: list[Any] = []
        start = 0
        while program.checks_left and start < len(rows):
            self._checked(program, rows[start], seed, out)
            program.checks_left -= 1
            start += 1
        if start < len(rows):
            self._run(program, rows[start:] if start else rows, seed, out)
        return out

    def _run(self, program: Program, rows: list[Sequence[Any]], seed: float, out: list[Any]) -> None:
        params = program.params
        try:
            program.load()
            grads = program.many([p.grad for p in params], rows, seed, out)
        except Exception as e:
            raise program.node_error(e) from None
        for p, g in zip(params, grads):  # noqa: B905  (the program returns one gradient per parameter)
            p.grad = g

    # -- check: the eager graph beside the compiled step ---------------------------------------
    def _checked(self, program: Program, row: Sequence[Any], seed: float, out: list[Any]) -> None:
        keep = program.params + program.frozen
        saved = [p.grad for p in keep]
        try:
            mine: list[Any] = []
            program.load()
            grads = program.many([0.0] * len(program.params), [row], seed, mine)
        except Exception as e:
            raise program.node_error(e) from None
        try:
            for p in keep:
                p.grad = 0.0
            result = self.fn(*[[Value(x) for x in a] if isinstance(a, list) else Value(a)
                               for a in as_floats(row, "compiled step")])
            root = result[0] if isinstance(result, tuple) else result
            root.backward(seed)
            eager = [p.grad for p in program.params]
            value = root.data if not isinstance(result, tuple) else (root.data, _datas(result[1]))
        finally:
            for p, g in zip(keep, saved, strict=True):
                p.grad = g
        _compare(value, mine[0], eager, grads, program.param_names)
        self._run(program, [row], seed, out)


def _datas(x: Any) -> list[float]:
    return [x.data] if isinstance(x, Value) else [v.data for v in x]


def _compare(value: Any, got: Any, eager: list[float], grads: Sequence[float], names: list[str]) -> None:
    ev, cv = (value, got) if not isinstance(value, tuple) else (value[0], got[0])
    hint = ("fn probably reads a number from a Value (v.data, float(v)), which the compiled program keeps as a "
            "constant, or branches on one; write it with Value operations")
    if not same_number(ev, cv) or (isinstance(value, tuple) and not all(map(same_number, value[1], got[1]))):
        raise TraceError(f"compile check: the compiled step gives {got!r} where the eager graph gives {value!r}; "
                         f"{hint}")
    bad = [(abs(e - g), n, e, g) for e, g, n in zip(eager, grads, names, strict=True) if not same_number(e, g)]
    if bad:
        _, n, e, g = max(bad, key=lambda t: t[0] if t[0] == t[0] else math.inf)
        raise TraceError(f"compile check: {len(bad)} gradient(s) differ from the eager graph's, e.g. ∂fn/∂{n} = {g!r} "
                         f"compiled vs {e!r} eager; {hint}")


def compile_step(fn: Callable[..., Any], *example_args: Any, params: Any = None, check: int = 3) -> CompiledStep:
    """Trace ``fn`` on ``example_args`` and compile it into a ``CompiledStep`` (see the module docstring).

    ``params``: the leaves that receive gradients (a list, (name, leaf) pairs or a dict of names);
    by default every leaf of the traced graph that existed before the call (not an argument, not
    a number made inside ``fn``). Other leaves from before the call are then read at each call but
    get no gradient.
    """
    return CompiledStep(fn, example_args, params, check)


def memory_of(make: Callable[[], Any]) -> tuple[Any, int]:
    """``make()`` and the bytes it left allocated (tracemalloc), e.g. a compiled step's size."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = make()
        return result, tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
