"""``gradcheck(..., fast_mode=True)``: random projections instead of every input, then localisation.

The full check costs two evaluations of f per input, O(n²) work for n inputs. Fast mode (as
torch's ``fast_mode``, and the random projections of JAX's and HIPS autograd's checks) compares
one number per random direction instead: for a direction v (entries ±[0.5, 1], fixed by ``seed``)
and, for f with several outputs, a random cotangent u,

    analytic   uᵀ·J·v = Σ_k u_k Σ_j ∂f_k/∂x_j · v_j        (from backward(), already computed)
    numerical  (uᵀf(x + h·v) − uᵀf(x − h·v)) / 2h,   h = eps·max(1, max_j |x_j|)

so each direction costs two evaluations of f: O(n) work. Forward mode (``modes=("rev", "fwd")``)
adds uᵀ(J·v) from one tangent sweep. A wrong ∂f/∂x_j shows in every direction (v_j ≠ 0).

**Localisation**, which the anchors do not do: when a direction disagrees, the inputs are split in
halves and the projection is repeated on each half's part of v, down to single inputs (about
2·log₂ n evaluations per wrong input, up to ``MAX_FOUND`` of them); those inputs then get full
rows, and the first wrong node is searched as in the full check. Inputs that feed an op at its
kink always get full rows (a kink is reported as one everywhere). At the edge of f's domain
(f raises at x ± h·v) the directional difference cannot referee, and every input gets a full row.
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from autograd.checking.kinks import kinks_by_input
from autograd.checking.numerical import Difference, Evaluator, difference, error_estimate
from autograd.checking.report import FAIL, KINK, OK, GradRow, Report
from autograd.checking.rows import Graph, Settings, finish, forward_note, grad_rows
from autograd.forward import push_tangents
from autograd.graph import topological_order_of

MAX_FOUND = 8  # inputs localised per failing direction


def _signs(rng: random.Random, n: int) -> list[float]:
    return [rng.choice((-1.0, 1.0)) * rng.uniform(0.5, 1.0) for _ in range(n)]


class _Projection:
    """One direction v and cotangent u: analytic and numerical uᵀJv on any subset of the inputs."""

    def __init__(self, at: Evaluator, xs: Sequence[float], fx: Sequence[float], graph: Graph, u: list[float],
                 v: list[float], h: float) -> None:
        self.at, self.xs, self.graph, self.u, self.v, self.h = at, xs, graph, u, v, h
        self.fu = math.fsum(a * b for a, b in zip(u, fx, strict=True))

    def analytic(self, part: Sequence[int]) -> float:
        return math.fsum(self.u[k] * g[j] * self.v[j] for k, g in enumerate(self.graph.grads) for j in part)

    def resolved(self, a: float, t: float | None, num: Difference, s: Settings) -> bool:
        """Whether analytic ``a`` (and forward ``t``) and the directional difference differ by more than
        atol and than three times what either side can resolve (the difference's error estimate plus
        the rounding of a sum of terms): a real discrepancy, however small beside the projection,
        whose inputs are then localised so that their full rows decide (with the usual tolerances)."""
        if not (math.isfinite(a) and math.isfinite(num.value)):
            return False
        terms = math.fsum(abs(self.u[k] * g[j] * self.v[j]) for k, g in enumerate(self.graph.grads)
                          for j in range(len(self.v)))
        rounding = 8.0 * sys.float_info.epsilon * (terms + abs(self.fu) / self.h)
        gap = max([abs(a - num.value)] + ([abs(t - num.value)] if t is not None and math.isfinite(t) else []))
        if not (gap > s.atol and gap > 3.0 * rounding):  # no evaluation spent when rounding explains it
            return False
        return gap > 3.0 * (error_estimate(self._along(range(len(self.v))), 0.0, self.fu, num) + rounding)

    def sharp(self, a: float, t: float | None, num: float, s: Settings) -> bool:
        """The projection's stricter test, which only decides whether to localise: |a − num| ≤ atol +
        rtol·min(|num|, max_j |(uᵀJ)_j v_j|), so that one wrong ∂f/∂x_j is looked for as soon as it is
        wrong on the scale of the largest single term, not of their sum (which grows like √n)."""
        if not (math.isfinite(a) and math.isfinite(num)):
            return True  # decided by ``close`` alone
        largest = max(abs(math.fsum(self.u[k] * g[j] for k, g in enumerate(self.graph.grads)) * self.v[j])
                      for j in range(len(self.v)))
        tol = s.atol + s.rtol * min(abs(num), largest)
        return abs(a - num) <= tol and (t is None or abs(t - num) <= tol)

    def _along(self, part: Sequence[int]) -> Callable[[float], float]:
        """t ↦ uᵀf(x + t·v_part), v_part: v on ``part``, 0 elsewhere."""
        chosen = set(part)
        w = [vj if j in chosen else 0.0 for j, vj in enumerate(self.v)]

        def g(t: float) -> float:
            point = [x + t * wj for x, wj in zip(self.xs, w, strict=True)]
            return math.fsum(a * b for a, b in zip(self.u, self.at(point), strict=True))

        return g

    def numerical(self, part: Sequence[int]) -> Difference:
        return difference(self._along(part), 0.0, self.fu, self.h)

    def discrepancy(self, part: Sequence[int], small: float) -> tuple[float, float]:
        """(analytic − numerical on ``part``, the numerical side's error estimate); the estimate (two
        more evaluations) only when the discrepancy is not already below ``small``."""
        g = self._along(part)
        d = difference(g, 0.0, self.fu, self.h)
        gap = self.analytic(part) - d.value
        return gap, (error_estimate(g, 0.0, self.fu, d) if not abs(gap) <= small else 0.0)


def _forward(graph: Graph, order: Any, v: Sequence[float], u: Sequence[float]) -> float:
    dots = push_tangents(graph.roots, dict(zip(graph.leaves, v, strict=True)), order)
    return math.fsum(a * b for a, b in zip(u, dots, strict=True))


def _bisect(p: _Projection, n: int) -> list[int]:
    """The inputs whose part of the projection is wrong (up to ``MAX_FOUND``), found by halving.

    The discrepancy analytic − numerical adds up over the inputs (each one's wrong ∂f/∂x_j·v_j), so a
    half is searched further when its own discrepancy is a real part of its parent's: above 5 % of
    it and above three times the directional difference's error estimate (its noise)."""
    found: list[int] = []
    whole = list(range(n))
    stack = [(whole, p.discrepancy(whole, math.inf)[0])]
    while stack and len(found) < MAX_FOUND:
        part, gap = stack.pop()
        if len(part) == 1:
            found.append(part[0])
            continue
        halves = [part[: len(part) // 2], part[len(part) // 2:]]
        gaps = [p.discrepancy(half, 0.05 * abs(gap)) for half in halves]
        keep = [(half, g) for half, (g, noise) in zip(halves, gaps, strict=True)
                if not abs(g) <= max(0.05 * abs(gap), 3.0 * noise)]  # NaN is kept
        stack.extend(reversed(keep))
    return found


def _check_directions(directions: Any) -> None:
    if isinstance(directions, bool) or not isinstance(directions, int) or not 1 <= directions <= 1000:
        raise ValueError(f"gradcheck: directions must be a whole number from 1 to 1000, got {directions!r}")


def fast_check(f: Callable[..., Any], xs: Sequence[float], names: Sequence[str], graph: Graph, s: Settings, *,
               fwd_mode: bool, check_nodes: bool, directions: int, seed: int) -> Report:
    """The fast mode of ``gradcheck`` (see the module docstring)."""
    _check_directions(directions)
    rng = random.Random(seed)
    at = Evaluator(f, "gradcheck")
    fx = at(xs)
    n, m = len(xs), len(fx)
    h = s.eps * max(1.0, max(abs(x) for x in xs))
    order = topological_order_of(graph.roots) if fwd_mode else None
    rows: list[GradRow] = []
    suspects: list[int] = sorted(kinks_by_input(graph.roots, graph.leaves))
    lead: list[str] = []
    found: list[int] = []
    edge = False
    for d in range(directions):
        v, u = _signs(rng, n), ([1.0] if graph.single else _signs(rng, m))
        p = _Projection(at, xs, fx, graph, u, v, h)
        a, num = p.analytic(range(n)), p.numerical(range(n))
        t = _forward(graph, order, v, u) if fwd_mode else None
        ok = s.close(a, num.value) and (t is None or s.close(t, num.value))
        edge = edge or num.note.startswith(("one-sided", "f is"))
        note = num.note or ("" if ok else forward_note(a, t, num.value, s))
        rows.append(GradRow(f"uᵀJv #{d + 1}" if not graph.single else f"∇f·v #{d + 1}", p.fu, a, num.value,
                            OK if ok else FAIL, note, t, None, -1))
        if (not (ok and p.sharp(a, t, num.value, s)) or p.resolved(a, t, num, s)) and not edge and not found:
            found = _bisect(p, n)
            suspects += found
    bad = sum(1 for r in rows if r.status == FAIL)
    if found:
        lead.append(f"fast mode: {bad} of {directions} random directions disagree; bisecting the inputs localised "
                    f"it to {', '.join(names[j] for j in found)} ({len(found)} of {n} inputs; their full rows "
                    "are in the table).")
    if edge:  # f is undefined along some direction: only the inputs one by one can be referred
        suspects = list(range(n))
        lead.append("fast mode: f is undefined at x ± h·v (the edge of its domain), so every input was checked "
                    "one by one.")
    chosen = sorted(set(suspects))
    forward = _forward_columns(graph, order, chosen, m) if fwd_mode and chosen else None
    full, diffs = grad_rows(f, xs, names, graph, s, at, fx, chosen, forward)
    mine = [r for r in full if r.input in found]
    if mine and any(r.status == KINK for r in mine) and not any(r.status == FAIL for r in mine):
        rows = [replace(r, status=KINK, note="a kink explains it: see the localised inputs' rows")
                if r.status == FAIL else r for r in rows]
    elif any(r.status == FAIL for r in rows) and not any(r.status == FAIL for r in full):
        lead.append("No single input's row fails: the disagreement is spread over many inputs (or is rounding in "
                    "a large projection); run gradcheck(f, inputs) without fast_mode for the whole table.")
    return finish("gradcheck", f, xs, names, graph, s, rows + full, diffs, at, fx, check_nodes=check_nodes,
                  fwd_mode=fwd_mode, lead=lead, things="rows")


def _forward_columns(graph: Graph, order: Any, chosen: Sequence[int], m: int) -> list[list[float]]:
    """J[k][j] by forward mode for the chosen inputs j (0 elsewhere: those rows are not built)."""
    cols = {j: push_tangents(graph.roots, {graph.leaves[j]: 1.0}, order) for j in chosen}
    return [[cols[j][k] if j in cols else 0.0 for j in range(len(graph.leaves))] for k in range(m)]
