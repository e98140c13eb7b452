"""The structure guard: on every call, has anything the program relies on been replaced?

The program reads its parameters as fixed objects. Eager code finds them afresh on each call,
through the objects ``fn`` reaches: its closure and the globals it names, a bound method's
``self``, then lists, tuples, dicts and instances' attributes (``model.layers[0].neurons[1].w``).
A replaced weight (``neuron.w[0] = Value(5.0)``), an appended layer, a rebound global
(``model = nn.MLP(...)`` run again) or a changed attribute (``layer.act = "tanh"``) would make
the program stale. So at compile time ``Guard`` walks those objects and keeps, for every
container that leads to a parameter, a shallow copy of its contents; a call compares the live
containers with the copies in one ``==`` of two tuples (C code, identity first), then each free
variable, named global and default argument of the functions on the way with what it held (identity, else ``==``),
and the step traces again when anything differs. For micrograd's moons MLP (337 parameters: 37
dicts and 37 lists compared) that is about 2–2.5 µs a call, most of it the 37 dicts.

What it cannot see, and says so in docs/compile.md: objects with ``__slots__`` and no
``__dict__`` other than ``Value``, class attributes (a ``forward`` patched on the class), and
anything reached only through code the function calls that is not one of these containers.
``nn.Layer`` keeps its eager cache (copies of its neurons' weight lists, ``_Checked``) in such an
object on purpose: it is derived from the neurons' own lists, which are compared here, and eager
code checks it against them on every call; comparing the copies too cost 0.6 µs a call.
A parameter it cannot find at all is refused at compile time (``TraceError``): its replacement
could never be noticed.

While walking, an object with a ``named_parameters()`` method (an ``nn`` module, found by that
name alone) gives its parameters' names, the names ``explain`` and the drawings use.
"""

from __future__ import annotations

import functools
import math
import types
from collections.abc import Callable, Sequence
from typing import Any

from autograd.engine import Value

_MISSING = object()
_OPAQUE = (str, bytes, bytearray, int, float, complex, bool, type(None), type, types.ModuleType,
           types.BuiltinFunctionType, types.CodeType, range)
LIMIT = 200_000  # objects walked at most (a captured data set is walked too, and costs time)


def _other_zero(now: Any, held: Any) -> bool:
    """Whether ``now == held`` hides a change of sign: 0.0 and -0.0 are equal, but x·c or 1/c tell them apart."""
    return type(held) in (int, float) and held == 0 and math.copysign(1.0, now) != math.copysign(1.0, held)


def _contents(cell: types.CellType) -> Any:
    """What a closure cell holds now; ``_MISSING`` for an empty one (a variable not yet assigned, or deleted)."""
    try:
        return cell.cell_contents
    except ValueError:
        return _MISSING


