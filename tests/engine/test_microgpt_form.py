"""microgpt's way of making a node, ``Value(data, children, local_grads)``, on our ``Value``.

Karpathy's microgpt writes every op by hand: the value, the children, and the local derivatives
∂out/∂child_i as numbers in third place (where micrograd has its ``_op`` string). Before this
change our ``Value`` refused the tuple ("_op must be a str or an autograd.Op"). The program below is
microgpt's style — linear, softmax, rmsnorm and the cross-entropy written with such nodes only — and
its gradients are compared with the same program on our own ops and on torch (float64).
"""

from __future__ import annotations

import copy
import math
import random
from collections.abc import Callable, Sequence
from typing import Any

import pytest

import autograd
from autograd import Value, draw_dot, explain, grad, gradcheck, hessian
from autograd.checking.nodes import check_graph
from autograd.forward import jvp
from tests.engine.test_micrograd_habits import users_topo

torch = pytest.importorskip("torch")


# -- microgpt's ops, written by hand: Value(data, children, local_grads) ----------------------------
def add(a: Value, b: Value) -> Value:
    return Value(a.data + b.data, (a, b), (1, 1))


def mul(a: Value, b: Value) -> Value:
    return Value(a.data * b.data, (a, b), (b.data, a.data))


def power(a: Value, k: float) -> Value:
    return Value(a.data ** k, (a,), (k * a.data ** (k - 1),))


def log(a: Value) -> Value:
    return Value(math.log(a.data), (a,), (1 / a.data,))


def exp(a: Value) -> Value:
    return Value(math.exp(a.data), (a,), (math.exp(a.data),))


def relu(a: Value) -> Value:
    return Value(max(0.0, a.data), (a,), (float(a.data > 0),))


def const(c: float) -> Value:
    return Value(c)


def total(xs: Sequence[Value]) -> Value:  # one node with n children, as a sum
    return Value(math.fsum(x.data for x in xs), tuple(xs), [1.0] * len(xs))


def linear(x: Sequence[Value], w: Sequence[Sequence[Value]]) -> list[Value]:
    return [total([mul(wi, xi) for wi, xi in zip(row, x, strict=True)]) for row in w]


def softmax(logits: Sequence[Value]) -> list[Value]:
    m = max(v.data for v in logits)
    exps = [exp(add(v, const(-m))) for v in logits]
    s = total(exps)
    inv = power(s, -1.0)
    return [mul(e, inv) for e in exps]


def rmsnorm(x: Sequence[Value]) -> list[Value]:
    ms = mul(total([mul(xi, xi) for xi in x]), const(1.0 / len(x)))
    scale = power(add(ms, const(1e-5)), -0.5)
    return [mul(xi, scale) for xi in x]


def program(x: Sequence[Any], w1: Sequence[Sequence[Any]], w2: Sequence[Sequence[Any]], target: int,
            ops: dict[str, Callable[..., Any]]) -> Any:
    """rmsnorm → linear → relu → linear → softmax → −log p_target, with the given ops."""
    h = [ops["relu"](v) for v in ops["linear"](ops["rmsnorm"](x), w1)]
    probs = ops["softmax"](ops["linear"](h, w2))
    return ops["neglog"](probs[target])


MICROGPT = {"relu": relu, "linear": linear, "rmsnorm": rmsnorm, "softmax": softmax,
            "neglog": lambda p: mul(log(p), const(-1.0))}


def _ours_linear(x: Sequence[Any], w: Sequence[Sequence[Any]]) -> list[Any]:
    return [autograd.dot(row, x) for row in w]


OURS = {"relu": lambda v: v.relu(), "linear": _ours_linear,
        "rmsnorm": lambda x: [xi * (sum(v * v for v in x) / len(x) + 1e-5) ** -0.5 for xi in x],
        "softmax": lambda z: [e / sum(e2 for e2 in [(v - max(u.data for u in z)).exp() for v in z])
                              for e in [(v - max(u.data for u in z)).exp() for v in z]],
        "neglog": lambda p: -p.log()}


