"""The report of a gradient check: its rows, when two numbers are close, and a message for a terminal.

``close(a, b, atol, rtol)`` is numpy's and torch's ``allclose`` for one pair: |a − b| ≤ atol +
rtol·|b|, an infinity close only to the same infinity, NaN close to nothing (to NaN with
``equal_nan=True``). Every checker decides with it.

A failure message is written for ``pytest -q``, ``-rf`` and ``--tb=line``, which show only its
first line: that line names the worst row (input, its numbers and the verdict). Every line is at
most ``WIDTH`` (100) columns: a row's note goes under it, long names are cut, and a table longer
than ``LIMIT`` rows shows its failing rows first and summarises the rest in one line.
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from autograd.errors import DeltagradError

OK, FAIL, KINK = "ok", "FAIL", "kink"
WIDTH = 100
LIMIT = 20  # rows shown in a failure's table; the rest are summarised


def fit(text: str, width: int = WIDTH) -> str:
    """Every line of ``text`` wrapped to ``width`` columns, continuation lines indented as the first."""
    out = []
    for line in text.splitlines():
        if len(line) <= width:
            out.append(line)
            continue
        indent = " " * (len(line) - len(line.lstrip()))
        out.extend(textwrap.wrap(line, width, subsequent_indent=indent + "  ", break_long_words=True,
                                 break_on_hyphens=False) or [""])
    return "\n".join(out)


class GradcheckError(DeltagradError, AssertionError):
    """A gradient check failed. The message is the report; ``rows`` and ``node`` hold it as data.

    ``rows``: the ``GradRow`` of every input (empty for ``check_graph``); ``node``: the first
    wrong node found (a ``NodeCheck``) or None. Shown as ``autograd.GradcheckError``.
    """

    def __init__(self, message: str, rows: Sequence[GradRow] = (), node: Any = None) -> None:
        super().__init__(fit(message))
        self.rows = list(rows)
        self.node = node


GradcheckError.__module__ = "autograd"  # what a traceback shows: autograd.GradcheckError


@dataclass(frozen=True)
class GradRow:
    """One row of a report: an input, its value, the analytic gradient and what it is compared with.

    ``reference`` is the numerical gradient (gradcheck) or the hand-derived one (assert_grad);
    ``status`` is ``"ok"``, ``"FAIL"`` or ``"kink"``; ``note`` explains a non-ok row. ``forward`` is
    forward mode's J·e_i (``gradcheck(modes=("rev", "fwd"))``), None when it was not computed.
    ``output`` is the output's position for f returning a list (None for one output), ``input``
    the input's position.
    """

    name: str
    value: float
    analytic: float
    reference: float
    status: str = OK
    note: str = ""
    forward: float | None = None
    output: int | None = None
    input: int = 0

    @property
    def abs_err(self) -> float:
        """|analytic − reference| (0 when both are the same infinity, NaN when either is NaN)."""
        return 0.0 if self.analytic == self.reference else abs(self.analytic - self.reference)

    @property
    def rel_err(self) -> float:
        """|analytic − reference| / |reference| (inf when the reference is 0 and they differ)."""
        err = self.abs_err
        if err == 0.0:
            return 0.0
        return err / abs(self.reference) if self.reference != 0.0 else math.inf

    @property
    def worst_err(self) -> tuple[float, float]:
        """(abs err, rel err) of the analytic value or of the forward one, whichever is larger."""
        if self.forward is None:
            return self.abs_err, self.rel_err
        fwd = GradRow(self.name, self.value, self.forward, self.reference)
        return _larger(self.abs_err, fwd.abs_err), _larger(self.rel_err, fwd.rel_err)


def _larger(a: float, b: float) -> float:
    return a if math.isnan(a) or not b > a else b


def close(a: float, b: float, atol: float, rtol: float, equal_nan: bool = False) -> bool:
    """|a − b| ≤ atol + rtol·|b| (numpy's and torch's ``allclose``): an infinity is close only to
    the same infinity, NaN to nothing, or to NaN when ``equal_nan``."""
    if math.isnan(a) or math.isnan(b):
        return equal_nan and math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= atol + rtol * abs(b)


def fmt(x: float) -> str:
    """A number for a report: 6 significant digits."""
    return f"{x:.6g}"


def printable(text: str) -> str:
    """A label for one line of a report: newlines, tabs and other control characters escaped."""
    return text if text.isprintable() else "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 1)] + "…"


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int = WIDTH) -> str:
    """Left-aligned columns under a header and a rule, two spaces apart (trailing blanks removed);
    the first column is cut (…) so that a line fits in ``width`` columns."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    spare = width - (sum(widths) + 2 * (len(widths) - 1))
    if spare < 0 and widths:
        widths[0] = max(len(headers[0]), widths[0] + spare, 8)
        rows = [[_cut(r[0], widths[0]), *r[1:]] for r in rows]
    lines = [headers, ["-" * w for w in widths], *rows]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines)


