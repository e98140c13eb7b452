"""The live pages in a real browser (Debian's chromium, driven by selenium), against Python.

Every op of the table at random points of its domain: the page's data and gradient of every node
equal Python's (``Value`` forward, ``zero_grad``, ``backward()``) to 1e-12 relative. Domain edges
show Python's error (same type, same message) or Python's NaN. Sliders, bounds, typed numbers,
edges and hostile labels; the training page's first ten steps equal ``nn.SGD``'s. Every page
logs nothing to the console and loads nothing (``_assert_clean``).
"""

from __future__ import annotations

import copy
import math
import random
from pathlib import Path
from typing import Any

import pytest

import nn
from autograd import Value, explain, playground
from autograd.graph import topological_order
from autograd.playground.program import names_of, number
from tests.explain.test_explain_browser import _assert_clean, browser  # noqa: F401  (the fixture)
from tests.support.op_cases import CASES, Case

POINTS = 12  # random points per case (54 cases)
RTOL = 1e-12


def close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or abs(a - b) <= RTOL * max(abs(a), abs(b))


def python_numbers(root: Value) -> dict[str, tuple[float, float]]:
    """Every node's (data, grad) after zero_grad() and backward(), by its name on the page."""
    order = topological_order(root)
    for v in order:
        v.grad = 0.0
    root.backward()
    return {name: (v.data, v.grad) for name, v in zip(names_of(order), order, strict=True)}


def page_numbers(driver: Any) -> dict[str, tuple[float, float]]:
    pairs = driver.execute_script(
        "var out = {}; document.querySelectorAll('text[data-node]').forEach(function (e) {"
        "  var n = e.getAttribute('data-node'); out[n] = out[n] || {};"
        "  out[n][e.getAttribute('data-field')] = e.getAttribute('data-value'); }); return out;")
    return {name: (float(f["data"]), float(f["grad"])) for name, f in pairs.items()}


def set_leaves(driver: Any, values: dict[str, float]) -> None:
    """Type each value (Python's repr) in its leaf's box and press Enter (a change event)."""
    driver.execute_script(
        "var v = arguments[0]; Object.keys(v).forEach(function (name) {"
        "  var box = document.querySelector('input[type=text][data-leaf=\"' + CSS.escape(name) + '\"]');"
        "  box.value = v[name]; box.dispatchEvent(new Event('change')); });",
        {k: repr(x) for k, x in values.items()})


def random_point(case: Case, rng: random.Random) -> tuple[float, ...]:
    lo, hi = case.op.domain
    out = []
    for kind in case.kinds:
        while True:
            x = rng.uniform(lo, hi)
            if (kind == "0" and abs(x) < 0.1) or (kind == "k" and abs(x) < 1e-3):
                continue
            out.append(x)
            break
    return tuple(out)


def test_every_op_equals_python_at_random_points_of_its_domain(browser: Any, tmp_path: Path) -> None:  # noqa: F811
    rng = random.Random(23)
    compared, unequal, worst = 0, 0, 0.0
    for case in CASES:
        leaves = [Value(p, label=f"in{i}") for i, p in enumerate(case.points[0])]
        browser.get(playground(case.build(*leaves)).save(tmp_path / "op.html").as_uri())
        for _ in range(POINTS):
            point = random_point(case, rng)
            set_leaves(browser, {f"in{i}": x for i, x in enumerate(point)})
            want = python_numbers(case.build(*[Value(x, label=f"in{i}") for i, x in enumerate(point)]))
            got = page_numbers(browser)
            assert got.keys() == want.keys(), case
            for name, (d, g) in want.items():
                assert close(got[name][0], d), (str(case), point, name, "data", got[name][0], d)
                assert close(got[name][1], g), (str(case), point, name, "grad", got[name][1], g)
                compared += 2
                for a, b in ((got[name][0], d), (got[name][1], g)):
                    if a != b:
                        unequal += 1
                        worst = max(worst, abs(a - b) / max(abs(a), abs(b)))
        _assert_clean(browser)
    print(f"{compared} numbers compared over {len(CASES)} cases × {POINTS} points; {unequal} not bit for bit, "
          f"worst relative difference {worst:.2g}")
    assert compared > 2000