def _names_of(code: types.CodeType) -> list[str]:
    """The global names ``code`` and the functions defined in it may read."""
    out = list(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            out += _names_of(c)
    return out


class _Refs:
    """A function's free variables, named globals and default arguments, read afresh at each call (as a
    container)."""

    def __init__(self, fn: types.FunctionType) -> None:
        self.fn = fn
        self.cells = tuple(fn.__closure__ or ())
        self.globals = fn.__globals__
        self.names = tuple(dict.fromkeys(n for n in _names_of(fn.__code__) if n in fn.__globals__))

    def defaults(self) -> tuple[Any, Any]:
        """The defaults now: ``fn.__defaults__ = (other_model,)`` rebinds them as a variable would be."""
        return self.fn.__defaults__, self.fn.__kwdefaults__

    def now(self) -> tuple[Any, ...]:
        return (*map(_contents, self.cells), *[self.globals.get(n, _MISSING) for n in self.names], *self.defaults())


def _children(obj: Any) -> tuple[Any, Any]:
    """(live container to compare, its items to walk) for ``obj``; (None, ()) for what is not walked."""
    if isinstance(obj, (list, dict)):
        return obj, obj.values() if isinstance(obj, dict) else obj
    if isinstance(obj, tuple):
        return None, obj  # immutable: only its items can change
    if isinstance(obj, _Refs):
        return obj, obj.now()
    if isinstance(obj, types.MethodType):
        return None, (obj.__self__, obj.__func__)
    if isinstance(obj, functools.partial):  # its keywords dict can change in place (p.keywords["scale"] = 5.0)
        return obj.keywords, (obj.func, obj.args, *obj.keywords.values())
    if isinstance(obj, types.FunctionType):
        return None, (_Refs(obj),)
    d = getattr(obj, "__dict__", None)
    if isinstance(d, dict) and not isinstance(obj, _OPAQUE):
        return d, d.values()
    return None, ()


class Guard:
    """Shallow copies of every container between ``fn`` and its leaves; ``stale()`` on each call."""

    def __init__(self, fn: Callable[..., Any], leaves: Sequence[Value]) -> None:
        wanted = {id(p) for p in leaves}
        up: dict[int, list[int]] = {}  # id(object) -> ids of the containers it was found in
        live: dict[int, Any] = {}  # id(container) -> the live container (list, dict, _Refs)
        seen: dict[int, Any] = {}  # id -> object (kept alive while walking)
        self.names: dict[int, str] = {}  # id(leaf) -> its name from a named_parameters() on the way
        self._named = self._counted = 0
        todo = [fn]
        seen[id(fn)] = fn
        while todo and len(seen) < LIMIT:
            obj = todo.pop()
            named = getattr(type(obj), "named_parameters", None)
            if callable(named) and not isinstance(obj, type) and self._unnamed(wanted):
                self._take_names(obj)  # the outermost module names them all: inner ones are not asked
            container, items = _children(obj)
            if container is not None:
                live[id(obj)] = container
            for x in items:
                if (isinstance(x, _OPAQUE) and not isinstance(x, type(None))) or x is None:
                    continue
                up.setdefault(id(x), []).append(id(obj))
                if id(x) not in seen and not isinstance(x, Value):
                    seen[id(x)] = x
                    todo.append(x)
        self.missing = [p for p in leaves if id(p) not in up]
        keep: set[int] = set()  # every container on some path from fn to a wanted leaf
        stack = [i for i in wanted if i in up]
        while stack:
            for parent in up.get(stack.pop(), []):
                if parent not in keep:
                    keep.add(parent)
                    stack.append(parent)
        containers = [live[i] for i in keep if i in live]
        self._refs = tuple(c for c in containers if isinstance(c, _Refs))
        self._live = tuple(c for c in containers if not isinstance(c, _Refs))
        self._snap = tuple(dict(c) if isinstance(c, dict) else list(c) for c in self._live)
        self._zeros = tuple((c, k, v) for c, snap in zip(self._live, self._snap, strict=True)  # held zeros: their sign
                            for k, v in (snap.items() if isinstance(snap, dict) else enumerate(snap))
                            if type(v) in (int, float) and v == 0)
        # each free variable and named global against the object it held then (identity first, then ==);
        # an empty cell or a missing global holds _MISSING
        self._cell_snap = tuple((c, _contents(c)) for r in self._refs for c in r.cells)
        self._global_snap = tuple((r.globals, n, r.globals.get(n, _MISSING)) for r in self._refs for n in r.names)
        self._default_snap = tuple((r.fn, *r.defaults()) for r in self._refs)

    def _unnamed(self, wanted: set[int]) -> bool:
        if self._counted != len(self.names):  # recounted only after a module named some
            self._counted = len(self.names)
            self._named = sum(1 for i in self.names if i in wanted)
        return self._named < len(wanted)

    def _take_names(self, module: Any) -> None:
        try:
            pairs = module.named_parameters()
        except Exception:  # someone else's named_parameters(): a name is only a nicety
            return
        for name, p in pairs if isinstance(pairs, (list, tuple)) else ():
            if isinstance(p, Value) and isinstance(name, str):
                self.names.setdefault(id(p), name)

    def stale(self) -> bool:
        """Whether any container has other contents than at compile time (identity, else ``==``): one
        comparison of two tuples in C for the lists and dicts, then each function's free variables and
        named globals one by one, and the defaults.

        Equal numbers count as the same, except 0.0 and -0.0 (``_other_zero``). A cell emptied since
        (``del`` of the variable) or a global deleted reads as ``_MISSING``, which is a change unless it
        was so at compile time; so is an item whose ``==`` raises (a numpy array replaced by another).
        """
        try:
            if self._live != self._snap:
                return True
            for container, key, held in self._zeros:  # (equal to what they held, see above: a sign may differ)
                if _other_zero(container[key], held):
                    return True
            for cell, held in self._cell_snap:
                try:
                    now = cell.cell_contents
                except ValueError:  # emptied (or still empty)
                    now = _MISSING
                if now is not held and (now != held or _other_zero(now, held)):
                    return True
            for space, name, held in self._global_snap:
                now = space.get(name, _MISSING)
                if now is not held and (now != held or _other_zero(now, held)):
                    return True
            for fn, defaults, kwdefaults in self._default_snap:
                now, kw = fn.__defaults__, fn.__kwdefaults__
                if (now is not defaults and now != defaults) or (kw is not kwdefaults and kw != kwdefaults):
                    return True
            return False
        except Exception:
            return True
