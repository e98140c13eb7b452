"""Recording modes: ``no_grad`` (as ``torch.no_grad``) and ``is_grad_enabled``.

The engine checks one global count per new node (``engine._threads_off``: the threads inside a
``no_grad`` block or ``detect_anomaly()``); this module keeps that count, under the engine's lock.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from autograd import engine

__all__ = ["is_grad_enabled", "no_grad"]


def is_grad_enabled() -> bool:
    """Whether operations in this thread record their parents (False inside ``no_grad``)."""
    return getattr(engine._local, "depth", 0) == 0


class no_grad:
    """Context manager (and decorator) inside which operations record no parents, as ``torch.no_grad``.

    Results are leaves: cheaper to make, and ``backward()`` does not reach through them. Nestable
    and per thread: another thread keeps recording.
    """

    def __enter__(self) -> no_grad:
        depth = getattr(engine._local, "depth", 0)
        engine._local.depth = depth + 1
        if depth == 0:
            with engine._lock:
                engine._threads_off += 1
        return self

    def __exit__(self, *exc: object) -> None:
        engine._local.depth -= 1
        if engine._local.depth == 0:
            with engine._lock:
                engine._threads_off -= 1

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with no_grad():
                return fn(*args, **kwargs)

        return wrapper
