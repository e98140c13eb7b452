"""Losses, each a ``Value`` built from few nodes, with its derivative in the note's notation.

Predictions ``y`` are nodes (a ``Value`` or a list of them, as an ``MLP`` returns); targets ``t``
are numbers (floats, ints, numpy scalars) or nodes. A single prediction and a single target may be
passed bare; otherwise both are lists of the same length (one entry per output or per sample).

* ``half_sse``:  E = ½ Σ (t − y)²                    ∂E/∂y_k = −(t_k − y_k)   (the note's error)
* ``mse``:       E = (1/n) Σ (t − y)²                ∂E/∂y_k = −2 (t_k − y_k) / n
* ``hinge``:     E = (1/n) Σ max(0, 1 − t·s)          ∂E/∂s_k = −t_k / n where 1 − t_k s_k > 0, else 0
                 (micrograd's max-margin loss; labels t = ±1, scores s)
* ``bce_with_logits``: E = (1/n) Σ [max(z, 0) − z·t + ln(1 + e^{−|z|})]   ∂E/∂z_k = (σ(z_k) − t_k) / n
                 (binary cross-entropy of σ(z) against t ∈ [0, 1], never overflowing)
* ``l2``:        R = α Σ p²                            ∂R/∂p = 2 α p
* ``cross_entropy`` (from ``nn.losses.multiclass``): L = ln Σ_k e^{z_k} − z_t   ∂L/∂z_k = softmax_k − [k = t]
                 (several classes: logits z per sample, class index t; the batch mean as one node)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Union

import autograd
from autograd import Op, Value, operators
from autograd.compiler.trace import require
from autograd.errors import as_number
from autograd.symbolic import define
from nn.losses.multiclass import cross_entropy

Predictions = Union[Value, Sequence[Value]]


def _pairs(y: Any, t: Any, where: str) -> list[tuple[Any, Any]]:
    """(prediction, target) pairs; bare scalars count as one-item lists; targets become floats (or stay nodes)."""
    for given, what in ((y, "predictions"), (t, "targets")):
        if isinstance(given, Mapping):  # list(d) would be its keys
            raise TypeError(f"{where}: the {what} are a mapping ({given!r:.60}), whose keys would be taken; "
                            "pass a list (list(d.values()))")
    ys = [y] if isinstance(y, (Value, int, float, str, bytes)) or not hasattr(y, "__iter__") else list(y)
    ts = [t] if isinstance(t, (Value, int, float, str, bytes)) or not hasattr(t, "__iter__") else list(t)
    if len(ys) != len(ts):
        raise ValueError(f"{where}: {len(ys)} prediction(s) but {len(ts)} target(s); pass one target per prediction")
    if not ys:
        raise ValueError(f"{where}: no predictions given")
    for target in ts:
        if not isinstance(target, Value) and (isinstance(target, bool) or not isinstance(target, numbers.Real)):
            raise TypeError(f"{where}: targets must be real numbers (or nodes), got {str(target)[:40]!r} of type "
                            f"{type(target).__name__}; pass numbers, e.g. {where}(y, 1.0) or {where}(ys, [1.0, 0.0])")
    for pred in ys:
        if not isinstance(pred, Value) and (isinstance(pred, bool) or not isinstance(pred, numbers.Real)):
            raise TypeError(f"{where}: predictions must be Values (or numbers), got {str(pred)[:40]!r} of type "
                            f"{type(pred).__name__}; pass the model's output, e.g. {where}(model(x), t)")
    return list(zip(ys, [tk if isinstance(tk, Value) else as_number(tk, f"{where} (target)") for tk in ts],
                    strict=True))


def half_sse(y: Any, t: Any) -> Value:
    """E = ½ Σ_k (t_k − y_k)², the study note's error;  ∂E/∂y_k = −(t_k − y_k)."""
    pairs = _pairs(y, t, "half_sse")
    check_labels("half_sse", [tk for _, tk in pairs])
    return 0.5 * autograd.sum([(tk - yk) ** 2 for yk, tk in pairs])


def mse(y: Any, t: Any) -> Value:
    """E = (1/n) Σ_k (t_k − y_k)²;  ∂E/∂y_k = −2 (t_k − y_k) / n."""
    pairs = _pairs(y, t, "mse")
    check_labels("mse", [tk for _, tk in pairs])
    return autograd.sum([(tk - yk) ** 2 for yk, tk in pairs]) * (1.0 / len(pairs))


def hinge(scores: Any, labels: Any) -> Value:
    """micrograd's max-margin loss E = (1/n) Σ_k max(0, 1 − t_k s_k) for labels t_k = ±1.

    ∂E/∂s_k = −t_k / n where the margin is violated (1 − t_k s_k > 0), else 0.
    """
    pairs = _pairs(scores, labels, "hinge")
    check_labels("hinge", [tk for _, tk in pairs])
    return autograd.sum([(1.0 - tk * sk).relu() for sk, tk in pairs]) * (1.0 / len(pairs))


def _stable_bce(z: float, t: float) -> float:
    """max(z, 0) − z·t + ln(1 + e^{−|z|}): −[t ln σ(z) + (1 − t) ln(1 − σ(z))] without overflow."""
    return max(z, 0.0) - z * t + math.log1p(math.exp(-abs(z)))


def _sigma(z: Any) -> Any:
    return operators.sigmoid(z) if isinstance(z, float) else z.sigmoid()


def _d_bce(z: Any, t: Any) -> Any:
    """∂E/∂z = σ(z) − t, as (1 − t) − σ(−z) for z > 0: σ(z) rounds to 1 from z ≈ 37 on, and σ(40) − 1
    would be 0 instead of −4.2e-18 (its second derivative too); σ(−z) keeps every digit."""
    zd = z if isinstance(z, float) else z.data
    return (1.0 - t) - _sigma(-z) if zd > 0.0 else _sigma(z) - t


