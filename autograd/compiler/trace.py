"""Tracing: run the user's function once on ``Value`` leaves and record the graph it builds.

The function is run **twice** on the same example arguments. Nodes that are the same objects in
both runs existed before the call: leaves among them are the parameters (or, when ``params`` is
given, frozen inputs read at each call); an interior node among them is refused (it was built
before the call and would not be rebuilt by eager code either). Leaves that differ between the
runs were made inside the function (``Value(1.0)``, numbers mixed into ``sum``): they become
constants of the program. The two graphs must have the same shape, or the function is not a pure
function of its arguments and parameters (``TraceError``).

While tracing, comparisons and ``bool()`` of a node raise ``TraceError`` naming the user's line:
``if v > 0``, ``max(values)`` and ``v or w`` would freeze one branch into the program. A number read
with ``v.data`` or ``float(v)`` cannot be seen here; it becomes a constant, which ``check`` catches.
"""

from __future__ import annotations

import inspect
import linecache
import math
import numbers
import os
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

from autograd import engine
from autograd.compat import surface
from autograd.engine import Value
from autograd.errors import DeltagradError
from autograd.graph import constant_of, has_rule, is_closure, operation_of, parents_of, topological_order_of


class TraceError(DeltagradError, RuntimeError):
    """The function cannot be compiled faithfully (a branch on a node, a changing graph, or the
    compiled step disagreeing with the eager graph under ``check``)."""


Shape = tuple[Union[int, None], ...]
"""Per argument: None for a number, the length for a list of numbers."""

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # autograd/
_state = threading.local()
_lock = threading.Lock()
_active = [0]  # threads tracing now


def user_line() -> str:
    """'file:line: source' of the innermost frame outside the autograd package (the user's code)."""
    frame = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE + os.sep):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return "an unknown line"
    text = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
    return f"{frame.f_code.co_filename}:{frame.f_lineno}" + (f": {text}" if text else "")


def _refuse_branch(v: Value, what: str, other: object) -> None:
    """The engine's hook while some thread traces: in the tracing thread, refuse the branch."""
    if not getattr(_state, "on", False):
        return
    label = f", label {v.label!r}" if v.label else ""
    shown = "bool(v) (an `if v:`, `and`, `or` or `not`)" if what == "bool" else f"a comparison v {what} x"
    raise TraceError(f"compile: {shown} on a traced Value (data={v.data!r}{label}) at {user_line()}. A Python "
                     "branch on a node's value would be frozen into the compiled program; write it with Value "
                     "operations (v.relu(), abs(v), ...), move it out of the function, or do not compile it.")


def _tracing_on() -> None:
    with _lock:
        _state.on = True
        _active[0] += 1
        if not surface.branch_hooks:
            surface.branch_hooks.append(_refuse_branch)


def _tracing_off() -> None:
    with _lock:
        _state.on = False
        _active[0] -= 1
        if not _active[0]:
            surface.branch_hooks.clear()


def shape_of(args: Sequence[Any], where: str) -> Shape:
    """The arguments' shape (numbers or flat lists of numbers); TypeError for anything else."""
    shape: list[int | None] = []
    for i, a in enumerate(args):
        if isinstance(a, (list, tuple)):
            shape.append(len(a))
        elif isinstance(a, numbers.Real) and not isinstance(a, bool):
            shape.append(None)
        else:
            raise TypeError(f"{where}: argument {i} must be a number or a list of numbers, got "
                            f"{engine.describe(a)} of type {type(a).__name__}")
    return tuple(shape)


def as_floats(args: Sequence[Any], where: str) -> list[Any]:
    """The arguments with every number as a float (as ``Value()`` takes them); TypeError otherwise."""
    out: list[Any] = []
    for i, a in enumerate(args):
        if isinstance(a, (list, tuple)):
            out.append([engine.as_number(v, f"{where}: argument {i}[{j}]") for j, v in enumerate(a)])
        else:
            out.append(engine.as_number(a, f"{where}: argument {i}"))
    return out


