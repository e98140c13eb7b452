"""The quiz page's HTML, without a browser: its data is explain's steps, it is locked down, bad options refused."""

from __future__ import annotations

import json
import math
import re

import pytest

from autograd import Value, explain, step_through
from autograd.drawing.labels import fmt_sig
from autograd.explain import quiz


def fmt(x: float) -> str:
    """How a question shows the upstream and p.grad before: 6 significant digits, a real minus sign."""
    return fmt_sig(x, 6).replace("-", "−")


def _data(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="dg-data">(.*?)</script>', page, re.S)
    assert m is not None
    return json.loads(m.group(1))


def test_the_questions_are_explains_steps() -> None:
    x = Value(0.5, label="x")
    y = (x * x).tanh() + x
    y.label = "y"
    page = step_through(y, quiz=True).html()
    ex = explain((lambda x: (x * x).tanh() + x)(Value(0.5, label="x")))
    steps = _data(page)["steps"]
    assert [s["answer"] for s in steps] == [s.total for s in ex]  # the same floats, recomputed apart
    assert [s["contribution"] for s in steps] == [s.contribution for s in ex]
    for q, s in zip(steps, ex, strict=True):  # the question gives the upstream and p.grad before, not the local
        assert f"= {fmt(s.upstream)} and" in q["question"] and f"is {fmt(s.before)}. What is" in q["question"]
        assert s.local is None or fmt(s.local) not in q["question"].replace(fmt(s.upstream), "").replace(
            fmt(s.before), "")
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert not re.search(r"\son\w+=", page.split("<script>")[0].split('<div id="dg-graph">')[0])  # no inline handlers
    assert page != step_through(y).html() and 'data-role="answer"' in page


def test_non_finite_totals_are_json_text() -> None:
    x = Value(0.0, label="x")
    page = step_through(x.sqrt(), quiz=True).html()
    (s,) = _data(page)["steps"]
    assert s["answer"] == "Infinity" and math.isinf(float(s["answer"]))


def test_quiz_must_be_a_bool() -> None:
    with pytest.raises(TypeError, match="quiz must be True or False"):
        step_through(Value(1.0).tanh(), quiz="no")
    assert quiz.quiz_flag(False) is False


def test_hostile_text_is_escaped_in_the_data() -> None:
    a = Value(1.0, label="</script><script>alert(1)</script>&\ud800")
    page = step_through(a * a, quiz=True, title="</title><b>x").html()
    page.encode("utf-8")
    data_part = page.split('id="dg-data">')[1].split("</script>")[0]
    assert "<" not in data_part and "&" not in data_part.replace("\\u0026", "")
    assert "<title>&lt;/title&gt;&lt;b&gt;x</title>" in page and "\\ud800" in page


def test_a_total_from_the_pages_own_rounded_numbers_is_accepted() -> None:
    # y = tanh(3): the page shows y as 0.9951 (4 digits) and the formula 1 − y²; 1 − 0.9951² = 0.0097760 is
    # 0.9 % off the true 1 − tanh(3)² = 0.0098660, far outside rtol 1e-3, yet it is what the page's numbers give
    x = Value(3.0, label="x")
    y = x.tanh()
    y.label = "y"
    (step,) = _data(step_through(y, quiz=True).html())["steps"]
    assert step["answer"] == 1.0 - math.tanh(3.0) ** 2
    assert math.isclose(step["accept"], 1.0 - 0.9951**2, rel_tol=1e-12)
    # but only where rounding moved it a little: tanh(−6) is shown as −1, and 1 − 1² = 0 is not 2.46e-5
    x = Value(-6.0, label="x")
    y = x.tanh()
    y.label = "y"
    (step,) = _data(step_through(y, quiz=True).html())["steps"]
    assert step["accept"] == step["answer"] == 1.0 - math.tanh(-6.0) ** 2
    # a small upstream is asked with 6 significant digits, not 4 decimals (0.0046497 was shown as 0.0046, 1 % off)
    p = Value(1.5, label="p")
    v = p * 2.0
    v.label = "v"
    L = v * 0.0046497
    L.label = "L"
    into_p = _data(step_through(L, quiz=True).html())["steps"][1]["question"]
    assert "∂L/∂v = 0.0046497 and" in into_p, into_p


def test_a_bidi_override_in_a_label_cannot_reverse_the_numbers_of_a_question() -> None:
    # an unterminated U+202E in a label turned the rest of the question right-to-left: "= 0.25 and" reads "dna 52.0 ="
    x = Value(0.5, label="x\u202e")
    y = x * 0.25
    y.label = "y\u2067"
    page = step_through(y, quiz=True).html()
    assert not any(ch in page for ch in "\u202e\u2067")
    assert "x\\u202e" in _data(page)["steps"][0]["question"]  # written as a visible escape (labels.visible)