BCE_WITH_LOGITS = Op(
    "bce_logits",
    _stable_bce,
    lambda z, t, y, c: (_d_bce(z, t), -z),
    arity=2,
    doc="E = max(z,0) − z·t + ln(1 + e^{−|z|});  ∂E/∂z = σ(z) − t, ∂E/∂t = −z",
)
"""One sample's binary cross-entropy on a logit z against a target t, as one node (no kink: the
kinks of max(z, 0) and |z| cancel, E = ln(1 + eᶻ) − z·t is smooth)."""
define(BCE_WITH_LOGITS, lambda sp, a, c: sp.log(1 + sp.exp(a[0])) - a[0] * a[1])


def bce_with_logits(logits: Any, targets: Any) -> Value:
    """E = (1/n) Σ_k BCE(σ(z_k), t_k) for targets t_k ∈ [0, 1];  ∂E/∂z_k = (σ(z_k) − t_k) / n.

    Computed from the logits z, never from σ(z), so no sample ever overflows or takes ln 0.
    """
    pairs = _pairs(logits, targets, "bce_with_logits")
    check_labels("bce_with_logits", [tk for _, tk in pairs])
    return autograd.sum([BCE_WITH_LOGITS(zk, tk) for zk, tk in pairs]) * (1.0 / len(pairs))


def l2(params: Iterable[Value], alpha: float = 1e-4) -> Value:
    """R = α Σ p² (micrograd's ``alpha * sum(p*p ...)``), as one node;  ∂R/∂p = 2 α p."""
    ps = list(params)
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not alpha >= 0.0 or math.isinf(alpha):
        raise ValueError(f"l2: alpha must be a finite number >= 0, got {alpha!r}")
    return alpha * autograd.dot(ps, ps)


def _hinge_label(t: float) -> bool:
    return t in (-1.0, 1.0)


def _bce_label(t: float) -> bool:
    return 0.0 <= t <= 1.0


def _class_index(t: float) -> bool:
    return t >= 0.0 and t.is_integer()


_LABELS: dict[str, tuple[Callable[[float], bool], str]] = {
    "hinge": (_hinge_label, "labels must be -1 or +1 (the margin t·s needs signed labels; with 0/1 labels it "
              "trains to nothing); for 0/1 labels use nn.data.moons(signed=True) or nn.data.xor(signed=True), "
              "2·t − 1, or the 'bce' loss"),
    "bce_with_logits": (_bce_label, "targets must lie in [0, 1]; for labels ±1 use nn.data.moons() without "
                        "signed=True, (t + 1) / 2, or the hinge loss"),
    "cross_entropy": (_class_index, "a target must be a class index 0, 1, 2, … (an int), one per sample; "
                      "for one-hot rows pass each row's index of its 1"),
}
_ALIASES = {"bce": "bce_with_logits"}


def check_labels(loss: Any, targets: Iterable[Any]) -> None:
    """Refuse targets that the loss cannot use: hinge wants ±1, bce numbers in [0, 1], cross-entropy class
    indices; every loss wants finite numbers. ``loss`` is a name of ``LOSSES`` or a loss function (one
    the module does not know is only checked for NaN/±inf). Names the first bad label and the fix."""
    if not isinstance(loss, str):  # one of ours by identity (a user's function named "hinge" is not ours)
        ours = next((k for k, f in LOSSES.items() if f is loss), None)
        loss = ours if ours is not None else f"{getattr(loss, '__name__', 'loss')} (your loss function)"
    name = _ALIASES.get(loss, loss)
    for i, t in enumerate(targets):
        if isinstance(t, (list, tuple)):  # one row of targets per sample
            check_labels(name, t)
        elif isinstance(t, Value):  # a node's number belongs to its graph: read here it would key a compiled
            require(t, _target_check(name, i))  # program, which runs the check on each call's
        else:  # number instead (trace.require; a node outside a trace is not checked)
            _check_label(name, i, t)


def _target_check(name: str, i: int) -> Callable[[Any], None]:
    """``_check_label`` for position ``i`` as a function of the target alone, for a compiled program to
    run on every call (a finite float the rule accepts passes in a few operations: the common case)."""
    rule = _LABELS.get(name)
    accepts = rule[0] if rule is not None else None

    def check(t: Any) -> None:
        if type(t) is float and t - t == 0.0 and (accepts is None or accepts(t)):
            return
        _check_label(name, i, t)

    return check


def _check_label(name: str, i: int, t: Any) -> None:
    """``check_labels`` for the target ``t`` at position ``i``: ValueError naming it and the rule it breaks."""
    if isinstance(t, bool) or not isinstance(t, numbers.Real):
        return  # a type error, named by the loss itself
    value = as_number(t, f"{name} (the target at position {i})")
    if not math.isfinite(value):
        raise ValueError(f"{name}: the target at position {i} is {value!r}; every target must be a finite number")
    rule = _LABELS.get(name)
    if rule is not None and not rule[0](value):
        raise ValueError(f"{name}: the target at position {i} is {t!r}: {rule[1]}")


LOSSES = {"half_sse": half_sse, "mse": mse, "hinge": hinge, "bce": bce_with_logits, "cross_entropy": cross_entropy}
"""The losses by the names ``nn.fit`` and the main job accept."""

ROW_LOSSES = frozenset({cross_entropy})
"""Losses that take one list of outputs per sample and one target per sample (``fit`` does not flatten them)."""