def argument_names(fn: Callable[..., Any], count: int) -> list[str]:
    """The names of fn's first ``count`` positional parameters (``a0``, ``a1`` … where unknown)."""
    try:
        params = [p for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    names = [p.name for p in params[:count]]
    return names + [f"a{i}" for i in range(len(names), count)]


@dataclass
class Run:
    """One run of the function on leaves: what it returned and the graph, parents before children."""

    root: Value
    aux: list[Value] | None
    nodes: list[Value]
    args: dict[int, tuple[int, int | None]]  # id(leaf) -> (argument, index in it or None)


def _one_run(fn: Callable[..., Any], example: Sequence[Any], names: Sequence[str], order: bool = True) -> Run:
    leaves: dict[int, tuple[int, int | None]] = {}
    passed: list[Any] = []
    for i, a in enumerate(example):
        if isinstance(a, list):
            vs = [Value(x, label=f"{names[i]}{j}") for j, x in enumerate(a)]
            leaves.update({id(v): (i, j) for j, v in enumerate(vs)})
            passed.append(vs)
        else:
            v = Value(a, label=names[i])
            leaves[id(v)] = (i, None)
            passed.append(v)
    _tracing_on()
    try:
        out = fn(*passed)
    finally:
        _tracing_off()
    root, aux = _result(out)
    return Run(root, aux, topological_order_of([root, *(aux or [])]) if order else [], leaves)




def _result(out: Any) -> tuple[Value, list[Value] | None]:
    if isinstance(out, Value):
        return out, None
    if isinstance(out, tuple) and len(out) == 2 and isinstance(out[0], Value):
        extra = out[1]
        aux = [extra] if isinstance(extra, Value) else list(extra) if isinstance(extra, (list, tuple)) else None
        if aux is not None and all(isinstance(v, Value) for v in aux):
            return out[0], aux
    raise TypeError(f"compile: the function must return a Value (a loss), or (loss, outputs) with outputs a Value "
                    f"or a list of Values; got {engine.describe(out)}")


@dataclass
class Trace:
    """The graph of one call, classified: what the code generator reads."""

    nodes: list[Value]  # parents before children (the forward order)
    root: Value
    aux: list[Value] | None
    args: dict[int, tuple[int, int | None]]  # id(arg leaf) -> (argument, index)
    params: list[Value]  # leaves that receive gradients, in the order of the parameter list
    param_names: list[str]
    frozen: list[Value] = field(default_factory=list)  # leaves from before the call, read at each call
    consts: dict[int, float] = field(default_factory=dict)  # id(leaf made inside fn) -> its number


def same_number(a: object, b: object) -> bool:
    """Equal, or both float NaN (a NaN equals no number, not even itself)."""
    return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))


def _match(r1: Run, r2: Run) -> dict[int, Value]:
    """id(node of run 1) -> the node of run 2 in its place; TraceError unless both runs built the same graph.

    Both graphs are walked together from their roots, children before parents (run 1's order
    backwards), pairing the k-th parent of paired nodes: paired nodes must have the same op, the
    same constant, the same number of parents and be the same argument (or none); a node of run 1
    must always meet the same node of run 2, and no node of run 2 two nodes of run 1. Then every
    node of run 2's graph is paired with exactly one of run 1's: the same graph, node for node.
    """
    def differ(a: Value, b: Value) -> TraceError:
        return TraceError(f"compile: two runs on the same arguments built different graphs (node "
                          f"{a._op or 'leaf'} vs {b._op or 'leaf'}); the function must be deterministic")

    aux1, aux2 = r1.aux or [], r2.aux or []
    if (r1.aux is None) != (r2.aux is None) or len(aux1) != len(aux2):
        raise TraceError("compile: two runs on the same arguments returned different outputs; the function "
                         "must be deterministic")
    pairs: dict[int, Value] = {id(r1.root): r2.root}
    pair = pairs.setdefault
    for a, b in zip(aux1, aux2):  # noqa: B905  (lengths compared above)
        if pair(id(a), b) is not b:
            raise differ(a, b)
    args1, args2 = r1.args, r2.args
    for a in reversed(r1.nodes):
        b = pairs[id(a)]
        op = operation_of(a)
        if op is not operation_of(b):
            raise differ(a, b)
        if op is None:  # a leaf: the same argument (or none) in both runs
            if (id(a) in args1 or id(b) in args2) and args1.get(id(a)) != args2.get(id(b)):
                raise differ(a, b)
            continue
        ca, cb = constant_of(a), constant_of(b)
        if not same_number(ca, cb):
            raise differ(a, b)
        pa, pb = parents_of(a), parents_of(b)
        if len(pa) != len(pb):
            raise differ(a, b)
        for x, y in zip(pa, pb):  # noqa: B905  (lengths compared above)
            if pair(id(x), y) is not y:
                raise differ(x, y)
    if len(pairs) != len(r1.nodes) or len(set(map(id, pairs.values()))) != len(pairs):
        raise TraceError(f"compile: two runs on the same arguments built graphs of {len(r1.nodes)} nodes and of "
                         "another size; the function must depend only on its arguments and parameters")
    return pairs


