"""``_one``: the program of a single call, ``step(*args)`` — the loop people write, one row a call.

``_many`` pays for a batch once: the parameters are loaded into its globals and their gradients
into locals, then written back. For one row that bookkeeping (a Python loop over 337 parameters,
twice) costs more than the row itself. ``_one`` is the same row's lines with the leaves read where
they are used (``_P3.data``: the program's handle on the leaf, the very object the structure
guard vouches for) and, when no line of the backward pass calls a derivative function, each
gradient added straight into the leaf (``_P3.grad += g_z1 * x0``) — in the order ``backward()``
adds them, so the same floats, and only for what the row touches: a neuron skipped by the
∂L/∂z = 0 guard touches nothing. No line of the backward pass can then raise once the forward
pass has succeeded (every template's operation was already done, finite, by the forward), so a
failed call still leaves every ``p.grad`` as it was. With a called derivative, which might raise,
the gradients go through locals and are written at the end instead.

Not part of ``step.source``: the same lines, rewritten here only at the names of the leaves, and
compiled on the first single call.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from autograd import ops
from autograd.compiler.codegen import CHUNK, Source, body_of
from autograd.compiler.trace import KEYED, Shape
from autograd.engine import Value
from autograd.graph import operation_of, parents_of

OTHER = object()
"""What ``_one`` returns, having done nothing, for arguments of another shape than its program's."""


def shape_test(shape: Shape, keyed: Collection[int] = ()) -> str:
    """An expression true for arguments ``_args`` that may not have ``shape`` (``trace.shape_of``): it is
    false only for a tuple of ``len(shape)`` arguments, each a ``float`` where ``shape`` has a number and
    a ``list`` of that length where it has a length. Always true when an argument is a key (an int, or
    a number in ``keyed``: one program per value, which this test does not compare)."""
    if KEYED in shape or keyed:
        return "True"
    tests = [f"len(_args) != {len(shape)}"]
    for i, s in enumerate(shape):
        tests += ([f"type(_args[{i}]) is not float"] if s is None else
                  [f"type(_args[{i}]) is not list", f"len(_args[{i}]) != {s}"])
    return " or ".join(tests)


def dead_below(body: list[tuple[str, tuple[Value, str] | None]], params: set[int]) -> tuple[int, str, list[str]] | None:
    """Where ``_one`` may stop early: (index in ``body`` of the first guarded ``linear`` node's guard, that
    node's gradient variable, the variables of every ``linear`` node from it down), or None.

    Only when every node the backward pass reaches after that node c is ``linear`` or ``ReLU``, a
    ``ReLU``'s input is a node (not a parameter), and the nodes before c pass gradient only to each
    other and to c. Then, if ∂L/∂c = ±0 and every ``linear`` z from c down is finite, nothing below adds
    anything anywhere: each ``linear`` node's guard is false (its ∂L/∂z is a sum of ±0 · 0 or 1 from the
    ``ReLU`` above it, and z is finite), a ``ReLU`` writes only its input's local gradient, and every
    parameter's ``+=`` is inside some ``linear`` node's guard. Eager ``backward()`` skips the same
    nodes one by one (its ∂L/∂z = 0 rule), so stopping there gives the same floats.
    """
    start = next((k for k, (text, _) in enumerate(body) if text.lstrip().startswith("g_")), None)
    cut = next((k for k, (text, info) in enumerate(body) if start is not None and k >= start
                and text.lstrip().startswith("if g_") and info is not None), None)
    if start is None or cut is None:
        return None
    c, var = body[cut][1]  # type: ignore[misc]
    if operation_of(c) is not ops.LINEAR:
        return None
    nodes = {id(info[0]): info[0] for _, info in body[start:cut] if info is not None}  # (a node: many lines)
    nodes.pop(id(c), None)  # (c's own line there: the seed, when c is the root)
    for v in nodes.values():
        for p in parents_of(v):
            if operation_of(p) is not None and id(p) not in nodes and p is not c:
                return None  # gradient flows from above c to somewhere else
    zs: dict[int, str] = {id(c): var}
    for _, info in body[cut:]:
        if info is None:
            continue
        v, name = info
        op = operation_of(v)
        if op is ops.LINEAR:
            zs.setdefault(id(v), name)
        elif op is not ops.RELU or any(operation_of(p) is None or id(p) in params for p in parents_of(v)):
            return None
    return cut, "g_" + var, list(zs.values())


