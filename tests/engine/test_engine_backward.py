"""``backward()``: repeated calls, reuse, zero_grad, detach, no_grad, depth, and no reference cycles."""

from __future__ import annotations

import gc
import math
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import example, given, settings

import autograd
from autograd import Value, is_grad_enabled, no_grad
from tests.support.trees import NAMES, Tree, build, points, trees

ROOT = Path(__file__).resolve().parents[2]


def cube(x: Value) -> tuple[Value, Value]:
    """y = x·x·x, and the interior node x·x."""
    xx = x * x
    return xx * x, xx


# ---------------------------------------------------------------------------------------------
# Repeated backward: leaves accumulate, interior nodes are recomputed.


def test_two_backward_calls_on_x_cubed_give_54() -> None:
    """y = x³, ∂y/∂x = 3x² = 27 at x = 3; two calls accumulate in the leaf: 54 (micrograd: 72)."""
    x = Value(3.0)
    y, xx = cube(x)
    y.backward()
    assert x.grad == 3 * 3.0**2
    assert xx.grad == 3.0  # ∂y/∂(xx) = x
    y.backward()
    assert x.grad == 2 * 3 * 3.0**2 == 54.0
    assert xx.grad == 3.0  # recomputed, not accumulated
    assert y.grad == 1.0


def test_backward_from_a_sub_expression_then_from_the_root() -> None:
    """z = x·w, L = z + x. z.backward(): x.grad = w. L.backward(): x.grad += ∂L/∂x = w + 1.
    The interior node z is recomputed: ∂L/∂z = 1, not 1 + its old value."""
    x, w = Value(2.0), Value(5.0)
    z = x * w
    loss = z + x
    z.backward()
    assert (x.grad, w.grad) == (5.0, 2.0)
    loss.backward()
    assert (x.grad, w.grad) == (5.0 + 6.0, 2.0 + 2.0)
    assert z.grad == 1.0


def test_backward_seed_scales_every_gradient() -> None:
    """backward(grad=g) seeds ∂L/∂y = g: y = x²·w gives x.grad = g·2xw, w.grad = g·x²."""
    x, w = Value(1.5), Value(-2.0)
    y = x * x * w
    y.backward(grad=2.0)
    assert y.grad == 2.0
    assert x.grad == 2.0 * 2 * 1.5 * -2.0
    assert w.grad == 2.0 * 1.5**2
    y.backward(3)
    assert x.grad == 5.0 * 2 * 1.5 * -2.0


def test_backward_on_a_leaf_adds_the_seed() -> None:
    """∂x/∂x = 1; a leaf accumulates like any leaf."""
    x = Value(4.0)
    x.backward()
    assert x.grad == 1.0
    x.backward(grad=2.5)
    assert x.grad == 3.5


def test_gradients_are_floats_even_for_integer_data() -> None:
    a, b = Value(3), Value(2)
    y = a * b + a**2
    y.backward()
    assert type(a.grad) is float and type(b.grad) is float and type(y.data) is float
    assert (a.grad, b.grad) == (2.0 + 6.0, 3.0)


# ---------------------------------------------------------------------------------------------
# Reuse: a node used several times gets the sum of its paths.


def test_x_times_x_and_a_plus_a() -> None:
    """y = x·x: ∂y/∂x = 2x. y = a + a: ∂y/∂a = 2; both record the parent twice."""
    x = Value(-1.5)
    y = x * x
    assert y._prev == (x, x)
    y.backward()
    assert x.grad == 2 * -1.5
    a = Value(0.25)
    s = a + a
    assert s._prev == (a, a)
    s.backward()
    assert a.grad == 2.0


def test_a_shared_interior_node_waits_for_all_its_consumers() -> None:
    """u = eˣ, w = u·u + u: ∂w/∂u = 2u + 1, ∂w/∂x = (2u + 1)·u (u is reached by paths of different length)."""
    for x0 in (-1.0, 0.0, 0.7):
        x = Value(x0)
        u = x.exp()
        w = u * u + u
        w.backward()
        e = math.exp(x0)
        assert math.isclose(u.grad, 2 * e + 1, rel_tol=1e-15)
        assert math.isclose(x.grad, (2 * e + 1) * e, rel_tol=1e-15)


