"""``import autograd`` loads the engine only; every other capability loads on first use, under its public name."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import autograd

ROOT = Path(__file__).resolve().parents[2]
LAZY = ("autograd.checking", "autograd.compiler", "autograd.custom", "autograd.forward", "autograd.functional",
        "autograd.symbolic", "autograd.byhand", "autograd.exercises", "autograd.export", "sympy", "numpy", "nn")


def _modules_after(code: str) -> list[str]:
    script = f"import sys, json; {code}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True,
                         timeout=120)
    loaded: list[str] = json.loads(out.stdout)
    return loaded


def test_import_autograd_loads_the_engine_and_not_the_capabilities() -> None:
    loaded = _modules_after("import autograd")
    assert "autograd.engine" in loaded and "autograd.backprop" in loaded and "autograd.modes" in loaded
    assert [m for m in LAZY if m in loaded] == []


def test_each_public_name_loads_its_capability_on_first_use() -> None:
    for name in autograd.__all__:
        value = getattr(autograd, name)
        assert value is not None and not (isinstance(value, type(autograd)) and name not in ("ops", "exercises"))
    assert autograd.gradcheck.__module__.startswith("autograd.checking")
    assert sorted(set(autograd.__all__) - set(dir(autograd))) == []
    loaded = _modules_after("import autograd; autograd.gradcheck")
    assert "autograd.checking" in loaded and "autograd.compiler" not in loaded


def test_a_name_shared_with_its_subpackage_stays_the_function() -> None:
    loaded = _modules_after("import autograd, autograd.explain.names, autograd.playground.page; "
                            "assert callable(autograd.explain) and callable(autograd.playground), "
                            "(autograd.explain, autograd.playground)")
    assert "autograd.explain.names" in loaded


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        autograd.gradchek  # noqa: B018
    except AttributeError as e:
        assert "gradchek" in str(e)
    else:
        raise AssertionError("autograd.gradchek did not raise")
