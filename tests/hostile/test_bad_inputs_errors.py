"""Bad inputs that must be refused fast and clearly: training that diverges, steps below float
resolution, labels Graphviz cannot take, graphs too big to walk, learning rates, copies, the
command line's leading '-', power towers and overflow, and messages that used to say the wrong thing.
"""

from __future__ import annotations

import copy
import fractions
import math
import os
import pickle
import stat
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd.drawing.draw as draw_module
import nn
from autograd import (
    Value,
    assert_grad,
    check_graph,
    draw_dot,
    gradcheck,
    gradgradcheck,
    numerical_grad,
    ops,
)
from autograd.checking.numerical import MIN_EPS
from autograd.cli import main as cli_main
from autograd.drawing.draw import GraphTooLargeError
from autograd.drawing.labels import MAX_LABEL_CHARS
from autograd.drawing.render import RenderError, dot_available
from nn.jobs.note import main as nn_main
from nn.train import DivergedError

needs_dot = pytest.mark.skipif(not dot_available(), reason="Graphviz dot is not installed")

# -- python -m nn whose training diverges -----------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["--dataset", "moons", "--lr", "1e30", "--epochs", "10"],
    ["--dataset", "moons", "--lr", "1e200", "--epochs", "5", "--optimizer", "momentum"],
    ["--dataset", "moons", "--optimizer", "adam", "--lr", "1e300", "--epochs", "5"],
])
def test_diverging_training_says_which_update_and_what_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                             argv: list[str]) -> None:
    out = tmp_path / "out"
    assert nn_main([*argv, "--out", str(out), "--quiet"]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert "diverged" in captured.err and "at update" in captured.err and "smaller --lr" in captured.err
    assert not (out / "model.json").exists()


def test_fit_raises_diverged_error_at_the_update_where_the_loss_stopped_being_finite() -> None:
    model = nn.Neuron(1, nonlin=False, seed=0)
    calls = []

    def loss(ys: list[Value], ts: list[Any]) -> Value:
        calls.append(1)
        y = ys[0] * 0.0 + 1.0
        return y * (math.inf if len(calls) == 4 else 1.0)

    with pytest.raises(DivergedError) as e:
        nn.fit(model, [[1.0]], [1.0], loss=loss, lr=0.1, epochs=10, progress=False)
    assert e.value.update == 4 and e.value.epoch == 4 and math.isinf(e.value.loss)
    assert "at update 4" in str(e.value) and "smaller lr" in str(e.value)


@pytest.mark.parametrize("returned", [1.5, 0, np.float64(2.0), None, "loss"])
def test_fit_with_a_loss_returning_a_float_says_so(returned: Any) -> None:
    def loss(ys: list[Value], ts: list[Any]) -> Any:
        return returned

    with pytest.raises(TypeError) as e:
        nn.fit(nn.Neuron(1, seed=0), [[1.0]], [1.0], loss=loss, epochs=1, progress=False)
    assert "fit" in str(e.value) and "'loss'" in str(e.value) and "not a Value" in str(e.value)


# -- eps below float resolution ---------------------------------------------------------------

def _call(check: str, eps: float) -> Any:
    f = lambda x: x * x
    return {
        "gradcheck": lambda: gradcheck(f, [1.5], eps=eps),
        "numerical_grad": lambda: numerical_grad(f, [1.5], eps=eps),
        "assert_grad": lambda: assert_grad(f, [1.5], [3.0], eps=eps),
        "check_graph": lambda: check_graph(Value(1.5) * Value(2.0), eps=eps),
        "gradgradcheck": lambda: gradgradcheck(f, [1.5], eps=eps),
    }[check]()


CHECKS = ["gradcheck", "numerical_grad", "assert_grad", "check_graph", "gradgradcheck"]


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("eps", [1e-17, 1e-30, 1e-300, 5e-324, MIN_EPS / 2])
def test_an_eps_below_float_resolution_is_a_clear_value_error(check: str, eps: float) -> None:
    with pytest.raises(ValueError) as e:
        _call(check, eps)
    message = str(e.value)
    assert message.startswith(check) and "eps" in message and "float resolution" in message and "1e-6" in message


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(CHECKS), st.floats(min_value=5e-324, max_value=MIN_EPS, exclude_max=True))
def test_no_tiny_eps_ever_divides_by_zero(check: str, eps: float) -> None:
    with pytest.raises(ValueError, match="below float resolution"):
        _call(check, eps)


