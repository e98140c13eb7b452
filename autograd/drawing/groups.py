"""Grouping a drawn graph by neuron and layer, from parameter names (``autograd`` never imports ``nn``).

``draw_dot(root, groups=model)`` accepts anything with ``named_parameters()`` returning
``(name, Value)`` pairs, a mapping name → Value, or an iterable of such pairs. Names are dotted
paths such as ``layers.0.neurons.1.w.0`` or ``layers.0.neurons.1.b``.

The rule, in the order nodes are computed (parents before children):

1. A parameter belongs to its **owner**: its name without the parameter's own name and index
   (``layers.0.neurons.1.w.0`` and ``layers.0.neurons.1.b`` → ``layers.0.neurons.1``).
2. A node with parameters among its parents joins their owner's cluster (z_j = Σ_i w_ij x_i + b_j
   joins neuron j). If its parameters belong to different owners it joins none.
3. Otherwise a node whose parents all lie in one cluster joins it (the partial sums of a neuron).
4. A node with one parent (an activation such as tanh, or an op with a constant) joins its
   parent's cluster, but only one step past rules 2–3: the neuron's y_j = f(z_j) is inside, while
   arithmetic done after it (a loss such as (y − 1)²) is not.

Clusters nest at every numeric index of the owner's path: neuron ``layers.0.neurons.1`` is drawn
inside layer ``layers.0``. Operation nodes sit in the cluster of the node they compute.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from autograd.engine import Value

MAX_DEPTH = 64
"""The most nested clusters a parameter name may ask for (one per numeric index in its path)."""


def named_values(groups: Any, option: str = "groups") -> list[tuple[str, Value]]:
    """``(name, Value)`` pairs from a model (``named_parameters()``), a mapping or an iterable of pairs.

    A Value listed under two names (shared weights) keeps its first name. ``option`` is the
    argument of ``draw_dot`` being read (``groups`` or ``params``), for the error messages. A name
    nesting deeper than ``MAX_DEPTH`` clusters is refused (checked in time linear in its length).
    """
    if hasattr(groups, "named_parameters"):
        items: Any = groups.named_parameters()
    elif isinstance(groups, Mapping):
        items = groups.items()
    elif isinstance(groups, Iterable) and not isinstance(groups, (str, bytes)):
        items = groups
    else:
        raise TypeError(
            f"draw_dot({option}=...): expected an object with named_parameters(), a mapping name -> Value "
            f"or (name, Value) pairs, got {type(groups).__name__}"
        )
    pairs: list[tuple[str, Value]] = []
    seen: set[Value] = set()
    for item in items:
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)
                and isinstance(item[1], Value)):
            raise TypeError(
                f"draw_dot({option}=...): each entry must be a (name, Value) pair with a str name, got {item!r:.80}"
                + ("; a mapping maps names to Value nodes: {'w': Value(0.5)}" if isinstance(groups, Mapping) else "")
            )
        depth = _depth(item[0])
        if depth > MAX_DEPTH:
            raise ValueError(
                f"draw_dot({option}=...): the name {item[0][:60]!r}… ({len(item[0])} characters) nests {depth} "
                f"clusters, more than {MAX_DEPTH}; use shorter dotted names (such as layers.0.neurons.1.w.0)"
            )
        if item[1] not in seen:
            seen.add(item[1])
            pairs.append(item)
    return pairs


def _depth(name: str) -> int:
    """How many nested clusters ``name`` would make (one per numeric part after the first), in linear time."""
    return sum(1 for i, part in enumerate(name.split(".")) if i > 0 and part.isdigit())


def owner_of(name: str) -> str:
    """The module a parameter belongs to: ``layers.0.neurons.1.w.0`` → ``layers.0.neurons.1``."""
    parts = name.split(".")
    if len(parts) > 1 and parts[-1].isdigit():
        parts.pop()
    return ".".join(parts[:-1])


def short_name(name: str) -> str:
    """A parameter's name within its owner, shown when it has no label: ``….neurons.1.w.0`` → ``w.0``."""
    owner = owner_of(name)
    return name[len(owner) + 1:] if owner else name


def cluster_chain(owner: str) -> list[str]:
    """The nested clusters of an owner, outermost first: one per numeric index, and the owner itself.

    ``layers.0.neurons.1`` → ``['layers.0', 'layers.0.neurons.1']``; ``encoder`` → ``['encoder']``.
    """
    if not owner:
        return []
    parts = owner.split(".")
    chain = [".".join(parts[: i + 1]) for i, part in enumerate(parts) if part.isdigit() and i > 0]
    if not chain or chain[-1] != owner:
        chain.append(owner)
    return chain


def assign_clusters(order: list[Value], owners: Mapping[Value, str]) -> dict[Value, str]:
    """Each node's cluster (its owner path) by the module docstring's rules; ``order``: parents first."""
    cluster: dict[Value, str] = {}
    steps: dict[Value, int] = {}  # single-parent steps taken past rules 2–3
    for v in order:
        owner = owners.get(v)
        if owner is not None:
            if owner:
                cluster[v], steps[v] = owner, 0
            continue
        parents = v._prev
        if not parents:
            continue
        from_params = {owners[p] for p in parents if p in owners}
        if from_params:
            if len(from_params) == 1 and "" not in from_params:
                cluster[v], steps[v] = from_params.pop(), 0
            continue
        distinct = set(parents)
        if len(distinct) == 1:
            (p,) = distinct
            if p in cluster and steps[p] == 0:
                cluster[v], steps[v] = cluster[p], 1
            continue
        found = {cluster.get(p) for p in distinct}
        if len(found) == 1 and None not in found:
            cluster[v], steps[v] = cluster[next(iter(distinct))], 0
    return cluster


class ClusterTree:
    """Nested clusters in first-seen order; each holds its own nodes and its child clusters."""

    def __init__(self) -> None:
        self.children: dict[str, list[str]] = {"": []}
        self.members: dict[str, list[Value]] = {}

    def declare(self, owner: str) -> None:
        """Make the clusters of ``owner`` (and the layers around it) exist, in call order."""
        parent = ""
        for path in cluster_chain(owner):
            if path not in self.children:
                self.children[path] = []
                self.children[parent].append(path)
            parent = path

    def add(self, owner: str, node: Value) -> None:
        self.declare(owner)
        self.members.setdefault(owner, []).append(node)

    def label_of(self, path: str, parent: str) -> str:
        """The part of ``path`` below its parent cluster: ``neurons.1`` inside ``layers.0``."""
        return path[len(parent) + 1:] if parent else path
