"""Turning a drawn graph into an image: Graphviz's ``dot`` program, clear errors, atomic files.

Building a graph's DOT source needs nothing but Python; only rendering (PNG, SVG, PDF) runs the
``dot`` program. When it is missing, ``GraphvizNotFoundError`` says what to install. Files are
written atomically: the image goes to a temporary file in the target directory, which then
replaces the target in one step, so a reader never sees half an image.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import graphviz

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
    """``dot`` ran but failed (for example a format this Graphviz build cannot write)."""


def dot_available() -> bool:
    """Whether Graphviz's ``dot`` program is on PATH (so graphs can be rendered as images)."""
    return shutil.which("dot") is not None


@contextlib.contextmanager
def _graphviz_errors() -> Iterator[None]:
    """Turn graphviz's bare ``ExecutableNotFound`` into ``GraphvizNotFoundError``."""
    try:
        yield
    except GraphvizNotFoundError:
        raise
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFoundError() from None


class Diagram(graphviz.Digraph):
    """The ``graphviz.Digraph`` that ``draw_dot`` returns: all of Digraph, plus clearer errors.

    ``pipe``, ``render``, ``view`` and Jupyter's inline display raise ``GraphvizNotFoundError``
    (with install instructions) instead of a bare ``ExecutableNotFound``. In Jupyter the graph
    shows inline as SVG whatever its ``format``. ``save_image(path)`` writes an image atomically.
    """

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        with _graphviz_errors():
            return super().pipe(*args, **kwargs)

    def render(self, *args: Any, **kwargs: Any) -> Any:
        with _graphviz_errors():
            return super().render(*args, **kwargs)

    def view(self, *args: Any, **kwargs: Any) -> Any:
        with _graphviz_errors():
            return super().view(*args, **kwargs)

    def save_image(self, path: str | os.PathLike[str], format: str | None = None) -> Path:
        """Write this graph to ``path`` (format from the suffix or ``format``); return the path."""
        return write_image(self, path, format)


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


def render_bytes(graph: graphviz.Digraph, fmt: str) -> bytes:
    """The graph rendered to ``fmt`` by ``dot`` (or its DOT source for dot/gv), as bytes."""
    if fmt in SOURCE_FORMATS:
        return bytes(graph.source.encode("utf-8"))
    with _graphviz_errors():
        try:
            return bytes(graph.pipe(format=fmt))
        except graphviz.CalledProcessError as e:
            stderr = e.stderr.decode("utf-8", "replace") if isinstance(e.stderr, bytes) else str(e.stderr)
            raise RenderError(f"Graphviz dot failed to render {fmt} (exit {e.returncode}): {stderr.strip()}") from None


def atomic_write(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` atomically: a temporary file beside it, then ``os.replace``.

    The temporary file is created with the usual permissions (0666 minus the umask), as an
    ordinary ``open`` would, and removed if anything fails.
    """
    directory = target.parent
    if not directory.is_dir():
        raise FileNotFoundError(f"cannot write {str(target)!r}: the directory {str(directory)!r} does not exist")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = directory / f".{target.name}.{secrets.token_hex(6)}.tmp"
        try:
            fd = os.open(tmp, flags, 0o666)
            break
        except FileExistsError:  # pragma: no cover - 48 random bits collided
            continue
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_image(graph: graphviz.Digraph, path: str | os.PathLike[str], format: str | None = None) -> Path:
    """Render ``graph`` and write it to ``path`` atomically; return the path written.

    The format comes from ``format`` or the suffix (png, svg, pdf; dot/gv write the DOT source
    and need no Graphviz program). Raises ``GraphvizNotFoundError`` when ``dot`` is missing.
    """
    target, fmt = resolve_format(path, format)
    atomic_write(target, render_bytes(graph, fmt))
    return target
