"""The backward loop applies +, *, relu, linear and linear_c's derivatives inline; they must equal ``op.deriv`` exactly.

``autograd/ops.py`` is the one definition of every derivative. ``backprop._release`` inlines the
four commonest (for speed) and skips adding the exact zeros of a linear node with ∂L/∂z = 0; these
tests would fail if an inline form drifted from its op.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value, ops
from autograd.graph import constant_of, local_grads
from autograd.hooks import extras_of, hooks_of
from autograd.modes import site_of
from autograd.reductions import dense_const, dot_const

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


def _generic_parent_grads(node: Value, seed: float) -> list[float]:
    """∂L/∂parent = seed · op.deriv(...) for each parent, computed through the op's own deriv."""
    return [seed * d for d in local_grads(node)]


@settings(max_examples=200, deadline=None)
@given(a=finite, b=finite, seed=finite)
def test_add_and_mul_inline_match_their_ops(a: float, b: float, seed: float) -> None:
    for make, op in ((lambda x, y: x + y, ops.ADD), (lambda x, y: x * y, ops.MUL)):
        x, y = Value(a), Value(b)
        out = make(x, y)
        assert out.operation is op
        out.backward(seed)
        assert [x.grad, y.grad] == _generic_parent_grads(out, seed)


@settings(max_examples=100, deadline=None)
@given(ws=st.lists(finite, min_size=1, max_size=6), seed=finite, data=st.data())
def test_linear_inline_matches_its_op(ws: list[float], seed: float, data: st.DataObject) -> None:
    xs = data.draw(st.lists(finite, min_size=len(ws), max_size=len(ws)))
    w, x, b = [Value(v) for v in ws], [Value(v) for v in xs], Value(data.draw(finite))
    out = autograd.dot(w, x, b)
    assert out.operation is ops.LINEAR
    out.backward(seed)
    assert [p.grad for p in (*w, *x, b)] == _generic_parent_grads(out, seed)


@settings(max_examples=200, deadline=None)
@given(z=finite, seed=finite)
def test_relu_inline_matches_its_op(z: float, seed: float) -> None:
    x = Value(z) * 1.0  # an interior node, so the relu's backward goes through _release
    out = x.relu()
    assert out.operation is ops.RELU
    out.backward(seed)
    assert [x.grad] == _generic_parent_grads(out, seed)


def _same_bits(a: float, b: float) -> bool:
    """Equal floats, NaN equal to NaN, and +0.0 distinguished from −0.0."""
    return math.copysign(1.0, a) == math.copysign(1.0, b) and (a == b or (a != a and b != b))


extreme = st.one_of(finite, st.sampled_from([0.0, -0.0, math.inf, -math.inf, math.nan, 1e308]))


@settings(max_examples=300, deadline=None)
@given(ws=st.lists(extreme, min_size=1, max_size=4), seed=st.sampled_from([0.0, -0.0]), data=st.data())
def test_linear_with_zero_upstream_gradient_matches_its_op(ws: list[float], seed: float, data: st.DataObject) -> None:
    """∂L/∂z = ±0: the fast path adds nothing when z is finite; each gradient must still be the
    generic path's 0.0 + seed·∂z/∂p bit for bit, NaN where 0·inf makes one, including for a bias."""
    xs = data.draw(st.lists(extreme, min_size=len(ws), max_size=len(ws)))
    w, x = [Value(v) for v in ws], [Value(v) * 1.0 for v in xs]  # interior inputs: released by the fast path
    b = Value(data.draw(extreme))
    out = autograd.dot(w, x, b)
    out.backward(seed)
    expected = [0.0 + g for g in _generic_parent_grads(out, seed)]
    assert all(_same_bits(p.grad, e) for p, e in zip((*w, *x, b), expected, strict=True))


