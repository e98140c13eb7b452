"""Saving a module's parameters to JSON and loading them back, safely.

The file holds a format name and version, the module's architecture and its parameters by name::

    {"format": "deltagrad.nn", "version": 2,
     "architecture": {"type": "MLP", "nin": 2, "nouts": [2, 1], "activations": ["sigmoid", "sigmoid"]},
     "parameters": {"layers.0.neurons.0.w.0": 0.15, ...}}

Saving is atomic: the text goes to a temporary file in the same directory, is flushed to disk, and
then replaces the target in one ``os.replace``, so a crash never leaves a half-written file (the
old file, if any, stays whole until the new one is complete).
Saving goes through ``autograd.files.atomic_write``: a read-only file is refused (``PermissionError``)
and left as it was, a symbolic link is written through (the link stays), permissions are kept.

Loading checks everything first — the file's size (at most ``MAX_FILE_BYTES``, 64 MiB, checked
before reading), UTF-8, valid JSON, the format and version, the architecture and the number of
parameters it implies (before any module is built), the exact set of names, that every value is a
finite real number — and only then changes the model. A malformed file raises ``ModelFileError``
(a ``StateError``, so a ``ValueError``) naming the file and what is wrong, and the model is left
as it was. No pickle.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import secrets
import stat
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from autograd import Value
from autograd.errors import DeltagradError
from autograd.files import atomic_write, atomic_write_all

FORMAT = "deltagrad.nn"
VERSION = 2
READS = (1, 2)
V2_TYPES = frozenset({"Sequential", "Conv2d", "MaxPool2d", "AvgPool2d", "Flatten", "Activate"})
"""Version 2 adds these module types (the layout is unchanged). A file is written as version 2 only when
its architecture uses one of them, so files of ``MLP``, ``Layer`` and ``Neuron`` stay version 1, byte
for byte what older versions wrote and read; both versions load."""


def version_for(arch: Any) -> int:
    """1 for an architecture of version-1 types only, else 2 (``V2_TYPES`` anywhere in it)."""
    if isinstance(arch, dict):
        if arch.get("type") in V2_TYPES:
            return 2
        return max([1, *(version_for(v) for v in arch.values())])
    if isinstance(arch, list):
        return max([1, *(version_for(v) for v in arch)])
    return 1
MAX_FILE_BYTES = 64 * 1024 * 1024
"""Larger files are refused before they are read (a model of a million parameters takes ~40 MB)."""


class StateError(DeltagradError, ValueError):
    """A state dict or a saved file does not fit the model (the message says why)."""


class ModelFileError(StateError):
    """A saved model file is malformed: too large, not UTF-8, not JSON, wrong keys or types.

    The message names the file and what is wrong.
    """


class Savable(Protocol):
    """What saving and loading need from a module (``nn.Module`` has it): names, values, architecture."""

    def named_parameters(self) -> list[tuple[str, Value]]: ...

    def state_dict(self) -> dict[str, float]: ...

    def architecture(self) -> dict[str, Any]: ...


class Rebuildable(Protocol):
    """A module class that a saved architecture can rebuild (``MLP``, ``Layer``, ``Neuron``)."""

    def from_architecture(self, arch: Mapping[str, Any]) -> Savable: ...


Architectures = Mapping[str, Rebuildable]
"""The module types a file may name, by the ``"type"`` in its architecture (see ``nn.architectures``)."""


def _short(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", … ({len(names) - limit} more)" if len(names) > limit else "")


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(state, strict=False)`` left out (PyTorch's names): parameter names."""

    missing_keys: list[str]
    unexpected_keys: list[str]


