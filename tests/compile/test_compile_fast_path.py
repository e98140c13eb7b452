"""The single call's fast path (``CompiledStep.__call__``) keeps every check of the long way.

After the first calls (``_one`` compiled, the checked rows done) a call runs the last program
directly when one count says no thread is inside ``no_grad()`` or ``detect_anomaly()``, no hook is
live, no argument is a key and the structure guard passes; ``_one`` itself tests the arguments'
shape. Each test here warms the step up first, so that the fast path is the one being attacked,
and compares with ``fn(*args).backward()`` (the eager engine) bit for bit.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest

import autograd
import nn
from autograd import Value
from autograd.compiler import guard as guard_module
from autograd.modes import AnomalyError, detect_anomaly
from tests.support.compiled import bits, eager, same_as_eager
from tests.support.threads import in_threads


def warm(step: Any, *args: Any) -> None:
    """Calls until the fast path is taken: ``_one`` compiled, every checked row done."""
    for _ in range(step.check + 2):
        step(*args)
    assert step._last._one is not None and not step._last.checks_left
    for p in step.params:
        p.grad = 0.0


def test_no_grad_and_anomaly_mode_are_seen_after_fast_calls() -> None:
    w = Value(0.0, label="w")
    f = lambda x: (w * x).sqrt() * 0.0  # finite forward; backward passes 0 · ∞ = NaN
    step = autograd.compile(f, 1.0, check=0)
    warm(step, 1.0)
    with autograd.no_grad():  # eager records no graph, so backward adds nothing
        assert step(1.0) == 0.0
    assert w.grad == 0.0
    with detect_anomaly(), pytest.raises(AnomalyError, match="sqrt"):
        step(1.0)
    # (a hook added after the first calls: test_compile_trust.py)


def test_other_shapes_after_fast_calls_take_their_own_programs() -> None:
    v = Value(2.0, label="v")
    f = lambda xs, t: autograd.sum(xs) * v * t
    step = autograd.compile(f, [1.0, 2.0], 1.0, check=0)
    warm(step, [1.0, 2.0], 1.0)
    rows: list[list[Any]] = [[[1.0, 2.0, 3.0], 1.0], [(1.0, 2.0), 0.5], [[1.0], -1.0],
                             [[np.float64(1.5), 2], np.float64(3.0)], [[1.0, 2.0], 2.0]]
    for args in rows:
        same_as_eager(step, f, args, [v])
    bad: list[tuple[list[Any], str]] = [([1.0, 1.0], "not iterable"), ([[1.0, 2.0]], "missing 1 required")]
    for args, match in bad:
        with pytest.raises(TypeError, match=match):  # a number for the list, one argument too few: fn's errors
            f(*args)
        with pytest.raises(TypeError, match=match):
            step(*args)
    with pytest.raises(TypeError, match="argument 0"):
        step("ab", 1.0)  # not a number nor a list: the long way's message
    assert v.grad == 0.0


def test_an_int_argument_after_fast_calls_is_still_a_key() -> None:
    m = nn.MLP(2, [3, 3], seed=1)
    f = lambda x, t: nn.cross_entropy(m(x), t)
    step = autograd.compile(f, [0.5, -0.5], 0, check=0)
    warm(step, [0.5, -0.5], 0)
    for t in (2, 0, 1, 1):
        same_as_eager(step, f, [[0.5, -0.5], t], m.parameters())


def test_a_weight_replaced_inside_a_cached_layer_is_seen_whoever_calls_first() -> None:
    m = nn.MLP(2, [3, 1], seed=2)
    f = lambda x: m(x)
    step = autograd.compile(f, [1.0, 2.0], check=0)
    warm(step, [1.0, 2.0])
    neuron = m.layers[0].neurons[1]
    neuron.w[0] = Value(5.0)  # the compiled step sees it first
    same_as_eager(step, f, [[1.0, 2.0]], m.parameters())
    warm(step, [1.0, 2.0])
    neuron.b = Value(-3.0)
    eager(f, [[1.0, 2.0]], m.parameters())  # eager code sees it first: its layer cache is rebuilt
    same_as_eager(step, f, [[1.0, 2.0]], m.parameters())
    assert any(p.data == 5.0 for p in step.params) and any(p.data == -3.0 for p in step.params)


def test_the_guard_compares_the_neurons_lists_not_the_layer_cache() -> None:
    """Layer._rows keeps copies of the weight lists (its eager cache, revalidated on every call); the guard
    compares the neurons' own lists, which every edit goes through, and not the copies."""
    m = nn.MLP(2, [3, 1], seed=2)
    step = autograd.compile(lambda x: m(x), [1.0, 2.0], check=0)
    live = {id(c) for c in step._last.guard._live}
    caches = [layer._checked for layer in m.layers]
    assert all(c is not None for c in caches)
    assert not live & {id(w) for c in caches if c is not None for w in [c.ws, c.bs, *c.ws]}
    assert {id(n.w) for layer in m.layers for n in layer.neurons} <= live


