"""An animated GIF of a walk-through, one picture per frame, for slides.

Graphviz lays the graph out once (``dot``); each frame is then drawn on that same layout
(``neato -n2`` keeps every position) with the frame's numbers and highlights, as a GIF of its
own — all frames in one run of Graphviz, which writes one GIF per graph of its input. The
pictures are put into one animated GIF here (no imaging library needed): each picture's
colour table becomes its frame's local table, its LZW-compressed pixels are copied unchanged,
and a Graphic Control Extension (delay, disposal) precedes each; a NETSCAPE2.0 extension makes it loop.

GIF blocks (GIF89a): header, logical screen descriptor (width, height, flags, background,
aspect) and optional global colour table; then extensions (0x21 label, sub-blocks) and images
(0x2C descriptor, optional local colour table, LZW minimum code size, sub-blocks); 0x3B ends it.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import textwrap
from dataclasses import dataclass
from typing import Any

from autograd.drawing.labels import html_label, html_text
from autograd.drawing.render import GraphvizNotFoundError, RenderError, pygraphviz_module, pygraphviz_render
from autograd.errors import DeltagradError
from autograd.explain.frames import states

CURRENT, PARENT = "#d62728", "#1565c0"
MAX_FRAMES = 600  # each frame is one run of Graphviz (~0.1-0.3 s for a small network)


class GifError(DeltagradError, ValueError):
    """Bytes that are not a GIF this module can read."""


@dataclass
class Picture:
    """One image of a GIF: its size, colour table, LZW code size and compressed data (sub-blocks)."""

    width: int
    height: int
    left: int
    top: int
    table: bytes
    interlaced: bool
    transparent: int | None
    code_size: int
    blocks: bytes


def _sub_blocks(data: bytes, at: int) -> int:
    """The position after the data sub-blocks starting at ``at`` (ended by a zero-length block)."""
    while True:
        if at >= len(data):
            raise GifError("GIF: data ends inside a block")
        size = data[at]
        at += 1 + size
        if size == 0:
            return at


def _parse(data: bytes, at: int = 0) -> tuple[list[Picture], int]:
    """The images of the GIF starting at byte ``at``, and the position after its trailer."""
    if data[at:at + 6] not in (b"GIF87a", b"GIF89a") or len(data) < at + 13:
        raise GifError(f"not a GIF (it starts {data[at:at + 6]!r})")
    flags = data[at + 10]
    at += 13
    table = b""
    if flags & 0x80:
        n = 3 << ((flags & 7) + 1)
        table, at = data[at:at + n], at + n
    found: list[Picture] = []
    transparent = None
    while at < len(data):
        kind = data[at]
        if kind == 0x3B:
            return found, at + 1
        if kind == 0x21:
            label = data[at + 1]
            if label == 0xF9 and data[at + 2] == 4:
                transparent = data[at + 6] if data[at + 3] & 1 else None
            at = _sub_blocks(data, at + 2)
        elif kind == 0x2C:
            left, top, width, height, pflags = struct.unpack("<HHHHB", data[at + 1:at + 10])
            at += 10
            local = table
            if pflags & 0x80:
                n = 3 << ((pflags & 7) + 1)
                local, at = data[at:at + n], at + n
            code_size = data[at]
            end = _sub_blocks(data, at + 1)
            found.append(Picture(width, height, left, top, local, bool(pflags & 0x40), transparent, code_size,
                                 data[at + 1:end]))
            transparent, at = None, end
        else:
            raise GifError(f"GIF: unknown block 0x{kind:02x} at byte {at}")
    raise GifError("GIF: no trailer (0x3B)")


def pictures(data: bytes) -> list[Picture]:
    """The images of a GIF, in order (what a viewer shows as its frames)."""
    return _parse(data)[0]


def split(data: bytes) -> list[list[Picture]]:
    """The images of each of several GIFs written one after the other (as Graphviz does for many graphs)."""
    out, at = [], 0
    while at < len(data):
        found, at = _parse(data, at)
        out.append(found)
    return out


def _table_bits(table: bytes) -> int:
    """The size field for a colour table of ``len(table)`` bytes (2^(field+1) entries)."""
    entries = len(table) // 3
    bits = max(1, (entries - 1).bit_length())
    if 3 << bits != len(table):
        raise GifError(f"GIF: a colour table of {len(table)} bytes is not 3·2^n")
    return bits - 1


def animate(frames: list[bytes], delay: float = 1.0, loop: int = 0) -> bytes:
    """One animated GIF from single-picture GIFs, ``delay`` seconds each, looping ``loop`` times (0: forever)."""
    return animate_pictures([p for f in frames for p in pictures(f)], delay, loop)


def animate_pictures(pics: list[Picture], delay: float = 1.0, loop: int = 0,
                     delays: list[float] | None = None) -> bytes:
    """One animated GIF of ``pics`` (see ``animate``); ``delays`` gives each picture its own seconds."""
    if not pics:
        raise ValueError("animate: no frames")
    if delays is not None and len(delays) != len(pics):
        raise ValueError(f"animate: {len(delays)} delays for {len(pics)} pictures")
    width = max(p.left + p.width for p in pics)
    height = max(p.top + p.height for p in pics)
    out = bytearray(b"GIF89a" + struct.pack("<HHBBB", width, height, 0, 0, 0))
    out += b"\x21\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", loop) + b"\x00"
    for k, p in enumerate(pics):
        centis = max(1, round((delay if delays is None else delays[k]) * 100))
        if not p.table:
            raise GifError("GIF: a picture without a colour table")
        packed = (2 << 2) | (1 if p.transparent is not None else 0)  # disposal 2: restore to background
        out += b"\x21\xf9\x04" + struct.pack("<BHB", packed, centis, p.transparent or 0) + b"\x00"
        flags = 0x80 | (0x40 if p.interlaced else 0) | _table_bits(p.table)
        out += b"\x2c" + struct.pack("<HHHHB", p.left, p.top, p.width, p.height, flags) + p.table
        out += bytes([p.code_size]) + p.blocks
    out += b"\x3b"
    return bytes(out)


def _caption(title: str | None, text: str) -> str:
    lines = textwrap.wrap(text, 110) or [""]
    return "\n".join(([title] if title else []) + lines)


def _draw_all(sources: list[str]) -> list[list[Picture]]:
    """Each graph of ``sources`` drawn as GIF on its own layout (``neato -n2``): its pictures.

    With Graphviz's ``dot`` on PATH, all frames go through one run of it, with ``subprocess``
    directly: the ``graphviz`` package writes all of the input before it reads any output, which
    deadlocks once Graphviz has written a pipe's worth of pictures. Without ``dot``, pygraphviz
    (Graphviz's libraries in process) draws them one by one, on the same sources.
    """
    dot = shutil.which("dot")
    if dot is None:
        if pygraphviz_module() is None:
            raise GraphvizNotFoundError()
        return [pictures(pygraphviz_render(source, "gif", "neato", args="-n2")) for source in sources]
    done = subprocess.run([dot, "-Kneato", "-n2", "-Tgif"], input="".join(sources).encode("utf-8"),
                          capture_output=True, check=False)
    if done.returncode:
        raise RenderError(f"Graphviz failed to draw the frames (exit {done.returncode}): "
                          f"{done.stderr.decode('utf-8', 'replace').strip()[:300]}")
    return split(done.stdout)


def _boxed(text: str, box: tuple[float, float]) -> str:
    """An HTML-like label of ``text`` (escaped) in a table of at least ``box`` points, text at the top left."""
    if not box[0]:
        return html_label(text)
    return html_label(f'<TABLE BORDER="0" CELLPADDING="0" CELLSPACING="0" WIDTH="{box[0]:.0f}" '
                      f'HEIGHT="{box[1]:.0f}"><TR><TD ALIGN="LEFT" VALIGN="TOP" BALIGN="LEFT">{text}</TD></TR></TABLE>')


def _check_seconds(name: str, value: Any, low: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= 600:
        raise ValueError(f"step_through.save: {name} must be a number of seconds from {low:g} to 600, got {value!r}")
    return float(value)


def frame_sources(walk: Any, width: int | None = None) -> list[str]:
    """One DOT source per frame of ``walk`` (a ``StepThrough``), all on one layout (for ``neato -n2``).

    ``width``: the pictures' width in pixels (a slide's 1600, say), by Graphviz's ``dpi``; None keeps
    Graphviz's 96 dpi.
    """
    order, frames = walk.order, walk.frames
    if len(frames) > MAX_FRAMES:
        raise ValueError(f"step_through.save: {len(frames)} frames are more than {MAX_FRAMES} (one Graphviz "
                         "run each, and too long to watch); save the .html page instead, or step through a part of "
                         "the graph (step_through(some_intermediate_value))")
    if width is not None and (isinstance(width, bool) or not isinstance(width, int) or not 64 <= width <= 10000):
        raise ValueError(f"step_through.save: width must be a whole number of pixels from 64 to 10000, got {width!r}")
    captions = [_caption(walk.title, f.text) for f in frames]
    widest = max(len(line) for c in captions for line in c.splitlines())
    tallest = max(len(c.splitlines()) for c in captions)
    base = walk.graph.copy()
    base.attr(label=html_label(html_text("\n".join(["0" * widest] * tallest))), labelloc="b", fontsize="12")
    laid = bytes(base.pipe(format="dot")).decode("utf-8")
    cut = laid.rindex("}")
    size = re.search(r"\blwidth=([0-9.]+).*?\blheight=([0-9.]+)|\blheight=([0-9.]+).*?\blwidth=([0-9.]+)", laid, re.S)
    box = (0.0, 0.0)
    if size:  # every frame's caption in a box of the laid-out one's size, so every picture has one size
        w, h = (size.group(1), size.group(2)) if size.group(1) else (size.group(4), size.group(3))
        box = (float(w) * 72 * 1.25, float(h) * 72 * 1.15)  # real text may be wider and taller than 0s
    sources = []
    for frame, state, caption in zip(frames, states(frames, len(order)), captions, strict=True):
        lines = [f"graph [label={_boxed(html_text(caption), box)}];", "graph [dpi=@@DPI@@];"]
        for i, v in enumerate(order):
            lines.append(f"v{i} [label={walk.label(v, state[i]['data'], state[i]['grad'])}];")
        if frame.node is not None:
            lines.append(f'v{frame.node} [color="{CURRENT}", penwidth=3];')
        if frame.op is not None:
            lines.append(f'op{frame.op} [color="{CURRENT}", fillcolor="#ffe082", penwidth=3];')
        if frame.parent is not None:
            lines.append(f'v{frame.parent} [color="{PARENT}", penwidth=3];')
        text = laid[:cut]
        if frame.edge is not None:
            text = re.sub(rf'id="{re.escape(frame.edge)}"', f'id="{frame.edge}", color="{CURRENT}", penwidth=3', text)
        sources.append(text + "\n".join(lines) + "\n}\n")
    dpi = 96.0
    if width is not None:  # the picture's width is proportional to the dpi: measure it once at 96
        drawn = _draw_all([sources[0].replace("@@DPI@@", "96")])[0][0]
        dpi = 96.0 * width / drawn.width
    return [source.replace("@@DPI@@", f"{dpi:.5g}") for source in sources]


def render_frames(walk: Any, fmt: str = "png", width: int | None = None) -> list[bytes]:
    """Each frame of ``walk`` as its own picture (``png``, ``pdf`` or ``svg``): for Beamer overlays and slides."""
    if fmt not in ("png", "pdf", "svg"):
        raise ValueError(f"step_through.save_frames: format must be png, pdf or svg, got {fmt!r}")
    dot = shutil.which("dot")
    out = []
    for source in frame_sources(walk, width):
        if dot is None:
            out.append(pygraphviz_render(source, fmt, "neato", args="-n2"))
            continue
        done = subprocess.run([dot, "-Kneato", "-n2", f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True,
                              check=False)
        if done.returncode:
            raise RenderError(f"Graphviz failed to draw a frame (exit {done.returncode}): "
                              f"{done.stderr.decode('utf-8', 'replace').strip()[:300]}")
        out.append(done.stdout)
    return out


def render_gif(walk: Any, delay: float = 1.0, *, hold: float = 3.0, width: int | None = None) -> bytes:
    """The animated GIF of a ``StepThrough`` (``walk``): one picture per frame, on one layout.

    Each frame shows ``delay`` seconds, the last one ``hold`` seconds (at least ``delay``) before
    the animation starts again; ``width`` sizes the pictures in pixels (see ``frame_sources``).
    """
    delay = _check_seconds("delay", delay, 0.01)
    hold = max(delay, _check_seconds("hold", hold, 0.0))
    frames = walk.frames
    drawn = _draw_all(frame_sources(walk, width))
    if len(drawn) != len(frames):
        raise RenderError(f"Graphviz drew {len(drawn)} pictures for {len(frames)} frames")
    pics = [p for pictures_of_one in drawn for p in pictures_of_one]
    return animate_pictures(pics, delay, delays=[delay] * (len(pics) - 1) + [hold])
