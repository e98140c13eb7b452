"""autograd.compile: the compiled step gives backward()'s floats, refuses what it cannot trace, names nodes."""

from __future__ import annotations

import io
import math
import struct
import sys
import threading
import tokenize
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import TraceError, Value
from autograd.custom import op
from tests.support.trees import CASES, NAMES, SAFE, Tree, points, trees


def bits(x: float) -> bytes:
    return b"nan" if math.isnan(x) else struct.pack("<d", x)


def eager_grads(fn: Any, args: list[Any], params: list[Value], seed: float = 1.0) -> tuple[float, list[float]]:
    """fn's value and seed·∂fn/∂p by backward(), added onto zeroed gradients."""
    for p in params:
        p.grad = 0.0
    wrapped = [[Value(x) for x in a] if isinstance(a, list) else Value(a) for a in args]
    root = fn(*wrapped)
    root.backward(seed)
    return root.data, [p.grad for p in params]


def test_the_notes_network_gives_backwards_gradients_bit_for_bit() -> None:
    model = nn.note_model()
    params = model.parameters()
    fn = lambda x, t: nn.half_sse(model(x), t)
    step = autograd.compile(fn, [1.0, 0.5], 1.0, params=model.named_parameters())
    value, expected = eager_grads(fn, [[1.0, 0.5], 1.0], params)
    for p in params:
        p.grad = 0.0
    assert bits(step([1.0, 0.5], 1.0)) == bits(value)
    assert [bits(p.grad) for p in params] == [bits(g) for g in expected]
    assert value == pytest.approx(0.5 * (1.0 - 0.8) ** 2)  # the note's first error, E = ½ (t − y)²


def test_moons_rows_match_consecutive_backward_calls_bit_for_bit() -> None:
    X, y = nn.moons(40, 0.1, seed=3, signed=True)
    model = nn.MLP(2, [16, 16, 1], seed=1)
    fn = lambda x, t: nn.hinge(model(x), t)
    step = autograd.compile(fn, X[0], float(y[0]))
    params = model.parameters()
    assert set(map(id, step.params)) == set(map(id, params))  # the default: the leaves from before the call
    model.zero_grad()
    values = step.many([(x, float(t)) for x, t in zip(X, y, strict=True)], seed=1 / 40)
    compiled = [p.grad for p in params]
    model.zero_grad()
    eager = []
    for x, t in zip(X, y, strict=True):
        root = fn(x, t)
        root.backward(1 / 40)
        eager.append(root.data)
    assert [bits(v) for v in values] == [bits(v) for v in eager]
    assert [bits(g) for g in compiled] == [bits(p.grad) for p in params]
    assert any(compiled) and any(v == 0.0 for v in values)  # both kinds of rows: hinge active and not


def test_fit_with_compile_trains_as_the_eager_fit() -> None:
    X, y = nn.moons(60, 0.1, seed=0, signed=True)
    runs = []
    for flag in (False, True):
        model = nn.MLP(2, [8, 8, 1], seed=0)
        h = nn.fit(model, X, y, loss="hinge", lr=0.5, epochs=5, l2=1e-4, batch_size=20, seed=1, compile=flag)
        runs.append((h, [p.data for p in model.parameters()]))
    (h0, w0), (h1, w1) = runs
    assert h1.loss == pytest.approx(h0.loss, rel=1e-12) and h1.accuracy == h0.accuracy
    assert max(abs(a - b) for a, b in zip(w0, w1, strict=True)) < 1e-12


def test_fit_with_compile_on_the_note_and_a_sum_loss() -> None:
    X, T = nn.note_example()
    results = []
    for flag in (False, True):
        model = nn.note_model()
        h = nn.fit(model, X, T, lr=1.0, epochs=20, compile=flag)
        results.append((h.loss, [p.data for p in model.parameters()]))
    assert results[1][0] == pytest.approx(results[0][0], rel=1e-12)
    assert results[1][1] == pytest.approx(results[0][1], rel=1e-12)


