"""A tiny progress bar for long training runs (no dependency), redrawn in place on one line."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """``[#########.........]  45/100  loss 0.1234  acc 97.0%`` on one line of ``stream``.

    ``update(done, note)`` redraws at most every ``interval`` seconds (and always at the end);
    ``close()`` ends the line. A disabled bar does nothing, so callers need no ``if``.
    """

    def __init__(self, total: int, *, enabled: bool = True, stream: TextIO | None = None, width: int = 24,
                 interval: float = 0.1) -> None:
        self.total = max(int(total), 1)
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.interval = interval
        self._last = -float("inf")
        self._drawn = False
        self._width_drawn = 0

    def render(self, done: int, note: str = "") -> str:
        """The bar's text for ``done`` of ``total`` steps."""
        done = min(max(done, 0), self.total)
        filled = round(self.width * done / self.total)
        digits = len(str(self.total))
        bar = "#" * filled + "." * (self.width - filled)
        return f"[{bar}] {done:>{digits}}/{self.total}" + (f"  {note}" if note else "")

    def update(self, done: int, note: str = "") -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if done < self.total and now - self._last < self.interval:
            return
        self._last = now
        text = self.render(done, note)
        self.stream.write("\r" + text.ljust(self._width_drawn))  # spaces cover a longer previous line
        self._width_drawn = len(text)
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self.enabled and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
