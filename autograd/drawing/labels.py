"""What a drawn graph says and how it looks: numbers, safe label text, node styles and the legend.

Every piece of user text (node labels, group names, titles) reaches Graphviz through
``html_text``, which turns it into the text of an HTML-like label: ``& < > "`` become entities,
line breaks become ``<BR/>``, characters that XML cannot hold become visible escapes, and every
backslash is doubled (in any label Graphviz replaces ``\\N``, ``\\G``, ``\\E``, ``\\T``, ``\\H``,
``\\L`` by names and reads ``\\\\`` as one backslash). A label therefore shows exactly what the
user wrote and can never change the graph's structure.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass

# ---------------------------------------------------------------------------------------------
# Numbers


def fmt_sig(x: float, digits: int = 4) -> str:
    """``x`` in ``digits`` significant digits with a compact exponent: 1e-05 → '1e-5', 2.0 → '2'."""
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    text = f"{x:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text


# ---------------------------------------------------------------------------------------------
# Safe text for HTML-like labels

_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": " "})
# Characters no file may show as they are: those XML 1.0 cannot hold (controls other than tab and
# newline, lone surrogates — which UTF-8 cannot encode either — U+FFFE/FFFF), and the invisible
# bidirectional controls (marks, embeddings, overrides, isolates), which would reorder the text
# around a label so that a formula reads differently from what was computed.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff\u061c\u200e\u200f\u202a-\u202e"
                        "\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every character a file cannot show as it is (see ``_INVISIBLE``) written as a
    visible escape: a lone surrogate ``'\\ud800'`` becomes the six characters ``\\ud800``, NUL ``\\x00``,
    a right-to-left override ``\\u202e``. The one escaping step of every writer: ``html_text`` (the
    drawings: DOT, SVG, PNG, PDF, the GIF), the names of ``explain`` (its text, HTML and the
    step-through page's frames) and the page's title all go through it, so every one of them can be
    encoded as UTF-8 and shows the same text."""
    return _INVISIBLE.sub(_visible, text)


MAX_LABEL_CHARS = 2000
"""User text longer than this is cut, with a marker saying how much was left out: Graphviz refuses
any label above 16,384 bytes, and each character takes at most 6 bytes once escaped."""


