"""Hostile tests of autograd.compile (attack 25): each failed on the compiler before its fix.

The oracle is the eager engine: ``fn(*args).backward()`` on the same arguments, compared bit for bit.
"""

from __future__ import annotations

import struct
from typing import Any

import pytest

import autograd
import nn
from autograd import TraceError, Value


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def test_a_call_inside_no_grad_adds_what_eager_backward_adds_nothing() -> None:
    # Inside no_grad() eager ops record no parents, so fn(x).backward() leaves w.grad at 0: the step
    # (past its checked rows) used to add seed * x = 2.0 into w.grad regardless.
    w = Value(0.5)

    def fn(x: Any) -> Value:
        return w * x

    step = autograd.compile(fn, 1.0)
    for _ in range(5):  # past the check rows
        step(1.0)
    w.grad = 0.0
    with autograd.no_grad():
        eager_value = fn(2.0)
        eager_value.backward()
        eager_grad = w.grad
        w.grad = 0.0
        value = step(2.0)
        assert bits(value) == bits(eager_value.data)
        assert bits(w.grad) == bits(eager_grad) == bits(0.0)
        assert step.many([(2.0,), (3.0,)]) == [1.0, 1.5]
        assert w.grad == 0.0
    step(2.0)  # outside again: compiled, gradient added
    assert w.grad == 2.0


def test_compiling_inside_no_grad_is_refused_clearly() -> None:
    # It used to fail its own check with "this is a bug of autograd.compile".
    w = Value(0.5)
    with autograd.no_grad(), pytest.raises(TraceError, match="no_grad"):
        autograd.compile(lambda x: w * x, 1.0)


def test_a_model_call_inside_no_grad_matches_eager_bit_for_bit() -> None:
    m = nn.MLP(2, [3, 1], seed=0)
    step = autograd.compile(lambda x: m(x), [0.1, 0.2], check=0)
    with autograd.no_grad():
        got = step([0.3, -0.4])
        want = m([0.3, -0.4]).data
    assert bits(got) == bits(want)
    assert all(p.grad == 0.0 for p in m.parameters())


def test_reading_a_gradient_inside_fn_is_refused_naming_the_line() -> None:
    # fn reading w.grad (a momentum-like term) used to get the trace's w.grad frozen as a constant: the
    # step returned 0.5 on every call while eager code returned 0.5 + the gradient accumulated so far.
    w = Value(0.5)

    def fn(x: Any) -> Value:
        return w * x + w.grad

    with pytest.raises(TraceError, match=r"reads a gradient \(\.grad.*test_compile_attack.py"):
        autograd.compile(fn, 1.0)

    def momentum(v: Value) -> float:  # in a nested helper, as a number
        return 0.9 * v.grad

    with pytest.raises(TraceError, match="gradient"):
        autograd.compile(lambda x: w * x * momentum(w), 1.0)


def test_grad_reads_by_the_library_still_compile_and_the_slot_is_put_back() -> None:
    m = nn.MLP(2, [3, 1], seed=0)
    step = autograd.compile(lambda x: nn.hinge(m(x), 1.0), [0.1, 0.2])
    step([0.3, -0.4])
    assert type(Value.__dict__["grad"]).__name__ == "member_descriptor"
    assert type(Value.__dict__["data"]).__name__ == "member_descriptor"


def run_in_fresh_python(path: Any, call: str) -> str:
    import subprocess
    import sys
    code = (f"import importlib.util as u\ns = u.spec_from_file_location('m', {str(path)!r})\n"
            f"m = u.module_from_spec(s)\ns.loader.exec_module(m)\n"
            f"try:\n    print(repr({call}))\nexcept ValueError as e:\n    print('ValueError', e)\n")
    done = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_an_exported_program_refuses_another_value_of_its_int_key(tmp_path: Any) -> None:
    # The exported file used to return the traced key's numbers for any key: 12.5 for k = 4 (eager: 15.0).
    w, u = Value(0.5), Value(1.5)

    def fn(x: Any, k: int) -> Value:
        return (w * x[0] + u * x[1]) * k + x[k % 2]

    step = autograd.compile(fn, [1.0, 2.0], 3)
    path = tmp_path / "keyed.py"
    step.export(path)
    assert run_in_fresh_python(path, "m.step([0.5, 1.5], [1.0, 2.0], 3)") == "(12.5, [3.0, 6.0])"
    assert fn([1.0, 2.0], 3).data == 12.5
    got = run_in_fresh_python(path, "m.step([0.5, 1.5], [1.0, 2.0], 4)")
    assert got.startswith("ValueError exported step: argument 1 must be 3") and "got 4" in got


