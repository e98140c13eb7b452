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
from autograd.explain.frames import states

CURRENT, PARENT = "#d62728", "#1565c0"
MAX_FRAMES = 600  # each frame is one run of Graphviz (~0.1-0.3 s for a small network)


class GifError(ValueError):
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


def animate_pictures(pics: list[Picture], delay: float = 1.0, loop: int = 0) -> bytes:
    """One animated GIF of ``pics`` (see ``animate``)."""
    if not pics:
        raise ValueError("animate: no frames")
    width = max(p.left + p.width for p in pics)
    height = max(p.top + p.height for p in pics)
    out = bytearray(b"GIF89a" + struct.pack("<HHBBB", width, height, 0, 0, 0))
    out += b"\x21\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", loop) + b"\x00"
    centis = max(1, round(delay * 100))
    for p in pics:
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


def render_gif(walk: Any, delay: float = 1.0) -> bytes:
    """The animated GIF of a ``StepThrough`` (``walk``): one picture per frame, on one layout."""
    if isinstance(delay, bool) or not isinstance(delay, (int, float)) or not 0.01 <= delay <= 600:
        raise ValueError(f"step_through.save: delay must be a number of seconds from 0.01 to 600, got {delay!r}")
    order, frames = walk.order, walk.frames
    if len(frames) > MAX_FRAMES:
        raise ValueError(f"step_through.save: a GIF of {len(frames)} frames is more than {MAX_FRAMES} (one Graphviz "
                         "run each, and too long to watch); save the .html page instead, or step through a part of "
                         "the graph (step_through(some_intermediate_value))")
    captions = [_caption(walk.title, f.text) for f in frames]
    widest = max(len(line) for c in captions for line in c.splitlines())
    tallest = max(len(c.splitlines()) for c in captions)
    base = walk.graph.copy()
    base.attr(label=html_label(html_text("\n".join(["0" * widest] * tallest))), labelloc="b", fontsize="12")
    laid = bytes(base.pipe(format="dot")).decode("utf-8")
    cut = laid.rindex("}")
    sources = []
    for frame, state, caption in zip(frames, states(frames, len(order)), captions, strict=True):
        lines = [f"graph [label={html_label(html_text(caption))}];"]
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
    drawn = _draw_all(sources)
    if len(drawn) != len(frames):
        raise RenderError(f"Graphviz drew {len(drawn)} pictures for {len(frames)} frames")
    return animate_pictures([p for pics in drawn for p in pics], delay)
