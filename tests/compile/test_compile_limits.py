"""autograd.compile's limits and entry points (issue 25): wide sums, huge graphs, wrong arguments,
what fit(compile=True) supports, the structure guard's reach, and the names of the program."""

from __future__ import annotations

import math
import struct
from pathlib import Path
from typing import Any

import pytest

import autograd
import nn
from autograd import TraceError, Value


def bits(x: float) -> bytes:
    return b"nan" if math.isnan(x) else struct.pack("<d", x)


def test_a_sum_and_a_dot_over_3500_inputs_compile_to_backwards_floats() -> None:
    n = 3500  # one nested expression of this many terms raised RecursionError while compiling
    ws = [Value(0.001 * (k % 7) - 0.002, label=f"w{k}") for k in range(n)]
    fn = lambda xs: autograd.dot(ws, xs) + autograd.sum(xs)
    xs = [0.5 + 0.0001 * k for k in range(n)]
    step = autograd.compile(fn, xs, check=0)
    got = step(xs)
    compiled = [w.grad for w in ws]
    for w in ws:
        w.grad = 0.0
    root = fn([Value(x) for x in xs])
    root.backward()
    assert bits(got) == bits(root.data)
    assert [bits(g) for g in compiled] == [bits(w.grad) for w in ws]
    assert "the first 200 terms of a sum of" in step.source


def test_a_graph_over_max_nodes_is_refused_naming_the_limit() -> None:
    p = Value(0.5, label="p")

    def chain(x: Value) -> Value:
        y = x * p
        for _ in range(600):
            y = y * 1.0001
        return y

    with pytest.raises(TraceError, match=r"60[0-9] nodes, more than max_nodes=500"):
        autograd.compile(chain, 1.0, max_nodes=500)
    assert autograd.compile(chain, 1.0, max_nodes=1000)(1.0) == pytest.approx(0.5 * 1.0001 ** 600)


def test_wrong_params_and_rows_get_clear_type_errors() -> None:
    p = Value(2.0, label="p")
    with pytest.raises(TypeError, match=r"params must be a list.*params=\[p\]"):
        autograd.compile(lambda x: p * x, 1.0, params=p)
    with pytest.raises(TypeError, match="params must be a list"):
        autograd.compile(lambda x: p * x, 1.0, params="p")
    step = autograd.compile(lambda x: p * x, 1.0)
    with pytest.raises(TypeError, match=r"row 0 is 1\.0.*many\(\[\(x,\) for x in xs\]\)"):
        step.many([1.0, 2.0])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="iterable of rows"):
        step.many(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"fn's 1 argument\(s\).*row 1"):
        step.many([(1.0,), (1.0, 2.0)])
    with pytest.raises(TypeError, match="argument 0 must be a number"):
        step("3")
    assert p.grad == 0.0
    with pytest.raises(ValueError, match="max_nodes must be an int"):
        autograd.compile(lambda x: p * x, 1.0, max_nodes=-1)


def test_a_node_made_from_a_read_number_is_refused_when_it_becomes_a_constant() -> None:
    w = Value(0.5, label="w")
    with pytest.raises(TraceError, match=r"reads the number.*Value\(x\[0\]\.data\)"):
        autograd.compile(lambda x: w * Value(x[0].data), [2.0])


def test_a_parameter_the_guard_cannot_reach_is_refused() -> None:
    class Slotted:
        __slots__ = ("w",)

        def __init__(self) -> None:
            self.w = Value(1.5, label="hidden_w")

    holder = Slotted()
    with pytest.raises(TraceError, match=r"'hidden_w'.*cannot be found"):
        autograd.compile(lambda x: holder.w * x, 1.0)


MODEL: Any = None


def test_a_rebound_global_model_is_seen() -> None:
    global MODEL
    MODEL = nn.MLP(2, [2, 1], seed=0)
    step = autograd.compile(lambda x: MODEL(x), [1.0, 2.0], check=0)
    first = step([1.0, 2.0])
    MODEL = nn.MLP(2, [2, 1], seed=5)  # run again in a notebook: another model under the same name
    expected = MODEL([1.0, 2.0]).data
    assert step([1.0, 2.0]) == expected != first and step.retraces == 1
    assert all(any(p is q for q in MODEL.parameters()) for p in step.params)


