"""Bad inputs around saved models and optimisers: size bombs, hostile JSON, model + optimiser pairs.

Each test names the bad input it tries. Loading must refuse it with ``ModelFileError`` naming the
file and the fault, before anything is built or changed; saving a model with its optimiser must
change both files or neither.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from autograd import Value
from nn.architectures import MAX_DEPTH, count_parameters
from nn.serialize import ModelFileError, optimizer_path
from tests.support.threads import in_threads

ROOT = Path(__file__).resolve().parent.parent.parent


def document(arch: Any, parameters: dict[str, float] | None = None) -> str:
    return json.dumps({"format": "deltagrad.nn", "version": 2, "architecture": arch,
                       "parameters": parameters or {"a": 0.0}})


def write(tmp_path: Path, text: str, name: str = "m.json") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def nothing_built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records every module the loader starts to build (none may be, for a refused file)."""
    built: list[str] = []
    for cls in (nn.Conv2d, nn.Layer, nn.Neuron, nn.MLP, nn.Sequential):
        original = vars(cls)["from_architecture"].__func__

        def record(c: Any, arch: Any, _orig: Any = original) -> Any:
            built.append(c.__name__)
            return _orig(c, arch)

        monkeypatch.setattr(cls, "from_architecture", classmethod(record))
    return built


CONV = {"type": "Conv2d", "in_channels": 100_000, "out_channels": 100_000, "kernel_size": 3, "stride": 1,
        "padding": 0}
BOMBS = {
    "Conv2d of 9·10¹⁰ weights": CONV,
    "Sequential holding it": {"type": "Sequential", "modules": [CONV]},
    "Sequential of a 10⁹-weight Layer": {"type": "Sequential", "modules": [
        {"type": "Flatten"}, {"type": "Layer", "nin": 100_000, "nout": 10_000, "activation": "relu"}]},
    "Sequential in Sequential": {"type": "Sequential", "modules": [{"type": "Sequential", "modules": [
        {"type": "Conv2d", "in_channels": 1, "out_channels": 10**6, "kernel_size": 100, "stride": 1,
         "padding": 0}]}]},
}


@pytest.mark.parametrize("name", BOMBS)
def test_a_tiny_file_declaring_billions_of_parameters_is_refused_unbuilt(tmp_path: Path, name: str,
                                                                         nothing_built: list[str]) -> None:
    path = write(tmp_path, document(BOMBS[name]))
    assert path.stat().st_size < 400
    with pytest.raises(ModelFileError, match=r"has [0-9,]{13,} parameters but the file holds 1") as e:
        nn.load_model(path)
    assert str(path) in str(e.value)
    assert nothing_built == []


def test_every_shipped_architecture_is_counted_as_it_is_built() -> None:
    # the oracle: the number of parameters the built module really has
    models: list[nn.Module] = [
        nn.Conv2d(2, 3, 2), nn.Conv2d(1, 4, 3, stride=2, padding=1), nn.MaxPool2d(2), nn.AvgPool2d(2, 1),
        nn.Flatten(), nn.Neuron(3), nn.Layer(3, 2), nn.MLP(2, [3, 1]),
        nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Layer(8, 3)),
        nn.Sequential(nn.Sequential(nn.Conv2d(1, 1, 2)), nn.Flatten(), nn.MLP(4, [2, 2])),
    ]
    for m in models:
        count = count_parameters(m.architecture())
        assert count.exact and count.at_least == len(m.parameters()), m


SMALL = st.integers(1, 3)
LEAF_ARCH = st.one_of(
    st.builds(lambda i, o, k, s, p: {"type": "Conv2d", "in_channels": i, "out_channels": o, "kernel_size": k,
                                     "stride": s, "padding": p}, SMALL, SMALL, SMALL, SMALL, st.integers(0, 2)),
    st.builds(lambda i, o: {"type": "Layer", "nin": i, "nout": o, "activation": "relu"}, SMALL, SMALL),
    st.builds(lambda i: {"type": "Neuron", "nin": i, "activation": "tanh"}, SMALL),
    st.builds(lambda i, ns: {"type": "MLP", "nin": i, "nouts": ns, "activations": ["relu"] * len(ns)}, SMALL,
              st.lists(SMALL, min_size=1, max_size=3)),
    st.builds(lambda k: {"type": "MaxPool2d", "kernel_size": k, "stride": k}, SMALL),
    st.just({"type": "Flatten"}),
)
ARCH = st.recursive(LEAF_ARCH, lambda inner: st.builds(lambda ms: {"type": "Sequential", "modules": ms},
                                                       st.lists(inner, min_size=1, max_size=3)), max_leaves=6)


