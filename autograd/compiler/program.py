"""``Program``: one traced and compiled program of a ``CompiledStep`` (one per argument shape and key).

It holds the trace's classification, the generated source (``codegen``) and its compiled functions
— ``_many`` at once, ``_forward`` and ``_one`` (``single``) on first use — and the structure guard
(``guard``). ``node_error`` turns an exception raised inside the generated code into one that names
the node, op, label and line of ``step.source`` it came from.
"""

from __future__ import annotations

import builtins
import linecache
import time
from collections.abc import Callable, Sequence
from typing import Any

from autograd.compiler.codegen import Source, generate
from autograd.compiler.guard import Guard
from autograd.compiler.naming import short_name
from autograd.compiler.single import one_program
from autograd.compiler.trace import Run, Shape, TraceError, node_name, number, trace
from autograd.engine import Value
from autograd.graph import operation_of


class Program:
    """One program: the trace's classification, the generated functions and the structure guard."""

    def __init__(self, fn: Callable[..., Any], example: Sequence[Any], shape: Shape,
                 params: list[tuple[str, Value]] | None, serial: int, max_nodes: int) -> None:
        start = time.perf_counter()
        tr = trace(fn, example, params, max_nodes)
        self.guard = Guard(fn, tr.params + tr.frozen)
        if self.guard.missing:
            raise TraceError(f"compile: {node_name(self.guard.missing[0])} (a leaf from before the call) cannot be "
                             "found from fn's closure, globals or defaults through lists, tuples, dicts and objects' "
                             "attributes, so a replaced parameter could not be noticed; keep the parameters in such "
                             "containers (a module, a list) that fn refers to")
        if params is None:
            tr.param_names = [self.guard.names.get(id(p)) or p.label for p in tr.params]
        if any("." in n for n in tr.param_names):  # named_parameters() names: short variables, the header says
            tr.param_paths = list(tr.param_names)
            tr.param_names = [short_name(n) if "." in n else n for n in tr.param_names]
        self.trace_seconds = time.perf_counter() - start
        name = getattr(fn, "__qualname__", type(fn).__name__)
        self.source: Source = generate(tr, name, list(shape))
        self.filename = f"<autograd.compile #{serial}>"
        arg_names = self.source.arg_names
        self.source.namespace["_fix"] = lambda xs: [number(x, f"compiled step: argument {n}")
                                                    for x, n in zip(xs, arg_names, strict=True)]
        text, cut = self.source.text, self.source.forward_at
        exec(builtins.compile(text[:cut], self.filename, "exec"), self.source.namespace)  # our own text only
        linecache.cache[self.filename] = (len(text), None, text.splitlines(True), self.filename)  # (see codegen)
        self.many: Callable[..., tuple[float, ...]] = self.source.namespace["_many"]
        self.params, self.frozen, self.aux = tr.params, tr.frozen, tr.aux is not None
        self.leaves = tr.params + tr.frozen
        self.param_names = [self.source.names[id(p)] for p in tr.params]
        self.keyed, self.baked = tr.keyed, tr.baked
        self.arg_checks = tr.checks  # (argument, index, check): what eager code checks on the arguments' numbers
        if self.arg_checks:
            self.source.namespace["_checks"] = self.check_args
        self.shape, self.n_args = shape, len(shape)
        self.run: Run | None = Run(tr.root, tr.aux, tr.nodes, tr.args, tr.passed, tr.keyed)  # kept for checks
        self.seconds = time.perf_counter() - start
        self.checks_left = 0
        self.keys: list[tuple[int, Any]] = []
        self._loaded: list[float] | None = None
        self._one: Callable[..., Any] | None = None
        self._one_lines: dict[int, tuple[Value, str]] = {}

    def call(self, args: Sequence[Any], seed: float) -> Any:
        """One call through ``_one`` (compiled on the first single call): reads ``p.data`` and ``p.grad``
        itself and writes the gradients back at its end, so nothing is loaded from here."""
        one = self._one
        if one is None:
            text, self._one_lines = one_program(self.source, self.leaves, len(self.params), self.shape,
                                                   self.keyed)
            linecache.cache[self.filename + "one"] = (len(text), None, text.splitlines(True), self.filename + "one")
            exec(builtins.compile(text, self.filename + "one", "exec"), self.source.namespace)  # our own text only
            one = self._one = self.source.namespace["_one"]
        try:
            return one(args, seed, True)  # the caller found this program for args' shape
        except Exception as e:
            raise self.node_error(e) from None

    def forward(self, *args: Any) -> Any:
        """The generated ``_forward``, compiled on first use (most steps never need it)."""
        fn = self.source.namespace.get("_forward")
        if fn is None:
            text = "\n" * self.source.forward_from + self.source.text[self.source.forward_at:]  # the same line numbers
            exec(builtins.compile(text, self.filename, "exec"), self.source.namespace)
            fn = self.source.namespace["_forward"]
        return fn(*args)

    def load(self) -> None:
        """Set the program's globals (the parameters, then the frozen leaves) to the leaves' data now.

        Skipped when every number is the one loaded last time (``==``, identity first: within a
        batch of single calls nothing moves). ``==`` cannot tell 0.0 from -0.0, so a zero loaded
        means loading every time.
        """
        datas = [p.data for p in self.leaves]
        if datas != self._loaded:
            self.source.namespace.update(zip(self.source.leaf_names, datas, strict=True))
            self._loaded = None if 0.0 in datas else datas

    def check_args(self, args: Sequence[Any]) -> None:
        """Run on one call's arguments the checks eager code makes on their numbers (``trace.require``):
        the error eager code would raise (a hinge target of 0.5), raised as it is."""
        for i, j, check in self.arg_checks:
            check(args[i] if j is None else args[i][j])

    def rows(self, rows: Sequence[Sequence[Any]], seed: float, out: list[Any]) -> None:
        """The generated ``_many`` over ``rows``: gradients written back only if every row succeeded."""
        params = self.params
        try:
            if self.arg_checks:
                for r in rows:
                    self.check_args(r)
            self.load()
            grads = self.many([p.grad for p in params], rows, seed, out)
        except Exception as e:
            raise self.node_error(e) from None
        for p, g in zip(params, grads):  # noqa: B905  (the program returns one gradient per parameter)
            p.grad = g

    def node_error(self, e: Exception) -> Exception:
        """``e`` raised inside the generated code, re-made with the node it came from."""
        if isinstance(e, TypeError) and str(e).startswith("compiled step: argument"):
            return e  # an argument that is not a number, named by _fix
        tb = e.__traceback__
        where, lines, filename = None, self.source.lines, self.filename
        while tb is not None:
            if tb.tb_frame.f_code is Program.check_args.__code__:
                return e  # a check of an argument's number: eager code's own error
            name = tb.tb_frame.f_code.co_filename
            if name in (self.filename, self.filename + "one"):
                where, filename = tb, name
                lines = self.source.lines if name == self.filename else self._one_lines
            tb = tb.tb_next
        if where is None:
            return e
        info = lines.get(where.tb_lineno)
        text = linecache.getline(filename, where.tb_lineno).strip()
        program = "step.source" if filename == self.filename else "the single-call program (step.source's lines, " \
            "each leaf read where it is used)"  # (its own line numbers: see autograd.compiler.single)
        if info is None:
            return TraceError(f"compiled step: {type(e).__name__}: {e} (line {where.tb_lineno} of {program}: "
                              f"{text}); the arguments may not have the traced shape")
        node, _ = info
        op = operation_of(node)
        var = self.source.names.get(id(node), "?")
        label = f", label {node.label!r}" if node.label else ""
        message = (f"{e} — in the compiled step at node {var} (op {op.name if op else 'leaf'!r}{label}), line "
                   f"{where.tb_lineno} of {program}: {text}")
        try:
            return type(e)(message)
        except Exception:  # an exception type that wants other arguments
            return TraceError(f"{type(e).__name__}: {message}")
