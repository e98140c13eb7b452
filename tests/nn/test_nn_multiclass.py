"""softmax, log_softmax and cross-entropy: values and derivatives by hand, by central differences, by sympy.

* log_softmax   y_k = z_k − ln Σ_i e^{z_i}          ∂y_k/∂z_i = [i = k] − p_i
* softmax       p_k = e^{z_k} / Σ_i e^{z_i}          ∂p_k/∂z_i = p_k ([i = k] − p_i)
* cross_entropy L = ln Σ_k e^{z_k} − z_t             ∂L/∂z_k = p_k − [k = t]   (batch: the mean, ÷ n)
"""

from __future__ import annotations

import math
from typing import Any

import pytest
import sympy

import autograd
import nn
from autograd import Value, gradcheck, gradgradcheck
from autograd.checking.nodes import check_graph

Z = [0.3, -1.2, 2.0, 0.7]


def p_by_hand(zs: list[float]) -> list[float]:
    """softmax straight from the definition (fine for small logits)."""
    es = [math.exp(z) for z in zs]
    return [e / sum(es) for e in es]


def test_cross_entropy_value_and_gradient_by_hand() -> None:
    zs = [Value(z) for z in Z]
    L = nn.cross_entropy(zs, 2)
    L.backward()
    p = p_by_hand(Z)
    assert L.data == pytest.approx(-math.log(p[2]), rel=1e-14)
    assert [z.grad for z in zs] == pytest.approx([pk - (k == 2) for k, pk in enumerate(p)], rel=1e-13, abs=1e-15)
    assert len(list(autograd.walk(L))) == 1 + len(Z)  # one node over the logits


def test_batch_cross_entropy_is_the_mean_and_one_node() -> None:
    rows = [[0.3, -1.2, 2.0], [1.5, 0.1, -0.4], [0.0, 0.0, 3.0]]
    ts = [1, 0, 2]
    zs = [[Value(v) for v in r] for r in rows]
    L = nn.cross_entropy(zs, ts)
    L.backward()
    each = [-math.log(p_by_hand(r)[t]) for r, t in zip(rows, ts, strict=True)]
    assert L.data == pytest.approx(sum(each) / 3, rel=1e-14)
    for r, t, nodes in zip(rows, ts, zs, strict=True):
        p = p_by_hand(r)
        assert [z.grad for z in nodes] == pytest.approx([(pk - (k == t)) / 3 for k, pk in enumerate(p)], rel=1e-13)
    assert len(list(autograd.walk(L))) == 1 + 9


def test_softmax_and_log_softmax_by_hand() -> None:
    p = p_by_hand(Z)
    assert [v.data for v in nn.softmax(Z)] == pytest.approx(p, rel=1e-14)
    assert [v.data for v in nn.log_softmax(Z)] == pytest.approx([math.log(pk) for pk in p], rel=1e-14)
    for k in range(len(Z)):
        zs = [Value(z) for z in Z]
        nn.softmax(zs)[k].backward()
        assert [z.grad for z in zs] == pytest.approx([p[k] * ((i == k) - p[i]) for i in range(len(Z))], rel=1e-12)
        zs = [Value(z) for z in Z]
        nn.log_softmax(zs)[k].backward()
        assert [z.grad for z in zs] == pytest.approx([(i == k) - p[i] for i in range(len(Z))], rel=1e-12)


def test_k_nodes_for_k_classes() -> None:
    zs = [Value(z) for z in Z]
    for f in (nn.softmax, nn.log_softmax):
        outs = f(zs)
        assert len(outs) == len(Z) and all(o._prev == tuple(zs) for o in outs)


@pytest.mark.parametrize("big", [1000.0, -1000.0])
def test_stable_at_plus_minus_1000(big: float) -> None:
    zs = [Value(big), Value(big - 2.0), Value(-big)]
    p = [1.0 / (1 + math.exp(-2.0)), math.exp(-2.0) / (1 + math.exp(-2.0))] if big > 0 else None
    sm = [v.data for v in nn.softmax(zs)]
    ls = [v.data for v in nn.log_softmax(zs)]
    assert all(math.isfinite(v) for v in sm + ls[:2])
    if p is not None:
        assert sm[:2] == pytest.approx(p, rel=1e-14) and sm[2] == 0.0
        assert ls[2] == pytest.approx(-2000.0 - math.log1p(math.exp(-2.0)), rel=1e-14)
        L = nn.cross_entropy(zs, 2)  # the wrong class, by 2000: L ≈ 2000, gradient p − onehot, no NaN
        L.backward()
        assert L.data == pytest.approx(2000.0 + math.log1p(math.exp(-2.0)), rel=1e-14)
        assert [z.grad for z in zs] == pytest.approx([p[0], p[1], -1.0], rel=1e-13)