def test_a_hook_with_the_default_check_is_named_not_blamed_on_data() -> None:
    w = Value(0.5, label="w")
    step = autograd.compile(lambda x: w * x, 1.0)
    with w.register_hook(lambda g: 0.0), pytest.raises(TraceError, match="gradient hook") as e:
        step(1.0)
    assert ".data" not in str(e.value)


def test_nan_and_inf_arguments_give_backwards_floats() -> None:
    w = Value(0.5, label="w")
    fn = lambda x: (w * x).tanh() + w * x
    step = autograd.compile(fn, 1.0, check=0)
    for x in (math.nan, math.inf, -math.inf, -0.0):
        w.grad = 0.0
        got = step(x)
        mine = w.grad
        w.grad = 0.0
        root = fn(Value(x))
        root.backward()
        assert bits(got) == bits(root.data) and bits(mine) == bits(w.grad)


# -- the program's names -------------------------------------------------------------------------------
def test_source_names_parameters_as_named_parameters_does() -> None:
    m = nn.MLP(2, [3, 1], seed=0)
    step = autograd.compile(lambda x: m(x), [1.0, 2.0])
    src = step.source
    assert "L0_n0_w0" in step.param_names and "p0" not in step.param_names
    assert "#   L0_n0_w0     layers.0.neurons.0.w.0" in src
    assert "L1_n0_b" in src and "z1 = L0_n0_b + L0_n0_w0 * x0 + L0_n0_w1 * x1" in src


def test_hostile_names_from_named_parameters_stay_comments() -> None:
    p = Value(1.5)

    class Model:
        def named_parameters(self) -> list[tuple[str, Value]]:
            return [("evil.0.x\nimport os\nos.system('echo pwned')  # \u2028", p)]

    model = Model()
    step = autograd.compile(lambda x: model and p * x, 2.0)
    assert step(2.0) == 3.0 and p.grad == 2.0
    for line in step.source.splitlines():
        assert "import os" not in line.split("#")[0] and "os.system" not in line.split("#")[0]


# -- fit(compile=True) -----------------------------------------------------------------------------------
def run_fit(make: Any, X: Any, y: Any, **kw: Any) -> list[tuple[Any, list[float]]]:
    out = []
    for flag in (False, True):
        model = make()
        h = nn.fit(model, X, y, epochs=3, seed=1, progress=False, compile=flag, **kw)
        out.append((h, [p.data for p in model.parameters()]))
    return out


def test_fit_compiled_trains_cross_entropy_as_eager() -> None:
    X = [[0.1 * k, -0.05 * k, 0.3] for k in range(12)]
    y = [k % 3 for k in range(12)]
    (h0, w0), (h1, w1) = run_fit(lambda: nn.MLP(3, [4, 3], seed=2), X, y, loss="cross_entropy", lr=0.5,
                                 batch_size=4)
    assert h1.loss == pytest.approx(h0.loss, rel=1e-12) and h1.accuracy == h0.accuracy
    assert max(abs(a - b) for a, b in zip(w0, w1, strict=True)) < 1e-12


def test_fit_compiled_trains_a_cnn_as_eager() -> None:
    images = [[[[((r * 5 + c + k) % 7) / 7.0 for c in range(5)] for r in range(5)]] for k in range(6)]
    y = [k % 2 for k in range(6)]

    def make() -> nn.Module:
        return nn.Sequential(nn.Conv2d(1, 2, 3, seed=0), nn.ReLU(), nn.MaxPool2d(3), nn.Flatten(),
                             nn.Layer(2, 2, activation="linear", seed=1))

    (h0, w0), (h1, w1) = run_fit(make, images, y, loss="cross_entropy", lr=0.3)
    assert h1.loss == pytest.approx(h0.loss, rel=1e-12)
    assert max(abs(a - b) for a, b in zip(w0, w1, strict=True)) < 1e-12


