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

from autograd.compiler.codegen import Source, body_of
from autograd.compiler.trace import KEYED, Shape
from autograd.engine import Value

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


def one_program(src: Source, leaves: list[Value], n_params: int, shape: Shape,
                keyed: Collection[int] = ()) -> tuple[str, dict[int, tuple[Value, str]]]:
    """(``_one``'s text, its line number -> (node, variable)); binds ``_P0`` … in the namespace.

    ``_one(args, seed)`` first tests that ``args`` has the program's shape and returns ``OTHER`` if it
    may not (``shape_test``); ``_one(args, seed, True)`` skips that test (the caller matched the shape).
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
    if shape:
        out.append(f"    {''.join(f'_a{i}, ' for i in range(len(shape)))}= _args")
    src.namespace["_OTHER"] = OTHER
    if not direct:
        out += [f"    g_{n} = {handle[n]}.grad" for n in names[:n_params]]
    out += [f"    {line}" for line in src.const_lines]
    lines: dict[int, tuple[Value, str]] = {}
    for text, node in body_of(src):
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
    out.append(f"    return {word.sub(lambda m: handle[m.group(1)] + '.data', src.result) if word else src.result}")
    return "\n".join(out) + "\n", lines
