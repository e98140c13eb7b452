"""The step-by-step page in a real browser: Debian's chromium, driven by selenium.

Open the saved page, press the arrow keys, and check that the highlighted node and edge and the
numbers shown are explain's step N; that nothing was logged to the console, nothing fetched, and
that a label ``<script>alert(…)</script>`` runs nothing. Outside CI the tests skip when chromium,
chromedriver or selenium are missing; in CI (``CI=true``) they fail instead.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import nn
from autograd import Value, step_through
from autograd.drawing.labels import fmt_sig
from nn import losses

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run")


def _missing() -> str:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install selenium)"
    for path, package in ((CHROMIUM, "chromium"), (DRIVER, "chromium-driver"), (shutil.which("dot"), "graphviz")):
        if not path or not os.path.exists(path):
            return f"{package} is not installed (apt-get install {package})"
    return ""


def _require(missing: str) -> None:
    """Nothing if ``missing`` is empty; else skip, or fail when running in CI (``CI=true``)."""
    if missing:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"browser tests must run in CI: {missing}")
        pytest.skip(missing)


def test_in_ci_a_missing_browser_fails_instead_of_skipping(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="must run in CI: chromium is not installed"):
        _require("chromium is not installed (apt-get install chromium)")
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception):
        _require("chromium is not installed")
    _require("")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _require(_missing())
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="deltagrad-chromium-")
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _press(driver: Any, key: str, times: int) -> None:
    from selenium.webdriver.common.by import By

    body = driver.find_element(By.TAG_NAME, "body")
    for _ in range(times):
        body.send_keys(key)


def _highlighted(driver: Any) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for name in ("dg-current", "dg-parent", "dg-edge"):
        found[name] = set(driver.execute_script(
            f"return Array.from(document.getElementsByClassName('{name}')).map(e => e.id)"))
    return found


def _shown(driver: Any, i: int) -> list[str]:
    return list(driver.execute_script(
        f"return Array.from(document.getElementById('dg-v{i}').getElementsByTagName('text'))"
        ".map(t => t.textContent)"))


def _assert_clean(driver: Any) -> None:
    logs = driver.get_log("browser")
    assert logs == [], logs  # no console errors, no CSP violations
    resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert resources == []  # no network request of any kind
    assert driver.execute_script("return window.__dg_alerted === undefined")


def test_arrow_keys_walk_explains_steps(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    model = nn.note_model()
    X, T = nn.note_example()
    walk = step_through(losses.half_sse(model(X[0]), T[0]), model, lr=1.0)
    browser.get(walk.save(tmp_path / "note.html").as_uri())
    ex = walk.explanation
    for n in (1, 5, 14, len(ex)):  # explain's step n, reached with → from the first frame
        _press(browser, Keys.HOME, 1)
        _press(browser, Keys.ARROW_RIGHT, walk.first_step + n - 1)
        step = ex[n - 1]
        node, parent = walk.order.index(step.node), walk.order.index(step.parent)
        lit = _highlighted(browser)
        assert lit["dg-current"] == {f"dg-v{node}", f"dg-op{node}"}
        assert lit["dg-parent"] == {f"dg-v{parent}"}
        assert lit["dg-edge"] == {f"dg-e{node}-{step.position}"}
        assert browser.find_element(By.ID, "dg-text").text == f"step {n}: {step}"
        assert f"grad {fmt_sig(step.total)}" in _shown(browser, parent)
    _press(browser, Keys.ARROW_LEFT, 1)  # back one: the step before
    assert browser.find_element(By.ID, "dg-text").text == f"step {len(ex) - 1}: {ex[len(ex) - 2]}"
    _press(browser, Keys.END, 1)
    assert browser.find_element(By.TAG_NAME, "body").get_attribute("data-frame") == str(len(walk) - 1)
    browser.find_element(By.ID, "dg-first").click()
    assert browser.find_element(By.TAG_NAME, "body").get_attribute("data-frame") == "0"
    interior = next(i for i, v in enumerate(walk.order) if not v.is_leaf)
    assert "data ?" in _shown(browser, interior)  # the forward pass has not computed it yet
    _assert_clean(browser)


def test_a_hostile_label_runs_nothing(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    label = "<script>window.__dg_alerted = 1; alert('x')</script><img src=x onerror=alert(2)>"
    a = Value(2.0, label=label)
    walk = step_through((a + a) * a, title=label)
    browser.get(walk.save(tmp_path / "hostile.html").as_uri())
    _press(browser, Keys.ARROW_RIGHT, len(walk))
    alert = browser.execute_script("return document.querySelectorAll('img').length")
    assert alert == 0
    assert label in _shown(browser, 0)  # shown as text
    _assert_clean(browser)


def test_the_checks_catch_a_page_that_misbehaves(browser: Any, tmp_path: Path) -> None:
    """A negative control: a page that logs an error and runs an inline script fails ``_assert_clean``."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><script>window.__dg_alerted = 1; console.error('boom')</script>", encoding="utf-8")
    browser.get(bad.as_uri())
    with pytest.raises(AssertionError):
        _assert_clean(browser)
    assert browser.execute_script("return window.__dg_alerted") == 1