EDGES: list[tuple[str, Any, tuple[float, ...]]] = [
    ("log(-1)", lambda x: x.log(), (-1.0,)),
    ("log(0)", lambda x: x.log(), (0.0,)),
    ("sqrt(-1)", lambda x: x.sqrt(), (-1.0,)),
    ("1/0", lambda x: 1 / x, (0.0,)),
    ("a/b at b=-0", lambda a, b: a / b, (2.0, -0.0)),
    ("0**-1", lambda x: x**-1, (0.0,)),
    ("(-2)**0.5", lambda a, b: a**b, (-2.0, 0.5)),
    ("1e200**2", lambda x: x**2, (1e200,)),
    ("exp(710)", lambda x: x.exp(), (710.0,)),
    ("sin(inf)", lambda x: x.sin(), (math.inf,)),
    ("cos(-inf)", lambda x: x.cos(), (-math.inf,)),
    ("2**x at 5000", lambda x: 2**x, (5000.0,)),
]
NANS: list[tuple[str, Any, tuple[float, ...]]] = [
    ("sqrt(nan)", lambda x: x.sqrt(), (math.nan,)),
    ("sqrt(0)", lambda x: x.sqrt(), (0.0,)),
    ("exp(inf)", lambda x: x.exp(), (math.inf,)),
    ("relu(nan)", lambda x: x.relu(), (math.nan,)),
    ("log(nan)", lambda x: x.log(), (math.nan,)),  # NaN in, NaN out (operators.log)
    ("tanh(inf) * x", lambda x: x.tanh() * x, (math.inf,)),
    ("1 ** nan", lambda a, b: a**b, (1.0, math.nan)),
    ("x ** 0 at nan", lambda x: x**0, (math.nan,)),
    ("inf - inf", lambda a, b: a - b, (math.inf, math.inf)),
    ("sigmoid(-inf)", lambda x: x.sigmoid(), (-math.inf,)),
    ("softplus(1000)", lambda x: x.softplus(), (1000.0,)),
]


@pytest.mark.parametrize(("name", "build", "point"), EDGES, ids=[e[0] for e in EDGES])
def test_a_domain_edge_shows_pythons_error(browser: Any, tmp_path: Path, name: str, build: Any,  # noqa: F811
                                           point: tuple[float, ...]) -> None:
    good = [Value(0.5 + i, label=f"in{i}") for i in range(len(point))]
    browser.get(playground(build(*good)).save(tmp_path / "edge.html").as_uri())
    with pytest.raises((ValueError, ArithmeticError)) as caught:
        build(*[Value(x, label=f"in{i}") for i, x in enumerate(point)])
    set_leaves(browser, {f"in{i}": x for i, x in enumerate(point)})
    assert browser.execute_script("return document.body.getAttribute('data-state')") == "forward-error"
    shown = browser.execute_script("return document.getElementById('pg-error').textContent")
    assert shown.startswith(f"{type(caught.value).__name__}: {caught.value}\n"), (shown, str(caught.value))
    root = browser.execute_script("return document.querySelectorAll('text[data-field=data]')").pop()
    assert root.get_attribute("data-value") == "" and root.text == "data —"  # no number where Python has none
    _assert_clean(browser)


@pytest.mark.parametrize(("name", "build", "point"), NANS, ids=[e[0] for e in NANS])
def test_non_finite_numbers_flow_as_in_python(browser: Any, tmp_path: Path, name: str, build: Any,  # noqa: F811
                                              point: tuple[float, ...]) -> None:
    good = [Value(0.5 + i, label=f"in{i}") for i in range(len(point))]
    browser.get(playground(build(*good)).save(tmp_path / "nan.html").as_uri())
    set_leaves(browser, {f"in{i}": x for i, x in enumerate(point)})
    want = python_numbers(build(*[Value(x, label=f"in{i}") for i, x in enumerate(point)]))
    assert browser.execute_script("return document.body.getAttribute('data-state')") == "ok"
    got = page_numbers(browser)
    for node, (d, g) in want.items():
        assert close(got[node][0], d) and close(got[node][1], g), (node, got[node], (d, g))
    _assert_clean(browser)


def test_a_derivative_that_overflows_is_an_error_as_in_python(browser: Any, tmp_path: Path) -> None:  # noqa: F811
    x = Value(1e-200, label="x")
    y = x**-1.0  # forward 1e200 is fine; ∂y/∂x = −x⁻² overflows in Python's float **
    with pytest.raises(OverflowError):
        y.backward()
    browser.get(playground(Value(1.0, label="x") ** -1.0).save(tmp_path / "d.html").as_uri())
    set_leaves(browser, {"x": 1e-200})
    assert browser.execute_script("return document.body.getAttribute('data-state')") == "backward-error"
    assert "OverflowError" in browser.execute_script("return document.getElementById('pg-error').textContent")
    _assert_clean(browser)


