"""Bad inputs around files: saving never loses a file, loading refuses every malformed file clearly.

Saving (``model.save``, ``save_graph``, the command line's ``-o``) goes through one function,
``autograd.files.atomic_write``; loading through ``nn.serialize``. Each test names the kind of bad
input it tries; every refusal must be the documented error, name the path and say what is wrong.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nn
from autograd import Value, save_graph
from autograd.cli import main as cli_main
from autograd.files import atomic_write
from nn.serialize import MAX_FILE_BYTES, ModelFileError, StateError

FILE_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def small_model() -> nn.MLP:
    return nn.MLP(2, [2, 1], seed=3)


def writers(path: Path) -> list[tuple[str, Any]]:
    """The three users of atomic_write, each writing ``path`` (a .json, a .dot or the CLI's -o)."""
    return [
        ("model.save", lambda: small_model().save(str(path))),
        ("save_graph", lambda: save_graph(Value(2.0, label="x") * 3, path, format="dot")),
        ("cli -o", lambda: cli_main(["x*3", "--set", "x=2", "-o", str(path), "--format", "dot"])),
    ]


WRITERS = ["model.save", "save_graph", "cli -o"]


def run_writer(name: str, path: Path) -> Any:
    return dict(writers(path))[name]()


# -- saving: read-only, symlinks, permissions, names, long names, interruptions ------------------

@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("mode", [0o444, 0o400, 0o555])
def test_a_read_only_file_is_refused_and_left_as_it_was(tmp_path: Path, writer: str, mode: int,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "m.dot"
    path.write_text("precious")
    path.chmod(mode)
    if writer == "cli -o":
        assert run_writer(writer, path) == 1
        err = capsys.readouterr().err
        assert "read-only" in err and str(path) in err and "Traceback" not in err
    else:
        with pytest.raises(PermissionError) as e:
            run_writer(writer, path)
        assert e.value.filename == str(path) and "read-only" in str(e.value) and "chmod" in str(e.value)
    assert path.read_text() == "precious" and stat.S_IMODE(path.stat().st_mode) == mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.dot"]


@pytest.mark.parametrize("writer", WRITERS)
def test_a_symlink_is_written_through_and_stays_a_link(tmp_path: Path, writer: str) -> None:
    real = tmp_path / "data" / "real.dot"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "link.dot"
    link.symlink_to(real)
    run_writer(writer, link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() != "old" and link.read_text() == real.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "link.dot"]
    assert sorted(p.name for p in real.parent.iterdir()) == ["real.dot"]


def test_a_dangling_symlink_creates_the_file_it_names(tmp_path: Path) -> None:
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "new.json")
    small_model().save(str(link))
    assert link.is_symlink() and nn.load_model(tmp_path / "new.json").num_parameters() == 9


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o604, 0o777])
def test_replacing_a_file_keeps_its_permissions(tmp_path: Path, writer: str, mode: int) -> None:
    path = tmp_path / "m.dot"
    path.write_text("old")
    path.chmod(mode)
    run_writer(writer, path)
    assert path.read_text() != "old" and stat.S_IMODE(path.stat().st_mode) == mode


@pytest.mark.parametrize("failing", ["open", "fsync", "replace"])
@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EIO, errno.EACCES])
def test_errors_name_the_users_path_never_the_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              failing: str, code: int) -> None:
    path = tmp_path / "m.json"
    path.write_text("old")
    real = getattr(os, failing)

    def fail(*args: Any, **kwargs: Any) -> Any:
        target = args[0]
        if failing == "fsync" or ".tmp" in str(target):
            raise OSError(code, os.strerror(code), str(target))
        return real(*args, **kwargs)

    monkeypatch.setattr(os, failing, fail)
    with pytest.raises(OSError) as e:
        small_model().save(str(path))
    assert e.value.errno == code and e.value.filename == str(path)
    assert ".tmp" not in str(e.value) and str(path) in str(e.value)
    monkeypatch.undo()
    assert path.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]