def clip(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    """``text``, or its first ``limit`` characters and a marker ``… [+N characters]`` when longer."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [+{len(text) - limit} characters]"


def html_text(text: object) -> str:
    """``text`` as the content of a Graphviz HTML-like label, showing exactly what was written.

    ``& < > "`` become entities, each line break (``\\n``, ``\\r\\n`` or ``\\r``) becomes
    ``<BR/>``, a tab becomes a space, and characters XML cannot hold (control characters, lone
    surrogates) are shown as escapes such as ``\\x1b``. Each backslash is doubled: Graphviz turns
    ``\\\\`` back into one and would otherwise expand ``\\N`` (``"a\\Nb"`` would show as ``av0b``).
    Text longer than ``MAX_LABEL_CHARS`` is cut with a marker (``clip``), so Graphviz never rejects a label.
    """
    text = clip(str(text)).replace("\r\n", "\n").replace("\r", "\n")  # a label set to a non-str shows as str()
    text = visible(text).translate(_ENTITIES).replace("\\", "\\\\")
    return text.replace("\n", "<BR/>")


def html_label(content: str) -> str:
    """An HTML-like label value (``<…>``) from already escaped content."""
    return f"<{content}>"


# ---------------------------------------------------------------------------------------------
# Node kinds: the output, parameters, other leaves (inputs, constants) and intermediate results

OUTPUT, PARAMETER, LEAF, INTERMEDIATE = "output", "parameter", "leaf", "intermediate"

# Shape and border mark the kind (kept when the fill shows the gradient); the fill colours it.
KIND_SHAPE: dict[str, dict[str, str]] = {
    OUTPUT: {"shape": "box", "style": "filled,bold", "peripheries": "2"},
    PARAMETER: {"shape": "box", "style": "filled,rounded,bold"},
    LEAF: {"shape": "box", "style": "filled,rounded"},
    INTERMEDIATE: {"shape": "box", "style": "filled"},
}
KIND_FILL = {OUTPUT: "#ffd89b", PARAMETER: "#cfe0ff", LEAF: "#ececec", INTERMEDIATE: "#ffffff"}
KIND_TEXT = {
    OUTPUT: "output (double border)",
    PARAMETER: "parameter (rounded, bold)",
    LEAF: "leaf: input or constant (rounded)",
    INTERMEDIATE: "intermediate result (square)",
}
PLAIN_VALUE = {"shape": "box", "style": "filled", "fillcolor": "#ffffff"}
OP_STYLE = {"shape": "ellipse", "style": "filled", "fillcolor": "#f4f4f4", "margin": "0.04,0.02"}


# ---------------------------------------------------------------------------------------------
# Gradient magnitude on a log scale: one colour per two decades of |grad|


@dataclass(frozen=True)
class Swatch:
    """A fill colour, the text colour readable on it, and what it means (for the legend)."""

    fill: str
    font: str
    meaning: str


ZERO_GRAD = Swatch("#d9d9d9", "#000000", "|grad| = 0")
NONFINITE_GRAD = Swatch("#e41a1c", "#ffffff", "grad is nan or ±inf")
# Lower bounds of |grad| (inclusive) and the viridis colours from dark (vanishing) to bright.
_BOUNDS = (0.0, 1e-8, 1e-6, 1e-4, 1e-2, 1.0, 1e2, 1e4)
_COLOURS = ("#440154", "#46327e", "#365c8d", "#277f8e", "#1fa187", "#4ac16d", "#a0da39", "#fde725")


def _decade(x: float) -> str:
    """A power of ten as '1e-4' (and 1 as '1')."""
    exponent = round(math.log10(x))
    return "1" if exponent == 0 else f"1e{exponent}"


def _range_text(i: int) -> str:
    if i == 0:
        return f"0 < |grad| < {_decade(_BOUNDS[1])}"
    if i == len(_BOUNDS) - 1:
        return f"|grad| ≥ {_decade(_BOUNDS[i])}"
    return f"{_decade(_BOUNDS[i])} ≤ |grad| < {_decade(_BOUNDS[i + 1])}"


GRAD_SCALE = tuple(
    Swatch(colour, "#ffffff" if i < 4 else "#000000", _range_text(i)) for i, colour in enumerate(_COLOURS)
)


def grad_swatch(grad: float) -> Swatch:
    """The colour for a gradient: by decades of |grad| (log scale), grey for 0, red for nan/inf."""
    if not math.isfinite(grad):
        return NONFINITE_GRAD
    magnitude = abs(grad)
    if magnitude == 0.0:
        return ZERO_GRAD
    return GRAD_SCALE[bisect.bisect_right(_BOUNDS, magnitude) - 1]


# ---------------------------------------------------------------------------------------------
# Labels of value and operation nodes, and the legend


def value_label(label: str, cells: list[str], stacked: bool = False) -> str:
    """A value node's HTML label: its (escaped) name in bold, then cells such as 'data 2'.

    Side by side (``name | data 2 | grad 1``), or ``stacked``: the name above, the cells below it
    (a box a third as wide, for wide networks drawn left to right).
    """
    parts = [f"<TD><B>{html_text(label)}</B></TD>"] if label else []
    if stacked:
        rows = parts + [f"<TD>{cell}</TD>" for cell in cells]
        body = "".join(f"<TR>{r}</TR>" for r in rows) or "<TR><TD> </TD></TR>"
        return html_label(f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{body}</TABLE>')
    parts += [f"<TD>{cell}</TD>" for cell in cells]
    row = "<VR/>".join(parts) or "<TD> </TD>"
    return html_label(f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2"><TR>{row}</TR></TABLE>')


def op_label(text: str, step: int | None) -> str:
    """An operation node's HTML label, with its backward step number underneath when given."""
    body = html_text(text)
    if step is not None:
        body += f'<BR/><FONT POINT-SIZE="8">step {step}</FONT>'
    return html_label(body)


def _legend_row(fill: str | None, text: str, bold: bool = False) -> str:
    swatch = f'<TD BGCOLOR="{fill}" WIDTH="16"> </TD>' if fill else '<TD BORDER="0"> </TD>'
    body = f"<B>{html_text(text)}</B>" if bold else html_text(text)
    return f'<TR>{swatch}<TD ALIGN="LEFT" BORDER="0">{body}</TD></TR>'


def legend_label(*, kinds: list[str], colours: bool, steps: bool, params_known: bool) -> str:
    """The legend: node kinds, the gradient colour scale and what a step number means."""
    rows: list[str] = []
    for kind in kinds:
        text = KIND_TEXT[kind]
        if kind == LEAF and not params_known:
            text = "leaf: input, parameter or constant (rounded)"
        rows.append(_legend_row(None if colours else KIND_FILL[kind], text))
    if colours:
        rows.append(_legend_row(None, "fill: |grad| on a log scale", bold=True))
        for swatch in (ZERO_GRAD, *GRAD_SCALE, NONFINITE_GRAD):
            rows.append(_legend_row(swatch.fill, swatch.meaning))
    if steps:
        rows.append(_legend_row(None, "step k: backward() processes this node k-th", bold=True))
    table = '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="2" CELLPADDING="2">' + "".join(rows) + "</TABLE>"
    return html_label(table)
