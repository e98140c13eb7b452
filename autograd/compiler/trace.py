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
with ``v.data`` is sorted by ``watch``: a scalar argument's number makes that argument a key of the
program (one program per value, as an ``int`` argument is: passed to ``fn`` as it is, never as a
node), any other node's number read by the user's code is refused naming the line. A gradient hook
on a traced node is refused (the program would not call it), and so is a graph of more than
``max_nodes`` nodes (compiling costs time and memory in proportion to its lines).

A check eager code makes on an argument's number (a loss refusing a target it cannot use, such as
hinge's 0.5) cannot run on a traced node without making the argument a key. Such code calls
``require(node, check)`` instead: while tracing, the check is kept with the program and run on the
number the argument takes at every call (``Program.check_args``), so the step refuses what eager
code refuses, with the same error.
"""

from __future__ import annotations

import inspect
import linecache
import math
import numbers
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

from autograd import engine, hooks
from autograd.compiler import watch
from autograd.engine import Value
from autograd.errors import TraceError
from autograd.graph import constant_of, has_rule, is_closure, operation_of, parents_of, topological_order_of
from autograd.hooks import hooks_of
from autograd.modes.state import tracing_off, tracing_on

Shape = tuple[Union[int, str, None], ...]
"""Per argument: None for a number, the length for a list of numbers, ``"int"`` for an integer
(an integer is a key of the program, passed to ``fn`` as it is: a class index, a count)."""

KEYED = "int"

ArgCheck = Callable[[Any], None]
"""A check of an argument's number: returns, or raises the error eager code would raise."""

_requires = threading.local()  # .checks: the list of (leaf, check) of this thread's trace, while one runs


def require(node: Any, check: ArgCheck) -> bool:
    """Keep ``check`` for the number ``node`` takes at each call, if this thread is tracing ``node``'s
    function (True); False otherwise (the caller checks the number itself, or leaves it)."""
    checks: list[tuple[Any, ArgCheck]] | None = getattr(_requires, "checks", None)
    if checks is None:
        return False
    checks.append((node, check))
    return True



def shape_of(args: Sequence[Any], where: str) -> Shape:
    """The arguments' shape (numbers or flat lists of numbers); TypeError for anything else."""
    shape: list[int | str | None] = []
    for i, a in enumerate(args):
        if type(a) is float:  # the common cases first: this runs on every call
            shape.append(None)
        elif type(a) is list or isinstance(a, tuple):
            shape.append(len(a))
        elif isinstance(a, numbers.Integral) and not isinstance(a, bool):
            shape.append(KEYED)
        elif isinstance(a, numbers.Real) and not isinstance(a, bool):
            shape.append(None)
        else:
            raise TypeError(f"{where}: argument {i} must be a number or a list of numbers, got "
                            f"{engine.describe(a)} of type {type(a).__name__}")
    return tuple(shape)


def number(x: Any, where: str) -> float:
    """``x`` as a float for the program, which runs on numbers: a node is refused as a node (TypeError)."""
    if isinstance(x, Value):
        raise TypeError(f"{where}: the compiled step takes numbers, got the node {engine.describe(x)}; pass its "
                        "number (v.data), or call fn itself to differentiate through the node")
    return engine.as_number(x, where)


def as_floats(args: Sequence[Any], where: str) -> list[Any]:
    """The arguments with every number as a float (as ``Value()`` takes them), an integer argument as an
    ``int``; TypeError otherwise."""
    out: list[Any] = []
    for i, a in enumerate(args):
        if isinstance(a, (list, tuple)):
            out.append([number(v, f"{where}: argument {i}[{j}]") for j, v in enumerate(a)])
        elif isinstance(a, numbers.Integral) and not isinstance(a, bool):
            out.append(int(a))
        else:
            out.append(number(a, f"{where}: argument {i}"))
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
    passed: list[Any]  # what fn was given: per argument a leaf, a list of leaves, or an int
    keyed: set[int]  # scalar arguments whose number fn read (v.data): keys of the program
    refused: list[TraceError] = field(default_factory=list)  # reads of other nodes' numbers by user code
    made: list[tuple[float, TraceError]] = field(default_factory=list)  # reads on a line that makes a node
    baked: set[int] = field(default_factory=set)  # keyed arguments read by user code: the program holds them
    checks: list[tuple[int, int | None, ArgCheck]] = field(default_factory=list)  # (argument, index, check)


