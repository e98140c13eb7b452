"""Running a test's function in several threads at once and collecting what they raised."""

from __future__ import annotations

import threading
from collections.abc import Callable


def in_threads(work: Callable[[int], object], n: int = 4) -> list[BaseException]:
    """Call ``work(k)`` for k = 0 … n−1, each in its own thread, all started before any is joined;
    return the exceptions they raised (``[]`` when none did)."""
    errors: list[BaseException] = []

    def guarded(k: int) -> None:
        try:
            work(k)
        except BaseException as e:  # pragma: no cover - returned to the test
            errors.append(e)

    threads = [threading.Thread(target=guarded, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors
