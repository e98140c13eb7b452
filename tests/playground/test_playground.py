"""The live pages without a browser: every table op has its JavaScript, what cannot run is refused
clearly, labels never reach the script as code, files are written atomically, the CLI's ``--live``.
(The numbers themselves are checked in Chromium: tests/playground/test_playground_browser.py.)"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

import nn
from autograd import Op, Value, ops, playground
from autograd.cli import main
from autograd.custom import op
from autograd.explain.policy import source_hash as sha256
from autograd.playground import GraphTooLargeForPageError, NoTemplateError
from autograd.playground.program import Program, names_of, number, to_json
from autograd.playground.templates import DERIV, FORWARD, KEYS, js_table, missing
from nn.jobs.note import main as job
from nn.playground import save_note_playground


def test_every_table_op_has_a_javascript_forward_and_derivative() -> None:
    assert missing() == [], f"table ops without a template in autograd/playground/templates.py: {missing()}"
    assert set(KEYS) == set(ops.TABLE) and len(set(KEYS.values())) == len(ops.TABLE)


def test_the_coverage_check_fails_for_an_op_without_a_template() -> None:
    new = Op("cube", lambda x: x**3, lambda x, y, c: 3 * x * x)
    assert missing((*ops.TABLE, new)) == ["cube ('cube')"]
    assert new not in FORWARD and new not in DERIV


def test_a_users_op_and_a_micrograd_closure_are_refused_naming_the_node() -> None:
    @op("twice", derivative=lambda x, y: 2.0)
    def twice(x: float) -> float:
        return 2 * x

    with pytest.raises(NoTemplateError, match=r"node v1 was made by op 'twice', which has no JavaScript template"):
        playground(twice(Value(1.0, label="x")))
    a = Value(2.0, label="a")
    out = Value(4.0, (a,), "sq")
    out._backward = lambda: None
    with pytest.raises(NoTemplateError, match=r"closure|no JavaScript template"):
        playground(out)


def test_graphs_above_max_nodes_are_refused_quickly() -> None:
    y = Value(1.0, label="x")
    for _ in range(100_000):
        y = y * 1.0001
    with pytest.raises(GraphTooLargeForPageError, match="more than max_nodes=3000"):
        playground(y)
    with pytest.raises(GraphTooLargeForPageError, match="max_nodes=3"):
        playground(Value(1.0) * Value(2.0) + 1.0, max_nodes=3)
    with pytest.raises(ValueError, match="positive int"):
        playground(Value(1.0) * 2.0, max_nodes=0)


def test_wrong_arguments_are_refused() -> None:
    with pytest.raises(TypeError, match="expected a Value"):
        playground(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="title must be a str"):
        playground(Value(1.0) * 2.0, title=3)


def test_names_labels_when_unique_else_the_drawings_numbers() -> None:
    a, b = Value(1.0, label="a"), Value(2.0, label="a")
    c = Value(3.0, label="v0")  # the generated name of another node
    y = (a * b) + c
    y.label = "y"
    program = Program([y], "test")
    assert program.names == ["v0", "v1", "v2", "v3", "y"]
    assert names_of(program.order, {a: "first"}) == ["first", "a", "v2", "v3", "y"]


def test_non_finite_numbers_travel_as_strings_and_json_is_script_safe() -> None:
    assert [number(x) for x in (1.5, -0.0, math.inf, -math.inf, math.nan)] == [1.5, -0.0, "Infinity", "-Infinity",
                                                                               "NaN"]
    text = to_json({"name": "</script><!-- & \ud800"})
    assert "<" not in text and ">" not in text and "&" not in text and "\\ud800" in text
    assert json.loads(text) == {"name": "</script><!-- & \ud800"}


def test_the_page_is_one_script_allowed_by_hash_with_only_the_ops_it_uses() -> None:
    x = Value(0.5, label="x")
    page = playground(x.tanh() * 2.0).html()
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert csp and csp.group(1).startswith("default-src 'none'; script-src 'sha256-")
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 1 and sha256(scripts[0]) in csp.group(1)
    assert '"TANH"' in scripts[0] and '"MUL_C"' in scripts[0] and '"LOG"' not in scripts[0]
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page
    assert js_table([ops.TANH]).count("function") == 2


def test_hostile_labels_never_reach_the_page_as_markup_or_code() -> None:
    label = "</script><script>alert(1)</script><img src=x onerror=alert(2)>\"'\ud800"
    x = Value(1.0, label=label)
    page = playground((x * x).exp(), title=label).html()
    assert page.count("</script>") == 2 and "<img" not in page and "<script>alert" not in page
    page.encode("utf-8")  # the lone surrogate is a visible escape, not an unencodable character
    assert 'data-node="&lt;/script&gt;&lt;script&gt;alert(1)' in page


def test_save_writes_html_only_atomically(tmp_path: Path) -> None:
    page = playground(Value(2.0, label="x").log())
    target = tmp_path / "live.html"
    target.write_text("old", encoding="utf-8")
    assert page.save(target) == target and target.read_text(encoding="utf-8") == page.html()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["live.html"]  # no temporary file left
    with pytest.raises(ValueError, match=r"name the file \.html"):
        page.save(tmp_path / "live.png")
    with pytest.raises(OSError):
        page.save(tmp_path / "missing" / "live.html")


def test_in_jupyter_the_page_is_a_sandboxed_iframe() -> None:
    shown = playground(Value(2.0, label="x").sin())._repr_html_()
    assert shown.startswith('<iframe srcdoc="&lt;!DOCTYPE html&gt;') and 'sandbox="allow-scripts"' in shown
    assert "<script>" not in shown  # all of it inside the attribute, escaped


def test_the_command_line_writes_a_live_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "live.html"
    code = main(["graph", "tanh(x*w + b)", "--set", "x=1.5", "--set", "w=-0.5", "--set", "b=0.1", "--live",
                 str(target)])
    out, err = capsys.readouterr()
    assert code == 0 and f"wrote {target}" in out and "no graph written" not in err
    assert 'data-node="w" data-field="grad"' in target.read_text(encoding="utf-8")
    assert main(["graph", "x*2", "--set", "x=1", "--live", str(tmp_path / "a.txt")]) == 2
    assert main(["graph", "x*w+1", "--set", "x=1", "--set", "w=2", "--live", str(target), "--max-nodes", "3"]) == 2
    assert "max_nodes=3" in capsys.readouterr().err


# -- nn.playground ---------------------------------------------------------------------------


def test_the_training_page_refuses_what_it_cannot_show() -> None:
    X, y = nn.xor()
    good = nn.MLP(2, [3, 1], seed=0)
    cases = [
        ((nn.MLP(3, [2, 1], seed=0), X, y), {}, "must take 2 inputs"),
        ((nn.MLP(2, [2, 2], seed=0), X, y), {}, "and give 1"),
        ((good, X, y[:3]), {}, "same length"),
        ((good, [[0.0, 1.0, 2.0]] * 4, y), {}, r"X\[0\] must be 2 finite numbers"),
        ((good, [[0.0, math.nan]] * 4, y), {}, r"X\[0\]"),
        ((good, X, [0, 1, math.inf, 0]), {}, r"y\[2\]"),
        ((good, X, y), {"lr": 0.0}, "lr"),
        ((good, X, y), {"lr": math.nan}, "lr"),
        ((good, X, y), {"loss": "bce"}, "loss must be one of"),
        ((good, X, y), {"l2": -1.0}, "l2"),
        ((good, X, y), {"grid": 2}, "grid"),
        ((good, X, y), {"max_nodes": "many"}, "max_nodes must be a positive int"),
    ]
    for args, options, message in cases:
        with pytest.raises(ValueError, match=message):
            nn.playground(*args, **options)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"nn\.MLP"):
        nn.playground(nn.Neuron(2), X, y)  # type: ignore[arg-type]
    with pytest.raises(GraphTooLargeForPageError):
        nn.playground(good, X, y, max_nodes=10)


def test_the_training_page_leaves_the_model_alone() -> None:
    X, y = nn.moons(20, seed=0, signed=True)
    model = nn.MLP(2, [4, 1], seed=0)
    before = model.state_dict()
    page = nn.playground(model, X, y, lr=0.5, loss="hinge", l2=1e-3)
    assert model.state_dict() == before and all(p.grad == 0.0 for p in model.parameters())
    assert page.parameter_names[:2] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1"]
    assert len(page.parameter_names) == model.num_parameters()


def test_the_main_jobs_page_is_the_notes_network(tmp_path: Path) -> None:
    path, note = save_note_playground(str(tmp_path / "playground.html"), lr=1.0, hidden=[2], activation="sigmoid",
                                      seed=0)
    assert note == "" and path is not None
    text = path.read_text(encoding="utf-8")
    assert "the note&#x27;s network" in text and "layers.1.neurons.0.b" in text
    missing_dir, why = save_note_playground(str(tmp_path / "no" / "p.html"), lr=1.0, hidden=[2],
                                            activation="sigmoid", seed=0)
    assert missing_dir is None and "could not write" in why


def test_the_main_job_writes_the_playground(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert job(["--out", str(tmp_path), "--quiet"]) == 0
    assert f"wrote {tmp_path / 'playground.html'}: the network, trained live in the page" in capsys.readouterr().out
    assert "nn.SGD" in (tmp_path / "playground.html").read_text(encoding="utf-8")


def test_the_training_page_takes_numpy_rows_as_fit_does() -> None:
    import numpy as np

    X, y = nn.moons(10, seed=0, signed=True)
    a = nn.playground(nn.MLP(2, [3, 1], seed=0), np.array(X), np.array(y), loss="hinge")
    b = nn.playground(nn.MLP(2, [3, 1], seed=0), X, y, loss="hinge")
    assert a.loss_node.data == b.loss_node.data and a.X == b.X and a.y == b.y


def test_the_page_is_the_same_bytes_every_time_also_from_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    x, w = Value(0.5, label="x"), Value(-1.5, label="w")
    y = (x * w).sigmoid() * x
    first = playground(y).html()
    with ThreadPoolExecutor(4) as pool:
        pages = list(pool.map(lambda _: playground(y).html(), range(8)))
    assert all(page == first for page in pages)
    assert x.grad == 0.0 and w.grad == 0.0  # making the page runs nothing in Python


def test_a_huge_training_set_is_refused_before_its_graph_is_built() -> None:
    import time

    X = [[0.001 * i, 0.5] for i in range(1_000_000)]
    start = time.perf_counter()
    with pytest.raises(GraphTooLargeForPageError, match=r"1000000 points × \d+ nodes each"):
        nn.playground(nn.MLP(2, [16, 16, 1], seed=0), X, [1] * len(X))
    assert time.perf_counter() - start < 30  # checked, not built: building it would take minutes and gigabytes
    page = nn.playground(nn.MLP(2, [3, 1], seed=0), X[:5], [1, 0, 1, 0, 1])
    assert "<iframe srcdoc=" in page._repr_html_() and repr(page).startswith("<TrainPlayground: 5 points")
    with pytest.raises(ValueError, match="name the file"):
        page.save("train.png")