@settings(max_examples=100, deadline=None)
@given(ws=st.lists(finite, min_size=1, max_size=6), seed=finite, data=st.data())
def test_linear_c_inline_matches_its_op(ws: list[float], seed: float, data: st.DataObject) -> None:
    """z = Σ w_i x_i + b over constant x: the inline ∂z/∂w_i = x_i, ∂z/∂b = 1 equal LINEAR_C.deriv bit for bit."""
    xs = data.draw(st.lists(finite, min_size=len(ws), max_size=len(ws)))
    w, b = [Value(v) for v in ws], Value(data.draw(finite))
    out = dot_const(w, xs, b)
    assert out.operation is ops.LINEAR_C and out._prev == (*w, b)
    out.backward(seed)
    assert [p.grad for p in (*w, b)] == _generic_parent_grads(out, seed)


@settings(max_examples=300, deadline=None)
@given(ws=st.lists(extreme, min_size=1, max_size=4), seed=st.sampled_from([0.0, -0.0, 1.5]), data=st.data())
def test_linear_c_with_extreme_values_matches_its_op(ws: list[float], seed: float, data: st.DataObject) -> None:
    """Interior weights (released by the fast path), ±0 upstream gradients, inf and NaN inputs: each
    gradient is the generic path's 0.0 + seed·∂z/∂p bit for bit."""
    xs = data.draw(st.lists(extreme, min_size=len(ws), max_size=len(ws)))
    w, b = [Value(v) * 1.0 for v in ws], Value(data.draw(extreme))
    out = dot_const(w, xs, b)
    out.backward(seed)
    expected = [0.0 + g for g in _generic_parent_grads(out, seed)]
    assert all(_same_bits(p.grad, e) for p, e in zip((*w, b), expected, strict=True))
    assert all(v._pending == 0 for v in autograd.walk(out))


def test_zero_gradient_skip_still_releases_every_input() -> None:
    """Inputs reached only through a neuron with ∂L/∂z = 0 still get their (zero) gradient and pass it on."""
    a = Value(2.0)
    h = a * 3.0  # interior, consumed only by z
    z = autograd.dot([Value(0.5)], [h], Value(0.0))
    loss = z.relu() * 0.0 + a * 5.0  # ∂L/∂z = 0, but a has another path
    loss.backward()
    assert (h.grad, a.grad) == (0.0, 5.0)
    assert all(v._pending == 0 for v in autograd.walk(loss))


def test_linear_with_interior_weights_keeps_the_release_order() -> None:
    """Weights that are themselves nodes (a dot of two computed vectors) get ∂z/∂w_i = x_i."""
    u = [Value(v) for v in (0.5, -1.5, 2.0)]
    ws, xs = [p * 2.0 for p in u], [p + 1.0 for p in u]
    z = autograd.dot(ws, xs)  # z = Σ 2u_i (u_i + 1): ∂z/∂u_i = 2(u_i + 1) + 2u_i = 4u_i + 2
    z.backward()
    assert [p.grad for p in u] == [4.0 * p.data + 2.0 for p in u]


# -- nn.Layer builds its nodes with autograd.reductions.dense from cached parameter rows ----------

def _fresh_output(layer: nn.Layer, x: list[float]) -> list[float]:
    """The layer's outputs computed by each neuron on its own (Neuron.fire, no cache)."""
    return [n(x).data for n in layer.neurons]


def test_layer_cache_follows_every_edit_of_its_neurons() -> None:
    layer = nn.Layer(2, 3, seed=1)
    x = [0.5, -0.25]
    assert [y.data for y in layer.forward(x)] == _fresh_output(layer, x)
    edits: list[Callable[[], object]] = [
        lambda: layer.neurons[0].w.__setitem__(0, Value(3.0)),  # replace one weight
        lambda: setattr(layer.neurons[1], "b", Value(-2.0)),  # replace a bias
        lambda: setattr(layer.neurons[2], "w", [Value(1.0), Value(-1.0)]),  # replace the weight list
        lambda: setattr(layer.neurons[0], "activation", "tanh"),  # one neuron's activation
        lambda: layer.neurons.__setitem__(1, nn.Neuron(2, activation="sigmoid", seed=3)),  # a whole neuron
        lambda: layer.neurons[2].w.reverse(),
    ]
    for edit in edits:
        edit()
        ys = layer.forward(x)
        assert [y.data for y in ys] == _fresh_output(layer, x)
        autograd.sum(ys).backward()
        for n in layer.neurons:  # gradients reach the parameters the neurons hold now
            assert n.b.grad != 0.0 or n.activation == "relu"
            n.b.grad = 0.0