def _torch_softmax(z: Sequence[Any]) -> list[Any]:
    m = max(float(v.detach()) for v in z)
    es = [(v - m).exp() for v in z]
    s = sum(es[1:], es[0])
    return [e / s for e in es]


TORCH = {"relu": lambda v: v.relu(), "linear": lambda x, w: [sum((wi * xi for wi, xi in zip(row, x, strict=True)),
                                                                   torch.tensor(0.0, dtype=torch.float64))
                                                               for row in w],
         "rmsnorm": lambda x: [xi * (sum(v * v for v in x) / len(x) + 1e-5) ** -0.5 for xi in x],
         "softmax": _torch_softmax, "neglog": lambda p: -p.log()}


def _weights(rng: random.Random) -> tuple[list[float], list[list[float]], list[list[float]], int]:
    return ([rng.uniform(-2, 2) for _ in range(4)], [[rng.uniform(-1, 1) for _ in range(4)] for _ in range(5)],
            [[rng.uniform(-1, 1) for _ in range(5)] for _ in range(3)], rng.randrange(3))


def _run(kind: dict[str, Any], make: Callable[[float], Any], x: list[float], w1: list[list[float]],
         w2: list[list[float]], t: int) -> tuple[Any, list[Any]]:
    xs, a, b = [make(v) for v in x], [[make(v) for v in r] for r in w1], [[make(v) for v in r] for r in w2]
    return program(xs, a, b, t, kind), [*xs, *(p for r in a for p in r), *(p for r in b for p in r)]


@pytest.mark.parametrize("seed", range(25))
def test_a_microgpt_program_gets_the_gradients_of_our_ops_and_of_torch(seed: int) -> None:
    x, w1, w2, t = _weights(random.Random(seed))
    loss, leaves = _run(MICROGPT, Value, x, w1, w2, t)
    loss.backward()
    ref, ref_leaves = _run(OURS, Value, x, w1, w2, t)
    ref.backward()
    tl, t_leaves = _run(TORCH, lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True), x, w1, w2, t)
    tl.backward()
    assert loss.data == pytest.approx(ref.data, rel=1e-12) == pytest.approx(float(tl.detach()), rel=1e-12)
    for ours, plain, th in zip(leaves, ref_leaves, t_leaves, strict=True):
        want = 0.0 if th.grad is None else float(th.grad)
        assert ours.grad == pytest.approx(plain.grad, rel=1e-9, abs=1e-12)
        assert ours.grad == pytest.approx(want, rel=1e-9, abs=1e-12)


def test_grad_forward_mode_gradcheck_and_check_graph_work_on_microgpt_nodes() -> None:
    def f(a: Value, b: Value) -> Value:
        return mul(add(a, exp(b)), log(b))

    a, b = Value(0.7), Value(1.3)
    y = f(a, b)
    want = [math.log(1.3), math.exp(1.3) * math.log(1.3) + (0.7 + math.exp(1.3)) / 1.3]  # by hand
    assert grad(y, [a, b]) == pytest.approx(want, rel=1e-14)
    assert jvp(f, (0.7, 1.3), (0.0, 1.0))[1] == pytest.approx(want[1], rel=1e-14)
    assert gradcheck(f, [0.7, 1.3])
    assert check_graph(y)


def test_gradcheck_names_a_microgpt_node_with_a_wrong_local_derivative() -> None:
    def f(a: Value, b: Value) -> Value:
        return Value(a.data * b.data, (a, b), (b.data, a.data + 1.0))  # ∂/∂b should be a

    with pytest.raises(AssertionError, match=r"First wrong node.*local_grads(.|\n)*∂/∂b: expected 2, recorded 3"):
        gradcheck(f, [2.0, 3.0])