def test_diamond() -> None:
    """a = 2x, b = 3x, y = a·b = 6x²: ∂y/∂x = 12x."""
    x = Value(1.25)
    y = (x * 2) * (x * 3)
    y.backward()
    assert x.grad == 12 * 1.25


# ---------------------------------------------------------------------------------------------
# zero_grad, detach, no_grad.


def test_zero_grad_resets_every_node_of_the_graph() -> None:
    x, w = Value(2.0), Value(-1.0)
    y, xx = cube(x)
    loss = y * w
    loss.backward()
    assert x.grad != 0 and w.grad != 0 and xx.grad != 0
    loss.zero_grad()
    assert all(v.grad == 0.0 for v in autograd.walk(loss))
    assert {id(v) for v in autograd.walk(loss)} >= {id(x), id(w), id(xx), id(y), id(loss)}
    loss.backward()
    assert x.grad == 3 * 2.0**2 * -1.0  # one call's worth again


def test_detach_cuts_the_graph() -> None:
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    d = y.detach()
    assert d.data == 9.0 and d.label == "y" and d.is_leaf and d._prev == () and d._op == ""
    z = d * x  # ∂z/∂x = d (not 3x², the path through y is cut)
    z.backward()
    assert x.grad == 9.0 and d.grad == 3.0 and y.grad == 0.0


def test_no_grad_records_no_parents_and_nests() -> None:
    x = Value(2.0)
    assert is_grad_enabled()
    with no_grad():
        assert not is_grad_enabled()
        with no_grad():
            inner = x * 3
        assert not is_grad_enabled()  # leaving the inner block keeps the outer one off
        outer = x.exp() + 1
    assert is_grad_enabled()
    for v in (inner, outer):
        assert v.is_leaf and v._prev == () and v._op == ""
    assert inner.data == 6.0 and outer.data == math.exp(2.0) + 1
    y = inner * x  # ∂y/∂x = inner = 6, no path through inner
    y.backward()
    assert x.grad == 6.0 and not y.is_leaf


def test_no_grad_as_a_decorator_and_after_an_exception() -> None:
    @no_grad()
    def predict(v: Value) -> Value:
        assert not is_grad_enabled()
        return v * 2

    assert predict(Value(1.0)).is_leaf
    assert is_grad_enabled()
    with pytest.raises(RuntimeError), no_grad():
        raise RuntimeError("boom")
    assert is_grad_enabled()
    assert not (Value(1.0) * 2).is_leaf


@pytest.mark.parametrize("worker_inside", [True, False], ids=["worker-in-no_grad", "main-in-no_grad"])
def test_no_grad_in_one_thread_does_not_affect_another(worker_inside: bool) -> None:
    entered, checked = threading.Event(), threading.Event()
    seen: dict[str, bool] = {}

    def record(who: str) -> None:
        y = Value(2.0) * Value(3.0)
        seen[who] = not y.is_leaf and is_grad_enabled()

    def worker() -> None:
        if worker_inside:
            with no_grad():
                entered.set()
                checked.wait(10)
                record("worker")
        else:
            entered.wait(10)
            record("worker")
            checked.set()

    thread = threading.Thread(target=worker)
    thread.start()
    if worker_inside:
        assert entered.wait(10)
        record("main")
        checked.set()
    else:
        with no_grad():
            entered.set()
            assert checked.wait(10)
            record("main")
    thread.join(10)
    assert seen == {"worker": not worker_inside, "main": worker_inside}
    assert is_grad_enabled()
    record("after")
    assert seen["after"]


# ---------------------------------------------------------------------------------------------
# Depth: no recursion, no change to the recursion limit.


def test_chain_a_million_nodes_deep() -> None:
    """y ← 1.0001·y + 0.0001, N times from y = x: y = (x + 1)·1.0001ᴺ − 1 and ∂y/∂x = 1.0001ᴺ.

    Each step records two nodes (the numbers are op constants), so N = 500,000 is 10⁶ nodes deep.
    Rounding adds about one ulp per step: the relative error stays below N·2⁻⁵³ ≈ 6e-11."""
    limit = sys.getrecursionlimit()
    n = 500_000
    x = Value(1.0)
    y = x
    for _ in range(n):
        y = y * 1.0001 + 0.0001
    depth, v = 0, y
    while v._prev:
        v, depth = v._prev[0], depth + 1
    assert v is x and depth == 2 * n
    y.backward()
    assert math.isclose(x.grad, 1.0001**n, rel_tol=1e-9)
    assert math.isclose(y.data, 2.0 * 1.0001**n - 1.0, rel_tol=1e-9)
    assert sys.getrecursionlimit() == limit
    y.backward()
    assert math.isclose(x.grad, 2 * 1.0001**n, rel_tol=1e-9)
    del y, v