@pytest.mark.parametrize("length", [200, 240, 250, 255])
def test_a_long_valid_file_name_works(tmp_path: Path, length: int) -> None:
    name = "m" * (length - 5) + ".json"
    assert len(name.encode()) == length
    small_model().save(str(tmp_path / name))
    assert nn.load_model(tmp_path / name).num_parameters() == 9
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_a_name_longer_than_the_system_allows_names_the_users_path(tmp_path: Path) -> None:
    path = tmp_path / ("m" * 300 + ".json")
    with pytest.raises(OSError) as e:
        small_model().save(str(path))
    assert e.value.errno == errno.ENAMETOOLONG and e.value.filename == str(path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, SystemExit, MemoryError, RuntimeError])
@pytest.mark.parametrize("where", ["write", "fsync", "replace"])
def test_an_interrupted_save_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      interrupt: type[BaseException], where: str) -> None:
    path = tmp_path / "m.json"
    path.write_text("old")

    def stop(*args: Any, **kwargs: Any) -> Any:
        raise interrupt()

    if where == "write":
        monkeypatch.setattr(os, "fchmod", stop)  # runs just before the data is written
    else:
        monkeypatch.setattr(os, where, stop)
    with pytest.raises(interrupt):
        small_model().save(str(path))
    monkeypatch.undo()
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["m.json"]


@pytest.mark.parametrize(("make", "error", "words"), [
    (lambda d: d / "missing" / "m.json", FileNotFoundError, ["does not exist", "create it"]),
    (lambda d: d, IsADirectoryError, ["is a directory", "file name"]),
])
def test_an_impossible_target_is_explained(tmp_path: Path, make: Any, error: type[OSError], words: list[str]) -> None:
    path = make(tmp_path)
    with pytest.raises(error) as e:
        atomic_write(path, b"x")
    assert str(path) in str(e.value) and all(w in str(e.value) for w in words)


# -- loading: check before building, size limit, every malformed file a ModelFileError ------------