def _failing_first(rows: Sequence[GradRow], limit: int | None) -> tuple[list[GradRow], str]:
    """The rows to show and a line summarising the others ("" when all are shown)."""
    if limit is None or len(rows) <= limit:
        return list(rows), ""
    bad = [r for r in rows if r.status != OK]
    shown = bad[:limit] + [r for r in rows if r.status == OK][: max(limit - len(bad), 0)]
    rest = [r for r in rows if r not in shown]
    counts = {s: sum(1 for r in rest if r.status == s) for s in (FAIL, KINK, OK)}
    words = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    worst = max((r.worst_err[1] for r in rest if r.status == OK), default=0.0)
    tail = f" (largest rel err among the ok rows: {worst:.2g})" if counts[OK] else ""
    return shown, f"… {len(rest)} more rows not shown: {words}{tail}; the error's .rows holds all of them"


def format_report(rows: Sequence[GradRow], *, reference: str = "numerical", analytic: str = "analytic",
                  limit: int | None = None) -> str:
    """The table of a report: input, value, analytic, reference, abs err, rel err, status.

    ``reference`` and ``analytic`` name those two columns (a second-order check passes
    ``analytic="analytic ∂²"``). A row's note is printed under it. A ``forward`` column (forward
    mode) appears only when some row has one, and the errors are then the larger of reverse's and
    forward's. With ``limit``, at most that many rows, failing ones first, and a summary line.
    """
    forward = any(r.forward is not None for r in rows)
    if forward and analytic == "analytic":
        analytic = "reverse"  # beside forward mode, backward()'s column is reverse mode
    headers = ["input", "value", analytic, *(["forward"] if forward else []), reference, "abs err", "rel err",
               "status"]
    shown, summary = _failing_first(rows, limit)
    body = []
    for r in shown:
        fwd = [fmt(r.forward) if r.forward is not None else "–"] if forward else []
        abs_err, rel_err = r.worst_err
        body.append([printable(r.name), fmt(r.value), fmt(r.analytic), *fwd, fmt(r.reference), f"{abs_err:.2g}",
                     f"{rel_err:.2g}", r.status])
    table = format_table(headers, body).splitlines()
    lines = table[:2]
    for r, line in zip(shown, table[2:], strict=True):
        lines.append(line)
        if r.note:
            lines.extend(textwrap.wrap(r.note, WIDTH, initial_indent="    ↳ ", subsequent_indent="      "))
    return "\n".join([*lines, *([summary] if summary else [])])


def worst(rows: Sequence[GradRow]) -> GradRow:
    """The failing row with the largest relative error (then absolute), NaN counting as the largest."""
    bad = [r for r in rows if r.status != OK] or list(rows)

    def key(r: GradRow) -> tuple[bool, bool, float, float]:  # an input's row before a fast mode's projection
        a, e = r.worst_err  # the relative error as shown (2 digits), then the absolute one breaks ties
        return (r.status == FAIL, r.input >= 0, math.inf if math.isnan(e) else float(f"{e:.2g}"),
                math.inf if math.isnan(a) else a)

    return max(bad, key=key)


def headline(where: str, row: GradRow, reference: str, verdict: str, analytic: str = "analytic") -> str:
    """The first line of a failure: the worst row, its numbers and the verdict, in ≤ 100 columns
    (the relative error is left out first, then the name is cut, to make room)."""
    nums = f"{analytic} {fmt(row.analytic)}"
    if row.forward is not None:
        nums += f", forward {fmt(row.forward)}"
    nums += f", {reference} {fmt(row.reference)}"
    tail = f" – {verdict}" if verdict else ""
    name = printable(row.name)
    for rel in (f" (rel err {row.worst_err[1]:.2g})", ""):
        line = f"{where}: {row.status} {name}: {nums}{rel}{tail}"
        if len(line) <= WIDTH:
            return line
    room = WIDTH - len(f"{where}: {row.status} : {nums}{tail}")
    return f"{where}: {row.status} {_cut(name, max(room, 8))}: {nums}{tail}"[:WIDTH]


class Report:
    """What a passed check returns: its rows. ``print(report)`` shows the table; it is truthy.

    ``report.kinks`` are the rows that sat at a kink (passed because ``fail_on_kink`` was False).
    """

    def __init__(self, rows: Sequence[GradRow], reference: str = "numerical", analytic: str = "analytic") -> None:
        self.rows = list(rows)
        self.reference = reference
        self.analytic = analytic

    @property
    def kinks(self) -> list[GradRow]:
        return [r for r in self.rows if r.status == KINK]

    def __bool__(self) -> bool:
        return all(r.status != FAIL for r in self.rows)

    def __str__(self) -> str:
        return format_report(self.rows, reference=self.reference, analytic=self.analytic)

    def __repr__(self) -> str:
        return f"<Report: {len(self.rows)} inputs, {len(self.kinks)} at kinks>"

    def summary(self) -> str:
        """One line: how many inputs passed, failed, or sat at a kink."""
        fails = sum(1 for r in self.rows if r.status == FAIL)
        verdict = "passed" if not fails else f"{fails} FAILED"
        return f"gradient check {verdict}: {len(self.rows)} inputs, {len(self.kinks)} at kinks"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # IPython / Jupyter: the table, not <Report>
        printer.text(f"{self.summary()}\n\n{self}")

    def _repr_html_(self) -> str:  # Jupyter's rich display: the same text, monospaced
        return f"<pre>{html.escape(self.summary())}\n\n{html.escape(str(self))}</pre>"