def test_the_main_job_with_a_diverging_lr_prints_the_eager_message_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import nn.__main__ as job

    messages = []
    for flag in ([], ["--compile"]):
        out = tmp_path / ("c" if flag else "e")
        code = job.main(["--dataset", "moons", "--lr", "1e300", "--epochs", "3", "--quiet", "--out", str(out), *flag])
        messages.append((code, capsys.readouterr().err, sorted(p.name for p in out.iterdir())))
    assert messages[0] == messages[1]
    assert messages[0][0] == 1 and "diverged" in messages[0][1] and messages[0][2] == []


# -- hostile use ------------------------------------------------------------------------------------------
def test_too_many_key_values_are_refused_with_the_reason() -> None:
    w = Value(0.5, label="w")
    step = autograd.compile(lambda x, k: w * x * k, 1.0, 0, check=0)
    for k in range(1, 64):
        assert step(2.0, k) == 1.0 * k
    with pytest.raises(TraceError, match=r"64 programs traced already.*int argument"):
        step(2.0, 1000)


def test_many_with_keyed_rows_runs_in_order_and_fails_as_a_whole() -> None:
    m = nn.MLP(2, [3], seed=4)
    f = lambda x, t: nn.cross_entropy(m(x), t)
    step = autograd.compile(f, [0.5, -0.5], 0, check=1)
    rows = [([0.1 * k, -0.2 * k], k % 3) for k in range(7)]
    values = step.many(rows, seed=0.5)
    compiled = [p.grad for p in m.parameters()]
    m.zero_grad()
    eager = []
    for x, t in rows:
        root = f(x, t)
        root.backward(0.5)
        eager.append(root.data)
    assert [bits(v) for v in values] == [bits(v) for v in eager]
    assert [bits(g) for g in compiled] == [bits(p.grad) for p in m.parameters()]
    before = [p.grad for p in m.parameters()]
    with pytest.raises(TypeError):
        step.many([([1.0, 2.0], 1), ([1.0, "x"], 2)])  # the second run of rows fails: the first is undone
    assert [p.grad for p in m.parameters()] == before


def test_threads_calling_single_steps_while_another_traces() -> None:
    """Two threads make single compiled calls (the ``_one`` path) while a third compiles other
    functions over and over (the ``.data`` watcher is installed and removed meanwhile): every call
    adds exactly x = 0.5 into each w_i.grad, so each ends at 2 · 200 · 0.5 = 200."""
    import threading

    w = [Value(0.25 * k, label=f"w{k}") for k in range(1, 6)]
    step = autograd.compile(lambda x: autograd.sum([wi * x for wi in w]), 0.5, check=0)
    for p in w:
        p.grad = 0.0
    errors: list[BaseException] = []

    def calls() -> None:
        try:
            for _ in range(200):
                step(0.5)
        except BaseException as e:  # reported below
            errors.append(e)

    def traces() -> None:
        q = Value(1.0, label="q")
        try:
            for _ in range(30):
                autograd.compile(lambda x: q * x, 1.0, check=1)(1.0)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=f) for f in (calls, calls, traces)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert [p.grad for p in w] == [200.0] * 5
    assert type(Value.__dict__["data"]).__name__ == "member_descriptor"  # the slot is back


def test_an_error_in_a_single_call_names_the_node_and_leaves_grads_alone() -> None:
    p = Value(1.0, label="scale")
    q = Value(3.0, label="q")
    step = autograd.compile(lambda x: q * x + (p * x).log(), 2.0, check=0)
    step(2.0)
    before = (p.grad, q.grad)
    with pytest.raises(ValueError, match=r"log is only defined.*node v\d+ \(op 'log'\)"):
        step(-1.0)
    assert (p.grad, q.grad) == before


def test_a_compile_inside_a_traced_function_keeps_the_outer_guards() -> None:
    w, q = Value(0.5, label="w"), Value(2.0, label="q")

    def outer(x: list[Value]) -> Value:
        autograd.compile(lambda y: q * y, 1.0, check=0)  # a trace inside the trace
        return w * x[0] * w.data  # read after the inner trace ended: still refused

    with pytest.raises(TraceError, match=r"reads the number.*w \* x\[0\] \* w\.data"):
        autograd.compile(outer, [1.0])
    big = 10 ** 5000  # an int key too long for repr(): the program's comment does not print it
    step = autograd.compile(lambda x, k: w * x * (k % 7), 1.0, big, check=0)
    assert step(2.0, big) == 1.0 * (big % 7)
