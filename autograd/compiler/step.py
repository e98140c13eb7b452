"""``compile(fn, *example_args)``: a training step traced once and run as generated float code.

``step(*args)`` returns ``fn(*args)``'s value as a float and adds ∂fn/∂p into ``p.grad`` for every
parameter p — the same floats as ``fn(*args).backward()`` (see ``codegen``); ``step.many(rows)``
does it for many rows of arguments in one call, as consecutive ``backward()`` calls would;
``step.forward(*args)`` gives the value alone. Arguments are numbers or lists of numbers. A call
whose arguments have another shape (another list length, a number for a list) is traced and
compiled again, once per shape; ``many`` takes rows of one shape (that of its first row), or of
several keys (below), run in order. A single call runs ``_one`` (``single``), ``many`` runs ``_many``.

An ``int`` argument (a class index) is passed to ``fn`` as it is and is a *key*: one program per
value, as is a scalar argument whose number ``fn`` reads with ``.data`` (``trace``, ``watch``).

Every call checks, before it runs the program: the structure guard (``guard``: the containers
between ``fn`` and its parameters hold the same objects; else the step traces again), then,
only when some hook or anomaly mode is live anywhere (one counter read): inside
``detect_anomaly()`` the call runs ``fn`` eagerly (``compare.eager_rows``), so anomaly mode reports
what it reports for eager code; a gradient hook on a parameter is refused (``TraceError``).

A single call — the per-sample loop, where what a call costs beyond its row matters — first tries
the last program (``__call__``): taken only when no thread is inside ``no_grad()`` or
``detect_anomaly()`` (``modes.state.off``, one list item), no hook is live, no argument is a key,
the program's checked rows are done and its structure guard passes; ``_one`` then tests the
arguments' shape itself (a few ``type``/``len`` tests, ``single.shape_test``) and returns ``OTHER``,
having done nothing, when they may have another. Anything else takes the long way (``_call``),
which makes the same checks in full. Same floats either way: both run the same ``_one``.

``check=N`` (3 by default) runs the eager graph beside the compiled step for the first N rows of
each program and raises ``TraceError`` if the values or gradients differ at all, naming the cause
it finds by tracing the row again (``compare.explain``). An error inside the compiled code names
the node it came from (variable, op, label) and leaves every ``p.grad`` as it was.

Threads: a call holds ``backprop.pass_lock``, the lock of every ``backward()`` pass, from loading the
parameters into the program to writing the gradients back, so threads sharing parameters (through
compiled steps, eager ``backward()`` or both) lose no ``+=``.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from autograd import engine, hooks
from autograd.backprop import pass_lock
from autograd.compiler import compare, export
from autograd.compiler.program import Program
from autograd.compiler.single import OTHER
from autograd.compiler.trace import KEYED, Shape, TraceError, as_floats, check_params, node_name, number, shape_of
from autograd.engine import Value
from autograd.hooks import hooks_of
from autograd.modes import is_grad_enabled
from autograd.modes.anomaly import is_anomaly_enabled
from autograd.modes.state import off as _OFF

MAX_PROGRAMS = 64
"""Programs one step keeps at most (one per argument shape and key value) before it refuses to trace more."""


def _key_value(a: Any) -> Any:
    return int(a) if isinstance(a, numbers.Integral) else float(a).hex()  # hex: -0.0 and nan kept apart


class CompiledStep:
    """The result of ``autograd.compile``; see the module docstring."""

    def __init__(self, fn: Callable[..., Any], example: Sequence[Any], params: Any = None, check: int = 3,
                 max_nodes: int = 50_000) -> None:
        if not callable(fn):
            raise TypeError(f"compile: fn must be callable, got {engine.describe(fn)}")
        for name, n in (("check", check), ("max_nodes", max_nodes)):
            if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                raise ValueError(f"compile: {name} must be an int >= 0, got {n!r}")
        self.fn, self.check, self.max_nodes = fn, check, max_nodes
        self._params = check_params(params)
        self._programs: dict[tuple[Shape, tuple[Any, ...]], Program] = {}
        self._keyed: dict[Shape, tuple[int, ...]] = {}  # per shape: the arguments that are keys
        self._any_keys = False
        self.retraces = 0  # programs traced again because the structure guard saw a change
        self._last: Program = self._program(list(example))

    # -- programs, one per shape and key ---------------------------------------------------------
    def _key(self, args: Sequence[Any]) -> tuple[Shape, tuple[Any, ...]]:
        shape = shape_of(args, "compiled step")
        keyed = self._keyed.get(shape)
        if keyed is None:
            keyed = tuple(i for i, s in enumerate(shape) if s == KEYED)
        return shape, tuple(_key_value(args[i]) for i in keyed)

    def _program(self, args: Sequence[Any]) -> Program:
        key = self._key(args)
        program = self._programs.get(key)
        if program is not None and program.guard.stale():
            self._programs.clear()  # something fn relies on was replaced: every program may be stale
            self.retraces += 1
            program = None
        if program is None:
            if not is_grad_enabled():
                raise TraceError("compile: tracing records the graph fn builds, and inside no_grad() it builds none; "
                                 "compile outside no_grad()")
            if len(self._programs) >= MAX_PROGRAMS:
                raise TraceError(f"compiled step: {MAX_PROGRAMS} programs traced already (one per argument shape and "
                                 "per value of an int argument or of a scalar argument fn reads with .data); "
                                 "pass such numbers as Values fn does not read, or run fn eagerly")
            shape = key[0]
            program = Program(self.fn, as_floats(args, "compile"), shape, self._params, len(self._programs),
                              self.max_nodes)
            program.checks_left = self.check
            keyed = tuple(sorted({i for i, s in enumerate(shape) if s == KEYED} | program.keyed))
            self._keyed[shape] = keyed
            self._any_keys = self._any_keys or bool(keyed)
            key = self._key(args)
            program.keys = [(i, v) for i, v in zip(keyed, key[1], strict=True)  # for export: the values it holds
                            if shape[i] == KEYED or i in program.baked]  # (an int, a number fn's own code read)
            self._programs[key] = program
        self._last = program
        return program

    @property
    def source(self) -> str:
        """The generated Python of the last program used (the example's, at first)."""
        return self._last.source.text

    @property
    def compile_seconds(self) -> float:
        """Seconds to trace, generate and compile the last program."""
        return self._last.seconds

    @property
    def params(self) -> list[Value]:
        """The leaves that receive gradients, in the program's order."""
        return list(self._last.params)

    @property
    def param_names(self) -> list[str]:
        """Their variable names in ``source``."""
        return list(self._last.param_names)

    def export(self, path: Any) -> None:
        """Write the last program as a standalone Python file (``math`` only) defining
        ``step(params, *args) -> (loss, grads)``; see ``autograd.compiler.export``."""
        src = self._last.source
        export.write(src, src.param_vars + src.frozen_vars, path, self._last.keys)

    # -- calls ------------------------------------------------------------------------------
    def __call__(self, *args: Any, seed: float = 1.0) -> Any:
        """fn's value as a float (or ``(value, outputs)``), adding seed·∂fn/∂p into every ``p.grad``."""
        if type(seed) is not float:
            seed = number(seed, "compiled step: seed")
        with pass_lock:  # as backward(): one pass adding into .grad at a time, across all threads
            # the fast path, the per-sample loop's: the last program again, when no thread is inside
            # no_grad() or detect_anomaly() (one count, modes.state.off), no hook is live, no argument is a
            # key, the program's checked rows are done and its structure guard passes; _one itself
            # returns OTHER, having done nothing, for arguments of another shape
            program = self._last
            one = program._one
            if not (_OFF[0] or hooks.observers or one is None or self._any_keys or program.checks_left
                    or program.guard.stale()):
                try:
                    out = one(args, seed)
                except Exception as e:
                    raise program.node_error(e) from None
                if out is not OTHER:
                    return out
            return self._call(args, seed)

    def _call(self, args: tuple[Any, ...], seed: float) -> Any:
        """A single call the long way: no_grad, its program by shape and key, the guard, hooks, anomaly mode,
        checks."""
        if not is_grad_enabled():
            return self._without_grad([args], seed)[0]
        program = self._program(args)
        if hooks.observers or program.checks_left:
            out: list[Any] = []
            self._block(program, [args], seed, out)
            return out[0]
        return program.call(args, seed)

    def forward(self, *args: Any) -> Any:
        """fn's value (or ``(value, outputs)``) alone; no gradient is touched."""
        with pass_lock:  # the program's globals hold one call's parameters at a time
            program = self._program(args)
            try:
                if program.arg_checks:
                    program.check_args(args)
                program.load()
                return program.forward(*args)
            except Exception as e:
                raise program.node_error(e) from None

    def many(self, rows: Iterable[Sequence[Any]], seed: float = 1.0) -> list[Any]:
        """``[step(*row) for row in rows]`` in one call: the same floats, the parameters loaded once."""
        if isinstance(rows, (str, bytes)) or not isinstance(rows, Iterable):
            raise TypeError(f"compiled step: many() takes an iterable of rows of arguments, got "
                            f"{engine.describe(rows)} of type {type(rows).__name__}")
        rows = list(rows)
        n = self._last.n_args
        for k, r in enumerate(rows):
            if not isinstance(r, (tuple, list)) or len(r) != n:
                raise TypeError(f"compiled step: many() takes rows of fn's {n} argument(s), each a tuple or list; row "
                                f"{k} is {engine.describe(r)}" + (" (for one argument per row: many([(x,) for x in "
                                                                  "xs]))" if n == 1 else ""))
        if not rows:
            return []
        seed = number(seed, "compiled step: seed")
        out: list[Any] = []
        with pass_lock:
            if not is_grad_enabled():
                return self._without_grad(rows, seed)
            if not self._any_keys:  # one program for every row: the rows run in one call
                self._block(self._program(rows[0]), rows, seed, out)
                return out
            self._keyed_rows(rows, seed, out)
        return out

    def _without_grad(self, rows: Sequence[Sequence[Any]], seed: float) -> list[Any]:
        """Inside ``no_grad()`` eager code records no graph, so ``backward()`` adds nothing: run ``fn`` eagerly."""
        out: list[Any] = []
        compare.eager_rows(self.fn, [as_floats(r, "compiled step") for r in rows], seed, [], out)
        return out

    def _keyed_rows(self, rows: list[Sequence[Any]], seed: float, out: list[Any]) -> None:
        """Runs of consecutive rows with the same key, each through its program, in order; on an error
        every gradient is put back as it was (the call fails as a whole)."""
        saved: dict[int, tuple[Value, float]] = {}
        try:
            start = 0
            while start < len(rows):
                key, end = self._key(rows[start]), start + 1
                while end < len(rows) and self._key(rows[end]) == key:
                    end += 1
                program = self._program(rows[start])
                for p in program.params:
                    saved.setdefault(id(p), (p, p.grad))
                self._block(program, rows[start:end], seed, out)
                start = end
        except BaseException:
            for p, g in saved.values():
                p.grad = g
            raise

    def _block(self, program: Program, rows: list[Sequence[Any]], seed: float, out: list[Any]) -> None:
        """Rows of one program: eagerly in anomaly mode, checked for the first ones, then compiled."""
        if hooks.observers and self._observed(program, rows, seed, out):
            return
        start = 0
        while program.checks_left and start < len(rows):
            self._checked(program, rows[start], seed, out)
            program.checks_left -= 1
            start += 1
            if not program.checks_left:
                program.run = None  # the traced graph is no longer needed
        if start < len(rows):
            program.rows(rows[start:] if start else rows, seed, out)

    def _observed(self, program: Program, rows: list[Sequence[Any]], seed: float, out: list[Any]) -> bool:
        """Some hook or anomaly mode is live: run eagerly inside detect_anomaly(); refuse a parameter's hook."""
        if is_anomaly_enabled():
            compare.eager_rows(self.fn, [as_floats(r, "compiled step") for r in rows], seed, program.frozen, out)
            return True
        for p in program.leaves:
            if hooks_of(p):
                raise TraceError(f"compiled step: {program.source.names.get(id(p), '?')}, {node_name(p)}, has a "
                                 "gradient hook (register_hook), which the "
                                 "compiled program would not call; remove it (handle.remove()) or run fn eagerly")
        return False

    # -- check: the eager graph beside the compiled step ---------------------------------------
    def _checked(self, program: Program, row: Sequence[Any], seed: float, out: list[Any]) -> None:
        floats = as_floats(row, "compiled step")
        keep = program.leaves
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
            value: list[Any] = []
            compare.eager_rows(self.fn, [floats], seed, [], value)
            eager = [p.grad for p in program.params]
        finally:
            for p, g in zip(keep, saved, strict=True):
                p.grad = g
        why = compare.differs(value[0], mine[0], eager, grads, program.param_names)
        if why is not None:
            cause = compare.explain(self.fn, program.run, floats, keep) if program.run is not None else ""
            raise TraceError(f"compile check: {why}; {cause}")
        program.rows([row], seed, out)


def compile_step(fn: Callable[..., Any], *example_args: Any, params: Any = None, check: int = 3,
                 max_nodes: int = 50_000) -> CompiledStep:
    """Trace ``fn`` on ``example_args`` and compile it into a ``CompiledStep`` (see the module docstring).

    ``params``: the leaves that receive gradients (a list, (name, leaf) pairs or a dict of names);
    by default every leaf of the traced graph that existed before the call (not an argument, not
    a number made inside ``fn``), named as a module's ``named_parameters()`` names them when they
    belong to one. Other leaves from before the call are then read at each call but get no
    gradient. ``max_nodes``: a larger traced graph is refused (``TraceError``).
    """
    return CompiledStep(fn, example_args, params, check, max_nodes)

