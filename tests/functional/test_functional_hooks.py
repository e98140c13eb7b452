"""``grad()``, ``grad(create_graph=True)`` and ``hessian`` apply gradient hooks as ``backward()`` and torch do.

A hook registered with ``v.register_hook(fn)`` gets ∂L/∂v once it is complete and what it returns
flows on. Before the fix the functional walks ignored hooks: with h = 2x at x = 1.5 and a hook g ↦ 3g
on h, ``grad(h*h, x)`` gave 12 (∂(4x²)/∂x) where ``backward()`` and torch give 36
(∂L/∂h = 2h = 6, ×3 by the hook, ×2 = ∂h/∂x). The oracle is torch (float64) on the same programs,
including second derivatives, where the hook applies again in the second pass (as torch's does).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from autograd import Value, grad, hessian

torch = pytest.importorskip("torch")


def test_the_issue_example_gives_36_as_backward_and_torch() -> None:
    x = Value(1.5)
    h = x * 2
    with h.register_hook(lambda g: g * 3):
        assert grad(h * h, x) == 36.0
        assert grad(h * h, x, create_graph=True).data == 36.0
        y = h * h
        y.backward()
        assert x.grad == 36.0
    t = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    th = t * 2
    th.register_hook(lambda g: g * 3)
    assert torch.autograd.grad(th * th, t)[0].item() == 36.0


_STEP: dict[str, Callable[[Any, Any], Any]] = {"mul": lambda a, b: a * b, "add": lambda a, b: a + b,
                                              "tanh": lambda a, b: a.tanh(), "sin": lambda a, b: a.sin(),
                                              "sq": lambda a, b: a * a}


def _program(rng: random.Random) -> tuple[Callable[[Any, Any], tuple[Any, list[Any]]], list[float]]:
    """A random small program of two inputs with hooks g ↦ k·g (or g + c, or None) on some nodes."""
    steps = [(rng.choice(["mul", "add", "tanh", "sin", "sq"]), rng.randrange(3), rng.randrange(3),
              rng.choice([None, 2.0, -0.5, 3.0, "plus1", "none"])) for _ in range(6)]

    def run(x0: Any, x1: Any) -> tuple[Any, list[Any]]:
        vals = [x0, x1, x0 * x1]
        hooked = []
        for kind, i, j, hook in steps:
            a, b = vals[-1 - i], vals[-1 - j]
            v = _STEP[kind](a, b)
            if hook is not None:
                fn = (lambda g, k=hook: g * k) if isinstance(hook, float) else \
                    ((lambda g: g + 1.0) if hook == "plus1" else (lambda g: None))
                hooked.append((v, fn))
            vals.append(v)
        return vals[-1] * vals[-2], hooked

    return run, [rng.uniform(-1.2, 1.2), rng.uniform(-1.2, 1.2)]


def _ours(run: Any, xs: list[float]) -> tuple[list[float], list[float], list[list[float]]]:
    a, b = Value(xs[0]), Value(xs[1])
    y, hooked = run(a, b)
    handles = [v.register_hook(fn) for v, fn in hooked]
    try:
        g = grad(y, [a, b])
        gg = grad(y, [a, b], create_graph=True)
        second = [grad(gi, [a, b]) for gi in gg]
        y.backward()
        assert [a.grad, b.grad] == pytest.approx(g, rel=1e-12, abs=1e-12)  # grad() agrees with backward()
    finally:
        for h in handles:
            h.remove()
    return g, [v.data for v in gg], second


def _torch(run: Any, xs: list[float]) -> tuple[list[float], list[list[float]]]:
    a, b = (torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs)
    y, hooked = run(a, b)
    for v, fn in hooked:
        v.register_hook(fn)
    g = torch.autograd.grad(y, [a, b], create_graph=True, allow_unused=True, materialize_grads=True)
    second = [[0.0 if d is None else d.item() for d in torch.autograd.grad(gi, [a, b], retain_graph=True,
                                                                             allow_unused=True)]
              if gi.requires_grad else [0.0, 0.0] for gi in g]
    return [gi.item() for gi in g], second


@pytest.mark.parametrize("seed", range(60))
def test_hooked_random_programs_match_torch_first_and_second_order(seed: int) -> None:
    run, xs = _program(random.Random(seed))
    g, gg, second = _ours(run, xs)
    tg, tsecond = _torch(run, xs)
    assert g == pytest.approx(tg, rel=1e-10, abs=1e-10)
    assert gg == pytest.approx(tg, rel=1e-10, abs=1e-10)
    for row, trow in zip(second, tsecond, strict=True):
        assert row == pytest.approx(trow, rel=1e-9, abs=1e-9)


def test_hooks_on_the_inputs_and_the_output_apply() -> None:
    x = Value(2.0)
    y = x * x
    with x.register_hook(lambda g: g * 3), y.register_hook(lambda g: g * 5):
        assert grad(y, x) == 60.0  # 2x = 4, ×5 on the output's seed, ×3 on the leaf: torch gives 60
        assert grad(y, x, create_graph=True).data == 60.0
    t = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    ty = t * t
    t.register_hook(lambda g: g * 3)
    ty.register_hook(lambda g: g * 5)
    assert torch.autograd.grad(ty, t)[0].item() == 60.0


def test_hessian_applies_hooks_registered_inside_the_function() -> None:
    handles = []

    def f(x: Any, y: Any) -> Any:
        h = x * y
        handles.append(h.register_hook(lambda g: g * 2))
        return h * h + x

    ours = hessian(f)(1.5, -0.5)
    for handle in handles:
        handle.remove()

    def tf(x: Any, y: Any) -> Any:
        h = x * y
        h.register_hook(lambda g: g * 2)
        return h * h + x

    a, b = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (1.5, -0.5))
    g = torch.autograd.grad(tf(a, b), [a, b], create_graph=True)
    theirs = [[d.item() for d in torch.autograd.grad(gi, [a, b], retain_graph=True)] for gi in g]
    assert [v for row in ours for v in row] == pytest.approx([v for row in theirs for v in row], rel=1e-12)


def test_a_removed_hook_no_longer_applies() -> None:
    x = Value(1.5)
    h = x * 2
    handle = h.register_hook(lambda g: g * 3)
    handle.remove()
    assert grad(h * h, x) == 12.0


@pytest.mark.parametrize("create_graph", [False, True])
def test_a_hook_returning_a_huge_int_is_named(create_graph: bool) -> None:
    x = Value(1.5)
    h = x * 2

    def huge(g: Any) -> int:
        return 10 ** 400

    with h.register_hook(huge), pytest.raises(OverflowError, match=r"hook 'huge'.*does not fit in a float"):
        grad(h * h, x, create_graph=create_graph)
    with h.register_hook(huge), pytest.raises(OverflowError, match=r"hook 'huge'.*does not fit in a float"):
        (h * h).backward()
