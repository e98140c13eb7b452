"""Turning graph recording off: ``no_grad`` (as ``torch.no_grad``) and ``is_grad_enabled``."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from autograd import engine

_lock = threading.Lock()


def is_grad_enabled() -> bool:
    """Whether operations in this thread record their parents (False inside ``no_grad``)."""
    return getattr(engine._local, "depth", 0) == 0


class no_grad:
    """Context manager (and decorator) inside which operations record no parents.

    Results are leaves: cheaper to make, and ``backward()`` does not reach through them. Nestable
    and per thread, as ``torch.no_grad``: another thread keeps recording.
    """

    def __enter__(self) -> no_grad:
        depth = getattr(engine._local, "depth", 0)
        engine._local.depth = depth + 1
        if depth == 0:
            with _lock:
                engine._threads_off += 1
        return self

    def __exit__(self, *exc: object) -> None:
        engine._local.depth -= 1
        if engine._local.depth == 0:
            with _lock:
                engine._threads_off -= 1

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with no_grad():
                return fn(*args, **kwargs)

        return wrapper
