"""Code generation: a traced graph written out as a straight-line Python program on floats.

The program is **our own text**: it is built only from the templates in ``templates`` and the op
table's own functions (bound by generated names such as ``_F3``), identifiers, and float literals
made by ``repr``. Nothing a user hands us is ever pasted into it as code: a node's label or a
parameter's name becomes a variable name only after a whitelist (``[A-Za-z][A-Za-z0-9_]*``, at most
40 characters, no keyword, no built-in, no leading underscore: every name of ours starts with ``_``);
anything else gets a generated name (``z3``, ``p12``). Comments hold only the op table's formulas,
with every character that could end a line replaced. So ``compile()`` + ``exec`` run a program whose
every token we wrote; that is why the developers' rule against eval/exec on user data is kept
(tests/test_compile_safety.py tries hostile labels and op names).

Layout of the program (``step.source``): the parameters (and frozen leaves) are the program's
globals, set from their ``data`` before each call (``Program.load``), so no line copies thousands of
them into local variables; ``_many`` loads the parameters' gradients into local variables once,
runs the forward pass (one line per node) and the backward pass (one line per edge, in
``backward()``'s order, so every gradient is summed in the same order: the same floats) for each
row of arguments, and returns the new gradients; ``_forward`` is the forward pass alone. A row's
lines (``body_of``) are also what ``single`` turns into ``_one`` (one call) and ``export`` writes out.
List arguments are bound element by element by index (``x0, _u0_1, x2, = _a0``: an unused element
gets a name of ours and is still checked to be a number); an ``int`` argument is not bound at all
(the program is for its value).

What compiling costs: CPython's parser spends ~10,000 machine instructions on every name it reads,
so ``compile()`` takes time in proportion to the names in the program (a 64-32-10 network's
``_many`` has ~15,000). The layout above mentions each parameter once per use instead of also in
a list of all of them, and ``_forward`` is compiled only when first called.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from autograd import engine, ops
from autograd.compiler import templates
from autograd.compiler.naming import WORD, Names, comment
from autograd.compiler.trace import Trace
from autograd.engine import Value
from autograd.graph import backward_order, constant_of, operation_of, parents_of

_TABLE = frozenset(ops.TABLE)


@dataclass
class Source:
    """A generated program: its text, the namespace it runs in, and which node each line came from."""

    text: str
    namespace: dict[str, Any]
    lines: dict[int, tuple[Value, str]] = field(default_factory=dict)  # line number -> (node, variable)
    names: dict[int, str] = field(default_factory=dict)  # id(node) -> variable
    arg_names: list[str] = field(default_factory=list)
    forward_from: int = 0  # lines before ``_forward`` (compiled only when step.forward is first called)
    leaf_names: list[str] = field(default_factory=list)  # the globals set before each call: params, then frozen
    forward_at: int = 0  # where ``_forward`` starts in ``text``
    n_args: int = 0
    body_at: tuple[int, int] = (0, 0)  # the row's lines in ``text``: [from, to) (``single``, ``export``)
    const_lines: list[str] = field(default_factory=list)  # the numbers made inside the function
    result: str = ""  # the expression of what a call returns
    param_vars: list[str] = field(default_factory=list)  # the parameters' variables, in step.params order
    frozen_vars: list[str] = field(default_factory=list)


def body_of(src: Source) -> list[tuple[str, tuple[Value, str] | None]]:
    """The row's lines of ``_many`` at depth 1, each with the node it came from (or None)."""
    start, stop = src.body_at
    rows = src.text.split("\n", stop)[start:stop]
    return [(text[4:], src.lines.get(start + 1 + k)) for k, text in enumerate(rows)]


@functools.lru_cache(maxsize=512)
def _notes(op: ops.Op, n: int) -> tuple[str, ...]:
    """The comment of each input's backward line: the table's formula for it (in argument order)."""
    f = op.formula or "its derivative, called"
    if op is ops.LINEAR:
        parts = f.split(", ")
        k = n // 2
        each = [parts[0]] * k + [parts[1]] * k + [parts[2]] if len(parts) == 3 else [f] * n
    elif op.arity == 2:
        parts = f.split(", ")
        each = parts if len(parts) == 2 else [f, f]
    elif op.arity == 1 and not f.startswith("∂"):
        each = [f"∂y/∂x = {f}"]
    else:
        each = [f] * n
    return tuple(f"  # {comment(op.name)}: {comment(part)}" for part in each)