def one_run(fn: Callable[..., Any], example: Sequence[Any], names: Sequence[str], order: bool = True) -> Run:
    leaves: dict[int, tuple[int, int | None]] = {}
    passed: list[Any] = []
    for i, a in enumerate(example):
        if isinstance(a, list):
            vs = [Value(x, label=f"{names[i]}{j}") for j, x in enumerate(a)]
            leaves.update({id(v): (i, j) for j, v in enumerate(vs)})
            passed.append(vs)
        elif isinstance(a, int):
            passed.append(a)  # a key of the program, as eager code gets it
        else:
            v = Value(a, label=names[i])
            leaves[id(v)] = (i, None)
            passed.append(v)
    keyed: set[int] = set()
    baked: set[int] = set()
    refused: list[TraceError] = []
    made: list[tuple[float, TraceError]] = []

    def reader(v: Value, kind: str, frame: Any) -> None:
        where = leaves.get(id(v))
        if kind == "grad":  # changes with every backward pass: no program can hold it
            refused.append(TraceError(f"compile: the function reads a gradient (.grad of {v!r}) at "
                                      f"{watch.line_of(frame)}; it would become a constant of the compiled program, "
                                      "silently wrong after the next backward pass. Do not compile this function"))
        elif where is not None and where[1] is None:
            keyed.add(where[0])  # a scalar argument's number: trace one program per value
            if kind == "user":
                baked.add(where[0])
        elif kind != "nn":
            label = f", label {v.label!r}" if v.label else ""
            error = TraceError(
                f"compile: the function reads the number of a traced Value (.data or .item(), data={v.data!r}"
                f"{label}) at {watch.line_of(frame)}. The number would become a constant of the compiled program, "
                "silently wrong once the value changes. Keep it in the graph with Value operations; or pass the "
                "number as a scalar argument of fn (a scalar argument read with .data, like an int argument, makes "
                "the step trace one program per value); or do not compile this function")
            text = linecache.getline(frame.f_code.co_filename, frame.f_lineno)
            if "make_node(" in text or "Value(" in text:  # a node made from its parents' numbers, as nn does
                made.append((v.data, error))
            else:
                refused.append(error)

    was_on = tracing_on()
    before = watch.watch(reader)
    outer = getattr(_requires, "checks", None)  # (a trace inside a trace keeps its own)
    required: list[tuple[Any, ArgCheck]] = []
    _requires.checks = required
    try:
        out = fn(*passed)
    finally:
        _requires.checks = outer
        watch.unwatch(before)
        tracing_off(was_on)
    root, aux = _result(out)
    nodes = topological_order_of([root, *(aux or [])]) if order else []
    checks = [(*leaves[id(v)], check) for v, check in required if id(v) in leaves]  # on arguments only
    return Run(root, aux, nodes, leaves, passed, keyed, refused, made, baked, checks)




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
    passed: list[Any] = field(default_factory=list)  # per argument: its leaf, its list of leaves, or an int
    keyed: set[int] = field(default_factory=set)  # scalar arguments whose number fn read: program keys
    param_paths: list[str] = field(default_factory=list)  # each parameter's dotted name, if it has one
    baked: set[int] = field(default_factory=set)  # keyed arguments whose number user code read
    checks: list[tuple[int, int | None, ArgCheck]] = field(default_factory=list)  # run on each call's arguments


def same_number(a: object, b: object) -> bool:
    """Equal, or both float NaN (a NaN equals no number, not even itself)."""
    return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))


def match_runs(r1: Run, r2: Run) -> dict[int, Value]:
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