@pytest.mark.parametrize("case", ["ce", "batch", "softmax", "log_softmax"])
def test_gradcheck_central_differences(case: str) -> None:
    fs: dict[str, Any] = {
        "ce": lambda a, b, c, d: nn.cross_entropy([a, b, c, d], 3),
        "batch": lambda a, b, c, d: nn.cross_entropy([[a, b], [c, d], [b, c]], [0, 1, 1]),
        "softmax": lambda a, b, c, d: nn.softmax([a, b, c, d])[1] * 3.0 + nn.softmax([a, b, c, d])[2],
        "log_softmax": lambda a, b, c, d: nn.log_softmax([a, b, c, d])[0] - nn.log_softmax([d, c, b, a])[2],
    }
    report = gradcheck(fs[case], Z)
    assert report and all(r.status == "ok" for r in report.rows)
    assert gradgradcheck(fs[case], Z)  # the derivatives work on nodes too (create_graph)
    check_graph(fs[case](*[Value(z) for z in Z]))  # every node's local derivative on the values it saw


def test_sympy_agrees() -> None:
    z = sympy.symbols("z0:4")
    lse = sympy.log(sum(sympy.exp(v) for v in z))
    at = dict(zip(z, Z, strict=True))
    for t in range(4):
        zs = [Value(v) for v in Z]
        L = nn.cross_entropy(zs, t)
        L.backward()
        expr = lse - z[t]
        assert L.data == pytest.approx(float(expr.subs(at)), rel=1e-13)
        assert [v.grad for v in zs] == pytest.approx([float(sympy.diff(expr, s).subs(at)) for s in z], rel=1e-12)
    k = 1
    sm = sympy.exp(z[k]) / sum(sympy.exp(v) for v in z)
    zs = [Value(v) for v in Z]
    nn.softmax(zs)[k].backward()
    assert [v.grad for v in zs] == pytest.approx([float(sympy.diff(sm, s).subs(at)) for s in z], rel=1e-12)


def test_bad_targets_and_logits_are_named() -> None:
    with pytest.raises(ValueError, match=r"cross_entropy: a target must be a class index 0…3 \(an int\), got 4"):
        nn.cross_entropy(Z, 4)
    with pytest.raises(ValueError, match="class index"):
        nn.cross_entropy(Z, 1.5)
    with pytest.raises(ValueError, match="2 samples of logits need as many targets"):
        nn.cross_entropy([Z, Z], [1])
    with pytest.raises(ValueError, match="sample 1 has 3 logits, sample 0 has 4"):
        nn.cross_entropy([Z, Z[:3]], [1, 1])
    with pytest.raises(TypeError, match="softmax: logits must be Values or real numbers"):
        nn.softmax(["a"])
    with pytest.raises(ValueError, match="finite"):
        nn.cross_entropy([math.nan, 1.0], 0)


def test_fit_with_cross_entropy_measures_multiclass_accuracy_and_stops_on_it() -> None:
    # three separable clusters in the plane, labels 0, 1, 2
    X = [[0.0, 0.0], [0.2, 0.1], [3.0, 0.0], [3.1, 0.2], [0.0, 3.0], [0.2, 3.1]]
    y = [0, 0, 1, 1, 2, 2]
    model = nn.MLP(2, [8, 3], seed=0)
    h = nn.fit(model, X, y, loss="cross_entropy", optimizer="adam", lr=0.05, epochs=500, target_accuracy=1.0)
    assert h.stopped == "target_accuracy" and h.accuracy[-1] == 1.0 and h.epochs < 500
    assert nn.classify(model, X) == y and nn.accuracy(model, X, y) == 1.0
    outs = nn.predict(model, X)
    assert [nn.train.argmax(o) for o in outs] == y
    h2 = nn.fit(nn.MLP(2, [8, 3], seed=0), X, y, loss=nn.cross_entropy, epochs=1)  # the function itself
    assert h2.accuracy[0] is not None
