"""Several classes: softmax, log-softmax and the cross-entropy loss, each as few nodes as the math allows.

A network with K outputs gives logits z = (z_1 … z_K) for one sample; the class probabilities are
p_k = softmax_k(z) = e^{z_k} / Σ_i e^{z_i} and the loss for target class t is
L = −ln p_t = lse(z) − z_t, with lse(z) = ln Σ_i e^{z_i}. Derivatives, in the note's notation:

* ``log_softmax``:    y_k = z_k − lse(z)                ∂y_k/∂z_i = [i = k] − p_i
* ``softmax``:        y_k = p_k                          ∂y_k/∂z_i = p_k ([i = k] − p_i)
* ``cross_entropy``:  L = lse(z) − z_t                   ∂L/∂z_k = p_k − [k = t]
  over a batch of n samples, the mean:  L = (1/n) Σ_s (lse(z_s) − z_{s,t_s})   ∂L/∂z_{s,k} = (p_{s,k} − [k = t_s]) / n

Everything is computed from m = max_i z_i and r = Σ_{i≠argmax} e^{z_i − m} (``shifted``): y_k as
(z_k − m) − ln(1 + r), p_k as e^{z_k − m} / (1 + r), 1 − p_k as (s − e_k) / s, so logits of ±1e300
neither overflow nor lose digits (m is never added to a small number: at 1e16, m + ln 3 is m) and a
NaN logit anywhere gives NaN, which the functions refuse naming it. ``softmax`` and ``log_softmax``
record one node per output (K nodes); ``cross_entropy`` records **one** node for a sample or a whole
batch, whose backward computes every p − onehot in one loop on floats. These ops belong to ``nn``
(built with ``autograd.Op``), not to the engine's table. Their derivatives are written so that they
also work on ``Value`` nodes, so ``grad(..., create_graph=True)`` can differentiate them again.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

from autograd import Op, Value
from autograd.engine import make_node
from autograd.errors import as_number
from autograd.reductions import index_of_max
from autograd.symbolic import define
from nn.models.module import as_node


def shifted(zs: Sequence[float]) -> tuple[list[float], int, float]:
    """(e, j, r): e_i = e^{z_i − m} with m = z_j = max z (so e_j = 1), and r = Σ_{i≠j} e_i, so that
    Σ_i e^{z_i} = e^m (1 + r). Every quantity below is built from these without adding anything to m:
    at logits of 1e16 and beyond m + ln 3 rounds back to m, but (m − z_t) and ln(1 + r) do not.
    A NaN logit, wherever it sits, is m (``index_of_max``) and makes every result NaN."""
    j = index_of_max(zs)
    m = zs[j]
    es = [math.exp(z - m) for z in zs]  # e_j = e^0 = 1 (NaN for m = ±inf or NaN)
    r = 0.0
    for i, e in enumerate(es):
        if i != j:
            r += e
    return es, j, r


def lse(zs: Sequence[float]) -> float:
    """ln Σ_i e^{z_i} on floats, as m + ln(1 + Σ_{i≠j} e^{z_i − m}) with m = z_j = max z (never overflows)."""
    m = zs[index_of_max(zs)]
    if m - m != 0.0 and m == m:  # +inf among the logits, or every logit −inf
        return m
    return m + math.log1p(shifted(zs)[2])


def log_softmax_float(zs: Sequence[float], k: int) -> float:
    """y_k = z_k − lse(z) as (z_k − m) − ln(1 + r) (``shifted``): exact-to-rounding for any logits."""
    _, j, r = shifted(zs)
    return (zs[k] - zs[j]) - math.log1p(r)


def softmax_floats(zs: Sequence[float]) -> list[float]:
    """p_k = e^{z_k − m} / s with s = 1 + r (``shifted``)."""
    es, _, r = shifted(zs)
    s = 1.0 + r
    return [e / s for e in es]


def rest_floats(zs: Sequence[float]) -> list[float]:
    """1 − p_k = (s − e_k) / s for each k, without the cancellation of 1 − p_k when p_k is near 1."""
    es, j, r = shifted(zs)
    s = 1.0 + r
    return [(r if k == j else s - e) / s for k, e in enumerate(es)]


def _floats(xs: Sequence[Any]) -> bool:
    return all(isinstance(x, float) for x in xs)


def _probs_any(zs: Sequence[Value]) -> list[Value]:
    """p_i as ``SOFTMAX`` nodes over the nodes z (for differentiable gradients: a node's own derivative
    is softmax's), each computed as e^{z_i − m} / s like the floats."""
    parents = tuple(zs)
    ps = softmax_floats([z.data for z in parents])
    return [make_node(p, SOFTMAX, parents, None, float(i)) for i, p in enumerate(ps)]


def _rest_any(ps: Sequence[Value], k: int) -> Any:
    """1 − p_k as Σ_{i≠k} p_i (nodes), like ``rest_floats``: no cancellation when p_k is near 1."""
    others = [p for i, p in enumerate(ps) if i != k]
    return sum(others[1:], others[0]) if others else 0.0


def _d_logsumexp(zs: list[Any], y: Any, c: Any) -> list[Any]:
    """y = lse(z);  ∂y/∂z_i = e^{z_i − y} = p_i."""
    return softmax_floats(zs) if _floats(zs) else _probs_any(zs)


LOGSUMEXP = Op("logsumexp", lambda *zs: lse(zs), _d_logsumexp, arity=0, symmetric=True,
               doc="y = ln Σ e^{z_i} (stable: m + ln Σ e^{z_i − m})", formula="∂y/∂z_i = e^{z_i − y} = p_i")


def _fwd_log_softmax(*args: Any) -> float:
    *zs, k = args
    return log_softmax_float(zs, int(k))


def _d_log_softmax(zs: list[Any], y: Any, c: Any) -> list[Any]:
    """y_k = z_k − lse(z);  ∂y_k/∂z_i = [i = k] − p_i."""
    k = int(c)
    if _floats(zs):
        ps = softmax_floats(zs)
        return [rest_floats(zs)[k] if i == k else -p for i, p in enumerate(ps)]
    ps_ = _probs_any(zs)
    return [_rest_any(ps_, k) if i == k else -p for i, p in enumerate(ps_)]


LOG_SOFTMAX = Op("log_softmax", _fwd_log_softmax, _d_log_softmax, arity=0, template="log_softmax[{c}]",
                 doc="y_k = z_k − ln Σ e^{z_i}", formula="∂y_k/∂z_i = [i = k] − p_i")


def _fwd_softmax(*args: Any) -> float:
    *zs, k = args
    return softmax_floats(zs)[int(k)]


def _d_softmax(zs: list[Any], y: Any, c: Any) -> list[Any]:
    """y_k = p_k;  ∂y_k/∂z_i = p_k ([i = k] − p_i)."""
    k = int(c)
    if _floats(zs):
        ps = softmax_floats(zs)
        return [y * (rest_floats(zs)[k] if i == k else -p) for i, p in enumerate(ps)]
    ps_ = _probs_any(zs)
    return [y * (_rest_any(ps_, k) if i == k else -p) for i, p in enumerate(ps_)]


SOFTMAX = Op("softmax", _fwd_softmax, _d_softmax, arity=0, template="softmax[{c}]",
             doc="y_k = e^{z_k} / Σ e^{z_i}", formula="∂y_k/∂z_i = y_k ([i = k] − p_i)")


def _fwd_cross_entropy(*args: Any) -> float:
    """L = (1/n) Σ_s (lse(z_s) − z_{s,t_s}); the constant is (K, t_1, …, t_n)."""
    *zs, c = args
    k, targets = int(c[0]), c[1:]
    total = 0.0
    for s, t in enumerate(targets):
        total -= log_softmax_float(zs[s * k : (s + 1) * k], int(t))
    return total / len(targets)


def _d_cross_entropy(zs: list[Any], y: Any, c: Any) -> list[Any]:
    """∂L/∂z_{s,k} = (p_{s,k} − [k = t_s]) / n."""
    k, targets = int(c[0]), c[1:]
    n = len(targets)
    out: list[Any] = []
    floats = _floats(zs)
    for s, t in enumerate(targets):
        row = zs[s * k : (s + 1) * k]
        ti = int(t)
        if floats:
            ps: list[Any] = softmax_floats(row)
            ps[ti] = -rest_floats(row)[ti]  # p_t − 1 = −(1 − p_t), without cancellation
            out.extend(p / n for p in ps)
        else:
            pv = _probs_any(row)
            out.extend((-_rest_any(pv, ti) if i == ti else p) / n for i, p in enumerate(pv))
    return out


CROSS_ENTROPY = Op("cross_entropy", _fwd_cross_entropy, _d_cross_entropy, arity=0,
                   doc="L = (1/n) Σ_s (ln Σ_k e^{z_sk} − z_{s,t_s})", formula="∂L/∂z_sk = (p_sk − [k = t_s]) / n")


# -- their sympy forms (autograd.symbolic.to_sympy / formula), each with its constant ---------------
def _sym_lse(sp: Any, zs: Sequence[Any]) -> Any:
    return sp.log(sp.Add(*[sp.exp(z) for z in zs]))


def _sym_cross_entropy(sp: Any, zs: Sequence[Any], c: Any) -> Any:
    k, targets = int(c[0]), c[1:]
    rows = [zs[s * k : (s + 1) * k] for s in range(len(targets))]
    return sp.Add(*[_sym_lse(sp, r) - r[int(t)] for r, t in zip(rows, targets, strict=True)]) / len(targets)


define(LOGSUMEXP, lambda sp, zs, c: _sym_lse(sp, zs))
define(LOG_SOFTMAX, lambda sp, zs, c: zs[int(c)] - _sym_lse(sp, zs))
define(SOFTMAX, lambda sp, zs, c: sp.exp(zs[int(c)]) / sp.Add(*[sp.exp(z) for z in zs]))
define(CROSS_ENTROPY, _sym_cross_entropy)


# -- the functions users call ----------------------------------------------------------------------
def _logits(zs: Any, where: str) -> tuple[Value, ...]:
    if isinstance(zs, (Value, str, bytes, Mapping)) or not hasattr(zs, "__iter__"):
        kind = " (a mapping: its keys would be taken; pass list(d.values()))" if isinstance(zs, Mapping) else ""
        raise TypeError(f"{where}: logits must be a list of Values or numbers (one per class), got "
                        f"{zs!r:.80}{kind}")
    out = [as_node(z, where, "logits") for z in zs]
    if not out:
        raise ValueError(f"{where}: got no logits; pass one per class")
    return tuple(out)


def _record(op: Op, zs: tuple[Value, ...], c: Any, where: str) -> Value:
    y = op.forward(*[z.data for z in zs], c)
    if math.isnan(y):
        bad = sorted((z.data for z in zs if not math.isfinite(z.data)), key=lambda v: v == v)  # NaN first
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
    real = isinstance(t, numbers.Real) and not isinstance(t, bool)
    number = as_number(t, f"{where} (target)") if real else math.nan
    if not number.is_integer() or not 0 <= number < k:
        raise ValueError(f"{where}: a target must be a class index 0…{k - 1} (an int), got {t!r}")
    return number


def cross_entropy(logits: Any, target: Any) -> Value:
    """L = −ln softmax_t(z) = ln Σ_k e^{z_k} − z_t for one sample (``logits`` a list of K, ``target`` a
    class index), or the mean over a batch (``logits`` a list of such lists, ``target`` a list of
    indices). **One** node either way;  ∂L/∂z_k = softmax_k − [k = t]  (divided by n for a batch).
    """
    iterable = hasattr(logits, "__iter__") and not isinstance(logits, (str, bytes, Mapping, Value))
    rows = list(logits) if iterable else None  # read once: a generator would be empty the second time
    if rows and not isinstance(rows[0], (Value, numbers.Real)):  # a batch: one list of logits per sample
        targets = list(target) if hasattr(target, "__iter__") and not isinstance(target, (str, Mapping)) else None
        if targets is None or len(targets) != len(rows):
            raise ValueError(f"cross_entropy: {len(rows)} samples of logits need as many targets, got {target!r:.80}")
        parts = [_logits(r, f"cross_entropy (sample {s})") for s, r in enumerate(rows)]
        k = len(parts[0])
        for s, p in enumerate(parts):
            if len(p) != k:
                raise ValueError(f"cross_entropy: sample {s} has {len(p)} logits, sample 0 has {k}")
        c = (float(k), *(_target(t, k, f"cross_entropy (sample {s})") for s, t in enumerate(targets)))
        return _record(CROSS_ENTROPY, tuple(z for p in parts for z in p), c, "cross_entropy")
    zs = _logits(logits if rows is None else rows, "cross_entropy")
    return _record(CROSS_ENTROPY, zs, (float(len(zs)), _target(target, len(zs), "cross_entropy")), "cross_entropy")