def _refuse_hooks(nodes: list[Value]) -> None:
    """TraceError naming the first node of ``nodes`` with a gradient hook (the program calls none)."""
    if not hooks.observers:  # no hook anywhere (one read)
        return
    for v in nodes:
        if hooks_of(v):
            raise TraceError(f"compile: {node_name(v)} has a gradient hook (register_hook), which a compiled step "
                             "would not call; remove the hook (handle.remove()) or run fn eagerly "
                             "(fn(*args).backward() calls it)")


def node_name(v: Value) -> str:
    """'node 'label' (op 'tanh', data=…)' for messages."""
    op = operation_of(v)
    label = repr(v.label) if v.label else "(no label)"
    return f"node {label} (op {op.name if op else 'leaf'!r}, data={v.data!r})"


def trace(fn: Callable[..., Any], example: Sequence[Any], params: Sequence[tuple[str, Value]] | None,
          max_nodes: int) -> Trace:
    """Run ``fn`` twice on ``example`` (numbers and lists of floats) and classify its graph."""
    names = argument_names(fn, len(example))
    r1 = one_run(fn, example, names)
    if len(r1.nodes) > max_nodes:
        raise TraceError(f"compile: the traced graph has {len(r1.nodes):,} nodes, more than max_nodes={max_nodes:,}; "
                         "compiling takes time and memory in proportion to its lines (about 0.15 ms a node). "
                         "Pass a larger max_nodes to compile it anyway, or train it eagerly")
    _refuse_hooks(r1.nodes)
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
    if r1.refused:  # (after the checks above, whose messages say more about a micrograd-style node)
        raise r1.refused[0]
    r2 = one_run(fn, example, names, order=False)
    pairs = match_runs(r1, r2)
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
    _refuse_frozen_reads(r1, consts)
    if given is not None:
        order = {id(p): k for k, (_, p) in enumerate(params or [])}
        found.sort(key=lambda p: order[id(p)])
        names_out = [given[id(p)][0] for p in found]
    else:
        names_out = [p.label for p in found]
    return Trace(r1.nodes, r1.root, r1.aux, r1.args, found, names_out, frozen, consts, r1.passed, r1.keyed,
                 baked=r1.baked, checks=r1.checks)


def _refuse_frozen_reads(run: Run, consts: dict[int, float]) -> None:
    """A number read on a line that makes a node (``make_node(f(x.data), op, x)``, micrograd's
    ``Value(x.data * y.data, (x, y), '*')``) gives that node its value, which the program recomputes
    from the op; but if the number also is a constant of the program (``Value(x.data)``), refuse."""
    if not run.made:
        return
    numbers_in: list[float] = list(consts.values())
    for v in run.nodes:
        c = constant_of(v)
        numbers_in.extend(c if isinstance(c, tuple) else [c] if isinstance(c, float) else [])
    for x, error in run.made:
        if any(same_number(x, c) for c in numbers_in if isinstance(c, float)):
            raise error


def check_params(params: Any) -> list[tuple[str, Value]] | None:
    """``params`` as (name, leaf) pairs: a list of leaves, of (name, leaf) pairs, or a dict; None stays None."""
    if params is None:
        return None
    if isinstance(params, (Value, str, bytes)) or not isinstance(params, Iterable):
        raise TypeError(f"compile: params must be a list of leaf Values, of (name, leaf) pairs, or a dict of names "
                        f"to leaves, got {engine.describe(params)} of type {type(params).__name__}"
                        + (" (wrap a single parameter in a list: params=[p])" if isinstance(params, Value) else ""))
    items = list(params.items()) if isinstance(params, dict) else list(params)
    out: list[tuple[str, Value]] = []
    for k, item in enumerate(items):
        name, p = item if isinstance(item, tuple) and len(item) == 2 else (None, item)
        if not isinstance(p, Value) or not p.is_leaf:
            raise TypeError(f"compile: params[{k}] must be a leaf Value (a parameter), got {engine.describe(p)}")
        out.append((str(name) if name is not None else p.label, p))
    return out

