"""Is the ``autograd`` (and ``nn``) being imported this project's, and only this project's?

``autograd`` is also the import name of HIPS autograd (PyPI ``autograd``, often installed as a
dependency), and ``nn`` that of PyPI's ``nn``. pip copies packages of the same name into one folder
without a warning, and the later one's ``__init__.py`` wins: with ours first and HIPS second,
``import nn`` would fail on a missing name deep inside; in the other order HIPS autograd is broken.

``check()`` runs when this module is imported, which ``autograd`` and ``nn`` do first of all. It
only looks for files: a few ``os.path.exists`` calls in the two package folders, no imports and no
package metadata. When a folder holds the other project's files it raises ``ImportError`` naming
that project and the fix.
"""

from __future__ import annotations

import os

from autograd.errors import DeltagradError

# Files the other projects have and we never ship (in the package folder of the same name).
FOREIGN: dict[str, tuple[str, tuple[str, ...]]] = {
    "autograd": ("HIPS autograd (PyPI 'autograd', github.com/HIPS/autograd)",
                 ("tracer.py", "wrap_util.py", "differential_operators.py")),
    "nn": ("PyPI 'nn' (github.com/marella/nn)", ("core.py", "optimizers.py", "utils.py")),
}
# Files only our packages have: they tell our folder from a foreign one.
OURS: dict[str, tuple[str, ...]] = {
    "autograd": ("engine.py", "backprop.py", "ops.py"),
    "nn": ("delta.py", "architectures.py", "train.py"),
}
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # our autograd package folder


class MixedInstallError(DeltagradError, ImportError):
    """The package folder holds files of another project with the same import name."""

    deltagrad = True  # lets ``nn`` tell this error from any other ImportError without importing the class


def fix(name: str, other: str) -> str:
    return (f"deltagrad's '{name}' package and {other} share the import name '{name}' and cannot live in "
            f"one environment (pip copies both into the same folder, and each breaks the other). Fix: install "
            f"deltagrad into its own virtual environment — python3 -m venv .venv && .venv/bin/pip install "
            f"deltagrad (or, from a clone, bash scripts/main.sh) — and keep {other} in a different one. "
            f"Uninstalling either one here does not repair the folder; start from a fresh environment.")


def foreign_files(name: str, directory: str) -> list[str]:
    """The other project's marker files found in ``directory`` (a package folder called ``name``)."""
    return [f for f in FOREIGN[name][1] if os.path.exists(os.path.join(directory, f))]


def is_ours(name: str, directory: str) -> bool:
    """Whether ``directory`` holds our package ``name`` (all of its marker files are there)."""
    return all(os.path.exists(os.path.join(directory, f)) for f in OURS[name])


def problem(name: str, directory: str) -> str | None:
    """What is wrong with the package folder ``directory`` of ``name`` (None when it is ours alone)."""
    found = foreign_files(name, directory)
    other = FOREIGN[name][0]
    if found and is_ours(name, directory):
        return (f"the folder {directory} holds deltagrad's '{name}' mixed with {other} (found its "
                f"{', '.join(found)}). " + fix(name, other))
    if found or not is_ours(name, directory):
        return f"'{name}' in {directory} is not deltagrad's package but {other}. " + fix(name, other)
    return None


def check(autograd_dir: str = HERE) -> None:
    """Raise ``MixedInstallError`` when our ``autograd`` folder, or an ``nn`` of ours beside it, is mixed.

    An ``nn`` folder beside ``autograd`` is checked only when it is ours (deltagrad installs both
    side by side); a foreign ``nn`` elsewhere on the path is none of our business until imported.
    """
    issue = problem("autograd", autograd_dir)
    nn_dir = os.path.join(os.path.dirname(autograd_dir), "nn")
    if issue is None and is_ours("nn", nn_dir):
        issue = problem("nn", nn_dir)
    if issue is not None:
        raise MixedInstallError(issue)


check()  # on import: ``autograd/__init__.py`` imports this module first, ``nn`` imports it too