def trace(fn: Callable[..., Any], example: Sequence[Any], params: Sequence[tuple[str, Value]] | None) -> Trace:
    """Run ``fn`` twice on ``example`` (numbers and lists of floats) and classify its graph."""
    names = argument_names(fn, len(example))
    r1 = _one_run(fn, example, names)
    for a in r1.nodes:
        op = operation_of(a)
        if op is None:
            continue
        if is_closure(a):
            raise TypeError(f"compile: node {a!r} ({a._op!r}) gets its gradient from a micrograd-style _backward "
                            "closure, which cannot be compiled; define the operation with autograd.op instead")
        if not has_rule(a):
            raise TypeError(f"compile: node {a!r} was made by Value(data, children, {a._op!r}) and has no "
                            "derivative rule; define the operation with autograd.op")
    r2 = _one_run(fn, example, names, order=False)
    pairs = _match(r1, r2)
    given = None if params is None else {id(p): (name, p) for name, p in params}
    found: list[Value] = []
    frozen: list[Value] = []
    consts: dict[int, float] = {}
    for a in r1.nodes:
        if id(a) in r1.args:
            continue
        b = pairs[id(a)]
        if operation_of(a) is not None:
            if a is b:
                raise TraceError(f"compile: node {a!r} ({a._op!r}) was built before the call and reused; build it "
                                 "inside the function from parameters (or detach() it to make it a constant)")
            continue
        if a is b:
            (found if given is None or id(a) in given else frozen).append(a)
        elif not same_number(a.data, b.data):
            raise TraceError(f"compile: a number made inside the function differs between two runs "
                             f"({a.data!r} vs {b.data!r}); the function must be deterministic")
        else:
            consts[id(a)] = a.data
    if given is not None:
        order = {id(p): k for k, (_, p) in enumerate(params or [])}
        found.sort(key=lambda p: order[id(p)])
        names_out = [given[id(p)][0] for p in found]
    else:
        names_out = [p.label for p in found]
    return Trace(r1.nodes, r1.root, r1.aux, r1.args, found, names_out, frozen, consts)


def check_params(params: Any) -> list[tuple[str, Value]] | None:
    """``params`` as (name, leaf) pairs: a list of leaves, of (name, leaf) pairs, or a dict; None stays None."""
    if params is None:
        return None
    items = list(params.items()) if isinstance(params, dict) else list(params)
    out: list[tuple[str, Value]] = []
    for k, item in enumerate(items):
        name, p = item if isinstance(item, tuple) and len(item) == 2 else (None, item)
        if not isinstance(p, Value) or not p.is_leaf:
            raise TypeError(f"compile: params[{k}] must be a leaf Value (a parameter), got {engine.describe(p)}")
        out.append((str(name) if name is not None else p.label, p))
    return out