@functools.lru_cache(maxsize=512)
def _forward_note(op: ops.Op) -> str:
    return f"  # {comment(op.name)}: {comment(op.doc or 'forward called')}"


class _Writer:
    """Lines of text, and the node (and its variable) each line came from, by line number (from 1)."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.lines: dict[int, tuple[Value, str]] = {}

    def line(self, depth: int, text: str, node: Value | None = None, var: str = "") -> None:
        self.out.append("    " * depth + text)
        if node is not None:
            self.lines[len(self.out)] = (node, var)

    def include(self, depth: int, block: list[tuple[str, Value]]) -> None:
        """Append ``block``'s lines (text, node) indented by ``depth``."""
        indent, out, lines = "    " * depth, self.out, self.lines
        for text, node in block:
            out.append(indent + text)
            lines[len(out)] = (node, "")


def _name_all(tr: Trace, names: Names) -> dict[int, str]:
    """id(node) -> its variable: arguments, parameters, frozen leaves, then constants and interior
    nodes (z_j for a neuron's ``linear`` node and y_j for the activation of z_j, else v…, c…)."""
    make = names.make
    var: dict[int, str] = {}
    args = tr.args
    for v in tr.nodes:
        if id(v) in args:
            var[id(v)] = make(v.label, f"a{len(var)}")
    var.update(zip(map(id, tr.params), names.make_all(tr.param_names, "p"), strict=True))
    var.update(zip(map(id, tr.frozen), names.make_all([p.label for p in tr.frozen], "f"), strict=True))
    count = {"z": 0, "v": 0, "c": 0}
    zs: dict[int, str] = {}  # id(linear node) -> its number j, so that f(z_j) is named y_j
    linear = ops.LINEAR
    for v in tr.nodes:
        if id(v) in var:
            continue
        op = operation_of(v)
        if op is None:
            kind = "c"
        else:
            first = parents_of(v)[:1]
            if op.method and first and id(first[0]) in zs:
                var[id(v)] = make(v.label, "y" + zs[id(first[0])])  # y_j = f(z_j)
                continue
            kind = "z" if op is linear else "v"
        count[kind] += 1
        name = var[id(v)] = make(v.label, f"{kind}{count[kind]}")
        if kind == "z" and name == f"z{count[kind]}":
            zs[id(v)] = str(count[kind])
    return var