def checked_values(module: Savable, state: Mapping[str, Any], where: str,
                   strict: bool = True) -> list[tuple[Value, float]]:
    """Pair each parameter with its new value from ``state``, or raise ``StateError`` (nothing is changed).

    ``state`` must have exactly the module's parameter names (with ``strict=False``: any of them,
    others ignored), each mapped to a finite real number.
    """
    if not isinstance(state, Mapping):
        raise StateError(f"{where}: expected a mapping of parameter names to numbers, got {type(state).__name__}")
    named = module.named_parameters()
    expected = [name for name, _ in named]
    missing = [n for n in expected if n not in state]
    unexpected = [str(n) for n in state if n not in set(expected)]
    if strict and (missing or unexpected):
        parts = [f"{where}: got {len(state)} parameter(s), the model has {len(expected)}"]
        if missing:
            parts.append(f"missing: {_short(missing)}")
        if unexpected:
            parts.append(f"unexpected: {_short(unexpected)}")
        raise StateError("; ".join(parts) + " (is it the same architecture?)")
    out: list[tuple[Value, float]] = []
    for name, p in named:
        if name not in state:
            continue
        value = state[name]
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise StateError(f"{where}: parameter {name!r} must be a real number, got {str(value)[:80]!r}")
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise StateError(f"{where}: parameter {name!r} is {number!r}; only finite numbers can be loaded")
        out.append((p, number))
    return out


def to_json(module: Savable, optimizer: Mapping[str, str] | None = None) -> str:
    """The file's text for ``module`` (raises StateError if a parameter is NaN or infinite); ``optimizer``
    is the record of the optimiser file saved with it (``{"file": name, "pair": id}``)."""
    state = module.state_dict()
    bad = [name for name, v in state.items() if not math.isfinite(v)]
    if bad:
        raise StateError(f"save: parameter(s) {_short(bad)} are not finite (NaN or ±inf); training diverged?")
    arch = module.architecture()
    document: dict[str, Any] = {"format": FORMAT, "version": version_for(arch), "architecture": arch,
                                "parameters": state}
    if optimizer is not None:
        document["optimizer"] = dict(optimizer)
    return json.dumps(document, indent=1, allow_nan=False) + "\n"


def optimizer_path(path: str | os.PathLike[str]) -> Path:
    """Where an optimiser's state goes beside the model file ``path``: ``model.json`` → ``model.optimizer.json``."""
    target = Path(os.fspath(path))
    return target.with_name(f"{target.stem}.optimizer.json")


class OptimizerState(Protocol):
    """What saving needs of an optimiser (``nn.Optimizer`` has it): its file's text."""

    def to_json(self, saved_with: Mapping[str, str] | None = None) -> str: ...


def save(module: Savable, path: str | os.PathLike[str], optimizer: OptimizerState | None = None) -> None:
    """Save ``module``'s architecture and parameters to the JSON file ``path``, atomically.

    With ``optimizer``, its state goes to ``optimizer_path(path)``, and the two files change together
    or not at all: both are checked and serialised first (a NaN parameter or moment writes nothing),
    then written with ``autograd.files.atomic_write_all`` (both on disk before either replaces its old
    file; an error puts back the old ones). Each records the other under one random pair id, and
    ``Optimizer.load`` refuses an optimiser file whose model file beside it is from another save —
    what a crash between the two replacements would leave (the model is replaced first, so the mix
    is always a new model with an old optimiser file).
    """
    if optimizer is None:
        atomic_write(path, to_json(module))
        return
    if not callable(getattr(optimizer, "to_json", None)):
        raise TypeError(f"save: optimizer must be an nn optimiser (SGD, Adam), got {type(optimizer).__name__}")
    target, beside = Path(os.fspath(path)), optimizer_path(path)
    pair = secrets.token_hex(16)
    model_text = to_json(module, {"file": beside.name, "pair": pair})
    optimizer_text = optimizer.to_json({"file": target.name, "pair": pair})
    atomic_write_all([(target, model_text.encode("utf-8")), (beside, optimizer_text.encode("utf-8"))])


def _model_beside(path: str | os.PathLike[str], record: Any) -> Path | None:
    target = Path(os.fspath(path))
    if isinstance(record, dict) and isinstance(record.get("file"), str):
        name = record["file"]
        if name and os.path.basename(name) == name:  # a name in the same folder, nothing else
            return target.with_name(name)
    if target.name.endswith(".optimizer.json"):
        return target.with_name(target.name[: -len(".optimizer.json")] + ".json")
    return None


