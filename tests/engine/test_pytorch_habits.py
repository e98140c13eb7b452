"""What PyTorch users reach for: item(), retain_graph, strict=False, optimiser state that resumes exactly."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import nn
from autograd import Value
from nn.serialize import StateError, optimizer_path


def test_item_and_retain_graph() -> None:
    x = Value(3.0)
    y = x * x * x
    assert y.item() == 27.0 and isinstance(y.item(), float)
    y.backward(retain_graph=True)
    y.backward(retain_graph=False)  # accepted and ignored: the graph is never freed
    assert x.grad == 2 * 3 * 3.0**2  # leaves accumulate: 27 + 27


def test_load_state_dict_strict_false_loads_what_is_there() -> None:
    model = nn.MLP(2, [2, 1], seed=0)
    names = [n for n, _ in model.named_parameters()]
    before = model.state_dict()
    partial = {names[0]: 0.25, "not.a.parameter": 1.0}
    with pytest.raises(StateError, match="missing"):
        model.load_state_dict(partial)
    assert model.state_dict() == before  # strict: nothing changed
    result = model.load_state_dict(partial, strict=False)
    assert result.missing_keys == names[1:] and result.unexpected_keys == ["not.a.parameter"]
    after = model.state_dict()
    assert after[names[0]] == 0.25 and all(after[n] == before[n] for n in names[1:])
    assert model.load_state_dict(before) == ([], [])
    with pytest.raises(StateError, match="finite"):
        model.load_state_dict({names[0]: math.nan}, strict=False)


def _train(model: nn.Module, opt: nn.Optimizer, steps: int) -> None:
    X, y = nn.xor()
    for _ in range(steps):
        loss = nn.half_sse([model(x) for x in X], y)
        opt.zero_grad()
        loss.backward()
        opt.step()


@pytest.mark.parametrize("make", [lambda p: nn.Adam(p, lr=0.05), lambda p: nn.SGD(p, lr=0.3, momentum=0.9)])
def test_a_run_resumes_bit_for_bit(tmp_path: Path, make: object) -> None:
    straight = nn.MLP(2, [3, 1], activation="tanh", seed=4)
    opt = make(straight.parameters())  # type: ignore[operator]
    _train(straight, opt, 10)

    first = nn.MLP(2, [3, 1], activation="tanh", seed=4)
    opt1 = make(first.parameters())  # type: ignore[operator]
    _train(first, opt1, 5)
    first.save(str(tmp_path / "model.json"), optimizer=opt1)
    saved = optimizer_path(tmp_path / "model.json")
    assert saved.name == "model.optimizer.json"
    json.loads(saved.read_text(encoding="utf-8"))  # plain JSON

    resumed = nn.load_model(tmp_path / "model.json")
    opt2 = make(resumed.parameters())  # type: ignore[operator]
    opt2.load(saved)
    assert opt2.steps == 5
    _train(resumed, opt2, 5)
    assert resumed.state_dict() == straight.state_dict()  # exactly equal floats, not approx
    assert opt2.state_dict() == opt.state_dict()


def test_a_fresh_optimizer_does_not_resume_the_same() -> None:
    # the oracle above can fail: without the moments Adam takes other steps
    straight = nn.MLP(2, [3, 1], activation="tanh", seed=4)
    _train(straight, nn.Adam(straight.parameters(), lr=0.05), 10)
    other = nn.MLP(2, [3, 1], activation="tanh", seed=4)
    _train(other, nn.Adam(other.parameters(), lr=0.05), 5)
    _train(other, nn.Adam(other.parameters(), lr=0.05), 5)
    assert other.state_dict() != straight.state_dict()


def test_optimizer_state_is_checked_before_anything_changes() -> None:
    model = nn.MLP(2, [2, 1], seed=0)
    opt = nn.Adam(model.parameters())
    state = opt.state_dict()
    with pytest.raises(ValueError, match="not SGD"):
        nn.SGD(model.parameters(), lr=0.1).load_state_dict(state)
    with pytest.raises(ValueError, match="parameters"):
        nn.Adam(nn.MLP(2, [1]).parameters()).load_state_dict(state)
    bad = {**state, "buffers": {"m": [0.0] * 9, "v": ["x"] * 9}}
    with pytest.raises(ValueError, match="finite number"):
        opt.load_state_dict(bad)
    assert opt.state_dict() == state


def test_readable_repr_and_the_module_mistake() -> None:
    model = nn.MLP(2, [2, 1], seed=0)
    assert repr(nn.Adam(model.parameters(), lr=0.01)) == (
        "Adam(9 parameters, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0.0, steps=0)")
    assert repr(nn.SGD(model.parameters(), lr=0.5)) == (
        "SGD(9 parameters, lr=0.5, momentum=0.0, weight_decay=0.0, steps=0)")
    with pytest.raises(TypeError, match=r"model.parameters\(\)"):
        nn.SGD(model, lr=0.1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"model.parameters\(\)"):
        nn.Adam(Value(1.0))  # type: ignore[arg-type]
