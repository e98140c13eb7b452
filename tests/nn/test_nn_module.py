"""``Module``: parameter names, state dicts, and JSON files that are validated before they change anything."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

import nn
from autograd import Value
from nn.serialize import FORMAT, VERSION, StateError


def model() -> nn.MLP:
    return nn.MLP(2, [3, 1], seed=11)


def test_named_parameters_are_stable_readable_paths() -> None:
    names = [name for name, _ in model().named_parameters()]
    expected = [f"layers.0.neurons.{j}.{p}" for j in range(3) for p in ("w.0", "w.1", "b")]
    expected += ["layers.1.neurons.0.w.0", "layers.1.neurons.0.w.1", "layers.1.neurons.0.w.2", "layers.1.neurons.0.b"]
    assert names == expected
    m = model()
    assert [p for _, p in m.named_parameters()] == m.parameters()
    assert m.named_parameters()[4][1] is m.layers[0].neurons[1].w[1]


def test_a_custom_module_finds_its_parameters() -> None:
    class Affine(nn.Module):
        def __init__(self) -> None:
            self.scale = Value(2.0)
            self.inner = nn.Neuron(1, nonlin=False, seed=0)
            self.extra = [Value(1.0), Value(3.0)]
            self._hidden = Value(9.0)  # private attributes are not parameters
            self.size = 4  # nor plain numbers

        def __call__(self, x: float) -> Value:
            return self.scale * self.inner([x]) + self.extra[0]

    m = Affine()
    assert [n for n, _ in m.named_parameters()] == ["scale", "inner.w.0", "inner.b", "extra.0", "extra.1"]
    m.extra.append(m.scale)  # shared: listed once, under its first name
    assert len(m.parameters()) == 5
    y = m(2.0)
    y.backward()
    m.zero_grad()
    assert all(p.grad == 0.0 for p in m.parameters())


def test_state_dict_round_trip() -> None:
    a, b = model(), nn.MLP(2, [3, 1], seed=12)
    state = a.state_dict()
    assert all(type(v) is float for v in state.values())
    b.load_state_dict(state)
    assert b.state_dict() == state
    out_b, out_a = b([0.3, -0.2]), a([0.3, -0.2])
    assert isinstance(out_b, Value) and isinstance(out_a, Value) and out_b.data == out_a.data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.pop("layers.1.neurons.0.b"), "missing: layers.1.neurons.0.b"),
        (lambda s: s.update({"layers.9.neurons.0.b": 1.0}), "unexpected: layers.9.neurons.0.b"),
        (lambda s: s.update({"layers.0.neurons.0.b": float("nan")}), "'layers.0.neurons.0.b' is nan"),
        (lambda s: s.update({"layers.0.neurons.0.b": float("inf")}), "is inf"),
        (lambda s: s.update({"layers.0.neurons.0.b": "0.5"}), "must be a real number"),
        (lambda s: s.update({"layers.0.neurons.0.b": True}), "must be a real number"),
    ],
)
def test_load_state_dict_is_strict_and_leaves_the_model_alone(change: Any, message: str) -> None:
    m = model()
    before = m.state_dict()
    state = {k: v + 1.0 for k, v in before.items()}
    change(state)
    with pytest.raises(StateError, match=message):
        m.load_state_dict(state)
    assert m.state_dict() == before


def test_save_and_load(tmp_path: Path) -> None:
    a = model()
    path = tmp_path / "m.json"
    a.save(str(path))
    document = json.loads(path.read_text())
    assert document["format"] == FORMAT and document["version"] == 1  # an MLP: still the version-1 format
    assert document["architecture"] == {"type": "MLP", "nin": 2, "nouts": [3, 1], "activations": ["relu", "linear"]}
    b = nn.MLP(2, [3, 1], seed=99)
    b.load(str(path))
    assert b.state_dict() == a.state_dict()  # floats round-trip exactly through JSON
    c = nn.load_model(path)
    assert isinstance(c, nn.MLP) and repr(c) == repr(a) and c.state_dict() == a.state_dict()
    assert [f.name for f in tmp_path.iterdir()] == ["m.json"]  # no temporary file left behind


def _write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


def _good(m: nn.Module) -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, "architecture": m.architecture(), "parameters": m.state_dict()}


BAD_FILES = {
    "truncated": (lambda doc: json.dumps(doc)[:-20], "not valid JSON"),
    "corrupt": (lambda doc: "\x00garbage{", "not valid JSON"),
    "nan": (lambda doc: json.dumps(doc).replace(str(doc["parameters"]["layers.0.neurons.0.b"]), "NaN", 1),
            "NaN is not a number"),
    "huge": (lambda doc: json.dumps(doc).replace(str(doc["parameters"]["layers.0.neurons.0.b"]), "1e400", 1),
             "is inf"),
    "wrong names": (lambda doc: json.dumps({**doc, "parameters": {k.replace("neurons", "units"): v
                                                                  for k, v in doc["parameters"].items()}}),
                    "missing: layers.0.neurons.0.w.0"),
    "wrong count": (lambda doc: json.dumps({**doc, "parameters": dict(list(doc["parameters"].items())[:-1])}),
                    "got 12 parameter\\(s\\), the model has 13"),
    "wrong version": (lambda doc: json.dumps({**doc, "version": 3}), "unsupported format version 3"),
    "not ours": (lambda doc: json.dumps({**doc, "format": "keras"}), "not a deltagrad model file"),
    "a list": (lambda doc: "[1, 2]", "expected a JSON object"),
    "no parameters": (lambda doc: json.dumps({k: v for k, v in doc.items() if k != "parameters"}),
                      "'parameters' section"),
    "other architecture": (lambda doc: json.dumps({**doc, "architecture": {**doc["architecture"], "nouts": [4, 1]}}),
                           "architecture"),
    "a string value": (lambda doc: json.dumps({**doc, "parameters": {**doc["parameters"],
                                                                     "layers.1.neurons.0.b": "1"}}),
                       "must be a real number"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_raises_and_leaves_the_model_untouched(tmp_path: Path, case: str) -> None:
    m = model()
    make, message = BAD_FILES[case]
    doc = _good(m)
    doc["parameters"] = {k: v + 0.5 for k, v in doc["parameters"].items()}  # a valid load would change m
    path = _write(tmp_path / "bad.json", make(doc))
    before = m.state_dict()
    with pytest.raises(StateError, match=message):
        m.load(path)
    assert m.state_dict() == before
    with pytest.raises(StateError):
        nn.load_model(path)


def test_saving_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure while writing leaves the previous file whole and no temporary file behind."""
    path = tmp_path / "m.json"
    a = model()
    a.save(str(path))
    before = path.read_text()

    def crash(src: str, dst: str) -> None:
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="simulated"):
        nn.MLP(2, [3, 1], seed=5).save(str(path))
    assert path.read_text() == before
    assert sorted(f.name for f in tmp_path.iterdir()) == ["m.json"]