# Every frame, measured in a 1280×900 window: no two pieces of the graph's text overlap, and none is
# smaller than 9 px. Drawn with Graphviz's dot and with pygraphviz (dot hidden), as users get either.
_TEXTS = """
var out = [];
for (var t of document.querySelectorAll('#dg-graph svg text')) {
  if (!t.textContent.trim()) { continue; }
  var r = t.getBoundingClientRect(), m = t.getScreenCTM();
  out.push([t.textContent, r.left, r.top, r.right, r.bottom, parseFloat(getComputedStyle(t).fontSize) * m.a]);
}
return out;"""


_OUT_OF_VIEW = """
var g = document.getElementById('dg-graph'), v = g.getBoundingClientRect(), out = [];
for (var e of g.querySelectorAll('.dg-current, .dg-parent, .dg-edge')) {
  var r = e.getBoundingClientRect();
  if (r.left < v.left - 1 || r.top < v.top - 1 || r.right > v.left + g.clientWidth + 1
      || r.bottom > v.top + g.clientHeight + 1) { out.push(e.id); }
}
return out;"""


def overlaps(boxes: list[list[Any]], slack: float = 0.5) -> list[tuple[str, str]]:
    """The pairs of text boxes ``[text, left, top, right, bottom, ...]`` that overlap by more than ``slack`` px."""
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if (a[1] < b[3] - slack and b[1] < a[3] - slack and a[2] < b[4] - slack and b[2] < a[4] - slack):
                found.append((a[0], b[0]))
    return found


def test_the_overlap_check_sees_an_overlap() -> None:
    """A negative control for ``overlaps``: the 'data 0.1|046grad' of issue 28 is caught, neighbours are not."""
    assert overlaps([["data 0.1046", 0, 0, 60, 12], ["grad -0.004565", 50, 0, 120, 12]]) == [
        ("data 0.1046", "grad -0.004565")]
    assert overlaps([["data 0.1046", 0, 0, 60, 12], ["grad -0.004565", 61, 0, 120, 12]]) == []


def _measure_every_frame(driver: Any, frames: int) -> tuple[list[tuple[int, str, str]], float]:
    bad: list[tuple[int, str, str]] = []
    smallest = float("inf")
    for k in range(frames):
        driver.execute_script(f"var s = document.getElementById('dg-slider'); s.value = {k}; "
                              "s.dispatchEvent(new Event('input'));")
        boxes = driver.execute_script(_TEXTS)
        assert boxes, f"frame {k}: no text measured"
        hidden = driver.execute_script(_OUT_OF_VIEW)
        assert hidden == [], f"frame {k}: highlighted but scrolled out of view: {hidden}"
        smallest = min([smallest, *(b[5] for b in boxes)])
        bad += [(k, a, b) for a, b in overlaps(boxes)]
    return bad, smallest


@pytest.mark.parametrize("renderer", ["dot", "pygraphviz"])
def test_no_frame_overlaps_and_text_is_readable_at_1280x900(browser: Any, tmp_path: Path, renderer: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    if renderer == "pygraphviz":
        pytest.importorskip("pygraphviz")
        real = shutil.which
        monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None if name == "dot" else real(name, *a, **k))
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False})
    try:
        model = nn.note_model()
        X, T = nn.note_example()
        walk = step_through(losses.half_sse(model(X[0]), T[0]), model, lr=1.0)  # the main job's page
        browser.get(walk.save(tmp_path / "note.html").as_uri())
        assert browser.execute_script("return [innerWidth, innerHeight]") == [1280, 900]
        assert browser.execute_script("return document.documentElement.scrollHeight") <= 902  # fits the window
        bad, smallest = _measure_every_frame(browser, len(walk))
        assert bad == [], f"overlapping text (frame, text, text): {bad[:5]}"
        assert smallest >= 9.0, f"the smallest text is {smallest:.1f} px"
        _assert_clean(browser)
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_in_a_notebooks_iframe_too(browser: Any, tmp_path: Path) -> None:
    """The page as notebook 07 shows it: inside its iframe, in a notebook's ~1,000 px output column."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False})
    try:
        model = nn.note_model()
        X, T = nn.note_example()
        walk = step_through(losses.half_sse(model(X[0]), T[0]), model, lr=1.0)
        outer = tmp_path / "notebook.html"
        outer.write_text(f'<!DOCTYPE html><html><body style="margin:0"><div style="width:1000px;margin-left:140px">'
                         f"{walk._repr_html_()}</div></body></html>", encoding="utf-8")
        browser.get(outer.as_uri())
        frame = browser.find_element("tag name", "iframe")
        height = frame.size["height"]
        browser.switch_to.frame(frame)
        try:
            assert browser.execute_script("return document.getElementById('dg-graph') !== null")
            used = browser.execute_script("return document.documentElement.scrollHeight")
            assert used <= height + 2, f"the page needs {used} px of a {height} px frame: a stray scroll bar"
            bad, smallest = _measure_every_frame(browser, len(walk))
            assert bad == [] and smallest >= 9.0, (bad[:3], smallest)
        finally:
            browser.switch_to.default_content()
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
