"""The steps as slides want them: each rule with its operands named, and LaTeX and Markdown text.

``named_rule``: the op table writes a local derivative with generic symbols (``*: ∂y/∂a = b``); a
graph may well have a bias called b, so the step names the operands by their nodes instead
(``*: ∂v5/∂x = w``): y is the node, a and b (or x, z) its inputs. Constants (c, n) keep their symbol.

``latex_name`` / ``step_latex``: a step as LaTeX math that pdflatex accepts, whatever the labels hold:
every character outside ``[A-Za-z0-9.,]`` is written as a command or escaped, the note's names keep
their subscripts (z_j0 → ``z_{j0}``, δ_k → ``\\delta_{k}``), and anything pdflatex has no glyph
for becomes ``?``. Markdown wraps the LaTeX in ``$…$`` (Jupyter's Markdown cells render it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

# The symbols the op table's formulas use for a node's inputs and output (see autograd/ops.py).
_SYMBOL = re.compile(r"(?<![A-Za-z_])([abxyz])(?![A-Za-z_(])")
_GREEK = {"α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\varepsilon", "η": r"\eta",
          "θ": r"\theta", "λ": r"\lambda", "μ": r"\mu", "σ": r"\sigma", "τ": r"\tau", "φ": r"\varphi",
          "ω": r"\omega", "Δ": r"\Delta", "Σ": r"\Sigma", "∂": r"\partial", "·": r"\cdot", "−": "-",
          "√": r"\surd", "²": "^{2}", "ẋ": r"\dot{x}", "ẏ": r"\dot{y}"}
_ESCAPE = {"_": r"\_", "{": r"\{", "}": r"\}", "$": r"\$", "%": r"\%", "#": r"\#", "&": r"\&",
           "\\": r"\backslash{}", "^": r"\hat{}", "~": r"\sim{}", " ": r"\ ", "<": "<", ">": ">", "|": r"\vert{}",
           "'": "'", "-": "-", "+": "+", "=": "=", "(": "(", ")": ")", "[": "[", "]": "]", "/": "/", "*": r"\ast{}",
           ":": ":", ";": ";", "!": "!", "?": "?", "@": "@", '"': "''", "`": "'"}
_SAFE = re.compile(r"[A-Za-z0-9.,]")
_ROLE = re.compile(r"^([A-Za-zδ])_([A-Za-z0-9]+)$")  # the note's z_j0, y_k, δ_k, x_0


def named_rule(formula: str, node: str, inputs: Sequence[str]) -> str:
    """``formula`` (``'*: ∂y/∂a = b'``) with y called ``node`` and a, b (or x, z) the ``inputs``' names."""
    if ":" not in formula or not inputs or len(inputs) > 2:
        return formula
    head, rule = formula.split(": ", 1) if ": " in formula else ("", formula)
    names = {"y": node, "a": inputs[0], "x": inputs[0], "z": inputs[0]}
    if len(inputs) == 2:
        names["b"] = inputs[1]
    elif "a" in rule or "b" in rule.replace("ln", ""):
        return formula  # a two-input rule on one input (a repeated parent): leave the table's symbols
    return f"{head}: " + _SYMBOL.sub(lambda m: names.get(m.group(1), m.group(1)), rule)


def _chars(text: str) -> str:
    out = []
    for ch in text:
        if _SAFE.match(ch):
            out.append(ch)
        elif ch in _GREEK:
            command = _GREEK[ch]
            out.append(command + " " if command[-1].isalpha() else command)
        else:
            out.append(_ESCAPE.get(ch, "?"))
    return "".join(out).rstrip()


def latex_name(name: str) -> str:
    """A node's name as LaTeX math: ``x``, ``z_{j0}``, ``\\delta_{k}``, ``\\mathrm{layers.0.neurons.0.w.0}``."""
    m = _ROLE.match(name)
    if m:
        return f"{_chars(m.group(1))}_{{{_chars(m.group(2))}}}"
    if len(name) == 1 and _SAFE.match(name):
        return name
    return r"\mathrm{" + _chars(name) + "}"


def _number(x: float, text: str) -> str:
    return _chars(text).replace("inf", r"\infty").replace("nan", r"\mathrm{nan}")


def step_latex(step: Any, fmt: Any) -> str:
    """One step, ∂L/∂p += ∂L/∂v · ∂v/∂p = (upstream) · local = contribution, as LaTeX math."""
    L, v, p = (latex_name(n) for n in (step.root_name, step.node_name, step.parent_name))
    d = lambda top, bottom: rf"\frac{{\partial {top}}}{{\partial {bottom}}}"
    lhs = rf"{d(L, p)} \mathrel{{+}}= "
    if step.local is None:
        return lhs + rf"\text{{(closure)}} = {_number(step.contribution, fmt(step.contribution))}"
    return (lhs + rf"{d(L, v)} \cdot {d(v, p)} = ({_number(step.upstream, fmt(step.upstream))}) \cdot "
            rf"{_number(step.local, fmt(step.local))} = {_number(step.contribution, fmt(step.contribution))}")


def explanation_latex(steps: Sequence[Any], fmt: Any) -> str:
    """Every step as one line of a LaTeX ``align*`` environment (``\\usepackage{amsmath}``)."""
    lines = [rf"  &{step_latex(s, fmt)}" for s in steps]
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}\n"


def explanation_markdown(header: str, steps: Sequence[Any], fmt: Any) -> str:
    """A Markdown list: one item per step, its equation as ``$…$`` and its rule as code."""
    out = [header.replace("`", "'"), ""]
    for s in steps:
        rule = (s.rule or s.formula).replace("`", "'")
        out.append(f"{s.index}. ${step_latex(s, fmt)}$" + (f" `{rule}`" if rule else ""))
    return "\n".join(out) + "\n"