def test_builtin_sum_of_100k_terms() -> None:
    """L = Σ w_i·x_i (built-in sum: a chain of 10⁵ additions): ∂L/∂x_i = w_i, ∂L/∂w_i = x_i."""
    limit = sys.getrecursionlimit()
    n = 100_000
    xs = [Value(i / n) for i in range(n)]
    ws = [Value(1.0 - 2.0 * (i % 2)) for i in range(n)]
    loss = sum(w * x for w, x in zip(ws, xs, strict=True))
    assert isinstance(loss, Value)
    loss.backward()
    assert all(x.grad == w.data for x, w in zip(xs, ws, strict=True))
    assert all(w.grad == x.data for x, w in zip(xs, ws, strict=True))
    assert sys.getrecursionlimit() == limit


DELETE_DEEP_GRAPH = """
import sys
from autograd import Value
x = Value(0.5)
y = x
for _ in range(500_000):
    y = y * 1.0001 + 0.0001
y.backward()
del y  # frees 10**6 nodes, each the only owner of the next
z = x
for _ in range(10**6):
    z = z.tanh()
del z  # and a chain that never ran backward
print("deleted", sys.getrecursionlimit())
"""


def test_deleting_a_million_deep_graph_does_not_crash() -> None:
    """Run in a child process so that a crash (stack overflow in deallocation) fails this test."""
    done = subprocess.run([sys.executable, "-c", DELETE_DEEP_GRAPH], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["deleted", str(sys.getrecursionlimit())]


# ---------------------------------------------------------------------------------------------
# No reference cycles: a graph is freed by reference counting alone.


def values_in_cycles(build: Callable[[], object]) -> list[Value]:
    """The Values that only the cyclic collector could free after ``build()`` ran and returned.

    The collector is off while ``build`` runs; one collection with ``DEBUG_SAVEALL`` then keeps
    what it found in ``gc.garbage`` instead of freeing it, so we can look at it.
    """
    gc.collect()
    was_enabled, flags = gc.isenabled(), gc.get_debug()
    gc.disable()
    try:
        build()
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        found = [o for o in gc.garbage if isinstance(o, Value)]
    finally:
        gc.garbage.clear()
        gc.set_debug(flags)
        if was_enabled:
            gc.enable()
    return found


def every_op_graph() -> Value:
    x, w = Value(0.7, label="x"), Value(-1.3, label="w")
    parts = [
        x + w, x - w, x * w, x / w, x**2, x**w, 2 - x, 1 / x, 2**x, -x, x + 1, x * 3, x / 4, x - 5,
        x.exp(), x.log(), x.tanh(), x.sigmoid(), w.relu(), w.leaky_relu(0.2), w.abs(), x.sqrt(), x.sin(),
        x.cos(), autograd.dot([x, w], [w, x], 1.0), x.detach() * x,
    ]
    loss = autograd.sum(parts) + sum(parts)
    loss.backward()
    loss.zero_grad()
    loss.backward()
    loss._backward()  # micrograd's per-node step, too
    return loss


def closure_node_graph() -> Value:
    """micrograd's way: ``out._backward`` is a closure that refers to ``out`` — a reference cycle."""
    x = Value(0.5)
    out = Value(x.data * 2, (x,), "double")

    def _backward() -> None:
        x.grad += 2 * out.grad

    out._backward = _backward
    out.backward()
    assert x.grad == 2.0
    return out


def test_a_graph_with_every_op_leaves_no_cyclic_garbage() -> None:
    assert values_in_cycles(every_op_graph) == []
    assert values_in_cycles(lambda: [Value(float(i)) * 2 + 1 for i in range(1000)]) == []


def test_the_cycle_check_finds_a_micrograd_style_closure() -> None:
    """The check above can fail: a closure that captures its own node is found."""
    found = values_in_cycles(closure_node_graph)
    assert any(v._op == "double" for v in found)


def test_a_graph_is_freed_by_reference_counting() -> None:
    """When the last reference to the root goes, every node's reference count drops at once."""
    x = Value(1.5)
    before = sys.getrefcount(x)
    gc.disable()
    try:
        loss = every_op_graph() * x
        loss.backward()
        assert sys.getrefcount(x) > before
        del loss
        assert sys.getrefcount(x) == before
    finally:
        gc.enable()


# ---------------------------------------------------------------------------------------------
# reference_backward: the readable walk is the specification; backward() must equal it bit for bit


def _bits(x: float) -> tuple[bool, float, float]:
    """A float's identity for comparison: NaN equals NaN, and +0.0 differs from −0.0."""
    return (math.isnan(x), 0.0 if math.isnan(x) else x, math.copysign(1.0, x))


def _both_ways(make: Callable[[], tuple[Value, list[Value]]], seed: float = 1.0) -> None:
    from autograd.backprop import reference_backward

    (y1, leaves1), (y2, leaves2) = make(), make()
    for v in leaves1 + leaves2:  # leaves accumulate: start them from the same non-zero gradient
        v.grad = 0.25
    y1.backward(seed)
    reference_backward(y2, seed)
    got = [_bits(v.grad) for v in autograd.walk(y1)]
    want = [_bits(v.grad) for v in autograd.walk(y2)]
    assert got == want


@settings(max_examples=300, deadline=None)
@given(trees, points)
@example(  # a linear node whose weights and inputs are the same leaf: the order of its += decides the last bit
    ("op", 52, ("op", 15, ("var", "x")), ("var", "x"), ("var", "x"), ("var", "x"), ("var", "y")), (0.5, 0.40625, 0.0))
def test_backward_equals_reference_backward_bit_for_bit_on_random_graphs(tree: Tree, point: tuple[float, ...]) -> None:
    def make() -> tuple[Value, list[Value]]:
        env = {n: Value(x, label=n) for n, x in zip(NAMES, point, strict=True)}
        try:
            root = build(tree, False, env, [])
        except (OverflowError, ValueError, ZeroDivisionError):
            root = env["x"] * 1.0
        return root * root + env["x"], list(env.values())  # fan-in at the root as well

    _both_ways(make)


def test_backward_equals_reference_backward_on_fused_nodes_zero_and_nonfinite_seeds() -> None:
    import nn

    def make() -> tuple[Value, list[Value]]:
        model = nn.MLP(3, [4, 4, 1], seed=3)
        xs = [Value(0.5), Value(-1.5), Value(2.0)]
        out = model(xs) + model([1.0, 2.0, -3.0])  # linear over nodes and linear_c over numbers
        return out.relu() * 2.0, xs + model.parameters()

    for seed in (1.0, 0.0, -0.0, math.inf, math.nan):
        _both_ways(make, seed)


def test_reference_backward_is_short_and_at_the_top_of_backprop() -> None:
    import inspect

    from autograd import backprop

    assert len(inspect.getsource(backprop.reference_backward).splitlines()) < 30
    lines = inspect.getsource(backprop).splitlines()
    defs = [i for i, line in enumerate(lines) if line.startswith("def ")]
    assert lines[defs[0]].startswith("def reference_backward("), "reference_backward is the first function"


def test_the_observed_walk_adds_in_backwards_order_too() -> None:
    """With a hook in the graph backward() takes the observed walk; a leaf that is both a weight and an input of
    one linear node must still get the same last bit (the pinned example of the reference test)."""
    tree = ("op", 52, ("op", 15, ("var", "x")), ("var", "x"), ("var", "x"), ("var", "x"), ("var", "y"))

    def run(hooked: bool) -> list[tuple[bool, float, float]]:
        env = {n: Value(v, label=n) for n, v in zip(NAMES, (0.5, 0.40625, 0.0), strict=True)}
        root = build(tree, False, env, [])
        y = root * root + env["x"]
        handle = y.register_hook(lambda g: None) if hooked else None
        for leaf in env.values():
            leaf.grad = 0.25  # as in _both_ways: the order of the += then shows in the last bit
        y.backward()
        if handle is not None:
            handle.remove()
        return [_bits(v.grad) for v in env.values()]

    assert run(True) == run(False)
