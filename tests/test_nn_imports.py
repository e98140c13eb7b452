"""``nn``'s own imports form no cycle, counting imports inside functions, and every module stays readable.

Each module of ``nn/`` is parsed with ``ast``; every ``import`` / ``from … import`` anywhere in it
(at the top, under ``if TYPE_CHECKING``, inside a function) that names one of our packages
(``nn``, ``autograd``) is an edge. ``from nn import losses`` is an edge to ``nn.losses`` when that
is a module, else to the package ``nn``. An import inside a function is only for an optional
third-party dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = ("nn", "autograd")
OPTIONAL = {"matplotlib", "tqdm", "graphviz"}  # third-party extras a function may import lazily


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    base = ROOT.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _targets(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level or node.module is None:
        raise AssertionError(f"relative import at line {node.lineno}: use absolute imports")
    out = []
    for alias in node.names:
        sub = f"{node.module}.{alias.name}"
        out.append(sub if _is_module(sub) else node.module)
    return out


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(imported module, whether the import is inside a function) for every import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.extend((t, in_function) for t in _targets(child))
            visit(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    visit(tree, False)
    return found


def _nn_files() -> list[Path]:
    return sorted((ROOT / "nn").glob("*.py"))


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in _nn_files():
        me = _module_name(path)
        graph[me] = {t for t, _ in _imports(path) if t.split(".")[0] == "nn" and t != me}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
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


def test_nn_has_no_import_cycle() -> None:
    graph = _graph()
    assert "nn.module" in graph and "nn.serialize" in graph["nn.module"]  # the checker sees real edges
    assert _cycle(graph) is None, " → ".join(_cycle(graph) or [])


def test_the_checker_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_imports_inside_functions_are_only_optional_third_party() -> None:
    bad = []
    for path in _nn_files():
        for target, in_function in _imports(path):
            root = target.split(".")[0]
            if in_function and (root in OURS or root not in OPTIONAL):
                bad.append(f"{path.name}: {target}")
    assert bad == []


def test_nn_does_not_import_the_package_root_from_a_submodule() -> None:
    """``from nn import x`` must name a submodule: the package ``nn`` itself imports every submodule."""
    for path in _nn_files():
        if path.name in ("__init__.py", "__main__.py"):
            continue
        assert "nn" not in {t for t, _ in _imports(path)}, path.name


def test_delta_takes_nothing_from_the_engine() -> None:
    """The delta rule is an oracle: it may not import autograd (its ops, its derivatives) at all."""
    assert {t for t, _ in _imports(ROOT / "nn" / "delta.py") if t.split(".")[0] == "autograd"} == set()
    assert "nn.activations" not in _graph()["nn.delta"]


def test_no_nn_module_is_over_400_lines() -> None:
    long = {p.name: n for p in _nn_files() if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}
