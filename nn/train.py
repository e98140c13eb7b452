"""``fit``: the note's training loop — forward, error, backward, update — repeated over epochs.

Each step takes a batch (the whole data set, or a mini-batch of ``batch_size`` samples), computes
the predictions and the loss E, fills every ∂E/∂w with ``backward()`` and lets the optimiser move
the weights (plain SGD: Δw_ij = η δ_j y_i). The run stops after ``epochs`` epochs, or earlier when
the loss falls below ``loss_tol``, the accuracy reaches ``target_accuracy``, or ``callback`` says so.

The history records per epoch: the loss (E itself for full batch; for mini-batches the batches' E
averaged with their sizes as weights) and the accuracy seen by the epoch's forward passes (before
its updates, as micrograd's demo prints them), the learning rate, and each layer's gradient norm
‖∂E/∂W_layer‖ from the epoch's last step — tiny norms in the first layers mean vanishing
gradients, huge ones exploding gradients.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

import nn.losses as L
from autograd import Value, no_grad
from autograd.errors import DeltagradError
from autograd.reductions import index_of_max
from nn.compiled import CompiledLoss
from nn.models.init import Seed, make_rng
from nn.models.module import Module
from nn.optim import OPTIMIZERS, Optimizer, Schedule
from nn.plots import history_figure
from nn.progress import progress_bar

LossFn = Callable[[list[Value], list[Any]], Value]
Accuracy = Callable[[list[list[float]], Sequence[Any]], float]
Outputs = list[list[float]]


class DivergedError(DeltagradError, ArithmeticError):
    """Training diverged: the loss became inf or NaN (``update``: the number of updates made before).

    ``fit`` raises it at once instead of training on NaN; the usual cure is a smaller learning rate.
    """

    def __init__(self, message: str, update: int, epoch: int, loss: float) -> None:
        super().__init__(message)
        self.update, self.epoch, self.loss = update, epoch, loss


@dataclass
class History:
    """What ``fit`` saw, one entry per epoch."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[Union[float, None]] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    grad_norms: list[list[float]] = field(default_factory=list)  # per epoch: one norm per layer
    stopped: str = "epochs"  # why the run ended: 'epochs', 'loss_tol', 'target_accuracy' or 'callback'

    @property
    def epochs(self) -> int:
        return len(self.loss)

    def plot(self, layer_names: Sequence[str] | None = None) -> Any:
        """Loss, accuracy and each layer's gradient norm per epoch, as a matplotlib Figure (Jupyter shows it)."""
        return history_figure(self, layer_names=layer_names)

    def summary(self) -> str:
        acc = self.accuracy[-1] if self.accuracy else None
        acc_text = "" if acc is None else f", accuracy {acc:.1%}"
        return f"{self.epochs} epoch(s), loss {self.loss[-1]:.6g}{acc_text} (stopped: {self.stopped})"


def _rows(outputs: Any) -> list[Value]:
    return list(outputs) if isinstance(outputs, list) else [outputs]


def _flat_targets(targets: Sequence[Any]) -> list[Any]:
    out: list[Any] = []
    for t in targets:
        if isinstance(t, (Value, int, float)) or not hasattr(t, "__iter__"):
            out.append(t)
        else:
            out.extend(t)
    return out


def _number(t: Any) -> float:
    """A target as a float: ``t.data`` for a ``Value`` (``float()`` refuses nodes), else ``float(t)``."""
    return t.data if isinstance(t, Value) else float(t)


def auto_accuracy(loss: str, targets: Sequence[Any]) -> Accuracy | None:
    """The natural accuracy for these targets, or None for regression targets.

    One output per sample: labels ±1 → sign of the score; labels 0/1 → score above 0 for the
    ``'bce'`` loss (a logit), above 0.5 otherwise (a probability). Several outputs with one-hot
    targets → the largest output picks the class; so it does for the ``'cross_entropy'`` loss,
    whose targets are class indices.
    """
    if loss == "cross_entropy":
        return lambda outs, ts: _mean(argmax(o) == int(t) for o, t in zip(outs, ts, strict=True))
    flat = [_number(t) for t in _flat_targets(targets)]
    per_sample = len(flat) // max(len(targets), 1)
    values = set(flat)
    if per_sample == 1 and values <= {-1.0, 1.0}:
        return lambda outs, ts: _mean((o[0] > 0.0) == (_number(t) > 0.0) for o, t in zip(outs, ts, strict=True))
    if per_sample == 1 and values <= {0.0, 1.0}:
        cut = 0.0 if loss == "bce" else 0.5
        return lambda outs, ts: _mean((o[0] > cut) == (_number(t) > 0.5) for o, t in zip(outs, ts, strict=True))
    if per_sample > 1 and values <= {0.0, 1.0}:
        return lambda outs, ts: _mean(argmax(o) == argmax([_number(v) for v in t])
                                      for o, t in zip(outs, ts, strict=True))
    return None


