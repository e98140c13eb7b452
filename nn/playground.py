"""``nn.playground(model, X, y, lr=...)``: train a small network on 2-D data in a page, and watch it.

The page holds the very graph ``nn.fit`` builds for one full-batch step — every sample through the
model, the loss over the flattened outputs and targets (``E = loss(predictions, targets)``, plus
``l2 · Σ p²`` with ``l2``) — as data, and runs it with the op table's JavaScript
(``autograd.playground``): Step does what ``fit``'s loop does with plain SGD (forward, zero_grad,
backward, Δw = −η ∂E/∂w for each parameter), Play repeats it. Alongside: the loss curve, the
decision boundary as a heat map over the plane, and each neuron's output over the plane (as the
TensorFlow playground shows them), from the model's one-sample graph on the same parameters.

The sums are Python's, in Python's order, so the page's first steps equal ``nn.SGD`` on the same
model (tests/playground/test_playground_browser.py: ten steps, to 1e-12; only JavaScript's ``Math`` functions,
tanh, exp, may differ from C's in the last bit). The page loads nothing (the same
Content-Security-Policy as every page of ours) and changes nothing in Python: the model is untouched.
"""

from __future__ import annotations

import html
import math
import numbers
import os
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import nn.losses as L
from autograd import Value
from autograd.graph import topological_order
from autograd.playground.page import NOTE, fill, iframe, resource, save_html, text_safe
from autograd.playground.program import GraphTooLargeForPageError, Program, count_nodes, number, to_json
from autograd.playground.templates import NoTemplateError, js_table
from nn.data.note import note_example, note_model
from nn.models.layers import MLP, Layer
from nn.models.module import Module

LOSSES = ("half_sse", "mse", "hinge")
"""The losses the page can run: those of ``nn.losses`` built from table ops only."""
Points = Any
"""Rows of 2 numbers (lists, tuples or a numpy array), or their labels: anything with a length to iterate."""
MAX_NODES = 60_000  # moons, 100 points through MLP(2, [16, 16, 1]) with hinge + L2: about 7,500


def _real(x: object) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and math.isfinite(float(x))


def _check(model: Any, X: Any, y: Any, lr: Any, loss: Any, l2: Any, grid: Any) -> list[Layer]:
    where = "nn.playground"
    layers = getattr(model, "layers", None)
    if not isinstance(model, Module) or not isinstance(layers, list) or not layers \
            or not all(isinstance(layer, Layer) for layer in layers):
        raise TypeError(f"{where}: expected an nn.MLP (a model with .layers of nn.Layer), got {type(model).__name__}")
    if layers[0].nin != 2 or len(layers[-1].neurons) != 1:
        raise ValueError(f"{where}: the page shows 2-D data and one output: the model must take 2 inputs and give 1, "
                         f"it takes {layers[0].nin} and gives {len(layers[-1].neurons)} (for example MLP(2, [8, 1]))")
    if isinstance(X, (str, bytes)) or not hasattr(X, "__len__") or not hasattr(y, "__len__") or not len(X) \
            or len(X) != len(y):
        raise ValueError(f"{where}: X and y must be non-empty sequences of the same length (rows of 2 numbers, one "
                         "label each), for example nn.data.moons()")
    for i, row in enumerate(X):
        if isinstance(row, (str, bytes)) or not hasattr(row, "__len__") or len(row) != 2 \
                or not all(_real(v) for v in row):
            raise ValueError(f"{where}: X[{i}] must be 2 finite numbers (a point of the plane), got {str(row)[:60]}")
    for i, t in enumerate(y):
        if not _real(t):
            raise ValueError(f"{where}: y[{i}] must be a finite number (a label such as 0/1 or -1/+1), got {t!r:.40}")
    if not _real(lr) or not float(lr) > 0.0:
        raise ValueError(f"{where}: lr (the learning rate η) must be a finite number > 0, got {lr!r:.40}")
    if not _real(l2) or float(l2) < 0.0:
        raise ValueError(f"{where}: l2 must be a finite number >= 0, got {l2!r:.40}")
    if loss not in LOSSES:
        raise ValueError(f"{where}: loss must be one of {', '.join(LOSSES)} (the page runs built-in operations only; "
                         f"'bce' and 'cross_entropy' use ops of their own), got {loss!r:.40}")
    if isinstance(grid, bool) or not isinstance(grid, int) or not 8 <= grid <= 200:
        raise ValueError(f"{where}: grid (points per side of the plane) must be an int from 8 to 200, got {grid!r:.40}")
    return layers