def _exit_lines(indent: str, g: str, zs: list[str], result: str) -> list[str]:
    """``_one``'s early return (``dead_below``): the finiteness test is one sum (an inf or NaN among the
    z makes it inf or NaN; a sum overflowing only sends the row the long way)."""
    sums = [f"{indent}    _s = {' + '.join(zs[:CHUNK])}"]
    sums += [f"{indent}    _s = _s + {' + '.join(zs[k:k + CHUNK])}" for k in range(CHUNK, len(zs), CHUNK)]
    return [f"{indent}if not {g}:  # ∂L/∂{g[2:]} = ±0, and below it only linear and ReLU nodes: with every z "
            "finite, no line below adds anything (dead_below)", *sums,
            f"{indent}    if _s - _s == 0.0:", f"{indent}        return {result}"]


def one_program(src: Source, leaves: list[Value], n_params: int, shape: Shape, keyed: Collection[int] = (),
                early: bool = True) -> tuple[str, dict[int, tuple[Value, str]]]:
    """(``_one``'s text, its line number -> (node, variable)); binds ``_P0`` … in the namespace.

    ``_one(args, seed)`` first tests that ``args`` has the program's shape and returns ``OTHER`` if it
    may not (``shape_test``); ``_one(args, seed, True)`` skips that test (the caller matched the shape).
    ``early``: stop after the forward pass where ``dead_below`` allows it (False: the plain rule, for tests).
    """
    names = src.param_vars + src.frozen_vars
    for k, p in enumerate(leaves):
        src.namespace[f"_P{k}"] = p
    handle = {n: f"_P{k}" for k, n in enumerate(names)}
    direct = not any("_D" in line.split("#", 1)[0] for line, _ in body_of(src))
    word = re.compile(r"\b(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")\b") \
        if names else None
    gradient = {f"g_{n}": handle[n] for n in names[:n_params]}
    out = ["def _one(_args, _seed, _known=False):",
           f"    if not _known and ({shape_test(shape, keyed)}):  # another shape: another program",
           "        return _OTHER"]
    if "_checks" in src.namespace:  # the arguments' checks eager code makes (trace.require), on this call's numbers
        out.append("    _checks(_args)")
    if shape:
        out.append(f"    {''.join(f'_a{i}, ' for i in range(len(shape)))}= _args")
    src.namespace["_OTHER"] = OTHER
    if not direct:
        out += [f"    g_{n} = {handle[n]}.grad" for n in names[:n_params]]
    out += [f"    {line}" for line in src.const_lines]
    lines: dict[int, tuple[Value, str]] = {}
    body = body_of(src)
    result = word.sub(lambda m: handle[m.group(1)] + ".data", src.result) if word else src.result
    dead = dead_below(body, {id(p) for p in leaves[:n_params]}) if direct and early else None
    for k, (text, node) in enumerate(body):
        if dead is not None and k == dead[0]:
            out += _exit_lines(text[: len(text) - len(text.lstrip())], dead[1], dead[2], result)
        code, hash_, note = text.partition("#")
        if direct:
            head = code.lstrip()
            target = head.split(" ", 1)[0]
            if target in gradient and head[len(target):].startswith((" += ", " -= ")):
                code = code[: len(code) - len(head)] + gradient[target] + ".grad" + head[len(target):]
        if word is not None:
            code = word.sub(lambda m: handle[m.group(1)] + ".data", code)
        out.append(code + hash_ + note)
        if node is not None:
            lines[len(out)] = node
    if not direct:
        out += [f"    {handle[n]}.grad = g_{n}" for n in names[:n_params]]
    out.append(f"    return {result}")
    return "\n".join(out) + "\n", lines
