"""The page that walks through one training update of the note's 2-2-1 example, step by step.

Forward: z_j = Σ_i w_ij x_i + b_j, y_j = σ(z_j) for the hidden neurons j and the output k, then
E = ½ (t − y_k)². Backward: every chain-rule step of ``E.backward()`` (``autograd.explain``), with
the output's δ_k = (t − y_k) y_k (1 − y_k) and the hidden δ_j = y_j (1 − y_j) δ_k w_jk named as in the
note (δ = −∂E/∂z). Update: Δw_ij = η δ_j y_i for every weight (Δb_j = η δ_j), shown, not applied.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import graphviz

from autograd import GraphTooLargeError, step_through
from nn import data, losses


def save_backprop_page(path: str | os.PathLike[str], *, lr: float = 1.0, hidden: Any = (2,),
                       activation: str = "sigmoid", seed: int = 0) -> tuple[Path | None, str]:
    """Write the step-by-step page of the note's first update to ``path``; return (path or None, note)."""
    model = data.note_model(hidden, activation, seed=seed)
    X, T = data.note_example()
    E = losses.half_sse(model(X[0]), T[0])
    try:
        walk = step_through(E, model, lr=lr, title="The note's example, one update: forward, E = ½ (t − y)², "
                            f"δ_k, δ_j, Δw = η δ y (η = {lr:g})")
        return walk.save(path), ""
    except graphviz.ExecutableNotFound:
        return None, "backprop page skipped: Graphviz's 'dot' program is not installed (sudo apt-get install graphviz)"
    except GraphTooLargeError as e:
        return None, f"backprop page skipped: {e}"
