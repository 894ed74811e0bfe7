"""The use cases (``inventory/services/``) sit in no import loop: no module they import, directly
or not, imports them back. Checked on the syntax tree of every ``inventory`` module; an import
inside a function counts (it only runs later), one under ``if TYPE_CHECKING:`` does not (it
never runs). A package's ``__init__`` counts as imported by its sub-modules only when they
import it by name (Python loads it first, but that runs nothing of the sub-module's)."""

from __future__ import annotations

import ast
from collections.abc import Collection
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[2]
SERVICES = "inventory.services"


def module_name(path: Path, root: Path) -> str:
    """``inventory/services/core.py`` -> ``inventory.services.core``; a package's
    ``__init__.py`` is the package."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imported(tree: ast.Module, module: str, is_package: bool,
             modules: Collection[str]) -> set[str]:
    """The ``modules`` that ``module`` imports anywhere but under ``if TYPE_CHECKING:``;
    ``from a import b`` imports module ``a.b`` if there is one, else (``b`` is a name in it)
    module ``a``."""
    names: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, *([base] if base else [])])
            for alias in node.names:
                name = f"{base}.{alias.name}"
                names.add(name if name in modules else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {name for name in names if name in modules and name != module}


def import_graph(root: Path = ROOT) -> nx.DiGraph:
    """Module -> the ``inventory`` modules it imports (see :func:`imported`)."""
    paths = sorted((root / "inventory").rglob("*.py"))
    modules = {module_name(path, root): path for path in paths if "migrations" not in path.parts}
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        graph.add_edges_from((module, target) for target in imported(
            tree, module, path.name == "__init__.py", modules))
    return graph


def loops_through_services(graph: nx.DiGraph) -> list[str]:
    """Every import loop that passes through the services package, as ``a -> b -> a`` from
    its first module in alphabetical order."""
    loops = []
    for cycle in nx.simple_cycles(graph):
        if any(module == SERVICES or module.startswith(SERVICES + ".") for module in cycle):
            start = cycle.index(min(cycle))
            cycle = cycle[start:] + cycle[:start]
            loops.append(" -> ".join([*cycle, cycle[0]]))
    return sorted(loops)


def test_the_graph_sees_the_services_package() -> None:
    graph = import_graph()

    assert graph.has_edge("inventory.services.catalogue", "inventory.services.imports")
    assert graph.has_edge("inventory.services.accounts", "inventory.storage.db")


def test_no_import_loop_passes_through_the_services() -> None:
    loops = loops_through_services(import_graph())

    assert loops == [], "Import loops through inventory/services/:\n" + "\n".join(loops)


def test_a_later_import_counts_and_a_type_only_one_does_not() -> None:
    source = ("from typing import TYPE_CHECKING\nfrom inventory.storage import db\n"
              "if TYPE_CHECKING:\n    from inventory.b import B\n"
              "def f():\n    from inventory.c import C\n")
    modules = {"inventory", "inventory.a", "inventory.b", "inventory.c", "inventory.storage",
               "inventory.storage.db"}

    assert imported(ast.parse(source), "inventory.a", False, modules) == {"inventory.storage.db",
                                                                        "inventory.c"}


def test_a_loop_through_the_services_is_found() -> None:
    graph = nx.DiGraph([("inventory.services.catalogue", "inventory.results"),
                        ("inventory.results", "inventory.services"),
                        ("inventory.services", "inventory.services.catalogue"),
                        ("inventory.files.io", "inventory.files.bounded_read"),
                        ("inventory.files.bounded_read", "inventory.files.io")])

    assert loops_through_services(graph) == [
        "inventory.results -> inventory.services -> inventory.services.catalogue -> "
        "inventory.results"]
