"""The house rules, read from the source with ``ast``: no import cycles, a small top of ``autograd/``.

Every module of ``autograd/``, ``nn/``, ``benchmarks/`` and ``scripts/`` is parsed; every ``import``
/ ``from … import`` anywhere in it (at the top, under ``if TYPE_CHECKING:``, inside a function,
relative or absolute) that names one of our packages is an edge of the import graph.
``from autograd import ops`` is an edge to ``autograd.ops`` when that is a module, else to the
package ``autograd`` (whose ``__init__`` runs first in any case: importing ``autograd.ops`` runs
``autograd/__init__.py``, which is not counted as an edge, since Python allows it when the package
imports its submodules in order). An import inside a function is only for an optional third-party
dependency, never to dodge a cycle.
"""

from __future__ import annotations

import ast
import functools
import sys
from pathlib import Path

import pytest

from autograd.compat.surface import ValueSurface
from autograd.engine import Value

ROOT = Path(__file__).resolve().parent.parent
OURS = ("autograd", "nn", "benchmarks", "scripts")
PACKAGES = ("autograd", "nn", "benchmarks", "scripts")
# third-party extras imported lazily
OPTIONAL = {"matplotlib", "tqdm", "graphviz", "pygraphviz", "micrograd", "sympy", "ipywidgets"}
TOP_OF_AUTOGRAD = {"operators", "ops", "engine", "backprop", "graph", "reductions", "testing", "__init__", "__main__"}
CORE = ("engine", "ops", "backprop")
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    base = ROOT.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def resolve(node: ast.Import | ast.ImportFrom, me: str, is_package: bool) -> list[str]:
    """The modules an import statement in module ``me`` names (a submodule when ``name`` is one)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:  # relative: from . import x, from ..pkg import y
        package = me.split(".") if is_package else me.split(".")[:-1]
        anchor = package[: len(package) - (node.level - 1)]
        base = ".".join([*anchor, *([base] if base else [])])
    out = []
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        out.append(sub if is_module(sub) else base)
    return out


@functools.cache
def imports(path: Path) -> list[tuple[str, bool, int]]:
    """(imported module, whether inside a function, line) for every import in ``path``."""
    return imports_in(path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py")


def imports_in(text: str, me: str, is_package: bool = False) -> list[tuple[str, bool, int]]:
    """The same for the source ``text`` of module ``me``."""
    tree = ast.parse(text)
    found: list[tuple[str, bool, int]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.extend((t, in_function, child.lineno) for t in resolve(child, me, is_package))
            visit(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    visit(tree, False)
    return found


def files(*packages: str) -> list[Path]:
    return sorted(p for pkg in packages for p in (ROOT / pkg).rglob("*.py"))


def imports_ours(path: Path) -> bool:
    return any(t.split(".")[0] in ("autograd", "nn") for t, _, _ in imports(path))


def modules() -> list[Path]:
    """autograd/ and nn/, plus benchmarks/ and scripts/ modules that import our packages."""
    return files("autograd", "nn") + [p for p in files("benchmarks", "scripts") if imports_ours(p)]


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in modules():
        me = module_name(path)
        graph[me] = {t for t, _, _ in imports(path) if t.split(".")[0] in OURS and t != me}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def dfs(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (found := dfs(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := dfs(node)):
            return found
    return None


def lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


# ---------------------------------------------------------------------------------------------
# The checker itself can fail.


def test_the_checker_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
    assert find_cycle({"a": {"a"}}) == ["a", "a"]


def test_the_checker_resolves_relative_and_submodule_imports() -> None:
    def one(code: str, me: str, is_package: bool = False) -> list[str]:
        node = ast.parse(code).body[0]
        assert isinstance(node, (ast.Import, ast.ImportFrom))
        return resolve(node, me, is_package)

    assert one("from autograd import ops, Value", "autograd.engine") == ["autograd.ops", "autograd"]
    assert one("from . import ops", "autograd.engine") == ["autograd.ops"]
    assert one("from .nodes import check_graph", "autograd.checking", is_package=True) == ["autograd.checking.nodes"]
    assert one("from ..engine import Value", "autograd.checking.nodes") == ["autograd.engine"]
    assert one("import autograd.drawing.draw", "nn.report") == ["autograd.drawing.draw"]


def test_the_checker_sees_imports_in_functions_and_under_type_checking() -> None:
    code = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from autograd import engine\n"
            "def f():\n    import nn.layers\nclass C:\n    def m(self):\n        from . import ops\n")
    assert imports_in(code, "autograd.x") == [("typing", False, 1), ("autograd.engine", False, 3),
                                              ("nn.layers", True, 5), ("autograd.ops", True, 8)]


def test_the_graph_has_real_edges() -> None:
    graph = import_graph()
    assert "autograd.ops" in graph["autograd.engine"]
    assert "nn.serialize" in graph["nn.module"]
    assert any(name.startswith("benchmarks.") for name in graph)


# ---------------------------------------------------------------------------------------------
# The rules.


def test_no_import_cycle_among_our_modules() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def test_imports_inside_functions_are_only_optional_third_party() -> None:
    bad = []
    for path in modules():
        for target, in_function, line in imports(path):
            root = target.split(".")[0]
            if in_function and (root in OURS or root not in OPTIONAL):
                bad.append(f"{path.relative_to(ROOT)}:{line}: import {target} inside a function")
    assert bad == [], "\n".join(bad)


def test_our_packages_use_absolute_imports() -> None:
    bad = []
    for path in files("autograd", "nn"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        bad += [f"{path.relative_to(ROOT)}:{n.lineno}" for n in ast.walk(tree)
                if isinstance(n, ast.ImportFrom) and n.level]
    assert bad == [], f"relative imports (use absolute ones): {bad}"


def test_autograd_never_imports_nn() -> None:
    bad = [f"{path.relative_to(ROOT)}:{line}: {target}" for path in files("autograd")
           for target, _, line in imports(path) if target.split(".")[0] == "nn"]
    assert bad == [], "\n".join(bad)


def test_nn_does_not_import_the_package_root_from_a_submodule() -> None:
    """``from nn import x`` must name a submodule: the package ``nn`` itself imports every submodule."""
    for path in files("nn"):
        if path.name in ("__init__.py", "__main__.py"):
            continue
        assert "nn" not in {t for t, _, _ in imports(path)}, path.name


def test_delta_takes_nothing_from_the_engine() -> None:
    """The delta rule is an oracle: it may not import autograd (its ops, its derivatives) at all."""
    assert {t for t, _, _ in imports(ROOT / "nn" / "delta.py") if t.split(".")[0] == "autograd"} == set()
    assert "nn.activations" not in import_graph()["nn.delta"]


@pytest.mark.parametrize("package", ["autograd", "nn", "benchmarks", "scripts"])
def test_no_module_is_over_400_lines(package: str) -> None:
    long = {str(p.relative_to(ROOT)): n for p in files(package) if (n := lines(p)) > MAX_LINES}
    assert long == {}, f"modules over {MAX_LINES} lines: {long}; split them by idea"


def test_the_top_of_autograd_is_the_engine_alone() -> None:
    top = {p.stem for p in (ROOT / "autograd").glob("*.py")}
    extra = top - TOP_OF_AUTOGRAD
    assert not extra, (f"new top-level modules in autograd/: {sorted(extra)}; a new capability goes in its own "
                       "subpackage (autograd/<name>/__init__.py)")
    assert {"operators", "ops", "engine", "backprop"} <= top


CORE_BUDGET = 610  # lines; the target is about 600 (1,123 before the core was slimmed, then 756)


def code_lines(path: Path) -> int:
    """Lines that are neither blank, nor a comment, nor part of a docstring."""
    source = path.read_text(encoding="utf-8")
    docs: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            docs.update(range(body[0].lineno, (body[0].end_lineno or body[0].lineno) + 1))
    return sum(1 for k, text in enumerate(source.splitlines(), 1)
               if k not in docs and text.strip() and not text.strip().startswith("#"))


def test_the_core_stays_small(capsys: pytest.CaptureFixture[str]) -> None:
    sizes = {name: lines(ROOT / "autograd" / f"{name}.py") for name in CORE}
    code = {name: code_lines(ROOT / "autograd" / f"{name}.py") for name in CORE}
    with capsys.disabled():
        print(f"\ncore a learner reads first: {sum(sizes.values())} lines ({sum(code.values())} of code) "
              + ", ".join(f"{k}.py {v} ({code[k]})" for k, v in sizes.items()))
    assert all(0 < code[k] < sizes[k] for k in CORE)
    assert sum(sizes.values()) <= CORE_BUDGET, (f"the core grew to {sum(sizes.values())} lines (budget {CORE_BUDGET}): "
                                                "move what a learner does not need first into a subpackage")


def test_a_node_is_only_its_slots_although_value_inherits_its_habits() -> None:
    """``Value`` inherits ``compat.surface.ValueSurface``; every class it is made of declares ``__slots__``,
    so a node has no ``__dict__`` and is as small as a class with the same eight slots and no base."""
    assert ValueSurface in Value.__mro__
    assert all("__slots__" in vars(cls) for cls in Value.__mro__ if cls is not object)
    assert ValueSurface.__slots__ == ()
    assert not hasattr(Value(1.0), "__dict__")
    plain = type("Plain", (), {"__slots__": Value.__slots__})
    assert sys.getsizeof(Value(1.0)) == sys.getsizeof(plain())
