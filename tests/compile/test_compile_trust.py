"""autograd.compile never gives a number that ``fn(*args).backward()`` would not give (issue 25).

Each test here failed on the compiler before the fix it names: list arguments bound by index,
integer arguments as program keys, hooks refused, anomaly mode run eagerly, the structure guard
on every call, ``.data`` reads guarded or refused, and fit(compile=True)'s divergence check.
"""

from __future__ import annotations

import math

import pytest

import autograd
import nn
from autograd import TraceError, Value
from autograd.modes import AnomalyError, detect_anomaly
from nn.train import DivergedError
from tests.support.compiled import same_as_eager


# -- list arguments: every element bound by its index ------------------------------------------------
def test_a_reversed_list_argument_is_bound_by_index() -> None:
    m = nn.MLP(3, [2, 1], seed=0)
    f = lambda x: m(x[::-1])
    step = autograd.compile(f, [1.0, 1.0, 1.0], check=0)
    same_as_eager(step, f, [[3.0, 5.0, 7.0]], m.parameters())


def test_elements_used_out_of_order_are_bound_by_index() -> None:
    w = Value(0.5, label="w")
    f = lambda x: w * x[2] * (x[0] + x[1])
    step = autograd.compile(f, [1.0, 1.0, 1.0], check=0)
    assert step([2.0, 3.0, 7.0]) == 0.5 * 7.0 * 5.0 and w.grad == 35.0


def test_an_unused_element_leaves_the_step_callable() -> None:
    w = Value(2.0, label="w")
    f = lambda x: w * x[1]
    step = autograd.compile(f, [1.0, 1.0, 1.0], check=0)
    assert step([5.0, 3.0, 9.0]) == 6.0 and w.grad == 3.0
    with pytest.raises(TypeError, match=r"argument"):
        step([5.0, 3.0, "9"])  # an unused element is still checked, as Value() would


# -- integer arguments are inputs of the program ---------------------------------------------------------
def test_a_class_index_argument_is_not_frozen() -> None:
    m = nn.MLP(3, [4, 3], seed=1)
    f = lambda x, t: nn.cross_entropy(m(x), t)
    step = autograd.compile(f, [0.1, 0.2, 0.3], 0, check=0)
    for t in (0, 1, 2, 1, 0):
        same_as_eager(step, f, [[0.3, -0.2, 0.5], t], m.parameters())


def test_a_float_read_with_data_by_the_user_is_a_program_key() -> None:
    w = Value(0.5, label="w")
    f = lambda x: w * x.data  # the number, not the node: eager gives ∂/∂w = x and no gradient to x
    step = autograd.compile(f, 2.0, check=0)
    assert step(2.0) == 1.0 and step(3.0) == 1.5 and w.grad == 5.0


# -- hooks ---------------------------------------------------------------------------------------------------
def test_a_hook_inside_the_function_is_refused_naming_the_node() -> None:
    w = Value(0.5, label="w")

    def f(x: Value) -> Value:
        h = (w * x).tanh()
        h.label = "hidden"
        h.register_hook(lambda g: 2 * g)
        return h * 3.0

    with pytest.raises(TraceError, match=r"'hidden'.*gradient hook"):
        autograd.compile(f, 1.0, check=0)


@pytest.mark.parametrize("calls_before", [0, 3])
def test_a_hook_on_a_parameter_added_after_compiling_is_refused(calls_before: int) -> None:
    w = Value(0.5, label="w")
    step = autograd.compile(lambda x: w * x, 1.0, check=0)
    for _ in range(calls_before):  # after the first calls a single call takes the fast path: attacked too
        step(2.0)
    w.grad = 0.0
    handle = w.register_hook(lambda g: 10 * g)
    try:
        with pytest.raises(TraceError, match=r"'w'.*gradient hook"):
            step(2.0)
        assert w.grad == 0.0
    finally:
        handle.remove()
    assert step(2.0) == 1.0 and w.grad == 2.0


