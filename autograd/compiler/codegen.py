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

Layout of the program (``step.source``): ``_many`` loads the parameters' values and gradients into
local variables once, runs the forward pass (one line per node) and the backward pass (one line per
edge, in ``backward()``'s order, so every gradient is summed in the same order: the same floats) for
each row of arguments, and returns the new gradients; ``_forward`` is the forward pass alone.
"""

from __future__ import annotations

import builtins
import functools
import keyword
import re
from dataclasses import dataclass, field
from typing import Any

from autograd import engine, ops
from autograd.compiler import templates
from autograd.compiler.trace import Trace
from autograd.engine import Value
from autograd.graph import backward_order, constant_of, operation_of, parents_of

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")
_OTHER = re.compile(r"[^0-9A-Za-z_]+")
_BUILTINS = frozenset(dir(builtins))
_TABLE = frozenset(ops.TABLE)


@functools.lru_cache(maxsize=1024)
def comment(text: str) -> str:
    """Text safe inside a ``#`` comment: every non-printable character (newlines included) is a space."""
    return "".join(ch if ch.isprintable() else " " for ch in text)[:160]


class Names:
    """Variable names for the program: sanitized labels, else generated ones, all distinct.

    A value named ``n`` also reserves ``g_n`` for its gradient.
    """

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def make(self, label: str, fallback: str) -> str:
        base = _OTHER.sub("_", label).strip("_")
        if not _WORD.fullmatch(base) or keyword.iskeyword(base) or base.startswith("g_"):
            base = fallback
        elif base in _BUILTINS:
            base += "_"
        name, k = base, 2
        while name in self.taken or "g_" + name in self.taken:
            name, k = f"{base}_{k}", k + 1
        self.taken.update((name, "g_" + name))
        return name


@dataclass
class Source:
    """A generated program: its text, the namespace it runs in, and which node each line came from."""

    text: str
    namespace: dict[str, Any]
    lines: dict[int, tuple[Value, str]] = field(default_factory=dict)  # line number -> (node, variable)
    names: dict[int, str] = field(default_factory=dict)  # id(node) -> variable
    arg_names: list[str] = field(default_factory=list)
    forward_from: int = 0  # lines before ``_forward`` (compiled only when step.forward is first called)


class _Writer:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.lines: dict[int, tuple[Value, str]] = {}

    def line(self, depth: int, text: str, node: Value | None = None, var: str = "") -> None:
        self.out.append("    " * depth + text)
        if node is not None:
            self.lines[len(self.out)] = (node, var)

    def include(self, depth: int, other: _Writer) -> None:
        """Append ``other``'s lines indented by ``depth``, keeping which node each line came from."""
        base = len(self.out)
        for text in other.out:
            self.line(depth, text)
        for num, info in other.lines.items():
            self.lines[base + num] = info


def _formula_parts(op: Any, n: int) -> list[str]:
    """The table's formula for each input (in argument order), for the backward lines' comments."""
    f = op.formula or "its derivative, called"
    if op is ops.LINEAR:
        parts = f.split(", ")
        k = n // 2
        return [parts[0]] * k + [parts[1]] * k + [parts[2]] if len(parts) == 3 else [f] * n
    if op.arity == 2:
        parts = f.split(", ")
        return parts if len(parts) == 2 else [f, f]
    if op.arity == 1 and not f.startswith("∂"):
        return [f"∂y/∂x = {f}"]
    return [f] * n


def generate(tr: Trace, fn_name: str, shapes: list[int | None]) -> Source:
    """The program for trace ``tr`` (see the module docstring)."""
    ns: dict[str, Any] = {**templates.HELPERS, "_fix": None}
    names = Names()
    var: dict[int, str] = {}
    params = {id(p): k for k, p in enumerate(tr.params)}
    arg_vars: dict[int, list[str]] = {}
    zs: dict[int, str] = {}  # id(linear node) -> its number j, so that f(z_j) is named y_j
    # -- names: arguments, parameters, frozen leaves, constants, interior nodes ---------------
    for v in tr.nodes:
        if id(v) in tr.args:
            var[id(v)] = names.make(v.label, f"a{len(var)}")
    for k, p in enumerate(tr.params):
        var[id(p)] = names.make(tr.param_names[k], f"p{k}")
    for k, p in enumerate(tr.frozen):
        var[id(p)] = names.make(p.label, f"f{k}")
    count = {"z": 0, "v": 0, "c": 0}
    for v in tr.nodes:
        if id(v) in var:
            continue
        op = operation_of(v)
        parent = parents_of(v)[0] if parents_of(v) else None
        kind = "c" if v.is_leaf else "z" if op is ops.LINEAR else "v"
        if op is not None and op.method and parent is not None and id(parent) in zs:
            var[id(v)] = names.make(v.label, "y" + zs[id(parent)])  # y_j = f(z_j)
            continue
        count[kind] += 1
        var[id(v)] = names.make(v.label, f"{kind}{count[kind]}")
        if kind == "z" and var[id(v)] == f"z{count[kind]}":
            zs[id(v)] = str(count[kind])
    for v in tr.nodes:
        if id(v) in tr.args:
            i, _ = tr.args[id(v)]
            arg_vars.setdefault(i, []).append(var[id(v)])
    n_args = len(shapes)
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
    fwd = _Writer()
    forwards: dict[int, str] = {}
    for v in tr.nodes:
        if v.is_leaf:
            continue
        op = operation_of(v)
        assert op is not None
        ins = [var[id(p)] for p in parents_of(v)]
        c = constant_of(v)
        text = templates.forward_of(op, len(ins)) if op in _TABLE else None
        if text is not None:
            expr = text.format(*ins, c=lit(c))
        else:
            f = forwards.get(id(op))
            if f is None:
                word = "_" + op.method if op in _TABLE and op.method and _WORD.fullmatch(op.method) else ""
                f = forwards[id(op)] = word if word and word not in ns else f"_F{len(forwards)}"
                ns[f] = op.forward
            call = f"{f}({', '.join([*ins, *([lit(c)] if c is not None else [])])})"
            expr = call if op in _TABLE else f"_num({call})"
        fwd.line(0, f"{var[id(v)]} = {expr}  # {comment(op.name)}: {comment(op.doc or 'forward called')}", v, "")

    # -- the backward pass, one line per edge, in backward()'s order ----------------------------
    needs: set[int] = set()
    for v in tr.nodes:
        if any(id(p) in params or id(p) in needs for p in parents_of(v)):
            needs.add(id(v))
    bwd = _Writer()
    derivs: dict[int, str] = {}
    root = tr.root
    started: set[int] = set()
    if id(root) in params:
        bwd.line(0, f"g_{var[id(root)]} += _seed  # the loss is a parameter itself")
    elif id(root) in needs:
        bwd.line(0, f"g_{var[id(root)]} = _seed  # ∂L/∂L, the seed of backward()", root)
        started.add(id(root))
    for v in backward_order(root) if id(root) in needs else []:
        if id(v) not in needs:
            continue
        op = operation_of(v)
        assert op is not None
        ps = parents_of(v)
        n, y, cl, g = len(ps), var[id(v)], lit(constant_of(v)), "g_" + var[id(v)]
        inputs = [var[id(p)] for p in ps]
        const = constant_of(v)
        terms = templates.backward_of(op, n, const) if op in _TABLE else None
        guard = templates.guard_of(op, n) if op in _TABLE else None
        parts = _formula_parts(op, n)
        if terms is None:
            d = derivs.setdefault(id(op), f"_D{len(derivs)}")
            ns[d] = op.deriv
            if op.arity == 1:
                bwd.line(0, f"_d0 = {d}({inputs[0]}, {y}, {cl})  # {comment(op.name)}: its deriv, called", v, y)
            elif op.arity == 2:
                bwd.line(0, f"_d0, _d1 = {d}({inputs[0]}, {inputs[1]}, {y}, {cl})  # {comment(op.name)}: its "
                         "deriv, called", v, y)
            else:
                targets = ", ".join(f"_d{i}" for i in range(n))
                bwd.line(0, f"[{targets}] = {d}([{', '.join(inputs)}], {y}, {cl})  # {comment(op.name)}: its "
                         "deriv, called", v, y)
            terms = [(i, f"{{g}} * _d{i}") for i in range(n)]
        edges = [(i, t) for i, t in terms if id(ps[i]) in params or id(ps[i]) in needs]
        if not edges:
            continue
        depth = 0
        if guard is not None:
            for i, _ in edges:
                if id(ps[i]) in needs and id(ps[i]) not in started:
                    bwd.line(0, f"g_{inputs[i]} = 0.0")
                    started.add(id(ps[i]))
            bwd.line(0, f"if {guard.format(g=g, y=y)}:  # skipped when ∂L/∂{y} = 0 and {y} is finite (as "
                     "backward() does: every term would be ±0)", v, y)
            depth = 1
        for i, t in edges:
            term = t.format(*inputs, g=g, y=y, c=cl, cm1=lit(const - 1.0) if "{cm1}" in t else "")
            target = "g_" + inputs[i]
            note = f"  # {comment(op.name)}: {comment(parts[i])}"
            if id(ps[i]) in needs and id(ps[i]) not in started:
                bwd.line(depth, f"{target} = {term}{note}", v, y)
                started.add(id(ps[i]))
            elif term.startswith("-") and term[1:].isidentifier():
                bwd.line(depth, f"{target} -= {term[1:]}{note}", v, y)
            else:
                bwd.line(depth, f"{target} += {term}{note}", v, y)

    # -- the two functions ----------------------------------------------------------------
    pnames = [var[id(p)] for p in tr.params]
    wnames = pnames + [var[id(p)] for p in tr.frozen]
    consts = [(var[i], c) for i, c in tr.consts.items()]
    arg_lists = [arg_vars.get(i, []) for i in range(n_args)]
    flat_args = [name for names_i in arg_lists for name in names_i]
    out_expr = var[id(root)] if tr.aux is None else f"({var[id(root)]}, [{', '.join(var[id(a)] for a in tr.aux)}])"
    w = _Writer()
    w.line(0, f"# The compiled step of {comment(fn_name)}: the forward pass one line per node, the backward pass")
    w.line(0, "# one line per edge (∂L/∂p += ∂L/∂v · ∂v/∂p), in the order backward() takes them.")
    w.line(0, "def _many(_W, _G, _rows, _seed, _out):")
    w.line(1, f"[{', '.join(wnames)}] = _W  # the parameters' values")
    w.line(1, f"[{', '.join('g_' + p for p in pnames)}] = _G  # their gradients so far (added to)")
    for name, c in consts:
        w.line(1, f"{name} = {lit(c)}  # a number made inside the function")
    w.line(1, "_push = _out.append")
    w.line(1, f"for {''.join(f'_a{i}, ' for i in range(n_args)) or '_ '}in _rows:")

    def arguments(depth: int) -> None:
        for i, names_i in enumerate(arg_lists):
            if shapes[i] is None:
                w.line(depth, f"{names_i[0]} = _a{i}  # argument {i}" if names_i else f"_a{i}")
            else:
                w.line(depth, f"[{', '.join(names_i)}] = _a{i}  # argument {i}, a list")
        if flat_args:
            test = " or ".join(f"type({a}) is not float" for a in flat_args)
            w.line(depth, f"if {test}:  # ints and numpy numbers become floats, as Value() takes them")
            w.line(depth + 1, f"[{', '.join(flat_args)}] = _fix([{', '.join(flat_args)}])")

    arguments(2)
    w.include(2, fwd)
    w.include(2, bwd)
    w.line(2, f"_push({out_expr})")
    w.line(1, f"return [{', '.join('g_' + p for p in pnames)}]")
    w.line(0, "")
    forward_from = len(w.out)
    w.line(0, f"def _forward(_W, {''.join(f'_a{i}, ' for i in range(n_args))}):")
    w.line(1, f"[{', '.join(wnames)}] = _W")
    for name, c in consts:
        w.line(1, f"{name} = {lit(c)}")
    arguments(1)
    w.include(1, fwd)
    w.line(1, f"return {out_expr}")
    ns["_num"] = lambda x: engine.as_number(x, "compiled step: an op's forward returned")
    return Source("\n".join(w.out) + "\n", ns, w.lines, var, flat_args, forward_from)

