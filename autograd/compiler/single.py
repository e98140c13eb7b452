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

from autograd.compiler.codegen import Source, body_of
from autograd.engine import Value


def one_program(src: Source, leaves: list[Value], n_params: int) -> tuple[str, dict[int, tuple[Value, str]]]:
    """(``_one``'s text, its line number -> (node, variable)); binds ``_P0`` … in the namespace."""
    names = src.param_vars + src.frozen_vars
    for k, p in enumerate(leaves):
        src.namespace[f"_P{k}"] = p
    handle = {n: f"_P{k}" for k, n in enumerate(names)}
    direct = not any("_D" in line.split("#", 1)[0] for line, _ in body_of(src))
    word = re.compile(r"\b(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")\b") \
        if names else None
    gradient = {f"g_{n}": handle[n] for n in names[:n_params]}
    out = [f"def _one({''.join(f'_a{i}, ' for i in range(src.n_args))}_seed):"]
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