def test_the_main_job_runs_compiled(tmp_path: Any, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import nn.jobs.note as job

    monkeypatch.setattr(job, "_write_outputs", lambda run, args: None)  # drawing is tested elsewhere
    assert job.main(["--dataset", "moons", "--compile", "--epochs", "3", "--quiet", "--out", str(tmp_path)]) == 0
    assert "stopped after 3 epoch(s)" in capsys.readouterr().out


def plain_build(tree: Tree, env: dict[str, Any]) -> Any:
    """``build`` of the engine's property tests without its kink bookkeeping (which reads ``.data``)."""
    if tree[0] == "var":
        return env[tree[1]]
    case = CASES[tree[1]]
    args = [plain_build(t, env) for t in tree[2:]]
    return case.build(*[a * a + 1 if k in SAFE else a for a, k in zip(args, case.kinds, strict=True)])


@settings(max_examples=600, deadline=None)
@given(trees, points, st.permutations(range(3)), st.integers(0, 3))
def test_random_programs_compile_to_backwards_floats(tree: Tree, point: tuple[float, ...], order: list[int],
                                                     n_params: int) -> None:
    """600 random programs: the first ``n_params`` variables are parameters, the others elements of a
    list argument in a random order (bound by index); value and gradients equal backward()'s bit for
    bit, at the traced point and at a second one."""
    leaves = {name: Value(x, label=name) for name, x in zip(NAMES, point, strict=True)}
    params = [leaves[n] for n in NAMES[:n_params]]

    def fn(s: Value, xs: list[Value]) -> Value:
        env = {n: leaves[n] if k < n_params else xs[order[k]] for k, n in enumerate(NAMES)}
        return plain_build(tree, env) * s

    for shift in (0.0, 0.25):
        xs = [point[order.index(j)] + shift if order.index(j) >= n_params else 0.5 for j in range(3)]
        try:
            root = fn(Value(1.0), [Value(x) for x in xs])
        except (ArithmeticError, ValueError) as e:
            if shift == 0.0:
                with pytest.raises(type(e)):
                    autograd.compile(fn, 1.0, xs)
            return
        for p in params:
            p.grad = 0.0
        root.backward()
        expected = [p.grad for p in params]
        for p in params:
            p.grad = 0.0
        if shift == 0.0:
            step = autograd.compile(fn, 1.0, xs, check=0)
        assert bits(step(1.0, xs)) == bits(root.data)
        assert [bits(p.grad) for p in params] == [bits(g) for g in expected], tree


# -- tracing must never miscompile silently ------------------------------------------------------
w = Value(0.5, label="w")


def branchy(x: Value) -> Value:
    if x * w > 0:  # the line the error names
        return x * w
    return -x


def test_a_comparison_on_a_traced_value_names_the_line() -> None:
    with pytest.raises(TraceError, match=r"test_compile\.py:\d+: if x \* w > 0"):
        autograd.compile(branchy, 1.0)
    assert (Value(1.0) > 0) is True  # outside tracing comparisons work as before


@pytest.mark.parametrize("body", [lambda x: x * w if x else x, lambda x: max([x, x * w]), lambda x: x * w or x])
def test_bool_and_max_on_traced_values_are_refused(body: Any) -> None:
    with pytest.raises(TraceError, match="branch on a node"):
        autograd.compile(body, 1.0)


def test_a_number_read_from_data_of_a_parameter_is_refused_naming_the_line() -> None:
    with pytest.raises(TraceError, match=r"reads the number of a traced Value.*test_compile\.py:\d+: fn = lambda"):
        fn = lambda x: x * w.data  # w's number would be frozen: stale after the next update
        autograd.compile(fn, 2.0)


def test_a_python_number_from_outside_is_caught_by_check_and_named() -> None:
    state = {"scale": 1.0}  # not a container of a parameter: the structure guard does not watch it
    step = autograd.compile(lambda x: w * x * state["scale"], 2.0)
    assert step(2.0) == 1.0
    state["scale"] = 3.0
    with pytest.raises(TraceError, match=r"compile check: the compiled step gives 1.0 where the eager graph gives "
                                         r"3.0; fn builds another graph \(or other constants\)"):
        step(2.0)


def test_other_shapes_retrace() -> None:
    v = Value(2.0, label="v")
    step = autograd.compile(lambda xs: autograd.sum(xs) * v, [1.0, 2.0])
    assert step([1.0, 2.0, 3.0]) == 12.0 and "xs2" in step.source
    assert step([4.0]) == 8.0
    assert v.grad == 6.0 + 4.0  # the example itself was only traced, not run


def test_closures_and_ruleless_nodes_are_refused() -> None:
    a = Value(1.0)

    def closure(x: Value) -> Value:
        out = Value(x.data * a.data, (x, a), "mine")
        out._backward = lambda: None
        return out

    with pytest.raises(TypeError, match="_backward closure"):
        autograd.compile(closure, 1.0)
    with pytest.raises(TypeError, match="no derivative rule"):
        autograd.compile(lambda x: Value(x.data, (x, a), "tag") * 1.0, 1.0)


def test_a_node_built_before_the_call_and_a_changing_graph_are_refused() -> None:
    old = w * 2.0
    with pytest.raises(TraceError, match="built before the call"):
        autograd.compile(lambda x: old * x, 1.0)
    count = [0]

    def changing(x: Value) -> Value:
        count[0] += 1
        return x * w if count[0] == 1 else x * w * w

    with pytest.raises(TraceError, match=r"different graphs|nodes"):
        autograd.compile(changing, 1.0)


def test_user_ops_work_through_their_own_functions() -> None:
    @op("cube", derivative=lambda x: 3 * x * x)
    def cube(x: float) -> float:
        return x**3

    p = Value(0.7, label="p")
    fn = lambda x: cube(p * x)
    step = autograd.compile(fn, 2.0)
    assert step(2.0) == pytest.approx(1.4**3) and p.grad == pytest.approx(3 * 1.4**2 * 2.0)
    assert "_F" in step.source and "_D" in step.source


def test_errors_in_compiled_code_name_the_node_and_leave_grads_alone() -> None:
    p = Value(1.0, label="scale")
    step = autograd.compile(lambda x: (p * x).log(), 2.0)
    before = p.grad
    with pytest.raises(ValueError, match=r"log is only defined.*node v\d+ \(op 'log'\)"):
        step(-1.0)
    assert p.grad == before
    with pytest.raises(TypeError, match="argument"):
        step("3")


def test_forward_and_seed() -> None:
    p = Value(3.0, label="p")
    step = autograd.compile(lambda x: (p * x).tanh(), 0.5)
    assert step.forward(0.5) == math.tanh(1.5) and p.grad == 0.0
    step(0.5, seed=2.0)
    assert p.grad == pytest.approx(2.0 * 0.5 * (1 - math.tanh(1.5) ** 2))


def test_numbers_made_inside_become_constants_and_ints_are_floats() -> None:
    p = Value(2.0, label="p")
    step = autograd.compile(lambda x, t: (p * x[0] + Value(1.0)) * t, [1.0], 3)
    assert step.params == [p] and "= 1.0  # a number made inside" in step.source
    assert step([1], 3) == 9.0 and type(step([1], 3)) is float


def test_source_reads_like_the_note() -> None:
    model = nn.note_model()
    step = autograd.compile(lambda x, t: nn.half_sse(model(x), t), [1.0, 0.5], 1.0,
                            params=model.named_parameters())
    src = step.source
    assert "z1 = L0_n0_b + L0_n0_w0 * x0 + L0_n0_w1 * x1" in src
    assert "g_z3 = g_y3 * (y3 * (1.0 - y3))  # sigmoid: ∂y/∂x = y(1 − y)" in src
    assert "g_L1_n0_w0 += g_z3 * y1  # linear: ∂y/∂w_i = x_i" in src


# -- the generated program holds no user text as code ----------------------------------------------
HOSTILE = "\nimport os\nos.system('echo pwned')  # \r\x0c\u2028"


def code_tokens(src: str) -> list[str]:
    return [t.string for t in tokenize.generate_tokens(io.StringIO(src).readline)
            if t.type == tokenize.NAME]


def test_hostile_labels_and_op_names_never_become_code() -> None:
    @op(HOSTILE, derivative=lambda x: 2.0)
    def twice(x: float) -> float:
        return 2.0 * x

    p = Value(1.5, label=HOSTILE)
    q = Value(0.5, label="for")
    r = Value(0.25, label="_many")
    step = autograd.compile(lambda x: twice(p * x) * q + r, 1.0, params={HOSTILE: p, "print": q, "_W": r})
    names = code_tokens(step.source)
    assert "os" not in names and "system" not in names and "import" not in names
    assert step(1.0) == 2.0 * 1.5 * 0.5 + 0.25 and p.grad == 1.0 and q.grad == 3.0 and r.grad == 1.0
    for line in step.source.splitlines():
        assert "import os" not in line.split("#")[0]


def test_many_takes_rows_of_one_shape_and_says_so() -> None:
    v = Value(2.0, label="v")
    step = autograd.compile(lambda xs: autograd.sum(xs) * v, [1.0, 2.0], check=0)
    with pytest.raises(TraceError, match="traced shape"):
        step.many([([1.0, 2.0],), ([1.0, 2.0, 3.0],)])
    assert v.grad == 0.0  # nothing was added: the call failed as a whole


# -- the program's layout: parameters are globals refreshed at each call, gradients locals -------------
def test_a_multiclass_network_gives_backwards_gradients_and_reads_new_weights() -> None:
    model = nn.MLP(8, [6, 3], seed=2)
    params = model.parameters()

    def fn(x: Any, t: Any) -> Value:
        z = model.forward(x)
        return autograd.sum([v.exp() for v in z]).log() - autograd.dot(t, z)

    rows = [([0.1 * (i + k) - 0.3 for i in range(8)], [1.0 if j == k % 3 else 0.0 for j in range(3)])
            for k in range(5)]
    step = autograd.compile(fn, *rows[0], check=0)
    code = "\n".join(line.split("#")[0] for line in step.source.splitlines())
    assert "= _W" not in code and code.count("L0_n0_w0 ") <= 3  # read where used, not listed
    for scale in (1.0, -0.5):  # the second pass after changing every weight: the step must read the new ones
        for p in params:
            p.data *= scale
        model.zero_grad()
        values = step.many(rows)
        compiled = [p.grad for p in params]
        model.zero_grad()
        eager = []
        for x, t in rows:
            root = fn(x, t)
            root.backward()
            eager.append(root.data)
        assert [bits(v) for v in values] == [bits(v) for v in eager]
        assert [bits(g) for g in compiled] == [bits(p.grad) for p in params]


def test_a_frozen_leaf_is_read_at_each_call() -> None:
    p, f = Value(2.0, label="p"), Value(3.0, label="f")
    step = autograd.compile(lambda x: p * f * x, 1.0, params=[p])
    assert step(1.0) == 6.0 and p.grad == 3.0
    f.data = 5.0
    assert step(1.0) == 10.0 and p.grad == 3.0 + 5.0 and f.grad == 0.0


def test_two_runs_sharing_nodes_differently_are_refused() -> None:
    count = [0]

    def sharing(x: Value) -> Value:
        count[0] += 1
        if count[0] == 1:
            return x * w + x * w
        a = x * w
        return a + a  # the same values, but one product node where the first run had two

    with pytest.raises(TraceError, match=r"different graphs|nodes"):
        autograd.compile(sharing, 1.0)


def test_threads_sharing_parameters_lose_no_gradient_compiled_or_eager() -> None:
    """Three threads call one compiled step and a fourth calls ``backward()``, on the same eight
    parameters, 300 times each. Each call adds ∂(Σ w_i·x)/∂w_i = x = 0.5 into every w_i.grad once, so
    each ends at exactly 4 · 300 · 0.5 = 600 (every partial sum is exact in binary). Without one lock
    for both kinds of pass, updates are lost and the step's check reports a difference that is not there."""
    w = [Value(0.25 * k) for k in range(1, 9)]
    step = autograd.compile(lambda x: autograd.sum([wi * x for wi in w]), 0.5, params=w)
    for p in w:
        p.grad = 0.0
    errors: list[BaseException] = []

    def run(call: Any) -> None:
        try:
            for _ in range(300):
                call()
        except BaseException as e:  # reported by the assertion below
            errors.append(e)

    calls = [lambda: step(0.5)] * 3 + [lambda: autograd.sum([wi * 0.5 for wi in w]).backward()]
    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
    assert [p.grad for p in w] == [600.0] * 8