@pytest.mark.parametrize("check", CHECKS)
def test_the_smallest_accepted_eps_still_works(check: str) -> None:
    assert _call(check, 1e-6) is not None
    numerical_grad(lambda x: x * x, [1.5], eps=MIN_EPS)  # no ZeroDivisionError at the limit itself


# -- drawing: long labels, dot failing or hanging, huge graphs, deep group names, params= ---------

@pytest.mark.parametrize("length", [17_000, 100_000, 1_000_000])
@pytest.mark.parametrize("char", ["x", "&", "\x01", "é", "😀", "\n"])
def test_long_labels_and_titles_are_cut_with_a_marker(length: int, char: str) -> None:
    text = char * length
    g = draw_dot(Value(1.0, label=text) * 2, title=text)
    assert f"[+{length - MAX_LABEL_CHARS} characters]" in g.source
    for line in g.source.splitlines():
        assert len(line.encode()) < 16_384


@needs_dot
@pytest.mark.parametrize("length", [17_000, 100_000])
def test_long_labels_render(length: int) -> None:
    g = draw_dot(Value(1.0, label="a" * length) * 2, title="t" * length)
    assert g.pipe(format="svg").startswith(b"<?xml")


@needs_dot
def test_dot_rejecting_its_input_is_a_render_error_with_dots_message() -> None:
    g = draw_dot(Value(1.0) * 2)
    g.body.append("this is { not dot\n")
    with pytest.raises(RenderError, match=r"Graphviz dot failed .*syntax error"):
        g.pipe(format="svg")


@pytest.fixture
def hanging_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "bin" / "dot"
    fake.parent.mkdir()
    fake.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(60)\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ.get('PATH', '')}")


