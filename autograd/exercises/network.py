"""The study note's 2-2-1 network by hand: the deltas δ_k and δ_j, then the updates Δw = η δ y.

The network (the note's first update; ``nn.data.NOTE_WEIGHTS``, written here again because
``autograd`` never imports ``nn`` — a test checks the two agree):

    x = (1, 0.5), t = 1, sigmoid everywhere
    hidden j0: z_j0 = 0.5·x0 − 0.3·x1 + 0.1     hidden j1: z_j1 = 0.2·x0 + 0.8·x1 − 0.1
    output k:  z_k = 0.6·y_j0 + 0.9·y_j1 + b_k, with b_k such that y_k = σ(z_k) = 0.8
    E = ½ (t − y_k)²,  δ_k = (t − y_k) f′(z_k),  δ_j = f′(z_j) δ_k w_jk,  Δw_ij = η δ_j y_i (η = 1)

The graph is built from ``Value`` nodes, so the true numbers are the engine's, and the deltas are
graded with ``check_by_hand`` (δ = −∂E/∂z): a δ_j worked out right from a wrong δ_k is
*inherited* (half a point: the step was right), a wrong step is *local* (no point), and the
feedback writes the step out with the learner's own numbers.
"""

from __future__ import annotations

import math
from typing import Any

from autograd.byhand import INHERITED, RIGHT, check_by_hand
from autograd.engine import Value
from autograd.exercises.base import Exercise, Grade, Key, close, read_parts, sign_or_size
from autograd.functional.gradients import float_gradients

X, T, ETA = (1.0, 0.5), 1.0, 1.0
HIDDEN = {"j0": ((0.5, -0.3), 0.1), "j1": ((0.2, 0.8), -0.1)}  # w_x0j, w_x1j, b_j
OUTPUT = (0.6, 0.9)  # w_j0k, w_j1k
FIRST_PREDICTION = 0.8


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def network() -> dict[str, Value]:
    """The note's network at its first update, as labelled nodes (x0, w_x0_j0, z_j0, y_j0, …, z_k, y_k, E)."""
    g: dict[str, Value] = {}
    xs = [Value(x, label=f"x{i}") for i, x in enumerate(X)]
    g.update({v.label: v for v in xs})
    ys = []
    for j, (ws, b) in HIDDEN.items():
        wv = [Value(w, label=f"w_x{i}_{j}") for i, w in enumerate(ws)]
        bv = Value(b, label=f"b_{j}")
        z = wv[0] * xs[0] + wv[1] * xs[1] + bv
        z.label = f"z_{j}"
        y = z.sigmoid()
        y.label = f"y_{j}"
        g.update({v.label: v for v in (*wv, bv, z, y)})
        ys.append(y)
    wk = [Value(w, label=f"w_j{i}_k") for i, w in enumerate(OUTPUT)]
    zk_wanted = math.log(FIRST_PREDICTION / (1 - FIRST_PREDICTION))  # σ(z_k) = 0.8
    bk = Value(zk_wanted - sum(w.data * y.data for w, y in zip(wk, ys, strict=True)), label="b_k")
    zk = wk[0] * ys[0] + wk[1] * ys[1] + bk
    zk.label = "z_k"
    yk = zk.sigmoid()
    yk.label = "y_k"
    E = 0.5 * (T - yk) ** 2
    E.label = "E"
    g.update({v.label: v for v in (*wk, bk, zk, yk, E)})
    return g


_NETWORK_TEXT = (
    "The study note's 2-2-1 sigmoid network at its first update: inputs x = (1, 0.5), target t = 1.\n\n"
    "* hidden j0: z_j0 = 0.5·x0 − 0.3·x1 + 0.1;  hidden j1: z_j1 = 0.2·x0 + 0.8·x1 − 0.1;  y_j = σ(z_j)\n"
    "* output k: z_k = 0.6·y_j0 + 0.9·y_j1 + b_k, where b_k makes the first prediction y_k = σ(z_k) = 0.8\n"
    "* E = ½ (t − y_k)²;  σ′(z) = y(1 − y)\n\n")


def _f(g: dict[str, Value], n: str) -> float:
    """f′(z) = y(1 − y) of neuron ``n`` (k, j0, j1)."""
    y = g[f"y_{n}"].data
    return y * (1.0 - y)