def _mean(flags: Any) -> float:
    items = list(flags)
    return sum(items) / len(items)


def argmax(xs: Sequence[float]) -> int:
    """The index of the largest value (the first one on ties, the first NaN if any, as ``torch.argmax``): the
    predicted class."""
    return index_of_max(xs)


def classify(model: Any, X: Sequence[Any]) -> list[int]:
    """The predicted class (argmax of the outputs) of every row of ``X``, recording no graph."""
    with no_grad():
        out = []
        for x in X:
            y = model(x)
            out.append(argmax([v.data for v in (y if isinstance(y, list) else [y])]))
        return out


def accuracy(model: Any, X: Sequence[Any], y: Sequence[int]) -> float:
    """The fraction of rows whose predicted class is the target class."""
    if len(X) != len(y) or not y:
        raise ValueError(f"accuracy: X and y must be non-empty and of the same length, got {len(X)} and {len(y)}")
    return sum(p == int(t) for p, t in zip(classify(model, X), y, strict=True)) / len(y)


def _groups(model: Module) -> list[list[Value]]:
    layers = getattr(model, "layers", None)
    if isinstance(layers, list) and layers and all(isinstance(m, Module) for m in layers):
        return [m.parameters() for m in layers]
    return [model.parameters()]


def grad_norms(model: Module) -> list[float]:
    """‖∂E/∂θ‖ for each layer's parameters θ (one number for a model without ``layers``)."""
    return [math.sqrt(sum(p.grad * p.grad for p in group)) for group in _groups(model)]


def _loss_fn(loss: str | LossFn) -> LossFn:
    if callable(loss):
        return loss
    if loss in L.LOSSES:
        return L.LOSSES[loss]
    raise ValueError(f"fit: unknown loss {loss!r}; choose one of {', '.join(L.LOSSES)} or pass a function")


def _optimizer(optimizer: str | Optimizer, params: list[Value], lr: float) -> Optimizer:
    if isinstance(optimizer, Optimizer):
        return optimizer
    if optimizer in OPTIMIZERS:
        return OPTIMIZERS[optimizer](params, lr)
    raise ValueError(f"fit: unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)} or pass one")


def _positive(n: object, name: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"fit: {name} must be a positive int, got {n!r}")
    return n


def predict(model: Module, X: Sequence[Any]) -> list[list[float]]:
    """The model's outputs for every row of ``X`` as floats (one list per sample), recording no graph."""
    with no_grad():
        return [[v.data for v in _rows(model(x))] for x in X]


def _check_finite(E: float, opt: Optimizer, where: tuple[int, int]) -> None:
    """DivergedError unless the loss is finite (both paths call it before the weights move)."""
    if not math.isfinite(E):
        update, epoch = where
        raise DivergedError(
            f"fit: training diverged: the loss became {E!r} at update {update} (epoch {epoch}, after {update - 1} "
            f"update(s)) with learning rate lr={opt.lr:g}; try a smaller lr (say {opt.lr / 10:g})", update, epoch, E)


def _eager_step(model: Module, loss_fn: LossFn, rows: bool, X: Sequence[Any], y: Sequence[Any], idx: list[int],
                l2: tuple[float, list[Value]], opt: Optimizer, where: tuple[int, int]) -> tuple[float, Outputs]:
    """One update through the graph: E of the batch ``idx``, ``E.backward()``, the optimiser's step."""
    outs = [_rows(model(X[i])) for i in idx]
    if rows:  # one list of outputs and one target per sample (cross-entropy)
        E = loss_fn(outs, [y[i] for i in idx])  # type: ignore[arg-type]
    else:
        E = loss_fn([v for o in outs for v in o], _flat_targets([y[i] for i in idx]))
    if not isinstance(E, Value):
        raise TypeError(f"fit: the loss function {getattr(loss_fn, '__name__', loss_fn)!r} returned "
                        f"{type(E).__name__} {str(E)[:40]}, not a Value; build the loss from the "
                        "predictions (Values) with autograd operations so that backward() reaches the "
                        "weights (a float — .data, float(), math.* — has no graph)")
    if l2[0]:
        E = E + L.l2(l2[1], l2[0])
    _check_finite(E.data, opt, where)
    opt.zero_grad()
    E.backward()
    opt.step()
    return E.data, [[v.data for v in o] for o in outs]


def _compiled_step(compiled: CompiledLoss, opt: Optimizer, idx: list[int],
                   where: tuple[int, int]) -> tuple[float, Outputs]:
    """The same update from generated code: the batch's gradients from ``compiled``, then the step."""
    opt.zero_grad()
    E, floats = compiled.batch(idx)
    _check_finite(E, opt, where)
    opt.step()
    return E, floats