def generate(tr: Trace, fn_name: str, shapes: list[int | str | None]) -> Source:
    """The program for trace ``tr`` (see the module docstring)."""
    ns: dict[str, Any] = {**templates.HELPERS, "_fix": None}
    var = _name_all(tr, Names())
    params = {id(p): k for k, p in enumerate(tr.params)}
    n_args = len(shapes)
    arg_lists: list[list[str]] = []  # per argument, the variable of each element by its index
    for i, a in enumerate(tr.passed):
        leaves = a if isinstance(a, list) else [] if isinstance(a, int) else [a]
        arg_lists.append([var.get(id(v), f"_u{i}_{j}") for j, v in enumerate(leaves)])  # _u…: unused
    literals: list[Any] = []

    def lit(c: Any) -> str:
        if c is None:
            return "None"
        if type(c) is float and c - c == 0.0:
            return repr(c) if c >= 0.0 or c != c else f"({c!r})"
        literals.append(c)
        ns[f"_K{len(literals) - 1}"] = c
        return f"_K{len(literals) - 1}"

    # -- the forward pass, one line per node --------------------------------------------------
    fwd: list[tuple[str, Value]] = []
    forwards: dict[int, str] = {}
    for v in tr.nodes:
        op = operation_of(v)
        if op is None:
            continue
        ins = [var[id(p)] for p in parents_of(v)]
        c = constant_of(v)
        text = templates.forward_of(op, len(ins)) if op in _TABLE else None
        if text is not None:
            expr = text.format(*ins, c=lit(c))
        else:
            f = forwards.get(id(op))
            if f is None:
                word = "_" + op.method if op in _TABLE and op.method and WORD.fullmatch(op.method) else ""
                f = forwards[id(op)] = word if word and word not in ns else f"_F{len(forwards)}"
                ns[f] = op.forward
                ns.setdefault("_OPS", {})[f] = op.name
            call = f"{f}({', '.join([*ins, *([lit(c)] if c is not None else [])])})"
            expr = call if op in _TABLE else f"_num({call})"
        if len(ins) > CHUNK and text is not None and expr.count(" + ") > CHUNK:
            fwd.extend(_chunked(var[id(v)], expr, v))
            continue
        fwd.append((f"{var[id(v)]} = {expr}{_forward_note(op)}", v))

    # -- the two functions' heads ---------------------------------------------------------------
    pnames = [var[id(p)] for p in tr.params]
    wnames = pnames + [var[id(p)] for p in tr.frozen]
    consts = [(var[i], c) for i, c in tr.consts.items()]
    flat_args = [name for names_i in arg_lists for name in names_i]
    root = var[id(tr.root)]
    out_expr = root if tr.aux is None else f"({root}, [{', '.join(var[id(a)] for a in tr.aux)}])"
    w = _Writer()
    w.line(0, f"# The compiled step of {comment(fn_name)}: the forward pass one line per node, the backward pass")
    w.line(0, "# one line per edge (∂L/∂p += ∂L/∂v · ∂v/∂p), in the order backward() takes them. The")
    w.line(0, "# parameters (and leaves read at each call) are globals here, set from their data before each call.")
    if tr.param_paths:
        w.line(0, "# The parameters, named as the model's named_parameters() names them:")
        for p, path in zip(tr.params, tr.param_paths, strict=True):
            if path and path != var[id(p)]:
                w.line(0, f"#   {var[id(p)]:<12} {comment(path)}")
    w.line(0, "def _many(_G, _rows, _seed, _out):")
    if pnames:
        w.line(1, f"{', '.join('g_' + p for p in pnames)}, = _G  # the parameters' gradients so far (added to)")
    for name, c in consts:
        w.line(1, f"{name} = {lit(c)}  # a number made inside the function")
    w.line(1, "_push = _out.append")
    w.line(1, f"for {''.join(f'_a{i}, ' for i in range(n_args)) or '_ '}in _rows:")

    def arguments(depth: int) -> None:
        for i, names_i in enumerate(arg_lists):
            if shapes[i] is None:
                w.line(depth, f"{names_i[0]} = _a{i}  # argument {i}")
            elif isinstance(shapes[i], int):
                w.line(depth, f"{''.join(n + ', ' for n in names_i) or '()'}= _a{i}  # argument {i}, a list by index")
            else:
                w.line(depth, f"# argument {i} is an int: this program is for the value it was traced with")
        if flat_args:
            test = " or ".join(f"type({a}) is not float" for a in flat_args)
            w.line(depth, f"if {test}:  # ints and numpy numbers become floats, as Value() takes them")
            w.line(depth + 1, f"{', '.join(flat_args)}, = _fix([{', '.join(flat_args)}])")

    body_from = len(w.out)
    arguments(2)
    w.include(2, fwd)
    _backward(tr, var, params, w, lit, ns)
    body_to = len(w.out)
    w.line(2, f"_push({out_expr})")
    w.line(1, f"return {''.join(f'g_{p}, ' for p in pnames) or '()'}")
    w.line(0, "")
    forward_from = len(w.out)
    w.line(0, f"def _forward({', '.join(f'_a{i}' for i in range(n_args))}):")
    for name, c in consts:
        w.line(1, f"{name} = {lit(c)}")
    arguments(1)
    w.include(1, fwd)
    w.line(1, f"return {out_expr}")
    ns["_num"] = lambda x: engine.as_number(x, "compiled step: an op's forward returned")
    ns.update(dict.fromkeys(wnames, 0.0))  # every global there before the first call: the loads stay specialised
    head = "\n".join(w.out[:forward_from]) + "\n"
    text = head + "\n".join(w.out[forward_from:]) + "\n"
    return Source(text, ns, w.lines, var, flat_args, forward_from, wnames, len(head), n_args=n_args,
                  body_at=(body_from, body_to), const_lines=[f"{name} = {lit(c)}" for name, c in consts],
                  result=out_expr, param_vars=pnames, frozen_vars=wnames[len(pnames):])


CHUNK = 200
"""Terms of a sum per line: ``a + b + c + …`` is one nested expression, and CPython's compiler
recurses into it (a RecursionError past ~3,000 terms); longer sums are accumulated line by line."""


