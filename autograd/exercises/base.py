"""What every exercise shares: its description, its grade, and reading a learner's answer kindly.

An exercise is ``describe()``-d (a ``Description``: text, shown as Markdown in a notebook) and
``check(answer)``-ed (a ``Grade``: points out of a total, and feedback that names the node, edge or
step that went wrong). A learner's answer is read without trust and without raising: a blank
(``...``), text such as ``"0.5"``, ``NaN``, a bool, a missing or unknown key each earn a line of
feedback saying what to write instead, never an exception from deep inside.
"""

from __future__ import annotations

import difflib
import html
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

BLANK = ...  # what the notebook's answer cells hold until the learner fills them in


_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_[]#|~"})


def _md(text: str) -> str:
    """Text (that may hold a learner's keys) for Markdown: HTML escaped and Markdown's marks
    backslashed, so it shows as written (``y_j0 · δ_k`` is not italics, ``<b>`` not bold)."""
    return html.escape(text, quote=False).translate(_MARKDOWN).replace("\n", "  \n")


@dataclass(frozen=True)
class Description:
    """An exercise as text; Jupyter shows it as Markdown."""

    title: str
    text: str
    template: str

    def __str__(self) -> str:
        return f"{self.title}\n\n{self.text}\n\nAnswer as: {self.template}"

    def _repr_markdown_(self) -> str:
        answer = f"\n\n```python\n{self.template}\n```" if "\n" in self.template else f" `{self.template}`"
        return f"### {_md(self.title)}\n\n{self.text}\n\nAnswer as:{answer}"


@dataclass
class Grade:
    """A graded answer: ``score`` points of ``out_of``, one feedback line per point of interest, and
    ``parts`` (what each part of the answer was judged: "right", "wrong", "blank", "missing", ...)."""

    exercise: str
    score: float
    out_of: float
    feedback: list[str] = field(default_factory=list)
    parts: dict[str, str] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.score == self.out_of

    @property
    def blank(self) -> bool:
        return bool(self.parts) and all(v == "blank" for v in self.parts.values())

    def headline(self) -> str:
        verdict = "all right" if self.passed else "not answered yet" if self.blank else "not yet"
        return f"{self.exercise}: {self.score:g} / {self.out_of:g} — {verdict}"

    def __str__(self) -> str:
        return "\n".join([self.headline(), *(f"  - {line}" for line in self.feedback)])

    def __repr__(self) -> str:
        return f"<Grade {self.exercise}: {self.score:g}/{self.out_of:g}>"

    def _repr_markdown_(self) -> str:
        mark = "✓" if self.passed else "…" if self.blank else "✗"
        lines = [f"**{mark} {_md(self.headline())}**", ""]
        lines += [f"- {_md(line)}" for line in self.feedback]
        return "\n".join(lines)


class Exercise:
    """One exercise: ``name``, ``title``, ``text`` (Markdown), ``template`` (how to answer); ``check``."""

    name = ""
    title = ""
    text = ""
    template = ""

    def describe(self) -> Description:
        return Description(self.title, self.text, self.template)

    def check(self, answer: Any) -> Grade:  # pragma: no cover - every exercise defines it
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<exercise {self.name}: {self.title}>"

    def _repr_markdown_(self) -> str:
        return self.describe()._repr_markdown_()


def safe_repr(x: Any) -> str:
    """``repr(x)`` cut to 30 characters, or a placeholder when the learner's object's ``__repr__`` fails."""
    try:
        return repr(x)[:30]
    except Exception:  # a hostile or broken __repr__: still feedback, not a crash
        return "(its repr fails)"


def read_number(x: Any) -> tuple[float | None, str]:
    """A learner's number as a float, or (None, what is wrong with it); a blank is (None, "blank")."""
    if x is BLANK:
        return None, "blank"
    if isinstance(x, str):
        return None, f"is the text {x[:30]!r}: write the number without quotes"
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return None, f"is {type(x).__name__} {safe_repr(x)}, not a number"
    try:
        value = float(x)
    except OverflowError:
        return None, "is too large for a float"
    except Exception as e:  # a number type whose float() fails: feedback, not a crash
        return None, f"is {type(x).__name__} {safe_repr(x)}, whose float() fails ({type(e).__name__})"
    if math.isnan(value):
        return None, "is NaN: write the number you worked out"
    return value, ""


@dataclass(frozen=True)
class Key:
    """One part of a dict answer: its ``name`` and the ASCII spellings accepted for it (``delta_k``)."""

    name: str
    aliases: tuple[str, ...] = ()


def read_parts(answer: Any, keys: Sequence[Key], exercise: str) -> tuple[dict[str, float], Grade]:
    """The numbers of a dict answer by key, and a Grade (0 points so far) holding feedback on every
    blank, missing, unknown or unreadable part. ``out_of`` is the number of keys."""
    grade = Grade(exercise, 0.0, float(len(keys)))
    if answer is BLANK:
        grade.parts = {k.name: "blank" for k in keys}
        grade.feedback.append(f"not answered yet: fill in {', '.join(k.name for k in keys)}")
        return {}, grade
    if not isinstance(answer, Mapping):
        grade.feedback.append(f"the answer must be a dict with the keys {', '.join(k.name for k in keys)}, got "
                              f"{type(answer).__name__}")
        grade.parts = {k.name: "missing" for k in keys}
        return {}, grade
    spelled = {alias: k.name for k in keys for alias in (k.name, *k.aliases)}
    numbers_: dict[str, float] = {}
    for key, x in answer.items():
        name = spelled.get(key) if isinstance(key, str) else None
        if name is None:
            close = difflib.get_close_matches(str(key), list(spelled), n=1)
            grade.feedback.append(f"{str(key)[:30]!r} is not a part of this exercise"
                                  + (f" (did you mean {close[0]!r}?)" if close else "") + "; it was ignored")
            continue
        if name in numbers_ or grade.parts.get(name) in ("blank", "unreadable"):
            grade.feedback.append(f"{name} is given twice (as two spellings); the first was used")
            continue
        value, problem = read_number(x)
        if value is None:
            grade.parts[name] = "blank" if problem == "blank" else "unreadable"
            if problem != "blank":
                grade.feedback.append(f"{name} {problem}")
            continue
        numbers_[name] = value
    missing = [k.name for k in keys if k.name not in numbers_ and k.name not in grade.parts]
    for name in missing:
        grade.parts[name] = "missing"
    blanks = [k.name for k in keys if grade.parts.get(k.name) == "blank"]
    if missing or blanks:
        grade.feedback.append(f"still to fill in: {', '.join(missing + blanks)}")
    return numbers_, grade


def close(a: float, b: float, rtol: float = 1e-3, atol: float = 1e-9) -> bool:
    """|a − b| ≤ atol + rtol·|b|: an answer rounded to about four digits is right."""
    return a == b or abs(a - b) <= atol + rtol * abs(b)


def sign_or_size(theirs: float, true: float) -> str:
    """Whether a wrong number has the wrong sign or the wrong size."""
    if true != 0.0 and close(theirs, -true):
        return "the sign is flipped"
    if true != 0.0 and theirs != 0.0 and (theirs < 0) != (true < 0):
        return "the sign is off"
    return "too large" if abs(theirs) > abs(true) else "too small"


def call_safely(fn: Callable[..., Any], *args: Any) -> tuple[Any, str]:
    """``fn(*args)`` and "" — or (None, what it raised) when the learner's function fails."""
    try:
        return fn(*args), ""
    except Exception as e:  # a learner's code may raise anything; it is feedback, not a crash
        return None, f"{type(e).__name__}: {str(e)[:120]}"