def test_microgpt_nodes_draw_explain_copy_and_expose_microgpt_attributes() -> None:
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    y = mul(add(a, b), b)
    y.backward()
    assert (a.grad, b.grad) == (3.0, 8.0)
    assert y._children == (y._prev[0], b) and y._local_grads == (3.0, 5.0)
    assert y._op == "local_grads" and "local_grads" in draw_dot(y).source
    assert "∂v" in str(explain(y)) or "∂L" in str(explain(y))
    assert copy.deepcopy(y).data == 15.0
    # microgpt's own backward loop runs on our nodes unchanged
    y.zero_grad()
    topo = users_topo(y)  # micrograd's and microgpt's recursive topological sort (_children is _prev)
    assert all(v._children == v._prev for v in topo)
    y.grad = 1.0
    for v in reversed(topo):
        for child, local in zip(v._children, v._local_grads, strict=True):
            child.grad += local * v.grad
    assert (a.grad, b.grad) == (3.0, 8.0)


def test_microgpt_nodes_mix_with_our_ops() -> None:
    a = Value(0.5)
    y = exp(a.tanh() * 2.0).sin()  # ours → microgpt → ours
    y.backward()
    t = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    (t.tanh() * 2.0).exp().sin().backward()
    assert a.grad == pytest.approx(float(t.grad), rel=1e-14)


def test_second_derivatives_through_a_microgpt_node_are_refused_not_zero() -> None:
    a = Value(1.5)
    with pytest.raises(TypeError, match=r"microgpt's way.*cannot be differentiated again"):
        grad(mul(a, a), a, create_graph=True)
    with pytest.raises(TypeError, match="microgpt's way"):
        hessian(lambda x: mul(x, x))(1.5)


def test_micrograds_form_keeps_working() -> None:
    a = Value(0.3)
    out = Value(math.tanh(a.data), (a,), "tanh")
    out._backward = lambda: setattr(a, "grad", a.grad + (1 - out.data ** 2) * out.grad)
    out.backward()
    assert out._op == "tanh" and a.grad == pytest.approx(1 - math.tanh(0.3) ** 2)


@pytest.mark.parametrize(("children", "third", "error", "match"), [
    (1, (1.0, 2.0), TypeError, r"op 'local_grads' returned 2 derivative\(s\) for 1 input\(s\)"),
    (2, (1.0,), TypeError, r"returned 1 derivative\(s\) for 2 input\(s\)"),
    (1, ("1",), TypeError, r"op 'local_grads': its derivative returned '1' of type str, not a real number"),
    (1, (True,), TypeError, "returned True of type bool, not a real number"),
    (1, (None,), TypeError, "returned None"),
    (1, (complex(1, 1),), TypeError, "of type complex, not a real number"),
    (2, (1.0, "Value"), TypeError, "returned 'Value' of type str"),
    (1, (10 ** 400,), OverflowError, r"op 'local_grads': its derivative returned: 1000.*does not fit in a float"),
    (1, {0: 1.0}, TypeError, "microgpt's local_grads"),
    (1, 3.0, TypeError, "microgpt's local_grads"),
    (0, (1.0,), TypeError, r"returned 1 derivative\(s\) for 0 input\(s\)"),
])
def test_anything_but_one_real_number_per_child_is_refused_clearly(children: int, third: Any, error: type,
                                                                   match: str) -> None:
    kids = tuple(Value(float(i)) for i in range(children))
    with pytest.raises(error, match=match):
        Value(1.0, kids, third)


def test_a_node_as_a_local_derivative_says_to_pass_its_number() -> None:
    a = Value(2.0)
    with pytest.raises(TypeError, match=r"given floats .* but returned a Value.*use \.data"):
        Value(4.0, (a,), (a,))  # type: ignore[arg-type]


def test_numpy_numbers_and_lists_are_accepted() -> None:
    np = pytest.importorskip("numpy")
    a, b = Value(2.0), Value(3.0)
    y = Value(6.0, [a, b], [np.float64(3.0), np.int64(2)])
    y.backward()
    assert (a.grad, b.grad) == (3.0, 2.0) and type(y._local_grads[1]) is float
    assert Value(1.0, (), ()).is_leaf