def test_layer_rejects_a_weight_that_is_not_a_node() -> None:
    layer = nn.Layer(2, 2, seed=0)
    layer.neurons[1].w[0] = 0.5  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=r"dense: weights and biases must be Value nodes, got 0\.5"):
        layer.forward([1.0, 2.0])


def test_layer_rejects_a_neuron_of_the_wrong_width() -> None:
    layer = nn.Layer(2, 2, seed=0)
    layer.neurons[0].w.append(Value(1.0))
    with pytest.raises(ValueError, match="a neuron has 3 weights but the layer has 2 inputs"):
        layer.forward([1.0, 2.0])


def test_layer_nodes_are_the_same_as_neuron_fire() -> None:
    """One linear node and one activation node per neuron, with the same ops, parents and floats."""
    for act in ("relu", "tanh", "sigmoid", "linear", "leaky_relu"):
        layer = nn.Layer(3, 2, activation=act, seed=5)
        xs = [Value(v) for v in (0.3, -1.2, 2.5)]
        for y, n in zip(layer.forward(xs), layer.neurons, strict=True):
            ref = n.fire(tuple(xs))
            assert (y.data, y.operation, constant_of(y)) == (ref.data, ref.operation, constant_of(ref))
            z, zr = (y, ref) if act == "linear" else (y._prev[0], ref._prev[0])
            assert z.operation is ops.LINEAR and z._prev == zr._prev and z.data == zr.data


# -- linear_c nodes over one shared tuple of leaf parents (nn.Layer on data): recognised once per walk --------------

def _via_op_deriv(loss: Value, params: list[Value]) -> list[float]:
    """Every parameter's gradient from the observed walk (a hook on the loss turns it on), which takes each
    node's step through ``op.deriv``: no fast path, the same Kahn order."""
    for p in params:
        p.grad = 0.0
    with loss.register_hook(lambda g: None):
        loss.backward()
    grads = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    return grads


@settings(max_examples=300, deadline=None)
@given(ws=st.lists(extreme, min_size=1, max_size=4), cs=st.lists(st.sampled_from([0.0, -0.0, 1.5, -2.0, math.inf]),
       min_size=2, max_size=2), data=st.data())
def test_linear_c_nodes_sharing_leaf_parents_match_op_deriv(ws: list[float], cs: list[float],
                                                             data: st.DataObject) -> None:
    """Two linear_c nodes over the very same parent tuple (w…, b), upstream gradients g_k = c_k among ±0 and inf,
    inputs with inf and NaN: each w_i.grad is 0.0 + g_1·∂z_1/∂w_i + g_2·∂z_2/∂w_i with ∂z/∂w from LINEAR_C.deriv,
    bit for bit, so the zero-gradient skip hides no NaN. (With two terms the order of the sum does not matter,
    except for which NaN comes out: NaN = NaN here whatever its sign bit.)"""
    w, b = [Value(v) for v in ws], Value(data.draw(extreme))
    parents = (*w, b)
    z1, z2 = (dense_const((parents,), tuple(data.draw(st.lists(extreme, min_size=len(ws), max_size=len(ws)))))[0]
              for _ in range(2))
    assert z1.operation is ops.LINEAR_C and z1._in is z2._in is parents  # one tuple: the fast path's memo is hit
    loss = z1 * cs[0] + z2 * cs[1]
    loss.backward()
    d1, d2 = local_grads(z1), local_grads(z2)  # LINEAR_C.deriv: x_i for each w_i, 1 for b
    expected = [0.0 + cs[0] * a + cs[1] * c for a, c in zip(d1, d2, strict=True)]
    assert all(_same_bits(p.grad, e) or (p.grad != p.grad and e != e) for p, e in zip(parents, expected, strict=True))
    assert all(v._pending == 0 for v in autograd.walk(loss))


