"""The quiz page (``step_through(y, quiz=True)``) in a real browser: Debian's chromium, driven by selenium.

Type answers into ``[data-role=answer]`` and press Enter: a right total moves on and reveals the
parent's gradient on the graph, a rounded one is accepted, a wrong one stays and says whether the
sign or the size is off and, from the second try, shows the local derivative's formula; text is not
a try; the score at the end counts first tries. Everything is done with the keyboard alone, nothing
is logged or fetched, and hostile labels run nothing. The answers come from ``explain`` (the page's
own data is never read back as the oracle).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from autograd import Value, explain, step_through
from autograd.drawing.labels import fmt_sig
from tests.explain import test_explain_browser
from tests.explain.test_explain_browser import _assert_clean, _shown

browser = test_explain_browser.browser  # the same chromium fixture (headless, no network)


def _graph() -> Value:
    x = Value(0.5, label="x")
    b = (x * 2.0).tanh()
    b.label = "b"
    y = b * b + b
    y.label = "y"
    return y


def _open(driver: Any, tmp_path: Path, y: Value, name: str = "quiz.html", **options: Any) -> Any:
    walk = step_through(y, quiz=True, **options)
    driver.get(walk.save(tmp_path / name).as_uri())
    return walk


def _answer(driver: Any, text: str) -> tuple[str, str]:
    """Type ``text`` into the focused answer box and press Enter; (verdict, feedback text)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = driver.switch_to.active_element
    assert box.get_attribute("data-role") == "answer"  # keyboard only: the box has the focus
    box.send_keys(text + Keys.ENTER)
    fb = driver.find_element(By.CSS_SELECTOR, "[data-role=feedback]")
    return fb.get_attribute("data-verdict"), fb.text


def _step(driver: Any) -> int:
    from selenium.webdriver.common.by import By

    return int(driver.find_element(By.TAG_NAME, "body").get_attribute("data-step"))