class NoteDeltas(Exercise):
    name = "note_deltas"
    title = "The note's 2-2-1 network: δ_k and δ_j by hand"
    text = _NETWORK_TEXT + (
        "Work out the deltas of the note, δ = −∂E/∂z:\n\n"
        "* at the output, δ_k = (t − y_k) f′(z_k)\n"
        "* in the hidden layer, δ_j = f′(z_j) Σ_k δ_k w_jk (one output here: δ_j = f′(z_j) δ_k w_jk)\n\n"
        "A δ_j worked out correctly from a wrong δ_k earns half a point: the step was right.")
    template = '{"δ_k": ..., "δ_j0": ..., "δ_j1": ...}'
    keys = (Key("δ_k", ("delta_k", "d_k")), Key("δ_j0", ("delta_j0", "d_j0")), Key("δ_j1", ("delta_j1", "d_j1")))

    def check(self, answer: Any) -> Grade:
        numbers, grade = read_parts(answer, self.keys, self.name)
        if not numbers:
            return grade
        g = network()
        z = {"δ_k": g["z_k"], "δ_j0": g["z_j0"], "δ_j1": g["z_j1"]}
        report = check_by_hand(g["E"], {z[k]: -v for k, v in numbers.items()}, rtol=1e-3, atol=1e-9)
        dk = numbers.get("δ_k")
        true_dk = (T - g["y_k"].data) * _f(g, "k")
        for key in (k.name for k in self.keys):
            if key not in numbers:
                continue
            row = report.row_of(z[key])
            theirs, true = numbers[key], -row.true
            if row.verdict == RIGHT:
                grade.score += 1
                grade.parts[key] = "right"
                grade.feedback.append(f"{key} = {theirs:.6g}: right")
                continue
            grade.parts[key] = row.verdict
            if key == "δ_k":
                hint = " — the note's δ is −∂E/∂z: (t − y_k), not (y_k − t)" if close(theirs, -true) else ""
                grade.feedback.append(
                    f"δ_k = {theirs:.6g} is wrong ({sign_or_size(theirs, true)}): the output step is "
                    f"δ_k = (t − y_k) f′(z_k) = ({T:g} − {g['y_k'].data:.4g}) · {_f(g, 'k'):.4g} = {true_dk:.6g}{hint}")
                continue
            j = key[2:]
            w = OUTPUT[int(j[1])]
            upstream = dk if dk is not None else true_dk
            should = _f(g, j) * upstream * w
            if row.verdict == INHERITED:
                grade.score += 0.5
                grade.feedback.append(f"{key} = {theirs:.6g}: the step from δ_k is right (f′(z_{j}) · δ_k · w_{j}k "
                                      f"with your δ_k = {upstream:.6g}); it is wrong only because δ_k is (½ point)")
            else:
                grade.feedback.append(
                    f"{key} = {theirs:.6g} is wrong in its own step ({sign_or_size(theirs, should)}): "
                    f"δ_{j} = f′(z_{j}) · δ_k · w_{j}k = y_{j}(1 − y_{j}) · δ_k · w_{j}k = {_f(g, j):.4g} · "
                    f"{upstream:.6g} · {w:g} = {should:.6g} on the edge y_{j} → z_k")
        return grade


_UPDATES = [(f"Δw_x{i}_{j}", f"w_x{i}_{j}", f"x{i} → z_{j}") for j in HIDDEN for i in range(2)] + \
    [(f"Δb_{j}", f"b_{j}", f"bias → z_{j}") for j in HIDDEN] + \
    [(f"Δw_j{i}_k", f"w_j{i}_k", f"y_j{i} → z_k") for i in range(2)] + [("Δb_k", "b_k", "bias → z_k")]


class NoteUpdates(Exercise):
    name = "note_updates"
    title = "The note's 2-2-1 network: the updates Δw = η δ y"
    text = _NETWORK_TEXT + (
        "With the deltas δ_k and δ_j (exercise note_deltas) and η = 1, work out the first update of every "
        "weight and bias: Δw_ij = η δ_j y_i, where y_i is what flows along the edge into neuron j (an input x_i "
        "for the hidden layer, y_j for the output), and Δb_j = η δ_j.")
    template = ("{" + ", ".join(f'"{k}": ...' for k, _, _ in _UPDATES) + "}")
    keys = tuple(Key(k, (k.replace("Δ", "d"), k.replace("Δ", "delta_"))) for k, _, _ in _UPDATES)

    def check(self, answer: Any) -> Grade:
        numbers, grade = read_parts(answer, self.keys, self.name)
        if not numbers:
            return grade
        g = network()
        dE = float_gradients(g["E"], [g[p] for _, p, _ in _UPDATES])  # the engine's ∂E/∂w, touching no .grad
        trues = {key: -ETA * d for (key, _, _), d in zip(_UPDATES, dE, strict=True)}
        for key, p, edge in _UPDATES:
            if key not in numbers:
                continue
            theirs, true = numbers[key], trues[key]
            if close(theirs, true):
                grade.score += 1
                grade.parts[key] = "right"
                continue
            grade.parts[key] = "wrong"
            n = edge.split("z_")[1]
            delta = true / (self._input(g, edge) * ETA)
            y = self._input(g, edge)
            what = "y_i = 1 (a bias)" if edge.startswith("bias") else f"y_i = {edge.split(' ')[0]} = {y:.4g}"
            hint = ""
            if close(theirs, -true):
                hint = "; the sign is flipped: Δw = +η δ y, since δ = −∂E/∂z already carries the minus"
            elif not edge.startswith("bias") and close(theirs, ETA * delta * g[p].data):
                hint = "; you multiplied by the weight: Δw uses the value y_i flowing along the edge"
            grade.feedback.append(f"{key} (edge {edge}) = {theirs:.6g} is wrong: Δw = η δ_{n} y_i with η = {ETA:g}, "
                                  f"δ_{n} = {delta:.6g} and {what}, so {true:.6g}{hint}")
        if grade.passed:
            grade.feedback.append("every update right: this is the note's first step of gradient descent")
        return grade

    @staticmethod
    def _input(g: dict[str, Value], edge: str) -> float:
        source = edge.split(" ")[0]
        return 1.0 if source == "bias" else g[source].data