# -- anomaly mode ----------------------------------------------------------------------------------------------
def test_anomaly_mode_reports_what_the_eager_pass_reports() -> None:
    w = Value(0.0, label="w")
    f = lambda x: (w * x).sqrt() * 0.0  # finite forward; backward passes 0 · ∞ = NaN
    step = autograd.compile(f, 1.0, check=0)
    with detect_anomaly(), pytest.raises(AnomalyError) as compiled:
        step(1.0)
    w.grad = 0.0
    with detect_anomaly(), pytest.raises(AnomalyError) as eager_error:
        f(Value(1.0)).backward()
    assert str(compiled.value).split(" at ")[0] == str(eager_error.value).split(" at ")[0]
    assert "sqrt" in str(compiled.value)


# -- a stale program -----------------------------------------------------------------------------------------
def test_replacing_a_weight_object_is_seen_on_the_next_call() -> None:
    m = nn.MLP(2, [3, 1], seed=2)
    f = lambda x: m(x)
    step = autograd.compile(f, [1.0, 2.0], check=1)
    step([1.0, 2.0])
    step([1.0, 2.0])
    m.layers[0].neurons[0].w[0] = Value(5.0)
    m.zero_grad()
    same_as_eager(step, f, [[1.0, 2.0]], m.parameters())
    assert any(p.data == 5.0 for p in step.params)


def test_appending_a_layer_is_seen_on_the_next_call() -> None:
    m = nn.MLP(2, [3, 1], seed=2)
    f = lambda x: autograd.sum(m.forward(x))
    step = autograd.compile(f, [1.0, 2.0], check=0)
    step([1.0, 2.0])
    m.layers.append(nn.Layer(1, 2, seed=3))
    m.zero_grad()
    same_as_eager(step, f, [[1.0, 2.0]], m.parameters())


def test_a_data_branch_in_user_code_is_refused_naming_the_line() -> None:
    w = Value(0.5, label="w")

    def f(x: list[Value]) -> Value:
        z = w * x[0]
        if z.data > 0:  # the line the error names
            return z
        return -z

    with pytest.raises(TraceError, match=r"test_compile_trust\.py:\d+: if z\.data > 0"):
        autograd.compile(f, [1.0], check=0)


# -- fit(compile=True) ------------------------------------------------------------------------------------------
def test_fit_compiled_raises_diverged_error_as_eager_does() -> None:
    X, y = nn.moons(40, 0.1, seed=0, signed=True)
    errors = []
    for flag in (False, True):
        model = nn.MLP(2, [8, 8, 1], seed=0)
        with pytest.raises(DivergedError) as e:
            nn.fit(model, X, y, loss="hinge", lr=1e300, epochs=5, loss_tol=1e-9, compile=flag)
        errors.append((str(e.value), [p.data for p in model.parameters()]))
    assert errors[0][0] == errors[1][0] and "diverged" in errors[0][0]
    for _, weights in errors:  # left as they were at that update: finite, not NaN
        assert all(math.isfinite(w) for w in weights)


def test_a_loss_checking_its_labels_does_not_make_the_target_a_program_key() -> None:
    """hinge's label check reads plain-number targets only: a traced target (a node) is part of the graph, so
    the per-sample moons step keeps one program for labels +1 and −1 (reading it made two, 4× slower)."""
    import nn

    model = nn.MLP(2, [4, 1], seed=0)
    step = autograd.compile(lambda x, t: nn.hinge(model(x), t), [0.5, -0.5], 1.0)
    rows = [([0.1 * k, -0.2 * k], 1.0 if k % 2 else -1.0) for k in range(10)]
    step.many(rows)
    assert len(step._programs) == 1
    eager = nn.MLP(2, [4, 1], seed=0)
    for x, t in rows:
        nn.hinge(eager(x), t).backward()
    model.zero_grad()
    step.many(rows)
    assert [p.grad for p in model.parameters()] == [p.grad for p in eager.parameters()]