def _neuron() -> tuple[Value, list[Value]]:
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.88, label="b")
    return (x * w + b).tanh(), [x, w, b]


def test_the_arrow_keys_on_a_slider_move_its_leaf_and_every_number_follows(browser: Any, tmp_path: Path) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    y, _ = _neuron()
    browser.get(playground(y).save(tmp_path / "n.html").as_uri())
    assert page_numbers(browser) == python_numbers(_neuron()[0])  # at the start, exactly
    slider = browser.find_element(By.CSS_SELECTOR, 'input[type=range][data-leaf="w"]')
    for key, times in ((Keys.ARROW_RIGHT, 7), (Keys.ARROW_LEFT, 3), (Keys.END, 1), (Keys.HOME, 1)):
        for _ in range(times):
            slider.send_keys(key)
        w = float(browser.find_element(By.CSS_SELECTOR, 'input[type=text][data-leaf="w"]').get_attribute("value"))
        assert w == float(slider.get_attribute("value"))
        x, ww, b = Value(2.0, label="x"), Value(w, label="w"), Value(6.88, label="b")
        want, got = python_numbers((x * ww + b).tanh()), page_numbers(browser)
        assert all(close(got[k][0], d) and close(got[k][1], g) for k, (d, g) in want.items()), (w, got, want)
    assert w == -6.0  # Home: the lower bound, w − max(1, |w|)
    _assert_clean(browser)


def test_clicking_an_edge_shows_explains_step_at_the_current_values(browser: Any, tmp_path: Path) -> None:  # noqa: F811
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    y, _ = _neuron()
    page = playground(y)
    browser.get(page.save(tmp_path / "e.html").as_uri())
    for w in (-3.0, 0.25):
        set_leaves(browser, {"w": w})
        x, ww, b = Value(2.0, label="x"), Value(w, label="w"), Value(6.88, label="b")
        root = (x * ww + b).tanh()
        order = topological_order(root)
        for step in explain(root):
            edge = f"dg-e{order.index(step.node)}-{step.position}"
            browser.find_element(By.ID, edge).click()
            line = browser.find_element(By.ID, "pg-line")
            assert line.get_attribute("data-edge") == edge
            assert line.text == str(step)
    first = f"dg-e{order.index(explain(root)[0].node)}-0"  # the keyboard: Tab to an edge (focus), Enter
    browser.execute_script("arguments[0].focus()", browser.find_element(By.ID, first))
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    assert browser.find_element(By.ID, "pg-line").get_attribute("data-edge") == first
    _assert_clean(browser)


def test_bad_numbers_and_reversed_bounds_are_refused_and_change_nothing(browser: Any, tmp_path: Path) -> None:  # noqa: F811
    y, _ = _neuron()
    browser.get(playground(y).save(tmp_path / "b.html").as_uri())
    before = page_numbers(browser)

    def put(selector: str, text: str) -> str:
        return str(browser.execute_script(
            "var e = document.querySelector(arguments[0]); e.value = arguments[1];"
            "e.dispatchEvent(new Event('change'));"
            "return document.querySelector('[data-leaf-message=x]').textContent;", selector, text))

    assert "not a number" in put('input[type=text][data-leaf="x"]', "2 + 1; alert(1)")
    assert "not a number" in put('input[type=text][data-leaf="x"]', "0x10")
    assert page_numbers(browser) == before
    assert "below the upper bound" in put("[data-leaf-min=x]", "5")  # above the upper bound 4
    assert "finite" in put("[data-leaf-max=x]", "inf")
    assert "not a number" in put("[data-leaf-max=x]", "")
    assert "below the upper bound" in put("[data-leaf-max=x]", "0")  # equal to the lower bound
    put("[data-leaf-min=x]", "-1.5e308")
    assert "too far apart" in put("[data-leaf-max=x]", "1.5e308")
    bounds = browser.execute_script(
        "var r = document.querySelector('input[type=range][data-leaf=x]'); return [r.min, r.max]")
    assert bounds == ["-1.5e+308", "4"]
    put('input[type=text][data-leaf="x"]', "1e6")  # beyond the slider: the bounds widen to hold it
    assert browser.execute_script("return document.querySelector('[data-leaf-max=x]').value") == "1000000"
    assert page_numbers(browser)["x"][0] == 1e6
    _assert_clean(browser)


