"""The notebooks as a reader sees them: executed, converted to HTML by nbconvert, opened in headless chromium.

Every graph (inline SVG) and plot (PNG) must be visible and no wider than the page. Notebook 02 is
executed with Graphviz's ``dot`` hidden from PATH too, so its inline graphs come from pygraphviz.
Needs Debian's ``chromium`` and ``chromium-driver`` with selenium and nbconvert from PyPI; without
them it skips, except in CI (``CI=true`` or ``DELTAGRAD_REQUIRE_BROWSER=1``, as ``.ci/run`` sets),
where it fails. Slow (each notebook runs again here), marked ``slow``.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PAGE_WIDTH = 1000  # px: a laptop's notebook page
# Each visual output in the converted page: its box, whether it is shown, and the page's width.
MEASURE = """
const out = [];
for (const el of document.querySelectorAll('.jp-OutputArea-output svg, .jp-OutputArea-output img')) {
  if (el.parentElement.closest('svg')) continue;  // a part of a drawing, not a drawing
  const r = el.getBoundingClientRect(), style = getComputedStyle(el);
  const graph = el.tagName === 'svg' || (el.getAttribute('src') || '').startsWith('data:image/svg+xml');
  out.push({tag: graph ? 'graph' : 'plot', left: r.left, right: r.right, width: r.width, height: r.height,
            shown: style.display !== 'none' && style.visibility !== 'hidden' && el.getClientRects().length > 0,
            complete: el.tagName !== 'IMG' || (el.complete && el.naturalWidth > 0)});
}
return {items: out, page: document.documentElement.clientWidth,
        scroll: document.documentElement.scrollWidth};
"""

pytestmark = pytest.mark.slow


def required() -> bool:
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("DELTAGRAD_REQUIRE_BROWSER") == "1"


def missing_tools() -> list[str]:
    missing = [name for name in ("chromium", "chromedriver") if shutil.which(name) is None]
    missing += [name for name in ("selenium", "nbconvert", "nbclient") if importlib.util.find_spec(name) is None]
    return missing


def need_browser() -> None:
    """Skip without chromium, chromedriver, selenium or nbconvert — or fail, in CI."""
    missing = missing_tools()
    if missing:
        message = (f"the browser test needs {', '.join(missing)} (Debian/Ubuntu: apt-get install chromium "
                   "chromium-driver; pip install 'deltagrad[notebooks]')")
        if required():
            pytest.fail(message + " — required in CI")
        pytest.skip(message)


@pytest.mark.parametrize("ci", [True, False])
def test_a_missing_browser_fails_in_ci_and_skips_elsewhere(ci: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", "true" if ci else "false")
    monkeypatch.delenv("DELTAGRAD_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.fail.Exception if ci else pytest.skip.Exception, match="chromium, chromedriver"):
        need_browser()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    need_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(shutil.which("chromium"))
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
                 f"--window-size={PAGE_WIDTH},900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(shutil.which("chromedriver"))), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def to_html(notebook: Path, target: Path) -> Path:
    import nbclient
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(notebook, as_version=4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(notebook.parent)}}).execute()
    html, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    path = target / f"{notebook.stem}.html"
    path.write_text(html, encoding="utf-8")
    return path


def check_page(driver: Any, page: Path) -> list[dict[str, Any]]:
    driver.get(page.as_uri())
    found = driver.execute_script(MEASURE)
    items, width = found["items"], found["page"]
    assert width <= PAGE_WIDTH and found["scroll"] <= width + 1, f"{page.name}: the page scrolls sideways"
    for k, item in enumerate(items):
        where = f"{page.name}: {item['tag']} #{k}"
        assert item["shown"] and item["complete"], f"{where} is not visible"
        assert item["width"] > 20 and item["height"] > 20, f"{where} is {item['width']}×{item['height']} px"
        assert item["left"] >= 0 and item["right"] <= width + 1, f"{where} reaches {item['right']} px of {width}"
    return list(items)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_graph_and_plot_fits_the_page(notebook: Path, browser: Any, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    items = check_page(browser, to_html(notebook, tmp_path))
    text = notebook.read_text(encoding="utf-8")
    if "draw_dot(" in text:
        assert any(i["tag"] == "graph" for i in items), f"{notebook.name}: no graph was drawn"
    if "plt." in text or "Image(" in text:
        assert any(i["tag"] == "plot" for i in items), f"{notebook.name}: no plot was shown"


def test_graphs_from_pygraphviz_fit_too(browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if importlib.util.find_spec("pygraphviz") is None:
        if required():
            pytest.fail("pygraphviz is not installed (pip install pygraphviz) — required in CI")
        pytest.skip("pygraphviz is not installed (pip install pygraphviz)")
    hidden = tmp_path / "bin"  # PATH for the kernel: python and its tools, but no dot
    hidden.mkdir()
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        for tool in Path(entry).glob("*") if entry and Path(entry).is_dir() else []:
            if tool.name != "dot" and not (hidden / tool.name).exists():
                (hidden / tool.name).symlink_to(tool)
    monkeypatch.setenv("PATH", str(hidden))
    assert shutil.which("dot") is None
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    notebook = ROOT / "notebooks" / "02_computation_graphs.ipynb"
    items = check_page(browser, to_html(notebook, tmp_path))
    assert sum(1 for i in items if i["tag"] == "graph") >= 5


def test_a_wide_graph_inlined_into_a_page_fits(browser: Any, tmp_path: Path) -> None:
    """The classic notebook puts the SVG itself into the page (not an <img>): it must scale down too."""
    import nn
    from autograd import draw_dot

    model = nn.note_model()
    X, T = nn.note_example()
    loss = nn.half_sse(model(X[0]), T[0])  # notebook 02's network: about 2,200 points wide
    svg = draw_dot(loss, groups=model)._repr_mimebundle_()["image/svg+xml"]
    page = tmp_path / "inline.html"
    page.write_text(f'<html><body><div class="jp-OutputArea-output" style="width: 600px">{svg}</div></body></html>',
                    encoding="utf-8")
    (item,) = check_page(browser, page)
    assert item["tag"] == "graph" and 500 < item["width"] <= 600 and item["height"] > 100
