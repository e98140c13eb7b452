"""``with detect_anomaly():`` — find the first NaN or infinity, and the line of your code that made its node.

While the block is active in a thread, every node made there is checked as it is made (its value
y must be finite) and remembered with the file:line of the user's code that made it (the first
frame outside ``autograd/`` and ``nn/``); every ``backward()`` there takes the observed walk
(``autograd.hooks.walk``), which checks each node's gradient ∂L/∂v and each product
∂L/∂v · ∂v/∂p it passes on. The first value that is NaN or ±∞ raises ``AnomalyError`` naming the
node's op, label, the values involved and where it was made. Example: for y = √x · 0 at x = 0 the
forward values are finite, but backward passes 0 · ∂√x/∂x = 0 · ∞ = NaN into x.

Cost: outside the block nothing (the engine's one check per new node, ``modes.state.off[0]``, is the
one ``no_grad`` already pays; ``backward()`` reads one counter per call). Inside it, a frame walk
per node and the slow backward walk (``benchmarks/bench_anomaly.py`` measures both).
Each node's site is kept on the node itself (``autograd.hooks.Extras``, one small object per node,
the site strings shared per line), never in a table: a node made in the block is freed as soon
as nothing uses it, so a loop of 10⁵ nodes inside the block keeps no more than one outside it
(``tests/functional/test_hooks_lifetime.py``). A site counts only while its block is active (``site_of`` is
None after the outermost block exits).
While any thread is inside a block, every thread's new nodes take the engine's rare path and every
``backward()`` the observed walk (as ``no_grad`` does), but only that thread checks.
Nodes made micrograd's way, ``Value(data, children, op)``, have no recorded site and are checked
in the backward pass only.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
import sys
from collections.abc import Callable, Generator
from typing import Any

from autograd import hooks
from autograd.errors import DeltagradError
from autograd.graph import Node, constant_of, operation_of, parents_of
from autograd.modes import state

__all__ = ["AnomalyError", "detect_anomaly", "is_anomaly_enabled", "site_of"]

_state = state.local  # .anomaly: this thread's nesting; .block: the outermost block's token
_site_names: dict[tuple[str, int], str] = {}  # (file, line) -> "file:line", one string per line of code
_HERE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_OURS = tuple(os.path.join(_HERE, pkg) + os.sep for pkg in ("autograd", "nn"))
_ours_cache: dict[str, bool] = {}


class AnomalyError(DeltagradError, ArithmeticError):
    """A NaN or infinity found by ``detect_anomaly()``: ``node`` (the ``Value``), ``phase``
    (``"forward"`` or ``"backward"``), ``site`` (``"file:line"`` where the node was made, or None)."""

    def __init__(self, message: str, node: Any, phase: str, site: str | None) -> None:
        super().__init__(message)
        self.node, self.phase, self.site = node, phase, site


def is_anomaly_enabled() -> bool:
    """Whether this thread is inside ``detect_anomaly()``."""
    return getattr(_state, "anomaly", 0) > 0


def site_of(v: Node) -> str | None:
    """``"file:line"`` of the user's code that made ``v`` inside the active block (None if unknown)."""
    extras = hooks.extras_of(v)
    if extras is None or extras.block is None or extras.block is not getattr(_state, "block", None):
        return None
    return extras.site


def _ours(filename: str) -> bool:
    known = _ours_cache.get(filename)
    if known is None:
        known = _ours_cache[filename] = os.path.abspath(filename).startswith(_OURS)
    return known


def _site() -> str:
    frame = sys._getframe(1)
    while frame is not None and _ours(frame.f_code.co_filename):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return "<unknown>"
    key = (frame.f_code.co_filename, frame.f_lineno)
    name = _site_names.get(key)
    if name is None:
        if len(_site_names) > 100_000:  # generated code with ever new lines: start again
            _site_names.clear()
        name = _site_names[key] = f"{key[0]}:{key[1]}"
    return name