def test_hostile_labels_are_only_text(browser: Any, tmp_path: Path) -> None:  # noqa: F811
    labels = ['</script><script>window.__dg_alerted = 1</script>', "\"'><img src=x onerror=alert(1)>", "a\ud800b",
              "\\N & ]]> {{c}} @@DATA@@"]
    leaves = [Value(1.0 + i, label=text) for i, text in enumerate(labels)]
    root = (leaves[0] * leaves[1] + leaves[2]).tanh() * leaves[3]
    page = playground(root, title=labels[0])
    browser.get(page.save(tmp_path / "h.html").as_uri())
    assert browser.execute_script("return document.querySelectorAll('img').length") == 0
    names = browser.execute_script(
        "return Array.from(document.querySelectorAll('input[type=range]')).map(e => e.getAttribute('data-leaf'))")
    assert names == ["</script><script>window.__dg_alerted = 1</script>", "\"'><img src=x onerror=alert(1)>",
                     "a\\ud800b", "\\N & ]]> {{c}} @@DATA@@"]
    set_leaves(browser, {names[1]: 0.5})
    assert page_numbers(browser)[names[1]][0] == 0.5
    _assert_clean(browser)


def _steps_in_python(model: nn.MLP, X: Any, y: Any, loss: str, lr: float, l2: float, n: int) -> list[Any]:
    """[(E, parameters)] before each of n+1 steps of nn.SGD on fit's full-batch graph."""
    opt, out = nn.SGD(model.parameters(), lr=lr), []
    for _ in range(n + 1):
        E = nn.losses.LOSSES[loss]([v for row in X for v in model.forward(row)], list(y))
        if l2:
            E = E + nn.l2(model.parameters(), l2)
        out.append((E.data, [p.data for p in opt.params]))
        opt.zero_grad()
        E.backward()
        opt.step()
    return out


TRAIN = [
    ("xor tanh-sigmoid half_sse", lambda: nn.MLP(2, [4, 1], "tanh", "sigmoid", seed=0), nn.xor, "half_sse", 1.0, 0.0),
    ("moons relu hinge l2", lambda: nn.MLP(2, [16, 16, 1], seed=0), lambda: nn.moons(100, 0.1, seed=0, signed=True),
     "hinge", 1.0, 1e-4),
    ("note sigmoid", nn.note_model, nn.note_example, "half_sse", 1.0, 0.0),
    ("moons softplus-tanh mse", lambda: nn.MLP(2, [5, 1], "softplus", "tanh", seed=3), lambda: nn.moons(30, seed=1),
     "mse", 0.5, 0.0),
]


@pytest.mark.parametrize(("name", "make", "dataset", "loss", "lr", "l2"), TRAIN, ids=[t[0] for t in TRAIN])
def test_the_training_pages_first_ten_steps_equal_nn_sgd(browser: Any, tmp_path: Path, name: str, make: Any,  # noqa: F811
                                                        dataset: Any, loss: str, lr: float, l2: float) -> None:
    from selenium.webdriver.common.by import By

    model = make()
    X, y = dataset()
    page = nn.playground(model, X, y, lr=lr, loss=loss, l2=l2, grid=16)
    want = _steps_in_python(copy.deepcopy(model), X, y, loss, lr, l2, 10)
    assert [p.data for p in model.parameters()] == want[0][1]  # the page changed nothing in Python
    browser.get(page.save(tmp_path / "t.html").as_uri())
    names = page.parameter_names
    worst = 0.0
    for k in range(11):
        E = float(browser.find_element(By.ID, "pg-loss").get_attribute("data-value"))
        params = browser.execute_script(
            "return Array.from(document.querySelectorAll('[data-param]')).map(e => [e.getAttribute('data-param'), "
            "e.getAttribute('data-value')])")
        assert [n for n, _ in params] == names
        for got, expected in zip([E] + [float(v) for _, v in params], [want[k][0], *want[k][1]], strict=True):
            assert close(got, expected), (name, k, got, expected)
            worst = max(worst, abs(got - expected) / max(abs(expected), 1e-300))
        browser.find_element(By.ID, "pg-step").click()
    assert browser.find_element(By.TAG_NAME, "body").get_attribute("data-step") == "11"
    _assert_clean(browser)
    print(f"{name}: worst relative difference over 10 steps {worst:.2g}")