def test_a_closure_variable_rebound_emptied_or_copied_is_seen() -> None:
    m = nn.MLP(2, [2, 1], seed=0)
    ws = [Value(0.5), Value(-1.5)]

    def f(x: list[float]) -> Value:
        return m(x) * autograd.dot(ws, x)  # noqa: F821  (m is deleted below, on purpose)

    step = autograd.compile(f, [1.0, 2.0], check=0)
    warm(step, [1.0, 2.0])
    m = nn.MLP(2, [2, 1], seed=7)  # rebound: another model under the same name
    same_as_eager(step, f, [[1.0, 2.0]], [*m.parameters(), *ws])
    warm(step, [1.0, 2.0])
    ws = list(ws)  # an equal copy: the program is still right for it
    same_as_eager(step, f, [[1.0, 2.0]], [*m.parameters(), *ws])
    ws[1] = Value(4.0)  # then changed: the copy is compared with the list the program was built for
    same_as_eager(step, f, [[1.0, 2.0]], [*m.parameters(), *ws])
    assert any(p.data == 4.0 for p in step.params)
    warm(step, [1.0, 2.0])
    del m  # an emptied cell: eager code raises NameError, and so must the step (not use the old model)
    with pytest.raises(NameError):
        step([1.0, 2.0])


GLOBAL_MODEL: Any = None


def _uses_the_global(x: list[float]) -> Value:
    return GLOBAL_MODEL(x)


def test_a_deleted_global_is_seen() -> None:
    global GLOBAL_MODEL
    GLOBAL_MODEL = nn.MLP(2, [2, 1], seed=0)
    try:
        step = autograd.compile(_uses_the_global, [1.0, 2.0], check=0)
        warm(step, [1.0, 2.0])
        del globals()["GLOBAL_MODEL"]  # the name gone from the module, as `del GLOBAL_MODEL` there
        with pytest.raises(NameError):
            step([1.0, 2.0])
    finally:
        GLOBAL_MODEL = None


def _holds_an_empty_cell(step: autograd.CompiledStep) -> bool:
    return any(held is guard_module._MISSING for _, held in step._last.guard._cell_snap)


def test_a_cell_empty_at_compile_time_is_compared_exactly() -> None:
    m = nn.MLP(2, [2, 1], seed=0)
    use_later = False

    def f(x: list[float]) -> Value:
        if use_later:
            return later(x)
        return m(x)

    step = autograd.compile(f, [1.0, 2.0], check=0)
    assert _holds_an_empty_cell(step)  # `later` has no value yet: compared as empty
    warm(step, [1.0, 2.0])
    assert step.retraces == 0  # still empty: no change
    m.layers[0].neurons[0].w[1] = Value(3.0)
    same_as_eager(step, f, [[1.0, 2.0]], m.parameters())
    assert step.retraces == 1
    later = nn.MLP(2, [2, 1], seed=4)
    same_as_eager(step, f, [[1.0, 2.0]], m.parameters())  # the cell filled: a change
    assert step.retraces == 2 and not _holds_an_empty_cell(step)
    use_later = True  # a flag of fn's closure: part of what the program was traced with
    same_as_eager(step, f, [[1.0, 2.0]], later.parameters())
    assert step.retraces == 3


def test_a_thread_inside_no_grad_changes_nothing_for_the_others() -> None:
    """no_grad() is per thread while the fast path reads one count shared by all threads: while one thread
    is inside no_grad() (and gets eager's nothing), another keeps adding its gradients, none lost."""
    w = Value(0.5, label="w")
    step = autograd.compile(lambda x: (w * x).relu() * 3.0, 1.0, check=0)
    warm(step, 2.0)
    values: list[float] = []
    inside, done = threading.Event(), threading.Event()

    def work(k: int) -> None:
        if k == 0:
            with autograd.no_grad():
                inside.set()
                values.extend(step(2.0) for _ in range(100))
                assert done.wait(30)  # still inside no_grad() while the other thread runs all its calls
        else:
            assert inside.wait(30)
            values.extend(step(2.0) for _ in range(300))
            done.set()

    assert in_threads(work, 2) == []
    assert values == [3.0] * 400
    expected = 0.0
    for _ in range(300):  # the other thread's 300 calls: ∂/∂w of relu(w·2)·3 = 6, added one at a time
        expected += 6.0
    assert w.grad == expected


