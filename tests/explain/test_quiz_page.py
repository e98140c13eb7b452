"""The quiz page's HTML, without a browser: its data is explain's steps, it is locked down, bad options refused."""

from __future__ import annotations

import json
import math
import re

import pytest

from autograd import Value, explain, step_through
from autograd.explain import quiz
from autograd.explain.names import fmt


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
