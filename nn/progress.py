"""Progress bars for long training runs: tqdm's when installed (notebook-aware), else a plain one.

``progress_bar(total, enabled)`` is what ``fit`` uses. With tqdm installed it is ``tqdm.auto``'s
bar — a widget in Jupyter, a text bar in a terminal; without tqdm, ``ProgressBar`` (no dependency)
redraws one line of text in place. ``enabled=None`` means: on in a terminal and in Jupyter, off
when stderr goes to a file or a pipe (so logs stay clean).
"""

from __future__ import annotations

import sys
import time
from typing import Any, Protocol, TextIO


class Bar(Protocol):
    """What ``fit`` needs of a bar: ``update(done, note)`` and ``close()``."""

    def update(self, done: int, note: str = "") -> None: ...

    def close(self) -> None: ...


def in_notebook() -> bool:
    """Whether this runs inside a Jupyter (IPython) kernel, where stderr is not a terminal but is shown."""
    shell = sys.modules.get("IPython")
    get = getattr(shell, "get_ipython", None)
    return get is not None and type(get()).__name__ == "ZMQInteractiveShell"


def _tqdm_auto() -> Any:
    """``tqdm.auto.tqdm``, or None when tqdm is not installed (an optional dependency).

    In Jupyter without ipywidgets, tqdm's widget bar cannot be drawn and ``tqdm.auto`` warns
    (``TqdmWarning: IProgress not found``) in a pink box: there the text bar is used, quietly.
    """
    try:
        if in_notebook() and not _has_ipywidgets():
            from tqdm.std import tqdm
        else:
            from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm


def _has_ipywidgets() -> bool:
    """Whether ipywidgets (what tqdm's notebook bar draws with) can be imported."""
    try:
        import ipywidgets  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        return False
    return True


class TqdmBar:
    """``fit``'s bar on top of tqdm (``tqdm.auto``: a widget in Jupyter, text in a terminal)."""

    def __init__(self, total: int, tqdm: Any) -> None:
        self._bar = tqdm(total=max(int(total), 1), unit="epoch", leave=True, dynamic_ncols=True)
        self._done = 0

    def update(self, done: int, note: str = "") -> None:
        if note:
            self._bar.set_postfix_str(note, refresh=False)
        self._bar.update(done - self._done)
        self._done = done

    def close(self) -> None:
        self._bar.close()


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


def progress_bar(total: int, enabled: bool | None = None, *, stream: TextIO | None = None) -> Bar:
    """A bar over ``total`` steps: tqdm's when installed, else ``ProgressBar``; a no-op when disabled.

    ``enabled=None`` turns it on when stderr is a terminal or this runs in Jupyter.
    """
    if enabled is None:
        enabled = sys.stderr.isatty() or in_notebook()
    if not enabled:
        return ProgressBar(total, enabled=False)
    tqdm = _tqdm_auto() if stream is None else None
    return TqdmBar(total, tqdm) if tqdm is not None else ProgressBar(total, stream=stream)
