"""The frames of a walk through one ``backward()``: the forward pass, then ``explain``'s steps.

Frame 0 shows the leaves (inputs, parameters, constants). Then one frame per interior node in
topological order (parents first), as the forward pass computes y = f(inputs). Then the seed
∂L/∂L, and one frame per chain-rule step ∂L/∂p += ∂L/∂v · ∂v/∂p, in backward order (frame
``first_step + k - 1`` is ``explain``'s step k). With a learning rate η, one frame per parameter
ends the walk: the update Δw = −η ∂E/∂w, which for a neuron's weight is the note's Δw_ij = η δ_j y_i.

A frame says which drawn nodes to highlight (``v{i}``, ``op{i}`` and the edge ``dg-e{i}-{k}``
from parent k into ``op{i}``, as ``draw_dot`` numbers them) and which shown numbers change
(``sets``: value number, ``"data"`` or ``"grad"``, the text). The state at frame n is frame 0's
sets, then each later frame's, applied in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from autograd.drawing.labels import fmt_sig
from autograd.engine import Value
from autograd.explain.steps import Explanation
from autograd.graph import constant_of, is_closure, parents_of

HIDDEN = "?"  # what a number not computed yet shows


@dataclass
class Frame:
    """One frame: its phase (start, forward, seed, backward, update), text, highlights and changes."""

    phase: str
    text: str
    node: int | None = None
    op: int | None = None
    parent: int | None = None
    edge: str | None = None
    step: int | None = None
    sets: list[tuple[int, str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"phase": self.phase, "text": self.text, "node": self.node, "op": self.op, "parent": self.parent,
                "edge": self.edge, "step": self.step, "sets": [list(s) for s in self.sets]}


def edge_id(op_index: int, position: int) -> str:
    """The id of the drawn edge from parent number ``position`` into operation ``op{op_index}``."""
    return f"dg-e{op_index}-{position}"


def _forward_text(ex: Explanation, v: Value) -> str:
    op = v.operation
    assert op is not None
    what = "closure node" if is_closure(v) else op.describe(constant_of(v))
    args = ", ".join(ex.name(p) for p in parents_of(v))
    doc = f"   [{op.doc}]" if op.doc and not is_closure(v) else ""
    return f"forward: {ex.name(v)} = {what}({args}) = {ex.fmt(v.data)}{doc}"


def build_frames(ex: Explanation, order: list[Value], lr: float | None = None, precision: int = 4) -> list[Frame]:
    """The frames for ``ex`` (the explanation of ``ex.root``) over ``order`` (its topological order)."""
    index = {v: i for i, v in enumerate(order)}
    sig = lambda x: fmt_sig(x, precision)
    leaves = [v for v in order if v.is_leaf]
    frames = [Frame("start", f"the leaves: {len(leaves)} input(s), parameter(s) and constant(s); the forward pass "
                    "computes every other node from them", sets=[(index[v], "data", sig(v.data)) for v in leaves])]
    for v in order:
        if not v.is_leaf:
            i = index[v]
            frames.append(Frame("forward", _forward_text(ex, v), node=i, op=i, sets=[(i, "data", sig(v.data))]))
    root, L = ex.root, ex.naming.root_name
    first: dict[Value, float] = {}
    for s in ex:
        first.setdefault(s.parent, s.before)
    start = []
    for v in order:
        g = ex.seed if v is root and not v.is_leaf else (first.get(v, v.grad) if v.is_leaf else 0.0)
        start.append((index[v], "grad", sig(g)))
    frames.append(Frame("seed", f"backward: ∂{L}/∂{L} = {ex.fmt(ex.seed)} (the seed); every other interior gradient "
                        "starts at 0, leaves keep theirs (they accumulate)", node=index[root], sets=start))
    for s in ex:
        i = index[s.node]
        frames.append(Frame("backward", f"step {s.index}: {s}", node=i, op=i, parent=index[s.parent],
                            edge=edge_id(i, s.position), step=s.index, sets=[(index[s.parent], "grad", sig(s.total))]))
    if lr is not None:
        frames += _updates(ex, index, lr, sig)
    return frames


def _updates(ex: Explanation, index: dict[Value, int], lr: float, sig: Any) -> list[Frame]:
    """One frame per named parameter: Δw = −η ∂E/∂w (= η δ y for a neuron's weight); nothing is changed."""
    L = ex.naming.root_name
    out = []
    for p, name in ex.naming.given.items():
        if p not in index:
            continue
        change = -lr * p.grad
        text = f"update: Δ{name} = −η · ∂{L}/∂{name} = −{ex.fmt(lr)} · ({ex.fmt(p.grad)}) = {ex.fmt(change)}"
        into = ex.of(p)
        if len(into) == 1 and into[0].delta is not None and into[0].local is not None:
            d_name, d = into[0].delta
            text += f" = η · {d_name} · y = {ex.fmt(lr)} · {ex.fmt(d)} · {ex.fmt(into[0].local)}"
        text += f";  {name}: {ex.fmt(p.data)} → {ex.fmt(p.data + change)}"
        i = index[p]
        out.append(Frame("update", text, node=i, sets=[(i, "data", sig(p.data + change))]))
    return out


def states(frames: list[Frame], count: int) -> list[list[dict[str, str]]]:
    """The shown numbers of every value node at every frame (for pictures of each frame)."""
    now = [{"data": HIDDEN, "grad": HIDDEN} for _ in range(count)]
    out = []
    for f in frames:
        for i, what, text in f.sets:
            now[i] = {**now[i], what: text}
        out.append([dict(cell) for cell in now])
    return out
