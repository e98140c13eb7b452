"""Repository-wide pytest set-up: notebooks that render graphs need Graphviz (``dot`` or pygraphviz).

Without either (a machine where the set-up could install neither), those notebooks are skipped
with a reason instead of failing. CI sets ``DELTAGRAD_REQUIRE_DOT=1``, which makes them run — and
fail — so rendering is always tested there.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from autograd.drawing.render import dot_available

_RENDERS = ("draw_dot", "save_graph", "step_through")
ROOT = Path(__file__).resolve().parent
# Notebook kernels are separate processes: make them import this checkout's autograd and nn too.
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)


try:  # hypothesis is a test dependency; without it the property tests are not collected anyway
    from hypothesis import HealthCheck, settings
except ImportError:  # pragma: no cover
    pass
else:
    # The same examples on every run, whatever the machine's load: no per-example deadline, no "too slow"
    # health check (both depend on how busy the machine is), and a fixed seed (derandomize). Another
    # profile can still be chosen with --hypothesis-profile=NAME (e.g. "explore": random examples).
    settings.register_profile("deltagrad", deadline=None, derandomize=True,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile("explore", deadline=None, suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile(os.environ.get("DELTAGRAD_HYPOTHESIS_PROFILE", "deltagrad"))


TEST_SEED = 20261208


@pytest.fixture(autouse=True)
def _seeded_random() -> None:
    """Every test starts from the same global ``random`` state, so one that draws unseeded numbers
    (``nn.MLP(2, [16, 1])`` without ``seed=``, micrograd's own ``random.uniform``) gets the same ones
    whichever tests ran before it or alongside it."""
    random.seed(TEST_SEED)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if dot_available() or os.environ.get("DELTAGRAD_REQUIRE_DOT") == "1":
        return
    skip = pytest.mark.skip(
        reason="Graphviz is not installed: neither pygraphviz (pip install pygraphviz) nor the 'dot' program "
        "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz; conda: conda install -c "
        "conda-forge graphviz)"
    )
    for item in items:
        path = Path(str(item.path))
        if path.suffix == ".ipynb" and any(word in path.read_text(encoding="utf-8") for word in _RENDERS):
            item.add_marker(skip)