def test_right_answers_move_on_and_the_score_counts_them(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    y = _graph()
    ex = explain(_graph())  # the oracle: the same graph's steps, computed apart from the page
    walk = _open(browser, tmp_path, y)
    assert len(ex) == len(walk.explanation) == 6
    for n, s in enumerate(ex):
        assert _step(browser) == n
        q = browser.find_element(By.CSS_SELECTOR, "[data-role=question]").text
        assert q.startswith(f"step {n + 1} of 6: ") and "?" in q
        verdict, text = _answer(browser, repr(s.total))
        assert verdict == "right", text
        assert f"step {n + 1}: " in text
        assert f"grad {fmt_sig(s.total)}" in _shown(browser, walk.order.index(walk.explanation[n].parent))
    score = browser.find_element(By.CSS_SELECTOR, "[data-role=score]")
    assert score.is_displayed() and score.text.startswith("score: 6 of 6 right at the first try")
    assert score.get_attribute("data-first") == "6"
    _assert_clean(browser)


def test_rounded_numbers_pass_and_wrong_ones_say_sign_or_size(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    y = _graph()
    walk = _open(browser, tmp_path, y)
    ex = walk.explanation
    first = ex[0].total  # 1.0: ∂y/∂(b·b) — answered rounded below
    assert _answer(browser, f"{first:.4f}")[0] == "right"
    s = ex[1]  # ∂y/∂b += 1 · 1: the second consumer of b adds into b.grad
    verdict, text = _answer(browser, str(-s.total))
    assert (verdict, _step(browser)) == ("wrong", 1) and "The sign is off." in text
    assert "local derivative" not in text  # the formula only from the second try on
    assert not browser.find_element(By.CSS_SELECTOR, "[data-role=reveal]").is_displayed()
    verdict, text = _answer(browser, str(s.total * 10))
    assert verdict == "wrong" and "too large" in text and f"The local derivative for this edge: {s.formula}" in text
    assert _answer(browser, "abc")[0] == "invalid"  # not a try
    assert _answer(browser, "")[0] == "invalid"
    t = ex[2].total
    assert _answer(browser, f"{s.total:.5g}")[0] == "right" and _step(browser) == 2
    assert _answer(browser, f"{t * (1 + 2e-3):.9g}")[0] == "wrong"  # outside the relative tolerance 1e-3
    assert _answer(browser, f"{t * (1 + 5e-4):.9g}".replace("-", "\u2212"))[0] == "right"  # within; a typed minus
    _assert_clean(browser)


def test_keyboard_only_reveal_and_contribution_hint(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    y = _graph()
    walk = _open(browser, tmp_path, y)
    ex = walk.explanation
    into_b = next(k for k, s in enumerate(ex) if s.parent_name == "b" and s.before != 0.0)
    for k in range(into_b):
        assert _answer(browser, repr(ex[k].total))[0] == "right"
    s = ex[into_b]
    verdict, text = _answer(browser, repr(s.contribution))  # forgot that b.grad already held a number
    assert verdict == "wrong" and "contribution alone" in text
    _answer(browser, "0")
    active = browser.switch_to.active_element
    active.send_keys(Keys.TAB, Keys.TAB)  # answer box → check → show the answer
    assert browser.switch_to.active_element.get_attribute("data-role") == "reveal"
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    fb = browser.find_element(By.CSS_SELECTOR, "[data-role=feedback]")
    assert fb.get_attribute("data-verdict") == "shown" and _step(browser) == into_b + 1
    for k in range(into_b + 1, len(ex)):
        assert _answer(browser, repr(ex[k].total))[0] == "right"
    score = browser.find_element(By.CSS_SELECTOR, "[data-role=score]").text
    assert score == f"score: {len(ex) - 1} of {len(ex)} right at the first try; 0 at a later try; 1 shown"
    again = browser.switch_to.active_element
    assert again.get_attribute("data-role") == "again"
    again.send_keys(Keys.ENTER)
    assert _step(browser) == 0 and browser.switch_to.active_element.get_attribute("data-role") == "answer"
    _assert_clean(browser)


def test_hostile_labels_run_nothing_in_the_quiz(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    label = "<script>window.__dg_alerted = 1</script><img src=x onerror=alert(2)>\"'&amp;\u2028é"
    a = Value(2.0, label=label)
    y = (a + a) * a
    walk = _open(browser, tmp_path, y, "hostile.html", title=label)
    assert browser.execute_script("return document.querySelectorAll('img').length") == 0
    asked = []
    for s in walk.explanation:
        asked.append(browser.find_element(By.CSS_SELECTOR, "[data-role=question]").text)
        assert _answer(browser, repr(s.total))[0] == "right"
    assert any(label.replace("\u2028", " ") in q for q in asked), asked  # as text (selenium shows U+2028 as a space)
    assert browser.execute_script("return document.title").startswith("<script>window.__dg_alerted = 1</script>")
    _assert_clean(browser)


def test_a_lone_surrogate_label_still_makes_a_page(browser: Any, tmp_path: Path) -> None:
    x = Value(0.5, label="bad\ud800bytes")
    walk = _open(browser, tmp_path, x.tanh(), "surrogate.html")
    assert "\ud800" not in walk.html()
    assert _answer(browser, repr(walk.explanation[0].total))[0] == "right"
    _assert_clean(browser)


def test_infinite_totals_and_a_graph_without_steps(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    z = Value(0.0, label="z")
    _open(browser, tmp_path, z.sqrt(), "inf.html")  # ∂√z/∂z at 0 is +inf
    assert _answer(browser, "1e308")[0] == "wrong"
    assert _answer(browser, "inf")[0] == "right"
    assert browser.find_element(By.CSS_SELECTOR, "[data-role=score]").text.startswith("score: 0 of 1 right at the "
                                                                                      "first try; 1 at a later try")
    _open(browser, tmp_path, Value(3.0, label="leaf"), "none.html")  # nothing to backpropagate through
    assert browser.find_element(By.CSS_SELECTOR, "[data-role=score]").text.startswith("score: 0 of 0")
    _assert_clean(browser)


def test_the_formula_on_the_pages_own_numbers_is_right(browser: Any, tmp_path: Path) -> None:
    # tanh(3) is shown as 0.9951 and the formula as 1 − y²: 1 − 0.9951² = 0.009776 is 0.9 % off the true
    # 0.009866 (rtol is 0.1 %), but it is what a learner gets from the page, so it is right; so is the true one
    import math

    for typed in (f"{1 - 0.9951 ** 2:.6g}", f"{1 - math.tanh(3.0) ** 2:.4g}"):
        x = Value(3.0, label="x")
        y = x.tanh()
        y.label = "y"
        _open(browser, tmp_path, y)
        verdict, text = _answer(browser, typed)
        assert verdict == "right", (typed, text)
    x = Value(3.0, label="x")
    y = x.tanh()
    y.label = "y"
    _open(browser, tmp_path, y)
    assert _answer(browser, "0.0095")[0] == "wrong"  # neither
    _assert_clean(browser)


def test_a_very_long_label_wraps_instead_of_widening_the_page(browser: Any, tmp_path: Path) -> None:
    # a 300-character label ran the question and the feedback off the right edge (a page-wide scrollbar)
    browser.set_window_size(1280, 900)
    x = Value(0.5, label="x" * 300)
    y = x * 3.0
    y.label = "y"
    _open(browser, tmp_path, y)
    _answer(browser, "7")  # a wrong answer: the feedback names the long label too
    widths = browser.execute_script(
        "return ['q-question', 'q-feedback'].map(id => [document.getElementById(id).scrollWidth,"
        " document.getElementById(id).clientWidth])")
    assert all(scroll <= client for scroll, client in widths), widths
    _assert_clean(browser)


def test_nan_typed_for_a_number_is_not_called_too_small(browser: Any, tmp_path: Path) -> None:
    _open(browser, tmp_path, _graph())
    verdict, text = _answer(browser, "nan")
    assert verdict == "wrong" and "NaN is not the answer" in text and "too small" not in text, text
    _assert_clean(browser)