def test_a_default_argument_replaced_after_the_first_calls_is_seen() -> None:
    """``fn.__defaults__`` / ``fn.__kwdefaults__`` rebound (another model as the default): eager code uses
    the new default on the next call, and so must the step (the guard once compared the defaults it saw)."""
    m1, m2 = nn.MLP(2, [3, 1], seed=0), nn.MLP(2, [3, 1], seed=5)

    def f(x: list[float], t: float, m: Any = m1) -> Value:
        return nn.hinge(m(x), t)

    def g(x: list[float], t: float, *, m: Any = m1) -> Value:
        return nn.hinge(m(x), t)

    for fn in (f, g):
        step = autograd.compile(fn, [0.5, -0.2], 1.0, check=0)
        warm(step, [0.5, -0.2], 1.0)
        if fn is f:
            f.__defaults__ = (m2,)
        else:
            g.__kwdefaults__ = {"m": m2}
        same_as_eager(step, fn, [[0.5, -0.2], 1.0], [*m1.parameters(), *m2.parameters()])
        assert step.retraces == 1


def test_a_zero_turned_minus_zero_after_the_first_calls_is_seen() -> None:
    """0.0 == -0.0, but y = (w·x)·c gives -0.0 for c = -0.0 (and 1/y would be -inf): a closure variable, a
    global or a model's attribute changed from 0.0 to -0.0 must retrace, as any other changed number."""
    w = Value(0.5, label="w")
    scale = 0.0

    class Holder:
        def __init__(self) -> None:
            self.w, self.c = Value(2.0), 0.0

    h = Holder()
    f = lambda x: (w * x) * scale + (h.w * x) * h.c
    step = autograd.compile(f, 1.0, check=0)
    warm(step, 1.0)
    scale = -0.0
    h.c = -0.0  # both now -0.0: (w·x)·c = -0.0, and -0.0 + -0.0 = -0.0 where the old program gives 0.0
    assert bits(f(1.0).data) == bits(-0.0)
    same_as_eager(step, f, [1.0], [w, h.w])
    assert step.retraces == 1
    warm(step, 1.0)
    h.c = 0.0  # back: the snapshot has -0.0 now
    same_as_eager(step, f, [1.0], [w, h.w])
    assert step.retraces == 2


def test_an_error_in_a_single_call_names_a_line_that_is_there() -> None:
    """An error names the node and a line: "line N of step.source: TEXT" must be step.source's line N. The
    single call runs its own program (the leaves read in place, ``single``), whose line numbers and text
    are not step.source's: it must say which program it quotes."""
    import re

    w = Value(0.5, label="w")
    f = lambda x: (w * x).log()
    step = autograd.compile(f, 1.0, check=0)
    warm(step, 1.0)
    for call in (lambda: step(-1.0), lambda: step.many([(-1.0,)])):
        with pytest.raises(ValueError, match="node v2 \\(op 'log'") as info:
            call()
        said = re.search(r"line (\d+) of (step\.source|the single-call program[^:]*): (.*)$", str(info.value))
        assert said is not None, str(info.value)
        if said.group(2) == "step.source":
            assert step.source.splitlines()[int(said.group(1)) - 1].strip() == said.group(3)
        assert w.grad == 0.0


def test_a_node_passed_where_the_step_takes_a_number_is_named_as_a_node() -> None:
    """A Value as the seed or as a list element: refused (the program runs on floats), with a message that
    says so — not "expected a real number or a Value, got Value(...) ... wrap it in Value(...)"."""
    w = Value(2.0, label="w")
    step = autograd.compile(lambda xs: autograd.sum(xs) * w, [1.0, 2.0], check=0)
    warm(step, [1.0, 2.0])
    node: Any = Value(1.0)  # (not a float, which is the point)
    for call in (lambda: step([1.0, 2.0], seed=node), lambda: step([node, 2.0]),
                 lambda: step.many([([1.0, 2.0],)], seed=node)):
        with pytest.raises(TypeError) as info:
            call()
        assert "node" in str(info.value) and "or a Value" not in str(info.value), str(info.value)
        assert "wrap it in Value" not in str(info.value)
    assert w.grad == 0.0


def test_a_hook_on_an_unlabelled_parameter_after_the_first_calls_names_the_parameter() -> None:
    """An nn module's weights have no labels: the refusal names the parameter as step.source does."""
    m = nn.MLP(2, [2, 1], seed=0)
    step = autograd.compile(lambda x: m(x), [1.0, 2.0], check=0)
    warm(step, [1.0, 2.0])
    with m.layers[0].neurons[1].w[0].register_hook(lambda g: None):
        with pytest.raises(autograd.TraceError, match=r"L0_n1_w0, node \(no label\).*gradient hook"):
            step([1.0, 2.0])
    assert "L0_n1_w0" in step.source