def check_pair(path: str | os.PathLike[str], state: Any, where: str) -> None:
    """Refuse an optimiser file ``path`` (its parsed ``state``) that was saved with a model file that
    now holds another save (or was saved again alone since), or whose model file beside it records
    another optimiser save (ModelFileError). Files saved apart, with no record, are not compared."""
    if not isinstance(state, dict):
        return
    mine = state.get("saved_with")
    model = _model_beside(path, mine)
    if model is None or not model.is_file():
        return
    try:
        document = read_document(model, where)
    except ModelFileError:
        return  # not a model file of ours: nothing to compare
    theirs = document.get("optimizer")
    theirs_pair = theirs.get("pair") if isinstance(theirs, dict) else None
    mine_pair = mine.get("pair") if isinstance(mine, dict) else None
    names_me = isinstance(theirs, dict) and theirs.get("file") == Path(os.fspath(path)).name
    if (names_me or mine_pair is not None) and theirs_pair != mine_pair:
        raise ModelFileError(f"{where}: the model file {str(model)!r} was saved with another optimiser state than "
                             "this file holds (their pair ids differ): the two files are not from the same "
                             "model.save(path, optimizer=opt) — a crash between its two writes, or a file copied "
                             "from elsewhere; resuming would mix two runs. Save both again, or load the "
                             "optimiser that belongs to this model")


def _reject_constant(name: str) -> float:
    raise StateError(f"{name} is not a number a saved model may contain")


def _parse_int(text: str) -> int | float:
    """JSON integers: short ones as ints; longer than 18 digits as floats (so 5,000 digits is inf,
    not Python's int-string-limit ValueError, and a huge nin never becomes a huge int)."""
    return int(text) if len(text) <= 18 else float(text)


READ_CHUNK = 1 << 20
"""A file whose size the system does not tell (a pipe, ``/proc``) or that grows while it is read is
read in pieces of this many bytes, still never more than ``MAX_FILE_BYTES`` in all."""


