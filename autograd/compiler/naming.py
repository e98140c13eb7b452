"""Names in the generated program: variables from labels through a whitelist, short names for a
module's parameters, and text made safe for a comment (see ``codegen``'s docstring: every token of
the program is ours)."""

from __future__ import annotations

import builtins
import functools
import keyword
import re

WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")
_OTHER = re.compile(r"[^0-9A-Za-z_]+")
_BUILTINS = frozenset(dir(builtins))
_KEYWORDS = frozenset(keyword.kwlist)

__all__ = ["WORD", "Names", "comment", "short_name"]


def short_name(name: str) -> str:
    """A dotted parameter name (``named_parameters()``) as a short variable name: every word followed by an
    index keeps its first letter, the first one capitalised: ``layers.0.neurons.1.w.0`` → ``L0_n1_w0``."""
    parts = name.split(".")
    out: list[str] = []
    for k, part in enumerate(parts):
        if part.isdigit() and out:
            out[-1] += part if out[-1][-1:].isalpha() else "_" + part
        elif k + 1 < len(parts) and parts[k + 1].isdigit() and part:
            out.append(part[0].upper() if not out else part[0])
        else:
            out.append(part)
    return "_".join(out)


@functools.lru_cache(maxsize=1024)
def comment(text: str) -> str:
    """Text safe inside a ``#`` comment: every non-printable character (newlines included) is a space."""
    return "".join(ch if ch.isprintable() else " " for ch in text)[:160]


def _identifier(label: str) -> bool:
    """Whether ``label`` can be a variable name as it is: an ASCII identifier of at most 40 characters
    that neither starts nor ends with ``_`` (every name of ours starts with one)."""
    return label.isascii() and label.isidentifier() and label[0] != "_" != label[-1] and len(label) <= 40


class Names:
    """Variable names for the program: sanitized labels, else generated ones, all distinct.

    A value named ``n`` also reserves ``g_n`` for its gradient.
    """

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def make(self, label: str, fallback: str) -> str:
        """A name for ``label``, or ``fallback`` if nothing usable is left of it."""
        base = label
        if not _identifier(base):
            base = _OTHER.sub("_", label).strip("_")  # (the common case, L0_n3_w12 or x0, skips this)
            if not WORD.fullmatch(base):
                base = ""
        if not base or base in _KEYWORDS or base.startswith("g_"):
            base = fallback
        elif base in _BUILTINS:
            base += "_"
        taken = self.taken
        name, k = base, 2
        while name in taken or "g_" + name in taken:
            name, k = f"{base}_{k}", k + 1
        taken.add(name)
        taken.add("g_" + name)
        return name

    def make_all(self, labels: list[str], prefix: str) -> list[str]:
        """``make`` for each label (fallback ``prefix`` + its index), a label usable as it is taken at once."""
        taken, out = self.taken, []
        for k, label in enumerate(labels):
            g = "g_" + label
            if (_identifier(label) and label not in _KEYWORDS and label[:2] != "g_"
                    and label not in _BUILTINS and label not in taken and g not in taken):
                taken.add(label)
                taken.add(g)
                out.append(label)
            else:
                out.append(self.make(label, f"{prefix}{k}"))
        return out
