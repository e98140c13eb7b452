"""``gradcheck``: ``backward()``'s ∂f/∂x_i against central differences, naming the first wrong node.

The numbers come from ``autograd.checking.numerical``, the rows from ``autograd.checking.rows``;
when a row fails, the node-level checks of ``autograd.checking.nodes`` say whether a kink explains
it and which node's backward step is wrong. ``fast_mode=True`` checks random projections instead
(``autograd.checking.fast``), and still localises a failure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from autograd.checking.fast import fast_check
from autograd.checking.numerical import ATOL, EPS, RTOL, Evaluator, analytic_grads, check_settings, resolve_inputs
from autograd.checking.report import Report
from autograd.checking.rows import Graph, Settings, finish, grad_rows
from autograd.forward import jacfwd

MODES = ("rev", "fwd")


def gradcheck(f: Callable[..., Any], inputs: Any, *, eps: float = EPS, atol: float = ATOL, rtol: float = RTOL,
              fail_on_kink: bool = False, check_nodes: bool = True, modes: Any = ("rev",), fast_mode: bool = False,
              directions: int = 3, seed: int = 0, equal_nan: bool = False) -> Report:
    """Check ``backward()``'s ∂f/∂x_i against central differences at ``inputs``; raise if they differ.

    ``f`` takes one ``Value`` per input and returns a ``Value`` or a list of them (then one row per
    output k and input j, ``∂f[k]/∂x_j``). ``inputs``: numbers, ``Value``s or a 1-D numpy array.
    Raises ``GradcheckError`` (an ``AssertionError``) whose first line names the worst row and
    whose message is the report table. Rows at a kink pass unless ``fail_on_kink``. With
    ``check_nodes`` (default) a failure also names the first node whose recorded backward step
    is wrong, or says what f shows (not deterministic, noisy, a branch on ``.data``, NaN).
    ``modes=("rev", "fwd")`` also computes each ∂f/∂x_i by forward mode (``autograd.forward``)
    and shows it in a ``forward`` column: a row then passes only when all three agree.
    ``fast_mode=True`` compares uᵀ·J·v with a directional difference for ``directions`` random
    directions v (and cotangents u), ``seed`` fixing them: O(n) evaluations of f instead of O(n²);
    on a failure it bisects to the inputs involved and shows their full rows.
    Numbers are close as in numpy's ``allclose``: an infinity only to itself, NaN to nothing
    unless ``equal_nan``. Returns a truthy ``Report`` on success (``print`` it to see the table).
    """
    __tracebackhide__ = True
    check_settings("gradcheck", eps=eps, atol=atol, rtol=rtol)
    fwd_mode = _check_modes(modes)
    xs, names = resolve_inputs(f, inputs, "gradcheck")
    roots, leaves, grads, single = analytic_grads(f, xs, names, "gradcheck")
    graph, s = Graph(roots, leaves, grads, single), Settings(eps, atol, rtol, equal_nan, fail_on_kink)
    if fast_mode:
        return fast_check(f, xs, names, graph, s, fwd_mode=fwd_mode, check_nodes=check_nodes,
                          directions=directions, seed=seed)
    forward = forward_jacobian(f, xs, single) if fwd_mode else None
    at = Evaluator(f, "gradcheck")
    fx = at(xs)
    rows, diffs = grad_rows(f, xs, names, graph, s, at, fx, range(len(xs)), forward)
    return finish("gradcheck", f, xs, names, graph, s, rows, diffs, at, fx, check_nodes=check_nodes,
                  fwd_mode=fwd_mode, things="rows" if not single else "inputs")


def forward_jacobian(f: Callable[..., Any], xs: Sequence[float], single: bool) -> list[list[float]]:
    """J[k][j] by forward mode (one tangent sweep per input)."""
    jac = jacfwd(f)(*xs)
    return [list(jac)] if single else [list(row) for row in jac]


def _check_modes(modes: Any) -> bool:
    """Validate ``modes`` (a tuple of "rev" and "fwd", "rev" first); return whether "fwd" is in it."""
    ok = isinstance(modes, (tuple, list)) and modes and all(m in MODES for m in modes) and "rev" in modes
    if not ok:
        raise ValueError(f"gradcheck: modes must be ('rev',) or ('rev', 'fwd'), got {modes!r}")
    return "fwd" in modes