@settings(max_examples=100, deadline=None)
@given(n=st.integers(1, 4), k=st.integers(2, 5), cs=st.lists(st.sampled_from([0.0, -0.0, 0.75, -3.0]), min_size=5,
       max_size=5), interior=st.booleans(), data=st.data())
def test_linear_c_nodes_sharing_parents_match_the_walk_through_op_deriv(n: int, k: int, cs: list[float],
                                                                         interior: bool, data: st.DataObject) -> None:
    """k nodes over one parent tuple, all leaves or with one interior weight (the generic path, and the
    first walk must still count it): every gradient equals the walk through ``op.deriv`` bit for bit."""
    u = [Value(v) for v in data.draw(st.lists(finite, min_size=n + 1, max_size=n + 1))]
    parents = (*u[:-1], u[-1]) if not interior else (u[0] * 2.0, *u[1:])
    zs = [dense_const((parents,), tuple(data.draw(st.lists(finite, min_size=n, max_size=n))))[0] for _ in range(k)]
    loss = autograd.sum([z * c for z, c in zip(zs, cs, strict=False)])
    expected = _via_op_deriv(loss, u)
    loss.backward()
    assert all(_same_bits(p.grad, e) for p, e in zip(u, expected, strict=True))
    assert all(v._pending == 0 for v in autograd.walk(loss))


def test_a_layer_on_data_shares_one_parent_tuple_per_neuron_until_an_edit() -> None:
    """Layer.forward on numbers reuses each neuron's (w…, b) tuple from call to call while the parameters are
    the same objects, and builds a new one when a weight is replaced."""
    layer = nn.Layer(3, 2, seed=0)
    first, second = layer.forward([0.5, -1.0, 2.0]), layer.forward([1.5, 0.25, -2.0])
    z1, z2 = first[0]._prev[0], second[0]._prev[0]
    assert z1.operation is ops.LINEAR_C and z1._in is z2._in
    new = Value(4.0)
    layer.neurons[0].w[1] = new
    z3 = layer.forward([1.0, 1.0, 1.0])[0]._prev[0]
    assert z3._in is not z1._in and z3._in[1] is new and z3.data == layer.neurons[0](z3._const).data


def test_an_mlp_batch_on_data_matches_the_walk_through_op_deriv() -> None:
    """The digits benchmark's graph in small: an MLP on plain-number inputs (linear_c nodes over shared leaf
    tuples, many with their ReLU off), one cross-entropy node over the batch: the fast walks give every
    parameter the gradient of the walk through ``op.deriv``, bit for bit."""
    import random

    rng = random.Random(3)
    model = nn.MLP(6, [5, 3], init="he", seed=2)
    xs = [[rng.uniform(-1.0, 1.0) for _ in range(6)] for _ in range(8)]
    loss = nn.cross_entropy([model(x) for x in xs], [rng.randrange(3) for _ in xs])
    params = model.parameters()
    expected = _via_op_deriv(loss, params)
    loss.backward()
    assert [p.grad for p in params] == expected
    assert any(y.data == 0.0 for x in xs for y in model.layers[0].forward(x))  # some ReLUs are off (g = 0 skipped)


# -- the forward side: ``+`` and ``*`` build their node themselves (engine._add_or_mul) --------------------
_SLOTS = ("data", "grad", "_operation", "_in", "_in2", "_pending", "_aux")


def _slots(v: Value) -> list[object]:
    """Every slot (``<unset>`` if unset), then what the readers see: the constant (``constant_of``: the
    fast path leaves ``_const`` unset, which reads as None), the label and micrograd's tag."""
    return [getattr(v, name, "<unset>") for name in _SLOTS] + [constant_of(v), v.label, v._op]


@settings(max_examples=200, deadline=None)
@given(a=st.floats(allow_nan=True, allow_infinity=True), b=st.floats(allow_nan=True, allow_infinity=True))
def test_add_and_mul_build_the_node_make_node_builds(a: float, b: float) -> None:
    from autograd.engine import make_node

    for make, op in ((lambda x, y: x + y, ops.ADD), (lambda x, y: x * y, ops.MUL)):
        x, y = Value(a), Value(b)
        fast, plain = make(x, y), make_node(op.forward(a, b), op, x, y)
        assert type(fast) is Value
        assert [str(s) for s in _slots(fast)] == [str(s) for s in _slots(plain)]  # str: nan == nan
        assert fast._in is x and fast._in2 is y and fast.operation is op