def test_play_trains_and_pause_stops(browser: Any, tmp_path: Path) -> None:  # noqa: F811
    import time

    from selenium.webdriver.common.by import By

    X, y = nn.xor()
    page = nn.playground(nn.MLP(2, [4, 1], "tanh", "sigmoid", seed=0), X, y, lr=1.0)
    browser.get(page.save(tmp_path / "p.html").as_uri())
    browser.find_element(By.ID, "pg-play").click()
    time.sleep(0.5)
    browser.find_element(By.ID, "pg-play").click()
    steps = int(browser.find_element(By.TAG_NAME, "body").get_attribute("data-step"))
    assert steps > 0
    time.sleep(0.2)
    assert int(browser.find_element(By.TAG_NAME, "body").get_attribute("data-step")) == steps
    browser.find_element(By.ID, "pg-reset").click()
    assert browser.find_element(By.TAG_NAME, "body").get_attribute("data-step") == "0"
    _assert_clean(browser)


def test_a_gradient_that_changes_sign_or_vanishes_is_highlighted(browser: Any, tmp_path: Path) -> None:  # noqa: F811
    x, w = Value(1.0, label="x"), Value(2.0, label="w")
    y = (x * w).relu() * x  # ∂y/∂w = x² on the live side, 0 once x·w ≤ 0; ∂y/∂x = 2xw there
    page = playground(y)
    browser.get(page.save(tmp_path / "hl.html").as_uri())

    def marked(name: str) -> set[str]:
        i = page.names.index(name)
        return {c for c in browser.execute_script(f"return Array.from(document.getElementById('dg-v{i}').classList)")
                if c.startswith("pg-")}

    assert marked("x") == marked("w") == set()
    set_leaves(browser, {"x": -1.0})  # x·w < 0: relu is off; ∂y/∂w = 0 (vanished), ∂y/∂x = relu(xw) = 0 too
    assert marked("w") == {"pg-vanish"} and marked("x") == {"pg-vanish"}
    set_leaves(browser, {"x": 1.0, "w": -0.5})  # x·w < 0 again, through w
    assert marked("x") == {"pg-vanish"}
    set_leaves(browser, {"x": -1.0, "w": -2.0})  # x·w = 2 > 0: ∂y/∂x = 2xw = 4 > 0 as before, ∂y/∂w = x² = 1
    assert marked("x") == set() and marked("w") == set()
    browser.find_element("id", "pg-reference").click()  # now the reference: ∂y/∂x = 4
    set_leaves(browser, {"x": 1.0, "w": 2.0})  # ∂y/∂x = 4 again
    set_leaves(browser, {"w": 3.0})
    assert marked("x") == set()
    y2 = Value(1.0, label="a") * Value(3.0, label="b")
    page = playground(y2)
    browser.get(page.save(tmp_path / "flip.html").as_uri())
    set_leaves(browser, {"b": -3.0})  # ∂y2/∂a = b: from 3 to −3
    assert "pg-flip" in browser.execute_script(
        f"return Array.from(document.getElementById('dg-v{page.names.index('a')}').classList)")
    browser.find_element("id", "pg-reset").click()
    assert float(browser.execute_script(
        "return document.querySelector('[data-node=a][data-field=grad]').getAttribute('data-value')")) == 3.0
    _assert_clean(browser)


REUSED: list[tuple[str, Any, tuple[float, ...], list[tuple[float, ...]]]] = [
    ("b·b + b, b = tanh(2x)", lambda x: (lambda b: b * b + b)((x * 2.0).tanh()), (0.5,), [(-1.3,), (0.01,), (2.0,)]),
    ("a + a", lambda a: a + a, (1.5,), [(-2.0,), (1e300,)]),
    ("a leaf alone", lambda a: a, (3.0,), [(-1.0,), (math.inf,)]),
    ("near the largest float", lambda a: a * 0.5, (1.7e308,), [(1.79e308,), (-1.7e308,)]),
    ("sigmoid(w·x)·w + exp(x)", lambda w, x: (w * x).sigmoid() * w + x.exp(), (0.3, -0.2), [(1.0, 2.0), (-5, 0.1)]),
]