def finite(x: float) -> bool:
    return x - x == 0.0  # False for NaN and ±∞


def _name(v: Node) -> str:
    operation = operation_of(v)
    op = operation.tag_of(constant_of(v)) if operation is not None else (getattr(v, "_op", "") or "leaf")
    return f"node {op!r}" + (f" (label {v.label!r})" if v.label else "")


def describe_node(v: Node) -> str:
    """``node '*' (label 'y') made at f.py:3`` — how the errors name a node."""
    site = site_of(v)
    return _name(v) + (f" made at {site}" if site else "")


def _inputs(v: Node) -> str:
    ps = parents_of(v)
    text = ", ".join(f"{p.label or '#' + str(i)} = {p.data!r}" for i, p in enumerate(ps))
    const = constant_of(v)
    if isinstance(const, float):
        text += f"; constant c = {const!r}"
    return text


def watch(v: Node) -> None:
    """The check of each node made in this thread while the block is active (``modes.rare_node`` calls it)."""
    site = _site()
    v._aux = hooks.Extras(site, _state.block)  # type: ignore[attr-defined]  # a brand-new node: not even a label yet
    if not finite(v.data):
        op = operation_of(v)
        rule = f" ({op.doc})" if op is not None and op.doc else ""
        raise AnomalyError(f"detect_anomaly: forward value {v.data!r} at {_name(v)} made at {site}{rule}, "
                           f"from inputs {_inputs(v) or '(none)'}", v, "forward", site)


def backward_error(v: Node, message: str) -> AnomalyError:
    """The error for a non-finite gradient at node ``v`` (``message`` says which and from what)."""
    return AnomalyError(f"detect_anomaly: {message} at {describe_node(v)}, whose inputs are {_inputs(v) or '(none)'}"
                        f" and value {v.data!r}", v, "backward", site_of(v))


class detect_anomaly(contextlib.ContextDecorator):
    """Context manager (and decorator) checking every value and gradient for NaN/∞ in this thread.

    Nestable; the outermost block's token marks the creation sites it records. As a decorator of a
    generator function it covers the generator's body: every resumption (``next``, ``send``,
    ``throw``, ``close``) runs inside the block, and the code between them outside it. An ``async``
    function is refused (its body would run later, outside the block): use ``with`` inside it.
    """

    def __call__(self, func: Callable[..., Any]) -> Callable[..., Any]:  # type: ignore[override]
        name = getattr(func, "__qualname__", repr(func))
        if inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func):
            raise TypeError(f"detect_anomaly() cannot decorate the async function {name!r}: its body runs when "
                            "it is awaited, after the decorator's block has ended; write `with detect_anomaly():` "
                            "inside it instead")
        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def generator(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
                return (yield from _each_resumption(func(*args, **kwargs), self))

            return generator
        return super().__call__(func)

    def __enter__(self) -> detect_anomaly:
        depth = getattr(_state, "anomaly", 0)
        if depth == 0:
            _state.block = object()
            state.threads_off(1)
            hooks.observe(1)
        _state.anomaly = depth + 1
        return self

    def __exit__(self, *exc: object) -> None:
        _state.anomaly -= 1
        if _state.anomaly == 0:
            _state.block = None
            state.threads_off(-1)
            hooks.observe(-1)


def _each_resumption(gen: Generator[Any, Any, Any], block: detect_anomaly) -> Generator[Any, Any, Any]:
    """Delegate to ``gen``, running each of its steps inside ``block`` and yielding outside it."""
    sent: Any = None
    thrown: BaseException | None = None
    while True:
        with block:
            try:
                item = gen.throw(thrown) if thrown is not None else gen.send(sent)
            except StopIteration as stop:
                return stop.value
        thrown = None
        try:
            sent = yield item
        except GeneratorExit:
            with block:
                gen.close()
            raise
        except BaseException as e:  # thrown into the generator: passed on into gen, inside the block
            thrown = e
