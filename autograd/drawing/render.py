"""Turning a drawn graph into an image: Graphviz's ``dot`` program, clear errors, atomic files.

Building a graph's DOT source needs nothing but Python; only rendering (PNG, SVG, PDF) runs the
``dot`` program. When it is missing, ``GraphvizNotFoundError`` says what to install. Files are
written atomically: the image goes to a temporary file in the target directory, which then
replaces the target in one step, so a reader never sees half an image.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import graphviz
from graphviz.backend.dot_command import command as dot_command

from autograd.files import atomic_write

__all__ = ["Diagram", "GraphvizNotFoundError", "RenderError", "atomic_write", "dot_available", "render_bytes",
           "resolve_format", "write_image"]

INSTALL_HINT = (
    "Graphviz's 'dot' program is needed to render graphs as images, and it was not found on PATH. "
    "Install it: Debian/Ubuntu 'sudo apt-get install graphviz'; Fedora 'sudo dnf install graphviz'; "
    "macOS 'brew install graphviz'; conda 'conda install -c conda-forge graphviz'; "
    "Windows 'winget install graphviz' (then add its bin folder to PATH). "
    "The pip package 'graphviz' is only the Python interface. Without the program you can still get "
    "the DOT source: draw_dot(root).source, or save_graph(root, 'graph.dot')."
)

# What ``save_graph`` writes: images rendered by dot, or the DOT source itself (no dot needed).
IMAGE_FORMATS = ("png", "svg", "pdf")
SOURCE_FORMATS = ("dot", "gv")


class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """Rendering needs Graphviz's ``dot`` program and it is not installed (or not on PATH).

    A ``RuntimeError`` (and a ``graphviz.ExecutableNotFound``, so existing handlers still work)
    whose message says how to install Graphviz on each platform.
    """

    def __init__(self, message: str = INSTALL_HINT) -> None:
        RuntimeError.__init__(self, message)


class RenderError(RuntimeError):
    """``dot`` ran but failed or did not finish in time (for example a format this build cannot write)."""


DEFAULT_TIMEOUT = 60.0
"""Seconds ``dot`` may take before rendering is abandoned (``Diagram.timeout``; ``pipe(timeout=...)``)."""


def dot_available() -> bool:
    """Whether Graphviz's ``dot`` program is on PATH (so graphs can be rendered as images)."""
    return shutil.which("dot") is not None


@contextlib.contextmanager
def _graphviz_errors() -> Iterator[None]:
    """Turn graphviz's bare ``ExecutableNotFound`` into ``GraphvizNotFoundError``, and its
    ``CalledProcessError`` (or a broken pipe to ``dot``) into ``RenderError`` with dot's message."""
    try:
        yield
    except GraphvizNotFoundError:
        raise
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFoundError() from None
    except subprocess.CalledProcessError as e:
        raise _failed(e.returncode, e.stderr) from None
    except BrokenPipeError:
        raise RenderError("Graphviz dot stopped reading the graph (it rejected the input); "
                          "save the DOT source (.dot) to see what it holds") from None


def _failed(returncode: int, stderr: object) -> RenderError:
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else str(stderr or "")
    text = text.strip()
    if len(text) > 1000:
        text = text[:1000] + " …"
    return RenderError(f"Graphviz dot failed (exit {returncode}): {text or 'no message'}")


