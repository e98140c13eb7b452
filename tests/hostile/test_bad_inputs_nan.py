"""NaN propagates through every op and every reduction, wherever it sits: compared with torch (float64).

Before the fix ``Value(nan).relu()`` gave 0.0 (``nan > 0`` is False), ``log(nan)``, ``(-2) ** nan`` and
``nan / 0`` raised as if the input were out of the domain, and ``nn.MaxPool2d`` (Python's ``max``) kept
a NaN only when it came first in its window. The oracle is torch on the same inputs: for every case of
``tests/op_cases.py`` (every op of ``autograd.ops.TABLE``, built every way) with NaN at each input in
turn and at all at once, the forward value and each input's gradient must be what torch gives
(NaN where torch has NaN, the same number elsewhere).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import pytest

import nn
from autograd import Value, compile
from tests.support.op_cases import CASES, Case

torch = pytest.importorskip("torch")
nan = math.nan

TORCH_BUILDS: dict[str, Callable[..., Any]] = {  # cases whose build calls something a tensor lacks
    "softplus": lambda v: torch.nn.functional.softplus(v),
    "leaky_relu()": lambda v: torch.nn.functional.leaky_relu(v, 0.01),
    "leaky_relu(0.1)": lambda v: torch.nn.functional.leaky_relu(v, 0.1),
    "leaky_relu(0.2)": lambda v: torch.nn.functional.leaky_relu(v, 0.2),
    "sum": lambda a, b, c: a + b + c,
    "dot": lambda w0, w1, x0, x1, b: b + w0 * x0 + w1 * x1,
    "dot_const": lambda w0, w1, b: b + w0 * 0.75 + w1 * -2.5,
}


def same(a: float, b: float) -> bool:
    """Equal, or both NaN (``-0.0 == 0.0``)."""
    return a == b or (a != a and b != b) or abs(a - b) <= 1e-12 * max(1.0, abs(b))


def with_nan(case: Case) -> list[tuple[float, ...]]:
    base = case.points[0]
    rows = [tuple(nan if j == i else x for j, x in enumerate(base)) for i in range(case.n)]
    return [*rows, tuple(nan for _ in base)]


CASE_POINTS = [(c, p) for c in CASES for p in with_nan(c)]


def ours(case: Case, xs: tuple[float, ...]) -> tuple[float, list[float]]:
    leaves = [Value(x) for x in xs]
    y = case.build(*leaves)
    y.backward()
    return y.data, [v.grad for v in leaves]


def theirs(case: Case, xs: tuple[float, ...]) -> tuple[float, list[float]]:
    leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    y = TORCH_BUILDS.get(case.name, case.build)(*leaves)
    y.backward()
    return float(y.detach()), [0.0 if v.grad is None else float(v.grad) for v in leaves]


@pytest.mark.parametrize(("case", "xs"), CASE_POINTS, ids=[f"{c}-{p}" for c, p in CASE_POINTS])
def test_nan_propagates_through_every_op_as_in_torch(case: Case, xs: tuple[float, ...]) -> None:
    y, grads = ours(case, xs)
    ty, tgrads = theirs(case, xs)
    assert same(y, ty), f"{case}{xs}: forward {y!r}, torch {ty!r}"
    assert all(same(g, t) for g, t in zip(grads, tgrads, strict=True)), f"{case}{xs}: grads {grads}, torch {tgrads}"


@pytest.mark.parametrize(("method", "want"), [("relu", nan), ("log", nan), ("abs", nan), ("leaky_relu", nan),
                                              ("sqrt", nan), ("sigmoid", nan), ("softplus", nan)])
def test_a_nan_input_gives_a_nan_output(method: str, want: float) -> None:
    assert math.isnan(getattr(Value(nan), method)().data)


@pytest.mark.parametrize("expr", [lambda x: (-2.0) ** x, lambda x: Value(-2.0) ** x, lambda x: x.log(),
                                  lambda x: Value(-3.0) ** (x * 0.5), lambda x: x ** -1.5])
def test_nan_is_not_mistaken_for_an_input_outside_the_domain(expr: Callable[[Value], Value]) -> None:
    assert math.isnan(expr(Value(nan)).data)


@pytest.mark.parametrize("expr", [lambda x: x / 0.0, lambda x: x / Value(0.0)])
def test_nan_divided_by_zero_names_the_zero(expr: Callable[[Value], Value]) -> None:
    with pytest.raises(ZeroDivisionError, match="division of nan by zero"):  # as compiled code: never silent
        expr(Value(nan))


def test_a_nan_exponent_of_a_negative_base_is_nan_not_an_error() -> None:
    assert math.isnan((Value(-2.0) ** nan).data)


# -- nn's reductions: pooling, argmax, softmax and the losses ------------------------------------


def _image(pixels: list[float], side: int) -> list[list[list[float]]]:
    return [[pixels[r * side:(r + 1) * side] for r in range(side)]]


@pytest.mark.parametrize("at", range(9))
@pytest.mark.parametrize("kernel", [2, 3])
def test_max_pool_passes_nan_on_from_any_position_of_its_window(at: int, kernel: int) -> None:
    rng = random.Random(at)
    pixels = [rng.uniform(-2, 2) for _ in range(9)]
    pixels[at] = nan
    leaves = [[[Value(v) for v in row] for row in ch] for ch in _image(pixels, 3)]
    out = nn.MaxPool2d(kernel, stride=1)(leaves)
    ref = torch.nn.functional.max_pool2d(torch.tensor(_image(pixels, 3), dtype=torch.float64, requires_grad=True)
                                         .unsqueeze(0), kernel, stride=1)[0]
    ours_ = [v.data for ch in out for row in ch for v in row]
    assert all(same(a, float(b)) for a, b in zip(ours_, ref.flatten().tolist(), strict=True)), (ours_, ref)
    total = sum((v for ch in out for row in ch for v in row), Value(0.0))
    total.backward()
    t_in = torch.tensor(_image(pixels, 3), dtype=torch.float64, requires_grad=True)
    torch.nn.functional.max_pool2d(t_in.unsqueeze(0), kernel, stride=1).sum().backward()
    grads = [v.grad for ch in leaves for row in ch for v in row]
    assert grads == t_in.grad.flatten().tolist()  # the gradient goes to the NaN, as torch's


@pytest.mark.parametrize("at", range(4))
def test_max_of_a_window_with_inf_and_nan_is_nan(at: int) -> None:
    pixels = [math.inf, -math.inf, 1.0, 2.0]
    pixels[at] = nan
    out = nn.MaxPool2d(2)([[[Value(v) for v in pixels[:2]], [Value(v) for v in pixels[2:]]]])
    assert math.isnan(out[0][0][0].data)


@pytest.mark.parametrize("at", range(4))
def test_argmax_picks_the_nan_wherever_it_is_as_torch(at: int) -> None:
    xs = [0.5, 3.0, -1.0, 2.0]
    xs[at] = nan
    assert nn.train.argmax(xs) == int(torch.argmax(torch.tensor(xs)))


@pytest.mark.parametrize("at", range(3))
@pytest.mark.parametrize("make", [nn.softmax, nn.log_softmax, lambda z: [nn.cross_entropy(z, 1)]])
def test_softmax_family_refuses_a_nan_logit_wherever_it_sits(at: int, make: Callable[[Any], Any]) -> None:
    for extra in (0.0, math.inf, -math.inf):
        zs = [1.0, extra, 2.0]
        zs[at] = nan
        with pytest.raises(ValueError, match="the logits hold nan"):
            make(zs)


@pytest.mark.parametrize("at", range(3))
@pytest.mark.parametrize("loss", [nn.mse, nn.half_sse, nn.hinge, nn.bce_with_logits])
def test_losses_pass_a_nan_prediction_on_wherever_it_sits(at: int, loss: Callable[..., Value]) -> None:
    ys = [Value(0.5), Value(-0.25), Value(2.0)]
    ys[at] = Value(nan)
    t = [1.0, 1.0, 1.0]
    assert math.isnan(loss(ys, t).data)


@pytest.mark.parametrize("loss", [nn.mse, nn.half_sse, nn.hinge, nn.bce_with_logits])
def test_losses_refuse_a_nan_target(loss: Callable[..., Value]) -> None:
    with pytest.raises(ValueError, match="target at position 1 is nan"):
        loss([Value(0.5), Value(0.25)], [1.0, nan])


def test_relu_of_nan_is_nan_in_compiled_code_too() -> None:
    step = compile(lambda x: x.relu() * 2.0, 1.0)
    assert math.isnan(step(nan))


def test_nn_relu_activation_of_nan_is_nan() -> None:
    assert math.isnan(nn.ReLU()([[[Value(nan)]]])[0][0][0].data)