@pytest.mark.parametrize(("name", "build", "start", "points"), REUSED, ids=[r[0] for r in REUSED])
def test_reused_nodes_lone_leaves_and_huge_values_equal_python(browser: Any, tmp_path: Path, name: str,  # noqa: F811
                                                               build: Any, start: tuple[float, ...],
                                                               points: list[tuple[float, ...]]) -> None:
    page = playground(build(*[Value(x, label=f"in{i}") for i, x in enumerate(start)]))
    browser.get(page.save(tmp_path / "r.html").as_uri())
    for point in [start, *points]:
        set_leaves(browser, {f"in{i}": x for i, x in enumerate(point)})
        want = python_numbers(build(*[Value(x, label=f"in{i}") for i, x in enumerate(point)]))
        got = page_numbers(browser)
        assert all(close(got[k][0], d) and close(got[k][1], g) for k, (d, g) in want.items()), (point, got, want)
    bounds = browser.execute_script("return Array.from(document.querySelectorAll('input[type=range]'))"
                                    ".map(r => [r.min, r.max].map(Number))")
    assert all(math.isfinite(hi - lo) and lo < hi for lo, hi in bounds)
    _assert_clean(browser)


def test_a_diverging_run_stops_where_fit_stops(browser: Any, tmp_path: Path) -> None:  # noqa: F811
    import time

    from selenium.webdriver.common.by import By

    X, y = nn.moons(50, 0.1, seed=0, signed=True)
    with pytest.raises(nn.train.DivergedError) as caught:
        nn.fit(nn.MLP(2, [8, 8, 1], seed=0), X, y, loss="mse", lr=1e6, epochs=200, progress=False)
    page = nn.playground(nn.MLP(2, [8, 8, 1], seed=0), X, y, lr=1e6, loss="mse", grid=8)
    browser.get(page.save(tmp_path / "div.html").as_uri())
    browser.find_element(By.ID, "pg-play").click()
    for _ in range(100):
        if browser.find_element(By.ID, "pg-play").text == "Play":
            break
        time.sleep(0.05)
    text = browser.find_element(By.ID, "pg-error").text
    want = f"training diverged: the loss became {caught.value.loss!r} at update {caught.value.update} "
    assert text.startswith(want), (text, caught.value)
    _assert_clean(browser)


def test_the_pages_number_formats_are_pythons(browser: Any, tmp_path: Path) -> None:  # noqa: F811
    """py.fmt = explain's fmt, py.sig = fmt_sig, py.repr = repr, py.full read back by float(): random doubles of
    every magnitude and the exact ties, where Python rounds half to even and toFixed would not."""
    import struct

    from autograd.drawing.labels import fmt_sig
    from autograd.explain.names import fmt

    rng = random.Random(7)
    xs = [1.03125, -1.03125, 0.03125, 2.5, 12345.0, 12355.0, 1.0625, 99995.0, 9.9995, 0.00049995, 1e22, 5e-324,
          -0.0, 0.0, 1.7976931348623157e308, 1e16, 1e-5, 0.0001, 123456789.0, -2.5e-5, 0.5, 1e5, 99999.99995]
    xs += [struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0] for _ in range(300)]
    xs += [rng.uniform(-1, 1) * 10.0 ** rng.randint(-12, 12) for _ in range(300)]
    xs += [rng.randint(-99999, 99999) / 32 for _ in range(200)]  # ties at 4 decimals: odd multiples of 1/32
    xs += [float(rng.randint(10**4, 10**6)) for _ in range(100)]  # ties at 4 significant digits
    xs += [math.nan, math.inf, -math.inf]
    browser.get(playground(Value(1.0, label="x") * 2.0).save(tmp_path / "f.html").as_uri())
    got = browser.execute_script(
        "return arguments[0].map(function (t) { var x = Number(t);"
        " return [py.fmt(x), py.sig(x, 4), py.sig(x, 8), py.repr(x), py.full(x)]; })",
        [repr(x) if math.isfinite(x) else str(number(x)) for x in xs])
    for x, (f, s4, s8, r, full) in zip(xs, got, strict=True):
        assert f == fmt(x) and s4 == fmt_sig(x, 4) and s8 == fmt_sig(x, 8) and r == repr(x), (x, f, s4, s8, r)
        assert close(float(full), x) and (math.isnan(x) or math.copysign(1, float(full)) == math.copysign(1, x))
    _assert_clean(browser)