def test_saving_a_diverged_model_is_refused(tmp_path: Path) -> None:
    m = model()
    m.layers[0].neurons[0].b.data = float("nan")
    with pytest.raises(StateError, match="not finite"):
        m.save(str(tmp_path / "m.json"))
    assert not (tmp_path / "m.json").exists()


# -- loading rebuilds the classes nn ships; a user's own class is registered explicitly ---------

OLD_FILE = """{
 "format": "deltagrad.nn",
 "version": 1,
 "architecture": {"type": "MLP", "nin": 2, "nouts": [1], "activations": ["sigmoid"]},
 "parameters": {"layers.0.neurons.0.w.0": 0.5, "layers.0.neurons.0.w.1": -0.25, "layers.0.neurons.0.b": 0.125}
}
"""


def test_a_file_in_the_unchanged_format_loads(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_text(OLD_FILE)
    m = nn.load_model(path)
    assert isinstance(m, nn.MLP) and m.state_dict() == {"layers.0.neurons.0.w.0": 0.5,
                                                         "layers.0.neurons.0.w.1": -0.25,
                                                         "layers.0.neurons.0.b": 0.125}
    m.save(str(tmp_path / "new.json"))
    assert json.loads((tmp_path / "new.json").read_text()) == json.loads(OLD_FILE)


def test_a_user_subclass_named_mlp_does_not_hijack_loading(tmp_path: Path) -> None:
    class MLP(nn.MLP):  # the point: the same name as ours
        hijacked = True

    MLP(2, [1], seed=0)
    path = tmp_path / "m.json"
    model().save(str(path))
    loaded = nn.load_model(path)
    assert type(loaded) is nn.MLP
    assert nn.architectures.ARCHITECTURES["MLP"] is nn.MLP
    with pytest.raises(ValueError, match="already"):
        nn.register(MLP)


def test_a_module_of_ones_own_is_registered_explicitly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Scale(nn.Module):
        def __init__(self, k: float) -> None:
            self.k = Value(k)

        def __call__(self, x: float) -> Value:
            return self.k * x

        def architecture(self) -> dict[str, Any]:
            return {"type": "Scale"}

        @classmethod
        def from_architecture(cls, arch: Any) -> Scale:
            return cls(0.0)

    path = tmp_path / "s.json"
    Scale(2.5).save(str(path))
    with pytest.raises(StateError, match="unknown module type 'Scale'"):  # subclassing registers nothing
        nn.load_model(path)
    monkeypatch.setattr(nn.architectures, "ARCHITECTURES", dict(nn.architectures.ARCHITECTURES))
    assert nn.register(Scale) is Scale
    loaded = nn.load_model(path)
    assert isinstance(loaded, Scale) and loaded.k.data == 2.5
