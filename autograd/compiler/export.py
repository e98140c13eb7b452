"""``step.export(path)``: the compiled program as a standalone Python file that needs only ``math``.

The file defines ``step(params, *args) -> (loss, grads)``: ``params`` the parameters' numbers (a
list of floats in ``step.params`` order, then any frozen leaves' numbers), ``args`` the step's
arguments, ``grads`` the list of ∂loss/∂p in the same order. Its lines are the compiled step's
own (``step.source``'s comments included): the forward pass one line per node, the backward pass
one line per edge, so the file gives the step's floats bit for bit (tests/test_compile_export.py
runs it in a fresh ``python -I``). A learner can read it, run it, diff two models' programs.

Ops the program calls instead of inlining get a standalone definition from ``STANDALONE`` —
the op's own float math written once more, so held to it bit for bit by the same test as the
templates; an op without one (an ``@op`` of the user's, cross-entropy) is refused with a
``ValueError`` naming it. Every token of the file is ours: names are the program's (whitelisted
identifiers), numbers are ``repr`` of floats, comments pass through ``naming.comment``.
The write is atomic: a temporary file beside the target, then ``os.replace``.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from autograd import ops
from autograd.compiler import templates
from autograd.compiler.codegen import Source, body_of

STANDALONE: dict[str, str] = {
    "log": "def {f}(x):\n    return math.log(x)  # y = ln x (x > 0)\n",
    "sqrt": "def {f}(x):\n    return math.sqrt(x)  # y = √x (x ≥ 0)\n",
    "sigmoid": ("def {f}(x):  # y = 1 / (1 + e⁻ˣ), without overflow\n    if x >= 0.0:\n"
                "        return 1.0 / (1.0 + math.exp(-x))\n    e = math.exp(x)\n    return e / (1.0 + e)\n"),
    "softplus": "def {f}(x):  # y = max(x, 0) + ln(1 + e^(−|x|))\n    return (x if x > 0.0 else 0.0) + "
                "math.log1p(math.exp(-abs(x)))\n",
    "power": "def {f}(x, n):  # y = xⁿ\n    return math.pow(x, n)\n",
    "linear_c": ("def {f}(*args):  # y = Σ w_i x_i + b, the inputs x a constant\n    *wb, xs = args\n"
                 "    result = wb[-1]\n    for w, x in zip(wb[:-1], xs):\n        result += w * x\n"
                 "    return float(result)\n"),
    "d_power": ("def {f}(x, y, n):  # ∂(xⁿ)/∂x = n·xⁿ⁻¹\n    if n in (0.0, 1.0):\n        return n\n"
                "    if x == 0.0 and n < 1.0:\n        return math.inf\n    return n * x ** (n - 1.0)\n"),
    "d_sqrt": "def {f}(x, y, c):  # ∂√x/∂x = 1 / (2√x)\n    return 0.5 / y if y != 0.0 else math.inf\n",
    "d_softplus": ("def {f}(x, y, c):  # ∂softplus/∂x = σ(x)\n    if x >= 0.0:\n"
                   "        return 1.0 / (1.0 + math.exp(-x))\n    e = math.exp(x)\n    return e / (1.0 + e)\n"),
    "d_linear_c": "def {f}(wb, y, c):  # ∂y/∂w_i = x_i, ∂y/∂b = 1\n    return [*c, 1.0]\n",
}
"""The float math of the ops the program calls, as standalone source (``{f}``: the program's name for it)."""

_BY_FUNCTION: dict[int, str] = {}
for _op, _fwd, _der in ((ops.LOG, "log", None), (ops.SQRT, "sqrt", "d_sqrt"), (ops.SIGMOID, "sigmoid", None),
                        (ops.SOFTPLUS, "softplus", "d_softplus"), (ops.POW_C, "power", "d_power"),
                        (ops.LINEAR_C, "linear_c", "d_linear_c")):
    _BY_FUNCTION[id(_op.forward)] = _fwd
    if _der is not None:
        _BY_FUNCTION[id(_op.deriv)] = _der
_HELPERS = {"_exp": "math.exp", "_tanh": "math.tanh", "_sin": "math.sin", "_cos": "math.cos"}
assert set(_HELPERS) == set(templates.HELPERS)


def _literal(x: Any) -> str:
    """A number (or tuple of numbers) as source: repr, and math.inf / math.nan for the others."""
    if isinstance(x, tuple):
        return "(" + "".join(_literal(v) + ", " for v in x) + ")"
    if type(x) is float:
        if x != x:
            return "math.nan"
        if x - x != 0.0:
            return "math.inf" if x > 0 else "-math.inf"
        return repr(x)
    raise ValueError(f"export: the program holds a constant {type(x).__name__} that cannot be written as a number")


def text_of(src: Source, param_names: list[str]) -> str:
    """The standalone file's text (see the module docstring)."""
    words: set[str] = set()
    body = [line for line, _ in body_of(src)]
    for line in body + src.const_lines:
        code = line.split("#", 1)[0]
        words.update(w for w in _names(code) if w.startswith("_"))
    out = ["# A training step exported by deltagrad's autograd.compile: plain Python, needing only math.",
           "# step(params, *args) -> (loss, grads): params and grads are lists of floats, in this order:",
           *[f"#   {k:>4}  {n}" for k, n in enumerate(param_names)]]
    out += [line for line in src.text.splitlines() if line.startswith("#")][:400]
    out += ["", "import math", ""]
    for name, fn in sorted(src.namespace.items()):
        if name not in words or name in ("_seed", "_fix", "_push"):
            continue
        if name in _HELPERS:
            out.append(f"{name} = {_HELPERS[name]}")
        elif name.startswith("_K"):
            out.append(f"{name} = {_literal(fn)}")
        elif id(fn) in _BY_FUNCTION:
            out.append(STANDALONE[_BY_FUNCTION[id(fn)]].format(f=name))
        elif callable(fn):
            op = src.namespace.get("_OPS", {}).get(name, name)
            raise ValueError(f"export: the program calls op {op!r}, which has no standalone definition "
                             "(an op of the user's or of nn); only programs of autograd's own ops can be exported")
    pv, fv = src.param_vars, src.frozen_vars
    out += ["", "", "def _fix(xs):", "    return [float(x) for x in xs]", "", "",
            f"def step(params, {''.join(f'_a{i}, ' for i in range(src.n_args))}_seed=1.0):",
            "    \"\"\"(loss, grads) for these parameters and arguments: the compiled step's floats.\"\"\"",
            f"    {''.join(n + ', ' for n in pv + fv) or '()'}= params",
            *[f"    g_{n} = 0.0" for n in pv], *[f"    {line}" for line in src.const_lines], *body,
            f"    return {src.result}, [{', '.join('g_' + n for n in pv)}]", ""]
    return "\n".join(out)


def _names(code: str) -> list[str]:
    word, out = [], []
    for ch in code + " ":
        if ch.isalnum() or ch == "_":
            word.append(ch)
        elif word:
            out.append("".join(word))
            word = []
    return out


def write(src: Source, param_names: list[str], path: Any) -> None:
    """Write ``text_of(src)`` to ``path`` atomically (a temporary file beside it, then ``os.replace``)."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"export: path must be a str or a path, got {type(path).__name__}")
    text = text_of(src, param_names)
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    try:
        mode = os.stat(target).st_mode & 0o777 if os.path.exists(target) else None
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".export-", suffix=".py")
    except OSError as e:
        raise OSError(f"export: cannot write {target!r}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
