"""Which node a learner means, and whether what they wrote is a number.

A learner names a node by its label (``"h"``), by a name from ``names=`` (a model's
``layers.0.neurons.1.w.0``, or the note's ``z_k``, ``y_j0``, ``x_0`` that ``explain`` gives a model's
nodes), or hands over the ``Value`` itself. A label that names two nodes is refused (say which one by
passing the ``Value``); so is a name the graph does not have (the message lists the closest names),
a node given twice, and anything that is not a real number: a learner's ``"0.5"`` is text, not 0.5.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Mapping
from typing import Any

from autograd.engine import Value
from autograd.explain.names import Naming

MAX_SHOWN = 40  # characters of a name shown in a message or a table cell


def show(name: str, width: int = MAX_SHOWN) -> str:
    """A name as a one-line cell: control characters and lone surrogates escaped, cut at ``width``."""
    text = "".join(ch if ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF else
                   ch.encode("unicode_escape", "backslashreplace").decode("ascii") for ch in name)
    return text if len(text) <= width else text[: width - 1] + "…"


class Names:
    """The names of every node of one graph: what a learner may call it, and how the report calls it."""

    def __init__(self, root: Value, order: list[Value], names: Any, where: str) -> None:
        self.where = where
        try:
            self.naming = Naming(root, order, names)
        except (TypeError, ValueError) as e:
            raise type(e)(str(e).replace("explain(names=...)", f"{where}(names=...)")) from None
        self.nodes = set(order)
        self.by_name: dict[str, list[Value]] = {}
        for v in order:
            for key in dict.fromkeys(k for k in (v.label, self.naming.given.get(v), self.naming.roles.get(v)) if k):
                self.by_name.setdefault(key, []).append(v)

    def name(self, v: Value) -> str:
        return self.naming.name(v)

    def node(self, key: Any) -> Value:
        """The node ``key`` (a name or a Value) means; a clear error if none or several."""
        if isinstance(key, Value):
            if key not in self.nodes:
                raise ValueError(f"{self.where}: the Value {show(repr(key), 60)} is not in the graph of the loss "
                                 "(a node made for another expression, or a copy?); pass nodes of this graph")
            return key
        if not isinstance(key, str):
            raise TypeError(f"{self.where}: a key must be a node's label (a str) or the Value itself, got "
                            f"{type(key).__name__} {show(repr(key), 60)}")
        found = self.by_name.get(key, [])
        if len(found) > 1:
            raise ValueError(f"{self.where}: the label {show(key)!r} names {len(found)} nodes of the graph "
                             f"(data {', '.join(f'{v.data:.4g}' for v in found[:4])}); give the nodes different "
                             "labels, or use the Value itself as the key")
        if not found:
            close = difflib.get_close_matches(key, list(self.by_name), n=3)
            hint = f"; did you mean {', '.join(repr(show(c)) for c in close)}?" if close else (
                f"; the graph's names are {', '.join(repr(show(c, 20)) for c in list(self.by_name)[:8])}"
                + (", …" if len(self.by_name) > 8 else "") if self.by_name else
                "; no node of the graph has a label: set v.label, or use the Value itself as the key")
            raise KeyError(f"{self.where}: no node of the graph is called {show(key)!r}{hint}")
        return found[0]


def number(x: Any, what: str, where: str) -> float:
    """A learner's number as a float; a TypeError/ValueError naming ``what`` for anything else."""
    if isinstance(x, Value):
        raise TypeError(f"{where}: {what} is a Value node ({show(repr(x), 60)}); give its number: write "
                        "the gradient you worked out (or v.data)")
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        hint = ""
        if isinstance(x, str):
            hint = f": write it without quotes ({show(x, 20)} is text)"
        elif isinstance(x, complex):
            hint = ": gradients of a real loss are real numbers"
        raise TypeError(f"{where}: {what} must be a real number (int or float), got {type(x).__name__} "
                        f"{show(repr(x), 40)}{hint}")
    try:
        value = float(x)
    except OverflowError:
        raise ValueError(f"{where}: {what} = {show(repr(x), 40)} does not fit in a float") from None
    except Exception as e:  # a number type whose float() fails or lies about being a number
        raise TypeError(f"{where}: {what} is a {type(x).__name__} whose float() fails ({type(e).__name__}: "
                        f"{show(str(e), 40)}); give a plain int or float") from None
    if math.isnan(value):
        raise ValueError(f"{where}: {what} is NaN, which is not an answer; leave the node out if you cannot "
                         "work it out")
    return value


def resolve(mapping: Any, names: Names, what: str) -> dict[Value, float]:
    """``{node: float}`` from a learner's mapping of names (or nodes) to numbers."""
    where = names.where
    if not isinstance(mapping, Mapping):
        raise TypeError(f"{where}: {what} must be a mapping (a dict) from node labels or Values to numbers, got "
                        f"{type(mapping).__name__}")
    out: dict[Value, float] = {}
    key_of: dict[Value, Any] = {}
    for key, x in mapping.items():
        v = names.node(key)
        if v in out:
            raise ValueError(f"{where}: {what} gives node {show(names.name(v))!r} twice (as {show(repr(key_of[v]))} "
                             f"and as {show(repr(key))}); give each node once")
        label = show(key) if isinstance(key, str) else show(names.name(v))
        out[v], key_of[v] = number(x, f"the number for {label!r}", where), key
    return out
