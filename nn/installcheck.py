"""Checked first when ``nn`` is imported: are ``autograd`` and ``nn`` deltagrad's, and not mixed?

``nn`` is also PyPI ``nn``'s import name, and ``autograd`` HIPS autograd's. When HIPS autograd was
installed after deltagrad, ``import autograd`` runs HIPS's ``__init__`` and ``nn`` would fail on a
missing name deep inside; this module turns that (and the other mixes) into one ``ImportError``
naming the other project and the fix (``autograd.installed`` has the details).
"""

from __future__ import annotations

import importlib.util
import os

_spec = importlib.util.find_spec("autograd")  # finds the folder without running its __init__
_folder = os.path.dirname(_spec.origin) if _spec is not None and _spec.origin else None
if _folder is None or not os.path.isfile(os.path.join(_folder, "installed", "__init__.py")):
    raise ImportError(
        f"nn needs deltagrad's 'autograd' package, but the 'autograd' found ({_folder or 'none'}) is another "
        "one: probably HIPS autograd (PyPI 'autograd'), which shares the import name. Fix: install deltagrad "
        "into its own virtual environment (python3 -m venv .venv && .venv/bin/pip install deltagrad) and keep "
        "HIPS autograd in a different one."
    )

from autograd import installed  # noqa: E402  (its import checks the folder, even under HIPS's __init__)

_issue = installed.problem("nn", os.path.dirname(os.path.abspath(__file__)))
if _issue is not None:
    raise installed.MixedInstallError(_issue)