def read_bounded(path: str | os.PathLike[str], where: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of ``path``, at most ``limit``: the size is checked first (``os.stat``: a 2 GB file is
    refused unread), and only what is there is read (a 500-byte file allocates about 500 bytes, not
    ``limit``). Raises ModelFileError for a file too large, a directory or one that cannot be read."""
    def check(info: os.stat_result) -> None:
        if stat.S_ISDIR(info.st_mode):
            raise ModelFileError(f"{where}: {os.fspath(path)!r} is a directory, not a file")
        if info.st_size > limit:
            raise ModelFileError(f"{where}: the file is {info.st_size:,} bytes, more than the {limit:,} bytes "
                                 "a file here may have (nn.serialize.MAX_FILE_BYTES); is it the right file?")

    check(os.stat(path))  # before opening: a 2 GB file is never opened
    try:
        with open(path, "rb") as f:
            info = os.fstat(f.fileno())  # the file opened (it may have been replaced since the stat)
            check(info)
            chunks = [f.read(info.st_size + 1)]  # one byte more than stat says: tells whether it grew
            total = len(chunks[0])
            while chunks[-1] and total <= limit and (total > info.st_size or info.st_size == 0):
                chunks.append(f.read(min(READ_CHUNK, limit + 1 - total)))
                total += len(chunks[-1])
    except IsADirectoryError:
        raise ModelFileError(f"{where}: {os.fspath(path)!r} is a directory, not a file") from None
    if total > limit:
        raise ModelFileError(f"{where}: the file holds more than the {limit:,} bytes a file here may have "
                             "(nn.serialize.MAX_FILE_BYTES); is it the right file?")
    return b"".join(chunks)


def _read_text(path: str | os.PathLike[str], where: str) -> str:
    raw = read_bounded(path, where)
    if not raw:
        raise ModelFileError(f"{where}: not valid JSON: the file is empty (0 bytes), it was truncated — save it again")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ModelFileError(f"{where}: not UTF-8 text (byte {raw[e.start:e.start + 1]!r} at offset {e.start}); "
                             "a model file is the JSON that model.save writes — save the model again") from None


def parse_json(path: str | os.PathLike[str], where: str) -> Any:
    """The JSON in ``path``, read with ``read_bounded``; NaN/Infinity, nesting too deep to read, integers
    of more than 18 digits (read as floats) and every other fault give a ModelFileError naming the file."""
    text = _read_text(path, where)
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_int=_parse_int)
    except json.JSONDecodeError as e:
        raise ModelFileError(
            f"{where}: not valid JSON: {e.msg} (line {e.lineno}, column {e.colno}); "
            "the file is truncated or corrupt — save it again"
        ) from None
    except StateError as e:
        raise ModelFileError(f"{where}: {e}") from None
    except RecursionError:
        raise ModelFileError(f"{where}: the JSON is nested too deeply to read; a saved file is one flat object "
                             "of sections — save it again") from None
    except ValueError as e:  # anything else json itself refuses
        raise ModelFileError(f"{where}: not a readable JSON file ({e})") from None


def read_document(path: str | os.PathLike[str], where: str | None = None) -> dict[str, Any]:
    """Parse and check a saved file's envelope (format, version, sections); raise ModelFileError if wrong."""
    where = f"load({os.fspath(path)!r})" if where is None else where
    document = parse_json(path, where)
    if not isinstance(document, dict):
        raise ModelFileError(f"{where}: expected a JSON object, got {type(document).__name__}")
    if document.get("format") != FORMAT:
        raise ModelFileError(f"{where}: not a deltagrad model file (format is {str(document.get('format'))[:80]!r}, "
                             f"expected {FORMAT!r})")
    version = document.get("version")
    if version not in READS or isinstance(version, bool):
        raise ModelFileError(f"{where}: unsupported format version {str(version)[:40]}; this deltagrad reads "
                             f"versions {', '.join(map(str, READS))}")
    for key in ("architecture", "parameters"):
        if not isinstance(document.get(key), dict):
            raise ModelFileError(f"{where}: the {key!r} section is missing or not an object")
    return document


def load_into(module: Savable, path: str | os.PathLike[str]) -> None:
    """Set ``module``'s parameters from ``path``; everything is validated before anything changes."""
    where = f"load({os.fspath(path)!r})"
    document = read_document(path, where)
    arch, mine = document["architecture"], module.architecture()
    if arch != mine:
        raise ModelFileError(f"{where}: the file holds a model with architecture {str(arch)[:200]}, this model is "
                             f"{mine}")
    try:
        pairs = checked_values(module, document["parameters"], where)
    except StateError as e:
        raise ModelFileError(str(e)) from None
    for p, value in pairs:
        p.data = value


Counter = Callable[[Mapping[str, Any]], "tuple[int, bool]"]
"""How many parameters an architecture implies: (at least n, exactly n?); raises ValueError if it is malformed."""


def load_model(path: str | os.PathLike[str], architectures: Architectures, count: Counter | None = None) -> Savable:
    """A new module rebuilt from the architecture in ``path`` by the class ``architectures`` maps its
    ``"type"`` to, with the saved parameters (``nn.load_model`` passes the classes ``nn`` ships).

    ``count(arch)`` gives the number of parameters the architecture implies; it is compared with
    the file's before anything is built (a 280-byte file declaring 10¹⁰ weights is refused at once,
    whatever the type and however deep inside a ``Sequential``).
    """
    where = f"load_model({os.fspath(path)!r})"
    document = read_document(path, where)
    arch, params = document["architecture"], document["parameters"]
    kind = arch.get("type")
    cls = architectures.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ModelFileError(f"{where}: unknown module type {str(kind)[:80]!r}; known: {', '.join(architectures)}")
    if count is not None:
        try:
            implied, exact = count(arch)
        except (TypeError, ValueError, KeyError) as e:
            raise ModelFileError(f"{where}: bad architecture: {e}") from None
        if implied > len(params) or (exact and implied != len(params)):
            raise ModelFileError(f"{where}: the architecture {str(arch)[:200]} has {'at least ' if not exact else ''}"
                                 f"{implied:,} parameters but the file holds {len(params):,}; the file is "
                                 "inconsistent — save the model again")
    try:
        module = cls.from_architecture(arch)
    except KeyError as e:
        raise ModelFileError(f"{where}: the architecture has no {e} entry") from None
    except (TypeError, ValueError) as e:
        raise ModelFileError(f"{where}: bad architecture {str(arch)[:200]}: {e}") from None
    try:
        pairs = checked_values(module, params, where)
    except StateError as e:
        raise ModelFileError(str(e)) from None
    for p, value in pairs:
        p.data = value
    return module
