"""Initial weights: micrograd's uniform(−1, 1), Xavier/Glorot and He, from a seed or a ``random.Random``.

Biases always start at 0 (as in micrograd). With ``seed=None`` the weights come from Python's
global ``random`` module, drawn in the same order as micrograd's ``MLP`` draws them, so that
``random.seed(1337)`` followed by ``MLP(2, [16, 16, 1])`` gives micrograd's weights exactly.

* ``'uniform'``: w ~ U(−1, 1)                                  (micrograd's default)
* ``'xavier'``:  w ~ U(−a, a), a = √(6 / (n_in + n_out))       (Glorot & Bengio 2010; for tanh, sigmoid)
* ``'he'``:      w ~ N(0, σ²), σ = √(2 / n_in)                 (He et al. 2015; for ReLU)
"""

from __future__ import annotations

import math
import random
from types import ModuleType
from typing import Any, Union

SCHEMES: tuple[str, ...] = ("uniform", "xavier", "he")

Seed = Union[int, random.Random, ModuleType, None]
"""An int seed, a ``random.Random`` (shared, so consecutive layers continue its stream), or None
(the global ``random`` module, which is also accepted as itself)."""


def make_rng(seed: Seed, where: str = "seed") -> Any:
    """A source of random numbers: a new ``random.Random(seed)`` for an int, the generator itself
    for a ``random.Random``, and the global ``random`` module for None (micrograd's behaviour)."""
    if seed is None:
        return random
    if isinstance(seed, random.Random) or seed is random:  # already a source (passed down the layers)
        return seed
    if isinstance(seed, int) and not isinstance(seed, bool):
        return random.Random(seed)
    raise TypeError(f"{where}: expected an int, a random.Random or None, got {seed!r} of type {type(seed).__name__}")


def check_scheme(scheme: object, where: str = "init") -> str:
    """``scheme`` if it names an initialisation scheme, else a ValueError listing them."""
    if isinstance(scheme, str) and scheme in SCHEMES:
        return scheme
    raise ValueError(f"{where}: unknown initialisation {scheme!r}; choose one of {', '.join(SCHEMES)}")


def weights(scheme: str, fan_in: int, fan_out: int, rng: Any) -> list[float]:
    """``fan_in`` initial weights for one neuron of a layer with ``fan_in`` inputs and ``fan_out`` neurons."""
    check_scheme(scheme)
    if scheme == "uniform":
        return [rng.uniform(-1, 1) for _ in range(fan_in)]
    if scheme == "xavier":
        a = math.sqrt(6.0 / (fan_in + fan_out))
        return [rng.uniform(-a, a) for _ in range(fan_in)]
    sigma = math.sqrt(2.0 / fan_in)
    return [rng.gauss(0.0, sigma) for _ in range(fan_in)]