@pytest.mark.skipif(sys.platform == "win32", reason="a fake dot script needs a POSIX shell")
def test_a_dot_that_hangs_times_out_with_a_message(hanging_dot: None, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    g = draw_dot(Value(1.0) * 2)
    with pytest.raises(RenderError, match=r"did not finish within 0.5 s.*timeout="):
        g.pipe(format="svg", timeout=0.5)
    g.timeout = 0.3
    with pytest.raises(RenderError, match=r"did not finish within 0\.3 s"):
        g.save_image(tmp_path / "g.svg")
    assert not list(tmp_path.glob("*.svg")) and not list(tmp_path.glob(".*.tmp"))
    with pytest.raises(ValueError, match="timeout must be"):
        g.pipe(format="svg", timeout=-1)


def test_a_million_deep_chain_is_refused_after_max_nodes(monkeypatch: pytest.MonkeyPatch) -> None:
    x = y = Value(1.0)
    for _ in range(1_000_000):
        y = y + 1.0

    def not_walked(root: Value) -> list[Value]:
        raise AssertionError("the whole graph was ordered before its size was checked")

    monkeypatch.setattr(draw_module, "topological_order", not_walked)
    for limit in (1, 100, 3000):
        with pytest.raises(GraphTooLargeError) as e:
            draw_dot(y, max_nodes=limit)
        message = str(e.value)
        assert f"more than max_nodes={limit}" in message
        stopped = int(message.split("counting stopped at ")[1].split()[0])
        assert limit < stopped <= limit + 2  # a value and its operation are counted together
    assert x.data == 1.0


@pytest.mark.parametrize("depth", [65, 1000, 100_000])
def test_deep_group_names_are_refused_clearly(depth: int) -> None:
    w = Value(0.5)
    name = ".".join(["layer", *(["sub", "0"] * depth), "w"])
    with pytest.raises(ValueError) as e:
        draw_dot(w * 2, groups={name: w})
    assert not isinstance(e.value, RecursionError)
    assert "groups=" in str(e.value) and f"nests {depth} clusters" in str(e.value) and "shorter" in str(e.value)


def test_long_names_without_nesting_are_drawn() -> None:
    w = Value(0.5)
    name = ".".join(["part"] * 100_000) + ".w"
    assert "[+" in draw_dot(w * 2, groups={name: w}).source  # one cluster, its long label cut


@pytest.mark.parametrize("params", [{"a": 1}, {"a": "w"}, [("a", 1)], 3.0])
def test_bad_params_blame_params_not_groups(params: Any) -> None:
    with pytest.raises(TypeError) as e:
        draw_dot(Value(1.0) * 2, params=params)
    assert "params=" in str(e.value) and "groups=" not in str(e.value)


# -- optimisers accept any real number as lr; nn.fit; copies -----------------------------------

@pytest.mark.parametrize("lr", [np.float32(0.1), np.float64(0.1), np.int64(1), fractions.Fraction(1, 10), 1, True + 0])
@pytest.mark.parametrize("make", [nn.SGD, nn.Adam, lambda ps, lr: nn.SGD(ps, lr, momentum=0.9)])
def test_optimisers_accept_any_real_number_as_lr(lr: Any, make: Any) -> None:
    p = Value(1.0)
    p.grad = 1.0
    opt = make([p], lr)
    opt.step()
    assert type(opt.lr) is float and opt.lr == float(lr) and p.data < 1.0


@pytest.mark.parametrize("lr", ["0.1", None, [0.1], Value(0.1), 1j, True])
def test_optimisers_refuse_a_non_number_lr_clearly(lr: Any) -> None:
    with pytest.raises(TypeError) as e:
        nn.SGD([Value(1.0)], lr)
    assert "SGD" in str(e.value) and "lr" in str(e.value) and "real number" in str(e.value)


@pytest.mark.parametrize("lr", [fractions.Fraction(10**400), float("inf"), np.float64("nan")])
def test_a_non_finite_lr_is_refused(lr: Any) -> None:
    with pytest.raises(ValueError, match=r"lr .*must be a finite number"):
        nn.Adam([Value(1.0)], lr)


def test_copy_of_a_value_is_a_new_node_with_the_same_fields() -> None:
    a, b = Value(2.0, label="a"), Value(3.0)
    y = (a * b).tanh()
    y.backward()
    c = copy.copy(y)
    assert c is not y and (c.data, c.grad, c.label, c._op, c.operation) == (y.data, y.grad, y.label, y._op, y.operation)
    assert c._prev == y._prev and c.operation is ops.TANH
    assert copy.copy(ops.TANH) is ops.TANH and copy.deepcopy(ops.MUL) is ops.MUL


def test_deepcopy_copies_the_graph_and_shares_the_ops() -> None:
    a = Value(2.0, label="a")
    y = a * a + a.exp()
    d = copy.deepcopy(y)
    (leaf,) = {p for node in d._prev for p in node._prev}
    assert leaf is not a and leaf.label == "a" and d.operation is y.operation
    d.backward()
    assert a.grad == 0.0 and leaf.grad == pytest.approx(2 * 2.0 + math.exp(2.0))
    deep = Value(1.0)
    for _ in range(50_000):
        deep = deep * 1.0
    assert copy.deepcopy(deep).data == 1.0  # no recursion


def test_deepcopy_of_a_model_gives_independent_parameters() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    twin = copy.deepcopy(model)
    assert twin.state_dict() == model.state_dict()
    assert not {id(p) for p in twin.parameters()} & {id(p) for p in model.parameters()}
    nn.fit(twin, [[1.0, 2.0]], [1.0], epochs=3, progress=False)
    assert twin.state_dict() != model.state_dict()
    assert model.state_dict() == nn.MLP(2, [3, 1], seed=0).state_dict()  # the original is untouched


def test_pickling_stays_refused() -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(Value(1.0))


def test_deepcopy_refuses_a_micrograd_closure_clearly() -> None:
    a = Value(1.0)
    out = Value(2.0, (a,), "twice")

    def _backward() -> None:
        a.grad += 2 * out.grad

    out._backward = _backward
    with pytest.raises(TypeError, match="_backward closure"):
        copy.deepcopy(out)


# -- the command line ----------------------------------------------------------------------

def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli_main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("expression", "settings_", "value"), [
    ("-omega*2", ["omega=1.5"], "-3"),
    ("-h*x", ["h=2", "x=3"], "-6"),
    ("--x", ["x=4"], "4"),
    ("-omega", ["omega=5"], "-5"),
    ("-(h)", ["h=7"], "-7"),
    ("-hx", ["hx=7"], "-7"),
    ("-x**2", ["x=3"], "-9"),
    ("---x", ["x=1"], "-1"),
])
def test_expressions_beginning_with_minus_work(capsys: pytest.CaptureFixture[str], expression: str,
                                              settings_: list[str], value: str) -> None:
    argv = [expression]
    for s in settings_:
        argv += ["--set", s]
    code, out, err = cli(capsys, *argv)
    assert code == 0, err
    assert f"value: {value}\n" in out