class TrainPlayground:
    """The training page of one model on one data set (see the module docstring)."""

    def __init__(self, model: MLP, X: Points, y: Points, *, lr: float = 0.1,
                 loss: str = "half_sse", l2: float = 0.0, grid: int = 40, title: str | None = None,
                 max_nodes: int | None = MAX_NODES) -> None:
        layers = _check(model, X, y, lr, loss, l2, grid)
        if title is not None and not isinstance(title, str):
            raise TypeError(f"nn.playground: title must be a str, got {type(title).__name__}")
        self.model, self.lr, self.loss, self.l2, self.grid, self.title = model, float(lr), loss, float(l2), grid, title
        self.X, self.y = [[float(v) for v in row] for row in X], [float(t) for t in y]
        point = [Value(0.0, label="x0"), Value(0.0, label="x1")]
        h: list[Value] = point
        neurons: list[list[Value]] = []
        for layer in layers:
            h = layer.forward(h)
            neurons.append(h)
        count_nodes([], max_nodes, "nn.playground")  # max_nodes checked
        interior = sum(1 for v in topological_order(h[0]) if not v.is_leaf)
        if max_nodes is not None and interior * len(self.X) > max_nodes:  # refused before the batch is built
            raise GraphTooLargeForPageError(
                f"nn.playground: {len(self.X)} points × {interior} nodes each is more than max_nodes={max_nodes}; "
                "train on fewer points (a sample of them) or raise the limit: max_nodes=...")
        params = model.parameters()
        outs = [v for row in self.X for v in model.forward(row)]  # fit's full batch, its samples in order
        E = L.LOSSES[loss](outs, self.y)
        if self.l2:
            E = E + L.l2(params, self.l2)
        count_nodes([E, h[0]], max_nodes, "nn.playground")
        names = {p: name for name, p in model.named_parameters()}
        try:
            self.program = Program([E, h[0]], "nn.playground", names)
        except NoTemplateError as e:
            raise NoTemplateError(f"{e} (nn.playground runs the models of nn.MLP with the activations of "
                                  f"nn.activations and the losses {', '.join(LOSSES)})") from None
        ix = self.program.index
        self.params = [ix[p] for p in dict.fromkeys(params)]  # each parameter once, as nn.SGD steps them
        self.loss_node = E
        self.sample = [ix[v] for v in topological_order(h[0]) if not v.is_leaf]
        self.neurons = [[ix[v] for v in layer] for layer in neurons]
        self.point, self.outs = [ix[p] for p in point], [ix[o] for o in outs]
        self._data = self._payload()  # the parameters now: later training in Python does not change the page

    @property
    def parameter_names(self) -> list[str]:
        """The parameters' names on the page (``[data-param=NAME]``), in ``nn.SGD``'s order."""
        return [self.program.names[i] for i in self.params]

    def __repr__(self) -> str:
        return (f"<TrainPlayground: {len(self.X)} points, {len(self.params)} parameters, "
                f"{len(self.program.order)} graph values, loss {self.loss}, lr {self.lr:g}>")

    def _payload(self) -> dict[str, Any]:
        xs, ys = [r[0] for r in self.X], [r[1] for r in self.X]
        half = max(0.55 * max(max(xs) - min(xs), max(ys) - min(ys)), 1.0)  # at least ±1 around the data
        cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
        sigmoid = self.model.layers[-1].activation == "sigmoid"
        cut = 0.5 if sigmoid or (set(self.y) <= {0.0, 1.0} and -1.0 not in self.y) else 0.0
        data = self.program.data()
        data["names"] = [text_safe(n) for n in data["names"]]
        data.update(params=self.params, lr=self.lr, sample=self.sample, neurons=self.neurons, point=self.point,
                    outs=self.outs, X=self.X, y=self.y, cut=cut, grid=self.grid, loss=self.loss,
                    box=[number(cx - half), number(cx + half), number(cy - half), number(cy + half)])
        return data

    def html(self) -> str:
        """The page: one self-contained HTML document."""
        return self._page

    @cached_property
    def _page(self) -> str:
        sizes = "-".join(str(n) for n in [2, *(len(layer.neurons) for layer in self.model.layers)])
        acts = ", ".join(dict.fromkeys(layer.activation for layer in self.model.layers))
        title = text_safe(self.title or f"nn.playground: a {sizes} network ({acts}) on {len(self.X)} points, "
                          f"{self.loss} loss{f' + L2 {self.l2:g}' if self.l2 else ''}, SGD")
        parts = {"TITLE": html.escape(title), "NOTE": html.escape(NOTE), "DATA": to_json(self._data),
                 "RUNTIME": resource("autograd.playground", "runtime.js"), "OPS": js_table(self.program.used()),
                 "UI": resource("nn", "playground.js")}
        return fill(resource("nn", "playground.html"), parts)

    def _repr_html_(self) -> str:
        return iframe(self.html(), 760, "nn.playground")

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to ``path`` (``.html``) atomically; return the path."""
        return save_html(self.html(), path, "nn.playground")


def playground(model: MLP, X: Points, y: Points, **options: Any) -> TrainPlayground:
    """A page that trains ``model`` on the 2-D points ``X`` with labels ``y`` by gradient descent (options:
    ``lr``, ``loss`` — half_sse, mse or hinge —, ``l2``, ``grid``, ``title``, ``max_nodes``)."""
    return TrainPlayground(model, X, y, **options)


def save_note_playground(path: str, *, lr: float, hidden: Sequence[int], activation: str,
                         seed: int) -> tuple[Path | None, str]:
    """The main job's ``out/playground.html``: the note's network on its one sample, trained in the page
    with the job's E = ½ (t − y)² and η; (path, '') or (None, why not)."""
    model = note_model(hidden, activation, seed=seed)
    X, T = note_example()
    try:
        page = playground(model, X, T, lr=lr, loss="half_sse",
                          title="the note's network: train it in the page, E = ½ (t − y)², Δw = η δ y")
        return page.save(path), ""
    except (OSError, ValueError, TypeError) as e:
        return None, f"could not write {path}: {e}"