def run_dot(cmd: list[Any], source: bytes, timeout: float | None, quiet: bool = False) -> bytes:
    """Run a Graphviz command on ``source``; its output, or a clear error (missing, failed, too slow)."""
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0):
        raise ValueError(f"render: timeout must be a number of seconds > 0 or None, got {timeout!r}")
    try:
        proc = subprocess.run(cmd, input=source, capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError:
        raise GraphvizNotFoundError() from None
    except subprocess.TimeoutExpired:
        raise RenderError(f"Graphviz dot did not finish within {timeout:g} s and was stopped; draw a smaller "
                          "part of the graph, save the DOT source (.dot) instead, or allow more time (timeout=...)"
                          ) from None
    if proc.returncode != 0:
        raise _failed(proc.returncode, proc.stderr)
    if proc.stderr and not quiet:
        sys.stderr.write(proc.stderr.decode("utf-8", "replace"))
    return bytes(proc.stdout)


class Diagram(graphviz.Digraph):
    """The ``graphviz.Digraph`` that ``draw_dot`` returns: all of Digraph, plus clearer errors.

    ``pipe``, ``render``, ``view`` and Jupyter's inline display raise ``GraphvizNotFoundError``
    (with install instructions) instead of a bare ``ExecutableNotFound``, and ``RenderError``
    (with dot's own message) instead of ``graphviz.CalledProcessError`` or ``BrokenPipeError``.
    ``pipe`` stops a ``dot`` that runs longer than ``timeout`` seconds (``Diagram.timeout``,
    default ``DEFAULT_TIMEOUT``). In Jupyter the graph shows inline as SVG whatever its ``format``.
    ``save_image(path)`` writes an image atomically.
    """

    timeout: float | None = DEFAULT_TIMEOUT

    def pipe(self, format: str | None = None, renderer: str | None = None, formatter: str | None = None,
             neato_no_op: bool | int | None = None, quiet: bool = False, *, engine: str | None = None,
             encoding: str | None = None, timeout: float | None = None) -> Any:
        cmd = dot_command(engine or self.engine, format or self.format, renderer=renderer or self.renderer,
                          formatter=formatter or self.formatter, neato_no_op=neato_no_op)
        out = run_dot(list(cmd), self.source.encode(self.encoding or "utf-8"),
                      self.timeout if timeout is None else timeout, quiet)
        return out.decode(encoding) if encoding is not None else out

    def render(self, *args: Any, **kwargs: Any) -> Any:
        with _graphviz_errors():
            return super().render(*args, **kwargs)

    def view(self, *args: Any, **kwargs: Any) -> Any:
        with _graphviz_errors():
            return super().view(*args, **kwargs)

    def save_image(self, path: str | os.PathLike[str], format: str | None = None,
                   timeout: float | None = None) -> Path:
        """Write this graph to ``path`` (format from the suffix or ``format``); return the path."""
        return write_image(self, path, format, timeout=timeout)


def resolve_format(path: str | os.PathLike[str], format: str | None = None) -> tuple[Path, str]:
    """The file to write and its format, from ``format`` or the file's suffix.

    A path without a suffix gets ``.{format}`` appended; a suffix that contradicts ``format``
    is an error, as is a format outside png, svg, pdf (images) and dot, gv (DOT source).
    """
    target = Path(os.fspath(path))
    known = IMAGE_FORMATS + SOURCE_FORMATS
    suffix = target.suffix[1:].lower()
    if format is not None:
        fmt = format.lower().lstrip(".")
        if fmt not in known:
            raise ValueError(f"save_graph: unknown format {format!r}; use one of {', '.join(known)}")
        if not suffix:
            return target.with_name(f"{target.name}.{fmt}"), fmt
        if suffix != fmt and {suffix, fmt} != set(SOURCE_FORMATS):
            raise ValueError(
                f"save_graph: format={format!r} but the file name {target.name!r} ends in .{suffix}; "
                "make them agree or leave out format="
            )
        return target, fmt
    if suffix not in known:
        what = f"suffix .{suffix}" if suffix else "no suffix"
        raise ValueError(
            f"save_graph: cannot tell the format of {target.name!r} ({what}); "
            f"name the file .png, .svg, .pdf (images) or .dot/.gv (DOT source), or pass format="
        )
    return target, suffix


def render_bytes(graph: graphviz.Digraph, fmt: str, timeout: float | None = None) -> bytes:
    """The graph rendered to ``fmt`` by ``dot`` (or its DOT source for dot/gv), as bytes."""
    if fmt in SOURCE_FORMATS:
        return bytes(graph.source.encode("utf-8"))
    if isinstance(graph, Diagram):
        return bytes(graph.pipe(format=fmt, timeout=timeout))
    with _graphviz_errors():
        return bytes(graph.pipe(format=fmt))


def write_image(graph: graphviz.Digraph, path: str | os.PathLike[str], format: str | None = None, *,
                timeout: float | None = None) -> Path:
    """Render ``graph`` and write it to ``path`` atomically; return the path written.

    The format comes from ``format`` or the suffix (png, svg, pdf; dot/gv write the DOT source
    and need no Graphviz program). Raises ``GraphvizNotFoundError`` when ``dot`` is missing,
    ``RenderError`` when it fails or takes longer than ``timeout`` seconds; the file is written by
    ``autograd.files.atomic_write`` (a read-only target is refused, a symlink written through).
    """
    target, fmt = resolve_format(path, format)
    atomic_write(target, render_bytes(graph, fmt, timeout))
    return target