def test_options_glued_to_their_value_still_work(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, _ = cli(capsys, "x*2", "--set", "x=1", f"-o{tmp_path / 'g.dot'}", "--max-nod=50")
    assert code == 0 and (tmp_path / "g.dot").exists()


@pytest.mark.parametrize(("tower", "expected"), [  # the oracle: Python's own ** on the same literals
    ("1**1**1**1**1", 1**1**1**1**1), ("1**1**1**1**1**1**1**1", 1**1**1**1**1**1**1**1), ("2**2**2**2", 2**2**2**2),
    ("2**0.5**0.5**0.5**0.5", 2**0.5**0.5**0.5**0.5), ("(-1)**2**2**2**2", (-1)**2**2**2**2),
    ("0.5**2**2**2**2", 0.5**2**2**2**2),
])
def test_a_power_tower_that_fits_in_a_float_is_computed(capsys: pytest.CaptureFixture[str], tower: str,
                                                        expected: float) -> None:
    code, out, err = cli(capsys, tower)
    assert code == 0, err
    assert f"value: {float(expected):.10g}\n" in out


@pytest.mark.parametrize(("with_set", "argv", "constants"), [
    ("x*x", ["--set", "x=1e200"], "1e200*1e200"),
    ("x*y", ["--set", "x=1e200", "--set", "y=1e200"], "1e200*1e200"),
    ("x+y", ["--set", "x=1e308", "--set", "y=1e308"], "1e308+1e308"),
    ("x-y", ["--set", "x=-1e308", "--set", "y=1e308"], "-1e308-1e308"),
    ("x/y", ["--set", "x=1e308", "--set", "y=1e-10"], "1e308/1e-10"),
    ("x**y", ["--set", "x=10", "--set", "y=400"], "10**400"),
    ("exp(x)", ["--set", "x=1000"], "exp(1000)"),
    ("x/y", ["--set", "x=1", "--set", "y=0"], "1/0"),
    ("log(x)", ["--set", "x=-1"], "log(-1)"),
])
def test_an_overflow_from_set_values_has_the_same_message_as_from_constants(
        capsys: pytest.CaptureFixture[str], with_set: str, argv: list[str], constants: str) -> None:
    code1, _, err1 = cli(capsys, with_set, *argv)
    code2, _, err2 = cli(capsys, constants)
    assert code1 == code2 == 2

    def message(err: str) -> str:
        return err.splitlines()[0].split(" (at column")[0]

    assert message(err1) == message(err2) and message(err1).startswith("error: ")


# -- messages that said the wrong thing --------------------------------------------------------

@pytest.mark.parametrize("bad", ["abc", "a", b"ab", "1.0"])
@pytest.mark.parametrize("loss", [nn.half_sse, nn.mse, nn.hinge])
def test_a_string_target_is_named_as_a_wrong_type(bad: Any, loss: Any) -> None:
    with pytest.raises(TypeError) as e:
        loss(Value(0.5), bad)
    message = str(e.value)
    assert loss.__name__ in message and "targets must be real numbers" in message and repr(str(bad)) in message
    assert "target(s)" not in message


@pytest.mark.parametrize("bad", ["abc", None, [None]])
def test_a_prediction_that_is_not_a_value_is_named(bad: Any) -> None:
    with pytest.raises(TypeError, match="half_sse: predictions must be Values"):
        nn.half_sse(bad, 1.0 if not isinstance(bad, list) else [1.0])