def document(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(nn.serialize.to_json(small_model()))
    for key, value in changes.items():
        if key in ("format", "version", "architecture", "parameters"):
            doc[key] = value
        else:
            doc["architecture"][key] = value
    return doc


def write(tmp_path: Path, content: str | bytes | dict[str, Any]) -> Path:
    path = tmp_path / "bad.json"
    if isinstance(content, dict):
        content = json.dumps(content)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def refused(path: Path, *words: str) -> str:
    """Both ways of loading refuse ``path`` with ModelFileError naming it; ``nn.load_model`` says
    ``words`` (``model.load`` may say instead that the architecture differs from the model's)."""
    messages = []
    for load in (nn.load_model, lambda p: small_model().load(str(p))):
        with pytest.raises(ModelFileError) as e:
            load(path)
        messages.append(str(e.value))
        assert isinstance(e.value, StateError) and isinstance(e.value, ValueError)
        assert str(path) in messages[-1], messages[-1]
    for word in words:
        assert word in messages[0], (word, messages[0])
    return messages[0]


@pytest.mark.parametrize("nin", [10**6, 10**9, 10**15, 10**18 - 1])
def test_a_huge_declared_size_is_refused_before_anything_is_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  nin: int) -> None:
    path = write(tmp_path, document(nin=nin))
    assert path.stat().st_size < 600

    def built(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a module was built before the file was checked")

    monkeypatch.setattr(nn.MLP, "__init__", built)
    with pytest.raises(ModelFileError) as e:
        nn.load_model(path)
    assert f"{(nin + 1) * 2 + 3:,} parameters" in str(e.value) and "holds 9" in str(e.value)
    assert str(path) in str(e.value)


@pytest.mark.parametrize(("arch", "words"), [
    ({"type": "Neuron", "nin": 10**9, "activation": "linear"}, ["1,000,000,001 parameters"]),
    ({"type": "Layer", "nin": 10**9, "nout": 10**9, "activation": "linear"}, ["parameters"]),
    ({"type": "Layer", "nin": 2, "activation": "linear"}, ["no 'nout'"]),
    ({"type": "Neuron", "activation": "linear"}, ["no 'nin'"]),
])
def test_every_shipped_type_is_counted_before_it_is_built(tmp_path: Path, arch: dict[str, Any],
                                                          words: list[str]) -> None:
    path = write(tmp_path, document(architecture=arch))
    with pytest.raises(ModelFileError) as e:
        nn.load_model(path)
    assert str(path) in str(e.value) and all(w in str(e.value) for w in words)


BIG = "9" * 5000


@pytest.mark.parametrize(("text", "words"), [
    # huge and 5,000-digit integers (Python's int-string limit would raise inside json)
    ('{"format": "deltagrad.nn", "version": 1, "architecture": {"type": "MLP", "nin": ' + BIG
     + ', "nouts": [1], "activations": ["linear"]}, "parameters": {}}', ["nin must be a positive whole number"]),
    ('{"format": "deltagrad.nn", "version": ' + BIG + ', "architecture": {}, "parameters": {}}', ["version"]),
    ('{"format": "deltagrad.nn", "version": 1, "architecture": {"type": "MLP", "nin": 1' + "0" * 400
     + ', "nouts": [1], "activations": ["linear"]}, "parameters": {}}', ["nin must be"]),
    # nesting 10⁵ deep (a RecursionError inside json)
    ("[" * 100_000 + "]" * 100_000, ["nested too deeply"]),
    ('{"format": ' + "[" * 100_000 + "]" * 100_000 + "}", ["nested too deeply"]),
    # not JSON, with the decoder's own words and no "at at"
    ('{"format": "deltagrad.nn", "version": 1, "architecture": {"type": "ML', ["Unterminated string", "line 1"]),
    ('{"format": "deltagrad.nn"', ["not valid JSON"]),
    ("", ["not valid JSON"]),
    ("NaN", ["NaN is not a number"]),
    ('{"format": Infinity}', ["Infinity is not a number"]),
    # the wrong kind of document
    ("[1, 2]", ["expected a JSON object"]),
    ('"text"', ["expected a JSON object"]),
    ('{"format": "other"}', ["not a deltagrad model file"]),
    ('{"format": "deltagrad.nn", "version": 3}', ["unsupported format version"]),
    ('{"format": "deltagrad.nn", "version": true}', ["unsupported format version"]),
    ('{"format": "deltagrad.nn", "version": 1}', ["'architecture' section is missing"]),
    ('{"format": "deltagrad.nn", "version": 1, "architecture": {}}', ["'parameters' section is missing"]),
])
def test_malformed_text_is_a_model_file_error(tmp_path: Path, text: str, words: list[str]) -> None:
    message = refused(write(tmp_path, text), *words)
    assert "at at" not in message


@pytest.mark.parametrize("raw", [
    b"\xff\xfe{\x00}\x00",  # UTF-16
    b'{"format": "deltagrad.nn\xe9"}',  # Latin-1
    b"\x89PNG\r\n\x1a\n",
    b'{"a": "\xed\xa0\x80"}',  # an encoded surrogate
])
def test_a_file_that_is_not_utf8_is_a_model_file_error(tmp_path: Path, raw: bytes) -> None:
    refused(write(tmp_path, raw), "not UTF-8")


@pytest.mark.parametrize(("changes", "words"), [
    ({"nin": "2"}, ["nin must be a positive whole number"]),
    ({"nin": 2.0}, ["nin must be"]),
    ({"nin": True}, ["nin must be"]),
    ({"nin": None}, ["nin must be"]),
    ({"nin": 0}, ["nin must be"]),
    ({"nin": -3}, ["nin must be"]),
    ({"nouts": "abc"}, ["nouts must be a non-empty list"]),
    ({"nouts": []}, ["nouts must be a non-empty list"]),
    ({"nouts": [2, "x"]}, ["nouts[1] must be"]),
    ({"nouts": {"a": 1}}, ["nouts must be"]),
    ({"activations": 5}, ["bad architecture"]),
    ({"activations": ["sigmoid"]}, ["bad architecture"]),
    ({"activations": ["nope", "linear"]}, ["bad architecture"]),
    ({"type": "Nope"}, ["unknown module type 'Nope'"]),
    ({"type": 7}, ["unknown module type"]),
    ({"parameters": {"layers.0.neurons.0.w.0": "0.5"}}, ["parameters"]),
])
def test_wrong_types_and_missing_keys_are_model_file_errors(tmp_path: Path, changes: dict[str, Any],
                                                            words: list[str]) -> None:
    path = write(tmp_path, document(**changes))
    with pytest.raises(ModelFileError) as e:
        nn.load_model(path)
    assert str(path) in str(e.value) and all(w in str(e.value) for w in words), str(e.value)


@pytest.mark.parametrize(("value", "words"), [
    ("0.5", ["must be a real number"]), (True, ["must be a real number"]), (None, ["must be a real number"]),
    ([1.0], ["must be a real number"]), ({"a": 1}, ["must be a real number"]),
])
def test_a_parameter_of_the_wrong_type_is_a_model_file_error(tmp_path: Path, value: Any, words: list[str]) -> None:
    doc = document()
    doc["parameters"]["layers.0.neurons.0.b"] = value
    refused(write(tmp_path, doc), *words)


@pytest.mark.parametrize("number", ["1e400", "-1e400", "1" + "0" * 400, BIG, "-" + BIG])
def test_a_parameter_too_large_for_a_float_is_refused(tmp_path: Path, number: str) -> None:
    text = json.dumps(document()).replace('"layers.0.neurons.0.b": 0.0', f'"layers.0.neurons.0.b": {number}')
    assert number in text
    refused(write(tmp_path, text), "only finite numbers can be loaded")


def test_missing_and_unexpected_parameter_names_are_listed(tmp_path: Path) -> None:
    doc = document()
    del doc["parameters"]["layers.0.neurons.0.b"]
    doc["parameters"]["extra"] = 1.0
    refused(write(tmp_path, doc), "missing: layers.0.neurons.0.b", "unexpected: extra")


def test_a_file_above_the_limit_is_refused_before_it_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.json"
    with open(path, "wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk space used
    real_open = open

    def no_read(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file) == str(path):
            raise AssertionError("the file was opened before its size was checked")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", no_read)
    message = refused(path, f"{MAX_FILE_BYTES + 1:,} bytes", "MAX_FILE_BYTES")
    assert "64" in f"{MAX_FILE_BYTES / 2**20:g}" and "right file" in message


@FILE_SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_give_a_model_file_error(tmp_path: Path, raw: bytes) -> None:
    path = write(tmp_path, raw)
    with pytest.raises(ModelFileError):
        nn.load_model(path)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@FILE_SETTINGS
@given(st.sampled_from(["type", "nin", "nouts", "activations", "architecture", "parameters", "version"]), JSON_VALUES)
def test_any_wrong_value_anywhere_gives_a_model_file_error_or_loads(tmp_path: Path, key: str, value: Any) -> None:
    path = write(tmp_path, document(**{key: value}))
    try:
        model = nn.load_model(path)
    except ModelFileError as e:
        assert str(path) in str(e)
    else:  # the value happened to be valid: the model is the one described
        assert model.num_parameters() == 9


@pytest.mark.parametrize("name", ["MLP", "Layer", "Neuron"])
def test_a_users_class_with_a_shipped_name_never_hijacks_loading(tmp_path: Path, name: str) -> None:
    shipped = {"MLP": nn.MLP, "Layer": nn.Layer, "Neuron": nn.Neuron}[name]
    impostor = type(name, (shipped,), {"from_architecture": classmethod(lambda cls, arch: 1 / 0)})
    model = {"MLP": small_model(), "Layer": nn.Layer(2, 2, seed=1), "Neuron": nn.Neuron(2, seed=1)}[name]
    path = tmp_path / "m.json"
    model.save(str(path))
    loaded = nn.load_model(path)
    assert type(loaded) is shipped and type(loaded) is not impostor
    assert loaded.state_dict() == model.state_dict()
    with pytest.raises(ValueError, match="already"):
        nn.register(impostor)
