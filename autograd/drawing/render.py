"""Turning a drawn graph into an image: Graphviz's ``dot`` or pygraphviz, clear errors, atomic files.

Building a graph's DOT source needs nothing but Python. Rendering it (PNG, SVG, PDF) uses the
first of two renderers that is available, on the same DOT source:

1. Graphviz's ``dot`` program, when it is on PATH (apt, brew, conda, winget);
2. else ``pygraphviz`` in process (``pip install pygraphviz``, or ``pip install "deltagrad[images]"``):
   its wheels bundle Graphviz's libraries, so no ``dot`` program and no root are needed.

When neither is there, ``GraphvizNotFoundError`` names both fixes. Jupyter's inline SVG works
with either, and is scaled to the page's width (a wide graph is never cut off). Files are
written atomically: the image goes to a temporary file in the target directory, which then
replaces the target in one step, so a reader never sees half an image.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import graphviz
from graphviz.backend.dot_command import command as dot_command

from autograd.errors import DeltagradError
from autograd.files import atomic_write

__all__ = ["Diagram", "GraphvizNotFoundError", "RenderError", "atomic_write", "dot_available", "fit_to_page",
           "pygraphviz_module", "pygraphviz_render", "render_bytes", "renderer",
           "resolve_format", "write_image"]

INSTALL_HINT = (
    "Rendering a graph as an image needs Graphviz, and neither of its two forms was found: "
    "(1) no root needed: 'pip install pygraphviz' (or 'pip install \"deltagrad[images]\"'), whose wheels "
    "bundle Graphviz's libraries; or (2) Graphviz's 'dot' program on PATH: Debian/Ubuntu "
    "'sudo apt-get install graphviz'; Fedora 'sudo dnf install graphviz'; macOS 'brew install graphviz'; "
    "conda 'conda install -c conda-forge graphviz'; Windows 'winget install graphviz' (then add its bin "
    "folder to PATH). The pip package 'graphviz' is only the Python interface. Without either you can "
    "still get the DOT source: draw_dot(root).source, or save_graph(root, 'graph.dot')."
)

# What ``save_graph`` writes: images rendered by Graphviz, or the DOT source itself (no Graphviz needed).
IMAGE_FORMATS = ("png", "svg", "pdf")
SOURCE_FORMATS = ("dot", "gv")
DOT, PYGRAPHVIZ = "dot", "pygraphviz"


class GraphvizNotFoundError(DeltagradError, graphviz.ExecutableNotFound):
    """Rendering needs Graphviz — the ``dot`` program or pygraphviz — and neither is installed.

    A ``RuntimeError`` (and a ``graphviz.ExecutableNotFound``, so existing handlers still work)
    whose message names both fixes: ``pip install pygraphviz``, or Graphviz's ``dot`` per platform.
    """

    def __init__(self, message: str = INSTALL_HINT) -> None:
        RuntimeError.__init__(self, message)


class RenderError(DeltagradError, RuntimeError):
    """Graphviz ran but failed or did not finish in time (invalid DOT, a format this build cannot write)."""


DEFAULT_TIMEOUT = 60.0
"""Seconds ``dot`` may take before rendering is abandoned (``Diagram.timeout``; ``pipe(timeout=...)``)."""


def _pygraphviz() -> Any:
    """The pygraphviz module, or None when it is not installed (an optional dependency)."""
    try:
        import pygraphviz
    except ImportError:
        return None
    return pygraphviz


def renderer() -> str | None:
    """Which renderer draws images here: ``"dot"`` (on PATH), ``"pygraphviz"`` (in process) or None."""
    if shutil.which("dot") is not None:
        return DOT
    return PYGRAPHVIZ if _pygraphviz() is not None else None


def dot_available() -> bool:
    """Whether graphs can be rendered as images here (by the ``dot`` program or by pygraphviz)."""
    return renderer() is not None


def pygraphviz_module() -> Any:
    """The pygraphviz module, or None when it is not installed (an optional dependency)."""
    return _pygraphviz()


_FONTCONFIG_NOISE = re.compile(rb"^Fontconfig (?:warning|error): .*\n?", re.M)
_STDERR_LOCK = threading.Lock()


@contextlib.contextmanager
def _quiet_fontconfig() -> Iterator[None]:
    """Keep Fontconfig's complaints about the system's font files off the terminal (and a notebook).

    pygraphviz's wheels bundle a Fontconfig older than many systems' configuration, which then warns
    (``Fontconfig warning: ... unknown element "reset-dirs"``) on the first drawing of every process,
    from C, straight onto file descriptor 2. That is noise about the fonts, not about the graph:
    the descriptor is pointed at a temporary file while pygraphviz draws, and everything else
    written there meanwhile is passed on unchanged.
    """
    with _STDERR_LOCK:
        try:
            saved = os.dup(2)
        except OSError:  # no standard error at all: nothing to keep quiet
            yield
            return
        with tempfile.TemporaryFile() as caught:
            try:
                sys.stderr.flush()
                os.dup2(caught.fileno(), 2)
                yield
            finally:
                os.dup2(saved, 2)
                os.close(saved)
                caught.seek(0)
                rest = _FONTCONFIG_NOISE.sub(b"", caught.read())
                if rest:
                    sys.stderr.write(rest.decode("utf-8", "replace"))


def pygraphviz_render(source: str, fmt: str, engine: str = "dot", args: str = "") -> bytes:
    """``source`` rendered to ``fmt`` by pygraphviz in process (no ``dot`` program involved)."""
    pgv = _pygraphviz()
    if pgv is None:
        raise GraphvizNotFoundError()
    try:
        with _quiet_fontconfig():
            return bytes(pgv.AGraph(string=source).draw(format=fmt, prog=engine, args=args))
    except (ValueError, TypeError, OSError) as e:  # DotError is a ValueError; an unknown format a TypeError
        raise RenderError(f"pygraphviz failed to render {fmt} with {engine}: {e}") from None


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


INLINE_MAX_WIDTH_PT = 600.0  # 800 px: what a notebook's page has room for beside the prompts
_SVG_SIZE = re.compile(r'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"')


def fit_to_page(svg: str, max_width: float | None = INLINE_MAX_WIDTH_PT) -> str:
    """Graphviz's SVG made to fit a notebook's page: at most ``max_width`` pt wide, never cut off.

    A wider drawing gets ``width``/``height`` scaled down together (its ``viewBox`` keeps the
    proportions), which is what an ``<img>`` of it (JupyterLab, nbconvert) shows; and a ``style``
    of ``max-width: 100%; height: auto`` lets it shrink further where the SVG is inlined into a
    narrower page (the classic notebook). A narrower drawing keeps its natural size.
    """
    def resize(m: re.Match[str]) -> str:
        width, height = float(m.group(1)), float(m.group(2))
        if max_width is not None and width > max_width:
            width, height = max_width, height * max_width / width
        return f'<svg width="{width:g}pt" height="{height:g}pt" style="max-width: 100%; height: auto"'

    return _SVG_SIZE.sub(resize, svg, count=1)


class Diagram(graphviz.Digraph):
    """The ``graphviz.Digraph`` that ``draw_dot`` returns: all of Digraph, plus a fallback and clear errors.

    ``pipe`` and ``render`` use the ``dot`` program when it is on PATH, else pygraphviz; with
    neither (and for ``view``) they raise ``GraphvizNotFoundError`` naming both fixes. In Jupyter
    the graph shows inline as SVG whatever its ``format``, scaled to fit the page's width.
    ``save_image(path)`` writes an image atomically. Failures are ``RenderError`` with dot's own
    message (never ``graphviz.CalledProcessError`` or ``BrokenPipeError``); ``pipe`` stops a
    ``dot`` that runs longer than ``timeout`` seconds (``Diagram.timeout``, ``DEFAULT_TIMEOUT``).
    """

    timeout: float | None = DEFAULT_TIMEOUT

    def pipe(self, format: str | None = None, renderer: str | None = None, formatter: str | None = None,
             neato_no_op: bool | int | None = None, quiet: bool = False, *, engine: str | None = None,
             encoding: str | None = None, timeout: float | None = None) -> Any:
        if shutil.which("dot") is None and _pygraphviz() is not None:
            data = pygraphviz_render(self.source, format or self.format, engine or self.engine)
            return data.decode(encoding) if encoding is not None else data
        cmd = dot_command(engine or self.engine, format or self.format, renderer=renderer or self.renderer,
                          formatter=formatter or self.formatter, neato_no_op=neato_no_op)
        out = run_dot(list(cmd), self.source.encode(self.encoding or "utf-8"),
                      self.timeout if timeout is None else timeout, quiet)
        return out.decode(encoding) if encoding is not None else out

    def render(self, filename: str | os.PathLike[str] | None = None, directory: str | os.PathLike[str] | None = None,
               *args: Any, **kwargs: Any) -> Any:
        if shutil.which("dot") is None and _pygraphviz() is not None and not args and not kwargs.get("view"):
            fmt = kwargs.get("format") or self.format
            source_path = self.save(filename, directory=directory)
            image = Path(f"{source_path}.{fmt}")
            atomic_write(image, pygraphviz_render(self.source, fmt, kwargs.get("engine") or self.engine))
            if kwargs.get("cleanup"):
                os.unlink(source_path)
            return os.fspath(image)
        with _graphviz_errors():
            return super().render(filename, *args, directory=directory, **kwargs)

    def view(self, *args: Any, **kwargs: Any) -> Any:
        with _graphviz_errors():
            return super().view(*args, **kwargs)

    def _repr_image_svg_xml(self) -> str:
        return fit_to_page(str(self.pipe(format="svg", encoding="utf-8")), self.inline_width)

    inline_width: float | None = INLINE_MAX_WIDTH_PT
    """The most points wide the inline SVG is drawn in Jupyter (None: its natural size, however wide)."""

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict[str, Any]:
        """SVG for a trusted notebook, and a PNG beside it: an untrusted notebook (a handout, a file
        from git) shows only safe types, and PNG is one of them, where SVG is not."""
        if include is not None or exclude is not None:
            return dict(super()._repr_mimebundle_(include, exclude, **kwargs))
        return {"image/svg+xml": self._repr_image_svg_xml(), "image/png": bytes(self.pipe(format="png"))}

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
    """The graph rendered to ``fmt`` by ``dot`` or pygraphviz (or its DOT source for dot/gv), as bytes."""
    if fmt in SOURCE_FORMATS:
        return bytes(graph.source.encode("utf-8"))
    if shutil.which("dot") is None:
        return pygraphviz_render(graph.source, fmt)
    if isinstance(graph, Diagram):
        return bytes(graph.pipe(format=fmt, timeout=timeout))
    with _graphviz_errors():
        return bytes(graph.pipe(format=fmt))


def write_image(graph: graphviz.Digraph, path: str | os.PathLike[str], format: str | None = None, *,
                timeout: float | None = None) -> Path:
    """Render ``graph`` and write it to ``path`` atomically; return the path written.

    The format comes from ``format`` or the suffix (png, svg, pdf; dot/gv write the DOT source
    and need no Graphviz). Raises ``GraphvizNotFoundError`` when neither ``dot`` nor pygraphviz is there,
    ``RenderError`` when rendering fails or takes longer than ``timeout`` seconds; the file is written
    by ``autograd.files.atomic_write`` (a read-only target is refused, a symlink written through).
    """
    target, fmt = resolve_format(path, format)
    atomic_write(target, render_bytes(graph, fmt, timeout))
    return target
