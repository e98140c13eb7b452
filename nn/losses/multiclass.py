"""Several classes: softmax, log-softmax and the cross-entropy loss, each as few nodes as the math allows.

A network with K outputs gives logits z = (z_1 … z_K) for one sample; the class probabilities are
p_k = softmax_k(z) = e^{z_k} / Σ_i e^{z_i} and the loss for target class t is
L = −ln p_t = lse(z) − z_t, with lse(z) = ln Σ_i e^{z_i}. Derivatives, in the note's notation:

* ``log_softmax``:    y_k = z_k − lse(z)                ∂y_k/∂z_i = [i = k] − p_i
* ``softmax``:        y_k = p_k                          ∂y_k/∂z_i = p_k ([i = k] − p_i)
* ``cross_entropy``:  L = lse(z) − z_t                   ∂L/∂z_k = p_k − [k = t]
  over a batch of n samples, the mean:  L = (1/n) Σ_s (lse(z_s) − z_{s,t_s})   ∂L/∂z_{s,k} = (p_{s,k} − [k = t_s]) / n

lse is computed as m + ln Σ_i e^{z_i − m} with m = max_i z_i, so logits of ±1000 neither overflow
nor lose the small probabilities. ``softmax`` and ``log_softmax`` record one node per output (K
nodes); ``cross_entropy`` records **one** node for a sample or a whole batch, whose backward computes
every p − onehot in one loop on floats. These ops belong to ``nn`` (built with ``autograd.Op``), not
to the engine's table. Their derivatives are written so that they also work on ``Value`` nodes, so
``grad(..., create_graph=True)`` can differentiate them again.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

from autograd import Op, Value
from autograd.custom import exp
from autograd.engine import make_node
from nn.models.module import as_node


def lse(zs: Sequence[float]) -> float:
    """ln Σ_i e^{z_i} on floats, as m + ln Σ_i e^{z_i − m} with m = max z (never overflows)."""
    m = max(zs)
    if math.isinf(m):  # +inf among the logits, or every logit −inf
        return m
    s = 0.0
    for z in zs:
        s += math.exp(z - m)
    return m + math.log(s)


def softmax_floats(zs: Sequence[float]) -> list[float]:
    """p_k = e^{z_k − m} / Σ_i e^{z_i − m} on floats (m = max z)."""
    m = max(zs)
    es = [math.exp(z - m) for z in zs]
    s = 0.0
    for e in es:
        s += e
    return [e / s for e in es]


def _floats(xs: Sequence[Any]) -> bool:
    return all(isinstance(x, float) for x in xs)


def _lse_any(zs: Sequence[Any]) -> Any:
    """lse(z) as a float for floats, else as a ``LOGSUMEXP`` node (for differentiable gradients)."""
    return lse(zs) if _floats(zs) else LOGSUMEXP(*zs)


def _d_logsumexp(zs: list[Any], y: Any, c: Any) -> list[Any]:
    """y = lse(z);  ∂y/∂z_i = e^{z_i − y} = p_i."""
    if _floats(zs):
        return softmax_floats(zs)
    return [exp(z - y) for z in zs]


LOGSUMEXP = Op("logsumexp", lambda *zs: lse(zs), _d_logsumexp, arity=0, symmetric=True,
               doc="y = ln Σ e^{z_i} (stable: m + ln Σ e^{z_i − m})", formula="∂y/∂z_i = e^{z_i − y} = p_i")


def _fwd_log_softmax(*args: Any) -> float:
    *zs, k = args
    return float(zs[int(k)] - lse(zs))


def _d_log_softmax(zs: list[Any], y: Any, c: Any) -> list[Any]:
    """y_k = z_k − lse(z);  ∂y_k/∂z_i = [i = k] − p_i."""
    k = int(c)
    if _floats(zs):
        ps = softmax_floats(zs)
    else:
        ls = _lse_any(zs)
        ps = [exp(z - ls) for z in zs]
    return [(1.0 if i == k else 0.0) - p for i, p in enumerate(ps)]


LOG_SOFTMAX = Op("log_softmax", _fwd_log_softmax, _d_log_softmax, arity=0, template="log_softmax[{c}]",
                 doc="y_k = z_k − ln Σ e^{z_i}", formula="∂y_k/∂z_i = [i = k] − p_i")


def _fwd_softmax(*args: Any) -> float:
    *zs, k = args
    return math.exp(zs[int(k)] - lse(zs))


def _d_softmax(zs: list[Any], y: Any, c: Any) -> list[Any]:
    """y_k = p_k;  ∂y_k/∂z_i = p_k ([i = k] − p_i)."""
    k = int(c)
    if _floats(zs):
        ps: list[Any] = softmax_floats(zs)
    else:
        ls = _lse_any(zs)
        ps = [exp(z - ls) for z in zs]
    return [y * ((1.0 if i == k else 0.0) - p) for i, p in enumerate(ps)]


SOFTMAX = Op("softmax", _fwd_softmax, _d_softmax, arity=0, template="softmax[{c}]",
             doc="y_k = e^{z_k} / Σ e^{z_i}", formula="∂y_k/∂z_i = y_k ([i = k] − p_i)")


def _fwd_cross_entropy(*args: Any) -> float:
    """L = (1/n) Σ_s (lse(z_s) − z_{s,t_s}); the constant is (K, t_1, …, t_n)."""
    *zs, c = args
    k, targets = int(c[0]), c[1:]
    total = 0.0
    for s, t in enumerate(targets):
        row = zs[s * k : (s + 1) * k]
        total += lse(row) - row[int(t)]
    return total / len(targets)


def _d_cross_entropy(zs: list[Any], y: Any, c: Any) -> list[Any]:
    """∂L/∂z_{s,k} = (p_{s,k} − [k = t_s]) / n."""
    k, targets = int(c[0]), c[1:]
    n = len(targets)
    out: list[Any] = []
    floats = _floats(zs)
    for s, t in enumerate(targets):
        row = zs[s * k : (s + 1) * k]
        if floats:
            ps: list[Any] = softmax_floats(row)
        else:
            ls = _lse_any(row)
            ps = [exp(z - ls) for z in row]
        ti = int(t)
        out.extend((p - (1.0 if i == ti else 0.0)) / n for i, p in enumerate(ps))
    return out


CROSS_ENTROPY = Op("cross_entropy", _fwd_cross_entropy, _d_cross_entropy, arity=0,
                   doc="L = (1/n) Σ_s (ln Σ_k e^{z_sk} − z_{s,t_s})", formula="∂L/∂z_sk = (p_sk − [k = t_s]) / n")


# -- the functions users call ----------------------------------------------------------------------
def _logits(zs: Any, where: str) -> tuple[Value, ...]:
    if isinstance(zs, (Value, str, bytes)) or not hasattr(zs, "__iter__"):
        raise TypeError(f"{where}: logits must be a list of Values or numbers (one per class), got {zs!r:.80}")
    out = [as_node(z, where, "logits") for z in zs]
    if not out:
        raise ValueError(f"{where}: got no logits; pass one per class")
    return tuple(out)


def _record(op: Op, zs: tuple[Value, ...], c: Any, where: str) -> Value:
    y = op.forward(*[z.data for z in zs], c)
    if math.isnan(y):
        bad = [z.data for z in zs if not math.isfinite(z.data)]
        raise ValueError(f"{where}: the logits hold {bad[0]!r}; every logit must be a finite number")
    return make_node(y, op, zs, None, c)


def log_softmax(logits: Any) -> list[Value]:
    """y_k = z_k − ln Σ_i e^{z_i} for each class k (K nodes; stable for any finite logits);
    ∂y_k/∂z_i = [i = k] − p_i."""
    zs = _logits(logits, "log_softmax")
    return [_record(LOG_SOFTMAX, zs, float(k), "log_softmax") for k in range(len(zs))]


def softmax(logits: Any) -> list[Value]:
    """p_k = e^{z_k} / Σ_i e^{z_i} for each class k (K nodes, each computed as e^{z_k − lse(z)});
    ∂p_k/∂z_i = p_k ([i = k] − p_i)."""
    zs = _logits(logits, "softmax")
    return [_record(SOFTMAX, zs, float(k), "softmax") for k in range(len(zs))]


def _target(t: Any, k: int, where: str) -> float:
    if isinstance(t, Value):
        t = t.data
    number = float(t) if isinstance(t, numbers.Real) and not isinstance(t, bool) else math.nan
    if not number.is_integer() or not 0 <= number < k:
        raise ValueError(f"{where}: a target must be a class index 0…{k - 1} (an int), got {t!r}")
    return number


def cross_entropy(logits: Any, target: Any) -> Value:
    """L = −ln softmax_t(z) = ln Σ_k e^{z_k} − z_t for one sample (``logits`` a list of K, ``target`` a
    class index), or the mean over a batch (``logits`` a list of such lists, ``target`` a list of
    indices). **One** node either way;  ∂L/∂z_k = softmax_k − [k = t]  (divided by n for a batch).
    """
    rows = list(logits) if hasattr(logits, "__iter__") and not isinstance(logits, (str, bytes)) else None
    if rows and not isinstance(rows[0], (Value, numbers.Real)):  # a batch: one list of logits per sample
        targets = list(target) if hasattr(target, "__iter__") else None
        if targets is None or len(targets) != len(rows):
            raise ValueError(f"cross_entropy: {len(rows)} samples of logits need as many targets, got {target!r:.80}")
        parts = [_logits(r, f"cross_entropy (sample {s})") for s, r in enumerate(rows)]
        k = len(parts[0])
        for s, p in enumerate(parts):
            if len(p) != k:
                raise ValueError(f"cross_entropy: sample {s} has {len(p)} logits, sample 0 has {k}")
        c = (float(k), *(_target(t, k, f"cross_entropy (sample {s})") for s, t in enumerate(targets)))
        return _record(CROSS_ENTROPY, tuple(z for p in parts for z in p), c, "cross_entropy")
    zs = _logits(logits, "cross_entropy")
    return _record(CROSS_ENTROPY, zs, (float(len(zs)), _target(target, len(zs), "cross_entropy")), "cross_entropy")