def test_an_exported_program_refuses_another_value_of_a_scalar_read_with_data(tmp_path: Any) -> None:
    w = Value(0.5)

    def fn(x: Any) -> Value:
        return w * x * (x.data if isinstance(x, Value) else x)

    step = autograd.compile(fn, 2.0)
    path = tmp_path / "scalar.py"
    step.export(path)
    assert run_in_fresh_python(path, "m.step([0.5], 2.0)") == repr((fn(2.0).data, [4.0]))
    refused = run_in_fresh_python(path, "m.step([0.5], 3.0)")
    assert refused.startswith("ValueError exported step: argument 0 must be 2.0")
    assert run_in_fresh_python(path, "m.step([0.5], -0.0)").startswith("ValueError")


def test_a_target_read_by_the_library_is_not_held_by_the_export(tmp_path: Any) -> None:
    # half_sse reads t.data to make its node (a key of the step, conservatively), but the program
    # computes from t: the exported file takes any target and matches eager backward() bit for bit.
    model = nn.note_model()
    step = autograd.compile(lambda x, t: nn.half_sse(model(x), t), [1.0, 0.5], 1.0)
    path = tmp_path / "sse.py"
    step.export(path)
    params = [p.data for p in step.params]
    got = run_in_fresh_python(path, f"m.step({params!r}, [-0.3, 2.0], 0.25)")
    for p in step.params:
        p.grad = 0.0
    root = nn.half_sse(model([-0.3, 2.0]), 0.25)
    root.backward()
    assert got == repr((root.data, [p.grad for p in step.params]))


def test_a_partials_keyword_changed_in_place_is_seen_on_the_next_call() -> None:
    # functools.partial(g, scale=2.0) with p.keywords["scale"] = 5.0 later: the step kept scale = 2.0.
    import functools

    w = Value(0.5)

    def g(x: Any, scale: float) -> Value:
        return w * x * scale

    fn = functools.partial(g, scale=2.0)
    step = autograd.compile(fn, 1.0)
    for _ in range(4):
        step(1.0)
    fn.keywords["scale"] = 5.0
    w.grad = 0.0
    got = step(1.0)
    grad = w.grad
    w.grad = 0.0
    root = fn(1.0)
    root.backward()
    assert (bits(got), bits(grad)) == (bits(root.data), bits(w.grad)) == (bits(2.5), bits(5.0))
    assert step.retraces == 1


def test_fit_compiled_with_mse_takes_more_than_64_distinct_targets() -> None:
    # mse/half_sse read a scalar target's number only to check it, which made the target a key: one
    # program per target value, and fit(compile=True) on a regression set stopped at 64 programs.
    import random

    from nn.compiled import CompiledLoss

    rng = random.Random(0)
    X = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(100)]
    y = [rng.uniform(-1, 1) for _ in range(100)]
    model = nn.MLP(2, [3, 1], seed=0)
    compiled = CompiledLoss(model, nn.losses.mse, "mse", X, y, 0.0)
    params = model.parameters()
    for p in params:
        p.grad = 0.0
    E, _ = compiled.batch(list(range(100)))
    got = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    root = nn.losses.mse([model(x) for x in X], y)  # the eager batch graph (summed otherwise: rounding)
    root.backward()
    assert abs(E - root.data) <= 1e-15
    assert max(abs(a - p.grad) for a, p in zip(got, params, strict=True)) <= 1e-15
    assert compiled.step.retraces == 0
    m1, m2 = nn.MLP(2, [3, 1], seed=0), nn.MLP(2, [3, 1], seed=0)
    nn.fit(m1, X, y, loss="half_sse", compile=True, epochs=2, batch_size=10, seed=1)
    nn.fit(m2, X, y, loss="half_sse", compile=False, epochs=2, batch_size=10, seed=1)
    assert max(abs(a.data - b.data) for a, b in zip(m1.parameters(), m2.parameters(), strict=True)) <= 1e-12


@pytest.mark.parametrize("loss, target", [("hinge", 0.5), ("hinge", float("nan")), ("mse", float("inf"))])
def test_a_target_eager_code_refuses_is_refused_by_the_step(loss: str, target: float) -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    f = (lambda x, t: nn.hinge(model(x), t)) if loss == "hinge" else (lambda x, t: nn.mse(model(x), t))
    step = autograd.compile(f, [0.5, -0.2], 1.0, check=0)
    with pytest.raises(ValueError, match="target"):
        f([0.5, -0.2], target)  # eager code: a clear refusal
    with pytest.raises(ValueError, match="target"):
        step([0.5, -0.2], target)
