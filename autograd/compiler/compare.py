"""The eager graph beside the compiled step: running ``fn`` eagerly, and saying why two results differ.

``eager_rows`` is ``fn(*row).backward(seed)`` for each row, with the arguments given as the trace
gave them (numbers and list elements as leaves, integers as they are); the step runs it instead
of the program inside ``detect_anomaly()``, so anomaly mode reports what it always reports (op,
label, line). ``check`` compares the two on the first rows; when they differ, ``explain`` traces
``fn`` once more on the failing row and names the cause it finds: a different graph (``fn``
depends on something other than its arguments and parameters), a different constant (a number
computed from outside state), a parameter replaced, or — when everything matches — a compiler
bug to report.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from autograd.compiler.trace import Run, TraceError, argument_names, match_runs, one_run, same_number
from autograd.engine import Value


def wrap(row: Sequence[Any]) -> list[Any]:
    """The arguments as the trace gives them to ``fn``: leaves for numbers, lists of leaves, ints as they are."""
    return [[Value(x) for x in a] if isinstance(a, list) else a if isinstance(a, int) else Value(a) for a in row]


def eager_rows(fn: Callable[..., Any], rows: Sequence[Sequence[Any]], seed: float, frozen: Sequence[Value],
               out: list[Any]) -> None:
    """``fn(*row).backward(seed)`` for each row (floats already), appending what the step returns to ``out``.
    Leaves that are not parameters (``frozen``) keep their gradients, as the compiled step leaves them."""
    saved = [p.grad for p in frozen]
    try:
        for row in rows:
            result = fn(*wrap(row))
            root = result[0] if isinstance(result, tuple) else result
            if not isinstance(root, Value):
                raise TypeError(f"compiled step: fn returned {type(root).__name__}, not a Value")
            root.backward(seed)
            out.append(root.data if not isinstance(result, tuple) else (root.data, datas(result[1])))
    finally:
        for p, g in zip(frozen, saved, strict=True):
            p.grad = g


def datas(x: Any) -> list[float]:
    return [x.data] if isinstance(x, Value) else [v.data for v in x]


def differs(value: Any, got: Any, eager: list[float], grads: Sequence[float], names: list[str]) -> str | None:
    """What differs between the eager and the compiled result (None: nothing, bit for bit)."""
    ev, cv = (value, got) if not isinstance(value, tuple) else (value[0], got[0])
    if not same_number(ev, cv) or (isinstance(value, tuple) and not all(map(same_number, value[1], got[1]))):
        return f"the compiled step gives {got!r} where the eager graph gives {value!r}"
    bad = [(abs(e - g), n, e, g) for e, g, n in zip(eager, grads, names, strict=True) if not same_number(e, g)]
    if bad:
        _, n, e, g = max(bad, key=lambda t: t[0] if t[0] == t[0] else math.inf)
        return f"{len(bad)} gradient(s) differ from the eager graph's, e.g. ∂fn/∂{n} = {g!r} compiled vs {e!r} eager"
    return None


def explain(fn: Callable[..., Any], traced: Run, row: Sequence[Any], leaves: Sequence[Value]) -> str:
    """Why the compiled step and the eager graph differ on ``row``: the cause found by tracing it again."""
    try:
        again = one_run(fn, row, argument_names(fn, len(row)))
    except TraceError as e:
        return f"on this row {e}"
    except Exception as e:  # fn fails on this row when traced: name it
        return f"on this row fn raised {type(e).__name__}: {e}"
    if again.refused:
        return f"on this row {again.refused[0]}"
    try:
        pairs = match_runs(traced, again)
    except TraceError as e:
        found = str(e).split("(", 1)[-1].rstrip(")")
        return (f"fn builds another graph (or other constants) on this row than on the traced one ({found}): "
                "it depends on something besides its arguments' Values and the parameters — a Python number or "
                "flag from outside (a global, an attribute the structure guard does not see), random numbers, "
                "or a count of calls; make it a pure function of its arguments, or do not compile it")
    for p in leaves:
        if pairs.get(id(p), p) is not p:
            return ("a parameter was replaced since the trace in a place the structure guard cannot see (an "
                    "object with __slots__, a class attribute); compile again after changing the model")
    return ("the graph, its constants and its parameters are the traced ones, so the compiled code itself is "
            "wrong: this is a bug of autograd.compile, please report it with this function")