def fit(
    model: Module,
    X: Sequence[Any],
    y: Sequence[Any],
    *,
    loss: str | LossFn = "half_sse",
    optimizer: str | Optimizer = "sgd",
    lr: float = 0.1,
    epochs: int = 100,
    batch_size: int | None = None,
    l2: float = 0.0,
    schedule: Schedule | None = None,
    loss_tol: float | None = None,
    target_accuracy: float | None = None,
    accuracy: Accuracy | str | None = "auto",
    shuffle: bool = True,
    seed: Seed = None,
    progress: bool | None = None,
    callback: Callable[[int, History], Any] | None = None,
    compile: bool = False,
) -> History:
    """Train ``model`` on inputs ``X`` and targets ``y``; return the ``History``.

    ``loss`` is a name from ``nn.losses.LOSSES`` (``'half_sse'``, ``'mse'``, ``'hinge'``,
    ``'bce'``, ``'cross_entropy'``) or a function ``(predictions, targets) -> Value``; predictions
    and targets are flattened over the batch (so ``half_sse`` is the note's E = ½ Σ over samples
    and outputs), except for cross-entropy, which gets one list of logits and one class index per
    sample (its accuracy: the largest output is the predicted class).
    ``l2`` adds α Σ p². ``optimizer`` is a name from ``nn.optim.OPTIMIZERS`` (built with ``lr``) or
    an ``Optimizer``; ``schedule(k)`` sets the learning rate before step k. ``batch_size=None``
    trains on the full batch; mini-batches are drawn in an order shuffled by ``seed``.
    ``callback(epoch, history)`` runs after each epoch; a true result stops the run. ``progress``
    shows a progress bar (tqdm's when installed: a widget in Jupyter; None: on in a terminal or Jupyter).
    ``compile=True`` traces
    one sample's loss once and runs generated float code for each sample (``nn.compiled``): the
    same gradients to rounding, several times faster.
    A loss that becomes inf or NaN raises ``DivergedError`` (naming the update; the weights are
    left as they were then); a loss function returning a float instead of a ``Value`` raises ``TypeError``.
    """
    if len(X) != len(y) or len(X) == 0:
        raise ValueError(f"fit: X and y must be non-empty and of the same length, got {len(X)} and {len(y)}")
    epochs = _positive(epochs, "epochs")
    size = len(X) if batch_size is None else min(_positive(batch_size, "batch_size"), len(X))
    if target_accuracy is not None and not 0.0 <= target_accuracy <= 1.0:
        raise ValueError(f"fit: target_accuracy is a fraction in [0, 1], got {target_accuracy!r}")
    loss_fn, params = _loss_fn(loss), model.parameters()
    L.check_labels(loss_fn, y)  # labels the loss cannot use (0/1 for hinge) fail now, not after training
    opt = _optimizer(optimizer, params, lr)
    rows = loss_fn in L.ROW_LOSSES
    name = loss if isinstance(loss, str) else ("cross_entropy" if rows else "")
    acc_fn = auto_accuracy(name, y) if accuracy == "auto" else accuracy
    if isinstance(acc_fn, str):
        raise ValueError(f"fit: accuracy must be 'auto', None or a function, got {acc_fn!r}")
    rng: Any = make_rng(seed, "fit(seed)") if shuffle and size < len(X) else random
    order = list(range(len(X)))
    history = History()
    bar = progress_bar(epochs, progress)
    step = 0
    compiled = CompiledLoss(model, loss_fn, name, X, y, l2, rows) if compile else None
    try:
        for epoch in range(epochs):
            if size < len(X) and shuffle:
                rng.shuffle(order)
            total = 0.0
            outs_all: list[list[float]] = []
            for start in range(0, len(X), size):
                idx = order[start : start + size]
                if schedule is not None:
                    opt.lr = schedule(step)
                where = (step + 1, epoch + 1)
                if compiled is not None:  # the same update from generated code (nn.compiled)
                    E_value, floats = _compiled_step(compiled, opt, idx, where)
                else:
                    E_value, floats = _eager_step(model, loss_fn, rows, X, y, idx, (l2, params), opt, where)
                step += 1
                total += E_value * len(idx)
                outs_all.extend(floats)
            history.loss.append(total / len(X))
            history.lr.append(opt.lr)
            history.grad_norms.append(grad_norms(model))
            ordered = [y[i] for i in order]
            history.accuracy.append(acc_fn(outs_all, ordered) if acc_fn is not None else None)
            acc = history.accuracy[-1]
            bar.update(epoch + 1, f"loss {history.loss[-1]:.4g}" + ("" if acc is None else f"  acc {acc:.1%}"))
            asked = callback is not None and callback(epoch, history)
            if loss_tol is not None and history.loss[-1] < loss_tol:
                history.stopped = "loss_tol"
            elif target_accuracy is not None and acc is not None and acc >= target_accuracy:
                history.stopped = "target_accuracy"
            elif asked:
                history.stopped = "callback"
            if history.stopped != "epochs":
                break
    finally:
        bar.close()
    return history