def _chunked(y: str, expr: str, v: Value) -> list[tuple[str, Value]]:
    """``y = t0 + t1 + … + tn`` as ``y = t0 + … + t199`` then ``y = y + t200 + …`` …: additions in the
    same order, left to right, so the same float (a sum's or a neuron's forward, ``templates``)."""
    terms = expr.split(" + ")
    lines = [(f"{y} = {' + '.join(terms[:CHUNK])}  # the first {CHUNK} terms of a sum of {len(terms)}", v)]
    for k in range(CHUNK, len(terms), CHUNK):
        lines.append((f"{y} = {' + '.join([y, *terms[k:k + CHUNK]])}", v))
    return lines


def _backward(tr: Trace, var: dict[int, str], params: dict[int, int], w: _Writer, lit: Callable[[Any], str],
              ns: dict[str, Any]) -> None:
    """The backward pass into ``w`` (inside ``_many``'s row loop), one line per edge, in backward()'s order."""
    needs: set[int] = set()  # the interior nodes a parameter's gradient flows through
    for v in tr.nodes:
        if operation_of(v) is not None and any(id(p) in params or id(p) in needs for p in parents_of(v)):
            needs.add(id(v))
    out, lines = w.out, w.lines
    push = out.append
    derivs: dict[int, str] = {}
    root = tr.root
    started: set[int] = set()
    if id(root) in params:
        w.line(2, f"g_{var[id(root)]} += _seed  # the loss is a parameter itself")
    elif id(root) in needs:
        w.line(2, f"g_{var[id(root)]} = _seed  # ∂L/∂L, the seed of backward()", root)
        started.add(id(root))
    for v in backward_order(root) if id(root) in needs else []:
        if id(v) not in needs:
            continue
        op = operation_of(v)
        assert op is not None
        ps = parents_of(v)
        pids = [id(p) for p in ps]
        n, y = len(ps), var[id(v)]
        g, const = "g_" + y, constant_of(v)
        cl = lit(const)
        inputs = [var[i] for i in pids]
        table = op in _TABLE
        terms = templates.backward_of(op, n, const) if table else None
        guard = templates.guard_of(op, n) if table else None
        notes = _notes(op, n)
        if terms is None:
            d = derivs.setdefault(id(op), f"_D{len(derivs)}")
            ns[d] = op.deriv
            ns.setdefault("_OPS", {})[d] = op.name
            note = f"  # {comment(op.name)}: its deriv, called"
            if op.arity == 1:
                w.line(2, f"_d0 = {d}({inputs[0]}, {y}, {cl}){note}", v, y)
            elif op.arity == 2:
                w.line(2, f"_d0, _d1 = {d}({inputs[0]}, {inputs[1]}, {y}, {cl}){note}", v, y)
            else:
                w.line(2, f"[{', '.join(f'_d{i}' for i in range(n))}] = {d}([{', '.join(inputs)}], {y}, {cl}){note}",
                       v, y)
            terms = [(i, f"{{g}} * _d{i}") for i in range(n)]
        edges = [(i, t) for i, t in terms if pids[i] in params or pids[i] in needs]
        if not edges:
            continue
        indent = "        "
        if guard is not None:
            for i, _ in edges:
                if pids[i] in needs and pids[i] not in started:
                    w.line(2, f"g_{inputs[i]} = 0.0")
                    started.add(pids[i])
            w.line(2, f"if {guard.format(g=g, y=y)}:  # skipped when ∂L/∂{y} = 0 and {y} is finite (as "
                   "backward() does: every term would be ±0)", v, y)
            indent += "    "
        joined = "\n".join([t for _, t in edges])  # every term of the node in one format call
        cm1 = lit(const - 1.0) if "{cm1}" in joined else ""
        here = (v, y)
        for (i, _), term in zip(edges, joined.format(*inputs, g=g, y=y, c=cl, cm1=cm1).split("\n")):  # noqa: B905
            pid = pids[i]
            if pid in needs and pid not in started:
                push(f"{indent}g_{inputs[i]} = {term}{notes[i]}")
                started.add(pid)
            elif term[0] == "-" and term[1:].isidentifier():
                push(f"{indent}g_{inputs[i]} -= {term[1:]}{notes[i]}")
            else:
                push(f"{indent}g_{inputs[i]} += {term}{notes[i]}")
            lines[len(out)] = here