@settings(max_examples=150, deadline=None)
@given(ARCH)
def test_the_count_equals_the_built_modules_parameters_on_random_architectures(arch: dict[str, Any]) -> None:
    # the oracle: build the module (nn.load_model's own path) and count what it has
    from nn.architectures import ARCHITECTURES

    built = ARCHITECTURES[arch["type"]].from_architecture(arch)
    count = count_parameters(arch)
    assert count.exact and count.at_least == len(built.parameters())


HOSTILE = {
    "modules not a list": ({"type": "Sequential", "modules": "abc"}, "non-empty list"),
    "no modules": ({"type": "Sequential", "modules": []}, "non-empty list"),
    "a module not an object": ({"type": "Sequential", "modules": [3]},
                               r"modules\[0\]: an architecture must be an object"),
    "a module of no type": ({"type": "Sequential", "modules": [{}]}, r"modules\[0\]: no 'type' entry"),
    "kernel_size a string": ({**CONV, "kernel_size": "3"}, "kernel_size must be a positive whole number"),
    "kernel_size a float": ({**CONV, "kernel_size": 3.0}, "kernel_size must be a positive whole number"),
    "negative padding": ({**CONV, "padding": -1}, "padding must be a whole number >= 0"),
    "deep inside": ({"type": "Sequential", "modules": [{"type": "Flatten"}, {"type": "Sequential", "modules": [
        {**CONV, "stride": 0}]}]}, r"modules\[1\]\.modules\[0\]: stride must be a positive whole number"),
    "no stride": ({k: v for k, v in CONV.items() if k != "stride"}, "has no 'stride' entry"),
    "kernel_size true": ({**CONV, "kernel_size": True}, "kernel_size must be"),
    "a 400-digit size": (json.dumps(CONV).replace("100000", "1" + "0" * 400, 1), "in_channels must be"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_architectures_get_clear_errors(tmp_path: Path, name: str, nothing_built: list[str]) -> None:
    arch, message = HOSTILE[name]
    text = document(arch) if not isinstance(arch, str) else document({}).replace("{}", arch)
    path = write(tmp_path, text)
    with pytest.raises(ModelFileError, match="bad architecture: .*" + message):
        nn.load_model(path)
    assert nothing_built == []


def test_architectures_nested_too_deep_are_refused(tmp_path: Path) -> None:
    arch: dict[str, Any] = {"type": "Flatten"}
    for _ in range(MAX_DEPTH + 2):
        arch = {"type": "Sequential", "modules": [arch]}
    with pytest.raises(ModelFileError, match=f"nests more than {MAX_DEPTH} modules deep"):
        nn.load_model(write(tmp_path, document(arch)))
    for text, message in (("[" * 100_000, "nested too deeply"), ('{"format": NaN}', "NaN is not a number"),
                          ('{"format": Infinity}', "Infinity is not a number")):
        with pytest.raises(ModelFileError, match=message):
            nn.load_model(write(tmp_path, text))


def test_a_small_file_is_read_without_a_64_mib_buffer(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    nn.MLP(2, [2, 1], seed=0).save(str(path))
    assert path.stat().st_size < 2000
    nn.load_model(path)  # warm up imports and caches
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        nn.load_model(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 256 * 1024, peak  # before: 64 MiB (the read buffer) for a 1.5 kB file


def test_a_file_that_grows_while_read_is_still_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a file whose stat says less than it holds (it grows, or a /proc file says 0): read in pieces, bounded
    import nn.serialize as serialize

    monkeypatch.setattr(serialize, "MAX_FILE_BYTES", 1000)
    monkeypatch.setattr(serialize, "READ_CHUNK", 64)
    path = write(tmp_path, " " * 5000)
    real_fstat = os.fstat
    monkeypatch.setattr(serialize.os, "fstat", lambda fd: os.stat_result((*real_fstat(fd)[:6], 0, *real_fstat(fd)[7:])))
    with pytest.raises(ModelFileError, match="more than the 1,000 bytes"):
        serialize.read_bounded(path, "test", 1000)
    assert serialize.read_bounded(write(tmp_path, "x" * 700, "b.json"), "test", 1000) == b"x" * 700


# -- optimiser state: the same ranges as the constructor --------------------------------------

def adam_state(**changes: Any) -> dict[str, Any]:
    state = nn.Adam([Value(1.0), Value(2.0)]).state_dict()
    for k, v in changes.items():
        if k in ("m", "v"):
            state["buffers"][k] = v
        else:
            state[k] = v
    return state


BAD_STATES = {
    "beta1 = 1": (nn.Adam, adam_state(beta1=1.0), r"beta1 must be in \[0, 1\)"),
    "beta2 = 1.5": (nn.Adam, adam_state(beta2=1.5), r"beta2 must be in \[0, 1\)"),
    "eps = 0": (nn.Adam, adam_state(eps=0.0), r"eps must be in \(0, inf\)"),
    "negative v": (nn.Adam, adam_state(v=[0.0, -1e-3]), r"v\[1\] must be in \[0, inf\)"),
    "lr = 0": (nn.Adam, adam_state(lr=0), r"lr must be in \(0, inf\)"),
    "NaN m": (nn.Adam, adam_state(m=[math.nan, 0.0]), "m must be a finite number|m\\[0\\] must be a finite"),
    "momentum = 1.5": (nn.SGD, {**nn.SGD([Value(1.0), Value(2.0)], lr=0.1).state_dict(), "momentum": 1.5},
                       r"momentum must be in \[0, 1\)"),
    "weight_decay < 0": (nn.SGD, {**nn.SGD([Value(1.0), Value(2.0)], lr=0.1).state_dict(),
                                  "weight_decay": -0.1}, r"weight_decay must be in \[0, inf\)"),
}


@pytest.mark.parametrize("name", BAD_STATES)
def test_load_state_dict_refuses_what_the_constructor_refuses(name: str) -> None:
    cls, state, message = BAD_STATES[name]
    params = [Value(1.0), Value(2.0)]
    opt = cls(params, lr=0.1) if cls is nn.SGD else cls(params)
    before = opt.state_dict()
    with pytest.raises(ValueError, match=message):
        opt.load_state_dict(state)
    assert opt.state_dict() == before  # nothing changed
    params[0].grad = params[1].grad = 1.0
    opt.step()  # and it still steps (before: beta1 = 1 was loaded, then step() raised ZeroDivisionError)


SETTING = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-3, 3),
                    st.sampled_from([0.0, 1.0, -0.0, 1 - 1e-16, 1e-300, 5e-324]))


@settings(max_examples=300, deadline=None)
@given(lr=SETTING, b1=SETTING, b2=SETTING, eps=SETTING, wd=SETTING, mu=SETTING)
def test_constructor_and_load_state_dict_agree_on_every_setting(lr: float, b1: float, b2: float, eps: float,
                                                                 wd: float, mu: float) -> None:
    def accepted(make: Any) -> bool:
        try:
            make()
        except ValueError:
            return False
        return True

    p = [Value(1.0)]
    adam_state = {**nn.Adam(p).state_dict(), "lr": lr, "beta1": b1, "beta2": b2, "eps": eps, "weight_decay": wd}
    sgd_state = {**nn.SGD(p, lr=1.0).state_dict(), "lr": lr, "momentum": mu, "weight_decay": wd}
    assert accepted(lambda: nn.Adam(p, lr, (b1, b2), eps, wd)) == accepted(lambda: nn.Adam(p).load_state_dict(
        adam_state))
    assert accepted(lambda: nn.SGD(p, lr, mu, wd)) == accepted(lambda: nn.SGD(p, lr=1.0).load_state_dict(sgd_state))


@pytest.mark.parametrize("text, message", [
    ("[" * 50_000, "nested too deeply"), ('{"steps": NaN}', "NaN is not a number"), ("", "empty"),
    ('{"optimizer": "Adam", "parameters": 1, "steps": 1' + "0" * 5000 + "}", "steps must be an int"),
    ("\xff", "not valid JSON|not UTF-8"),
])
def test_a_hostile_optimizer_file_gets_a_model_file_error(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text, "o.json")
    with pytest.raises(ModelFileError, match=message) as e:
        nn.Adam([Value(1.0)]).load(path)
    assert str(path) in str(e.value)


# -- model + optimiser: together or not at all -----------------------------------------------

def trained(seed: int = 0) -> tuple[nn.MLP, nn.Adam]:
    model = nn.MLP(2, [2, 1], seed=seed)
    opt = nn.Adam(model.parameters(), lr=0.1)
    X, y = nn.xor()
    for _ in range(3):
        opt.zero_grad()
        nn.half_sse([model(x) for x in X], y).backward()
        opt.step()
    return model, opt


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_nan_moment_writes_neither_file(tmp_path: Path) -> None:
    model, opt = trained()
    path = tmp_path / "model.json"
    model.save(str(path), optimizer=opt)
    before = snapshot(tmp_path)
    model2, opt2 = trained(1)
    opt2.m[3] = math.nan
    with pytest.raises(ValueError, match=r"moment buffer m\[3\] is nan .*nothing was written"):
        model2.save(str(path), optimizer=opt2)
    assert snapshot(tmp_path) == before  # before: the model file was replaced, then json raised


def test_a_read_only_optimizer_file_leaves_the_model_file_too(tmp_path: Path) -> None:
    model, opt = trained()
    path = tmp_path / "model.json"
    model.save(str(path), optimizer=opt)
    optimizer_path(path).chmod(0o444)
    before = snapshot(tmp_path)
    with pytest.raises(PermissionError, match="read-only"):
        trained(1)[0].save(str(path), optimizer=trained(1)[1])
    assert snapshot(tmp_path) == before


def test_a_failing_second_replace_puts_the_first_file_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model, opt = trained()
    path = tmp_path / "model.json"
    model.save(str(path), optimizer=opt)
    before = snapshot(tmp_path)
    real_replace, calls = os.replace, []

    def second_fails(src: Any, dst: Any) -> None:
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", second_fails)
    with pytest.raises(OSError, match="No space left"):
        trained(1)[0].save(str(path), optimizer=trained(1)[1])
    monkeypatch.undo()
    assert snapshot(tmp_path) == before  # the model file came back; no temporary file is left


CRASH = """
import os, sys
sys.path.insert(0, {root!r})
import nn
from autograd import Value
real, calls = os.replace, []
def crash(src, dst):
    calls.append(dst)
    if len(calls) == 2:
        os._exit(9)  # the power goes between the two replacements
    real(src, dst)
os.replace = crash
model = nn.MLP(2, [2, 1], seed=5)
opt = nn.Adam(model.parameters())
opt.steps = 7
model.save({path!r}, optimizer=opt)
"""


def test_a_crash_between_the_two_replacements_is_detected_on_resume(tmp_path: Path) -> None:
    model, opt = trained()
    path = tmp_path / "model.json"
    model.save(str(path), optimizer=opt)
    done = subprocess.run([sys.executable, "-c", CRASH.format(root=str(ROOT), path=str(path))], timeout=120,
                          check=False)
    assert done.returncode == 9
    resumed = nn.load_model(path)  # the model file is whole: the new one
    assert resumed.state_dict() == nn.MLP(2, [2, 1], seed=5).state_dict()
    with pytest.raises(ModelFileError, match="pair ids differ"):
        nn.Adam(resumed.parameters()).load(optimizer_path(path))  # the old optimiser is not taken for the new


def test_concurrent_pair_saves_never_mix(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    pairs = [trained(s) for s in range(2)]
    def saver(k: int) -> None:
        for _ in range(15):
            pairs[k][0].save(str(path), optimizer=pairs[k][1])

    assert in_threads(saver, 2) == []
    model = nn.load_model(path)
    k = [m.state_dict() for m, _ in pairs].index(model.state_dict())
    opt = nn.Adam(model.parameters())
    opt.load(optimizer_path(path))  # the pair check passes: both files are from one save
    assert opt.state_dict() == pairs[k][1].state_dict()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json", "model.optimizer.json"]


def test_a_model_saved_alone_later_makes_the_old_optimizer_stale(tmp_path: Path) -> None:
    model, opt = trained()
    path = tmp_path / "model.json"
    model.save(str(path), optimizer=opt)
    trained(1)[0].save(str(path))  # the model alone: the optimiser file beside it is from the earlier run
    with pytest.raises(ModelFileError, match="pair ids differ"):
        nn.Adam(model.parameters()).load(optimizer_path(path))


def test_pair_saves_write_through_symlinks_and_keep_permissions(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    model, opt = trained()
    model.save(str(real / "model.json"), optimizer=opt)
    (real / "model.json").chmod(0o640)
    (tmp_path / "model.json").symlink_to(real / "model.json")
    trained(1)[0].save(str(tmp_path / "model.json"), optimizer=trained(1)[1])
    assert (tmp_path / "model.json").is_symlink() and oct((real / "model.json").stat().st_mode & 0o777) == "0o640"
    assert nn.load_model(tmp_path / "model.json").state_dict() == trained(1)[0].state_dict()
    nn.Adam(trained(1)[0].parameters()).load(tmp_path / "model.optimizer.json")  # a pair again


def test_a_2_gb_sparse_optimizer_file_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "big.optimizer.json"
    with open(path, "wb") as f:
        f.truncate(2 * 1024**3)
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match="2,147,483,648 bytes"):
            nn.Adam([Value(1.0)]).load(path)  # before: read all 2 GB into memory
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024


TWO_PROCESSES = """
import sys
sys.path.insert(0, {root!r})
import nn
model = nn.MLP(2, [2, 1], seed={seed})
opt = nn.Adam(model.parameters())
opt.steps = {seed}
for _ in range(20):
    model.save({path!r}, optimizer=opt)
"""


def test_two_processes_saving_one_pair_never_mix(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    procs = [subprocess.Popen([sys.executable, "-c", TWO_PROCESSES.format(root=str(ROOT), seed=s, path=str(path))])
             for s in (1, 2)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    model = nn.load_model(path)
    seed = next(s for s in (1, 2) if nn.MLP(2, [2, 1], seed=s).state_dict() == model.state_dict())
    opt = nn.Adam(model.parameters())
    opt.load(optimizer_path(path))  # the directory lock kept each pair together
    assert opt.steps == seed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json", "model.optimizer.json"]


def test_a_save_that_comes_between_anothers_two_replacements_waits(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # A pauses between its two replacements; B saves meanwhile. With the directory lock, B waits and
    # the pair on disk is B's; without it, B would land between A's two files (model B, optimiser A).
    path = tmp_path / "model.json"
    (ma, oa), (mb, ob) = trained(0), trained(1)
    real_replace, first_done = os.replace, threading.Event()
    slow = threading.current_thread

    def replace(src: Any, dst: Any) -> None:
        real_replace(src, dst)
        if slow().name == "A" and not first_done.is_set():
            first_done.set()
            time.sleep(0.3)

    monkeypatch.setattr(os, "replace", replace)
    a = threading.Thread(target=lambda: ma.save(str(path), optimizer=oa), name="A")
    a.start()
    assert first_done.wait(30)
    mb.save(str(path), optimizer=ob)
    a.join()
    monkeypatch.undo()
    model = nn.load_model(path)
    opt = nn.Adam(model.parameters())
    opt.load(optimizer_path(path))  # one pair, whichever came last
    assert (model.state_dict(), opt.state_dict()) in [(m.state_dict(), o.state_dict()) for m, o in ((ma, oa), (mb, ob))]


def test_without_hard_links_a_failed_pair_save_deletes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a file system without hard links: no backup to bring back; the replaced model file must stay (new),
    # never be deleted, and the mix is refused on resume
    model, opt = trained()
    path = tmp_path / "model.json"
    model.save(str(path), optimizer=opt)
    real_replace, calls = os.replace, []

    def no_links(src: Any, dst: Any) -> None:
        raise OSError(1, "Operation not permitted")

    def second_fails(src: Any, dst: Any) -> None:
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "link", no_links)
    monkeypatch.setattr(os, "replace", second_fails)
    with pytest.raises(OSError, match="No space left"):
        trained(1)[0].save(str(path), optimizer=trained(1)[1])
    monkeypatch.undo()
    assert nn.load_model(path).state_dict() == trained(1)[0].state_dict()  # before the fix: deleted
    with pytest.raises(ModelFileError, match="pair ids differ"):
        nn.Adam(model.parameters()).load(optimizer_path(path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json", "model.optimizer.json"]