class _Sub(Value):
    __slots__ = ()


def test_add_and_mul_take_subclasses_numbers_and_the_rare_paths() -> None:
    x, s = Value(2.0), _Sub(3.0)
    for y in (x * s, s * x, x + s, s + x):
        assert type(y) is Value and y._in2 is not None  # a subclass operand is a node, not a number
    assert (x * 4).operation is ops.MUL_C and (x + 4).operation is ops.ADD_C
    with autograd.no_grad():
        leaf = x * s + x
    assert leaf.is_leaf and leaf.data == 8.0 and leaf._in is None
    with pytest.raises(autograd.AnomalyError, match=r"\*"), autograd.detect_anomaly():
        Value(math.inf) * Value(0.0)  # anomaly mode sees the NaN the fast path made


def test_a_label_is_empty_until_given_and_kept_when_given() -> None:
    x = Value(1.0)
    y = x * x + x
    assert x.label == "" and y.label == "" and not hasattr(y, "_aux")  # not even stored: nothing per node
    y.label = ""
    assert not hasattr(y, "_aux")  # an empty label is not kept either
    y.label = "y"
    z = Value(2.0, label="z")
    assert (y.label, z.label, Value(1.0, (), "", "w").label) == ("y", "z", "w")
    assert y.detach().label == "y" and repr(y).endswith("label='y')")


def test_a_label_shares_the_extras_slot_with_hooks_and_anomaly_sites() -> None:
    seen: list[float] = []
    x = Value(3.0, label="x")
    handle = x.register_hook(seen.append)
    x.label = "renamed"
    y = x * x
    y.backward()
    assert seen == [6.0] and x.label == "renamed"  # the hook survives a relabel, the label a hook
    handle.remove()
    assert x.label == "renamed" and hooks_of(x) == []
    with autograd.detect_anomaly():
        z = Value(2.0, label="z") * Value(1.0)
        z.label = "zz"
        w = z + 1.0
    assert z.label == "zz" and w.label == ""
    assert site_of(z) is None and extras_of(z) is not None  # (the block is over: no site counts)
    with pytest.raises(autograd.AnomalyError, match=r"made at .*test_engine_fast_paths.*inputs big = 1e\+308"), \
            autograd.detect_anomaly():
        big = Value(1e308) * Value(1.0)
        big.label = "big"  # set after the anomaly site: both kept
        big * big
    c = __import__("copy").copy(x)
    assert c.label == "renamed" and c._aux is not x._aux  # a copy has its own extras (and no hooks)


def test_only_the_core_reads_the_constant_slot_itself() -> None:
    """The nodes of + and * between two nodes leave ``_const`` unset (the forward fast path): anyone
    else reading ``v._const`` would raise AttributeError on them (or, with a try, see another graph
    than make_node's nodes give). Readers go through ``graph.constant_of``; only these modules touch the
    slot: the engine and the modes that write it, ``graph`` that reads it for everyone, ``backprop``
    (never on a + or * node between nodes: those take its fast path first), ``compat`` (micrograd's
    closures, which set it) and the hooks' walk (a closure's call)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    allowed = {"autograd/engine.py", "autograd/graph.py", "autograd/backprop.py", "autograd/compat/__init__.py",
               "autograd/modes/__init__.py", "autograd/hooks/walk.py"}
    slot = re.compile(r"\._const\b|[\"']_const[\"']")
    readers = sorted(str(p.relative_to(root)) for pkg in ("autograd", "nn") for p in (root / pkg).rglob("*.py")
                     if slot.search(p.read_text(encoding="utf-8")))
    assert set(readers) <= allowed, set(readers) - allowed
    assert "autograd/graph.py" in readers  # (the scan finds what it looks for)
