"""Hooks and anomaly mode keep nothing alive: a node is freed when its last user lets it go.

Hooks live on their node (as PyTorch's): a dropped handle, or a hook that refers to its own node,
keeps no node in a process-wide registry. ``detect_anomaly()`` keeps each node's creation site on
the node, not the node in a table. ``@detect_anomaly()`` on a generator covers its body.
"""

from __future__ import annotations

import gc
import math
import tracemalloc
import weakref
from collections.abc import Generator, Iterator

import pytest

from autograd import Value, hooks
from autograd.modes import AnomalyError, detect_anomaly, is_anomaly_enabled, site_of
from tests.support.threads import in_threads


@pytest.fixture(autouse=True)
def _no_hooks_left() -> Iterator[None]:
    yield
    gc.collect()
    assert hooks.observers == 0 and hooks._hooks == {}


def test_a_dropped_handle_does_not_keep_the_node() -> None:
    x = Value(3.0)
    y = x * x
    y.register_hook(lambda g: g * 2)  # the handle is dropped at once
    seen = weakref.ref(y)
    assert hooks.observers == 1 and id(y) in hooks._hooks
    y.backward()
    assert x.grad == 2 * 2 * 3.0  # the hook still fires: ∂(x²)/∂x = 2x, doubled at y
    del y
    assert seen() is None  # freed by reference counting, no collector needed
    assert hooks.observers == 0 and hooks._hooks == {}


def test_a_hook_that_refers_to_its_node_is_freed_by_the_collector() -> None:
    y = Value(2.0) * 3
    y.register_hook(lambda g: g * y.data)  # noqa: F821  (y → its hooks → the lambda → y: a cycle)
    seen = weakref.ref(y)
    del y
    gc.collect()
    assert seen() is None and hooks._hooks == {}


def test_a_kept_handle_does_not_keep_the_node_and_removes_nothing_later() -> None:
    y = Value(2.0) * 3
    handle = y.register_hook(lambda g: g)
    seen = weakref.ref(y)
    del y
    assert seen() is None
    handle.remove()  # the node is gone: nothing to do, and the count is not taken twice
    handle.remove()
    assert hooks.observers == 0


def test_a_loop_that_registers_hooks_leaks_nothing() -> None:
    x = Value(0.5)

    def step() -> None:
        y = (x * 2.0).tanh()
        y.register_hook(lambda g: g + 0.0)
        z = y * y
        z.register_hook(lambda g: g * z.data if False else None)  # refers to z: a cycle through the hook
        z.backward()

    for _ in range(200):
        step()  # warm up
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(5000):
            step()
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 64 * 1024, grown  # before: ~5000 × (node + hook + registry entry), about 3 MB
    assert hooks._hooks == {} and hooks.observers == 0


def test_a_new_node_never_inherits_a_dead_nodes_hooks() -> None:
    calls: list[float] = []
    for _ in range(2000):  # ids of freed nodes are reused at once by new ones
        y = Value(1.0) * 2
        y.register_hook(calls.append)
        del y
        z = Value(1.0) * 2
        assert hooks.hooks_of(z) == [] and id(z) not in hooks._hooks
        z.backward()
    assert calls == []


def test_hooks_from_many_threads_keep_the_count_right() -> None:
    shared = Value(1.0) * 1.0
    x_grads: list[float] = []

    def work(k: int) -> None:
        for i in range(300):
            h = shared.register_hook(lambda g: None)  # noqa: F821  (deleted only after the threads)
            x = Value(float(k))
            y = x * x
            y.register_hook(lambda g: 3 * g)
            y.backward()
            x_grads.append(x.grad - 3 * 2 * k)  # ∂(3·x²)/∂x = 6x
            if i % 2:
                h.remove()
            del y

    assert in_threads(work, 4) == [] and x_grads == [0.0] * 1200
    assert len(hooks.hooks_of(shared)) == 4 * 150 and hooks.observers == 1
    del shared


# -- detect_anomaly keeps what the report needs, not the graph --------------------------------

def test_nodes_made_in_the_block_are_freed_when_unused() -> None:
    with detect_anomaly():
        y = Value(2.0) * 3  # made-here
        site = site_of(y)
        assert site is not None and site.endswith(f":{_line('made-here')}")
        seen = weakref.ref(y)
        del y
        assert seen() is None  # before: the block's table held every node until it ended
    assert site_of(Value(1.0)) is None


def _line(tag: str) -> int:
    with open(__file__, encoding="utf-8") as f:
        return next(i for i, text in enumerate(f, 1) if text.rstrip().endswith(f"# {tag}"))


def test_a_100k_node_loop_inside_the_block_keeps_no_memory() -> None:
    x = Value(0.3)
    with detect_anomaly():
        for _ in range(1000):
            (x * 1.5).tanh()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for _ in range(50_000):  # 100k nodes, each dropped at once
                (x * 1.5).tanh()
            grown = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
    assert grown < 256 * 1024, grown  # before: ~25 MB (every node, its site and its table entry)


def test_the_report_still_names_the_op_label_and_line() -> None:
    with detect_anomaly(), pytest.raises(AnomalyError) as e:
        big = Value(1e308, label="big")
        (big * 10.0).tanh()  # overflow-line
    assert e.value.site is not None and e.value.site.endswith(f":{_line('overflow-line')}")
    assert "'*'" in str(e.value) and "big" in str(e.value)


# -- @detect_anomaly() on generators ----------------------------------------------------------

def test_a_decorated_generator_checks_its_body_at_every_resumption() -> None:
    states: list[bool] = []

    @detect_anomaly()
    def steps(n: int) -> Iterator[float]:
        x = Value(1e306)
        for _ in range(n):
            states.append(is_anomaly_enabled())
            x = x * 10.0
            got = yield x.data
            states.append(got == "sent")

    gen = steps(3)
    assert next(gen) == 1e307 and not is_anomaly_enabled()  # between resumptions: outside the block
    assert gen.send("sent") == 1e308
    with pytest.raises(AnomalyError, match="forward value inf"):  # before: the body ran unchecked
        next(gen)
    assert states == [True, True, True, False, True] and not is_anomaly_enabled()


def test_a_decorated_generator_passes_throw_close_and_return_value() -> None:
    closed: list[bool] = []

    @detect_anomaly()
    def gen() -> Iterator[int]:
        try:
            got = yield 1
            assert got is None
            yield 2
        except KeyError:
            yield 99
        finally:
            closed.append(is_anomaly_enabled())
        return None

    g = gen()
    assert next(g) == 1 and next(g) == 2 and g.throw(KeyError("k")) == 99
    g.close()
    assert closed == [True] and not is_anomaly_enabled()

    @detect_anomaly()
    def returns() -> Generator[int, None, int]:
        yield 1
        return 7

    def outer() -> Iterator[int]:
        value = yield from returns()
        yield value

    assert list(outer()) == [1, 7]


def test_an_async_function_is_refused_clearly() -> None:
    with pytest.raises(TypeError, match=r"cannot decorate the async function .*with detect_anomaly\(\):"):
        @detect_anomaly()
        async def later() -> float:
            return (Value(1e308) * 10).data

    def plain() -> float:
        return (Value(1e308) * 10).data

    with pytest.raises(AnomalyError):
        detect_anomaly()(plain)()
    assert not is_anomaly_enabled() and math.isinf(plain())


