"""The layer rules, written down: what each part of the package may import.

Every import statement counts, at module level, inside functions and under
``TYPE_CHECKING``: a cycle hidden in a function is still a cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = "wai_contract"
CONFORMANCE = f"{PACKAGE}.conformance"

CONFORMANCE_LAYERS = [
    {"http"},
    {"cases", "problems"},
    {"answers"},
    {"checks"},
    {"contract"},
    {"results", "plan", "target"},
    {"merge", "reporters"},
    {"engine"},
]
"""The conformance wing's entries, lowest first: each imports only from its own layer and
those below it (and from outside the wing)."""
MAX_TOP_ENTRIES = 14


def _modules() -> dict[str, Path]:
    found = {}
    for path in (SRC / PACKAGE).rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


@cache
def import_graph() -> dict[str, set[str]]:
    """Every module of the package, and the modules of the package it imports."""
    modules = _modules()

    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        here = name if is_package else name.rpartition(".")[0]
        graph[name] = {
            found
            for imported in _imports(ast.parse(path.read_text("utf-8")), here)
            if (found := known(imported)) and found != name
        }
    return graph


def _imports(tree: ast.AST, here: str) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name.startswith(PACKAGE))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.split(".")[: len(here.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.startswith(PACKAGE):
                yield from (f"{module}.{alias.name}" for alias in node.names)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for child in graph[node]:
            if child not in index:
                visit(child)
                low[node] = min(low[node], low[child])
            elif child in stack:
                low[node] = min(low[node], index[child])
        if low[node] == index[node]:
            component = []
            while not component or component[-1] != node:
                component.append(stack.pop())
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _entry(module: str) -> str | None:
    """The conformance entry (``http``, ``engine``, ...) a module belongs to."""
    if not module.startswith(CONFORMANCE + "."):
        return None
    return module[len(CONFORMANCE) + 1 :].split(".")[0]


def _layer(entry: str) -> int:
    return next(number for number, layer in enumerate(CONFORMANCE_LAYERS) if entry in layer)


def test_no_module_imports_another_that_imports_it_back() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_hidden_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_nothing_imports_the_package_root() -> None:
    climbing = [name for name, imported in import_graph().items() if PACKAGE in imported]
    assert climbing == []


def test_every_conformance_entry_has_a_layer() -> None:
    entries = {e for name in import_graph() if (e := _entry(name))}
    placed = set().union(*CONFORMANCE_LAYERS)
    assert entries == placed
    assert len(entries) + 1 <= MAX_TOP_ENTRIES  # and __init__.py


@pytest.mark.parametrize("layer", range(len(CONFORMANCE_LAYERS)))
def test_conformance_entries_import_only_their_layer_and_below(layer: int) -> None:
    climbing = []
    for name, imported in import_graph().items():
        entry = _entry(name)
        if entry is None or _layer(entry) != layer:
            continue
        for other in imported:
            target = _entry(other)
            if target is not None and target != entry and _layer(target) >= layer:
                climbing.append(f"{name} -> {other}")
    assert climbing == []


def test_the_engine_helpers_are_private_and_used_only_by_the_engine() -> None:
    engine = f"{CONFORMANCE}.engine"
    helpers = [name for name in import_graph() if name.startswith(engine + ".")]
    assert helpers and all(name.rpartition(".")[2].startswith("_") for name in helpers)
    users = {
        name
        for name, imported in import_graph().items()
        if any(h in imported for h in helpers) and not name.startswith(engine)
    }
    assert users == set()


def test_only_the_cli_imports_click() -> None:
    users = [
        path.relative_to(SRC).as_posix()
        for name, path in _modules().items()
        if not name.startswith(f"{PACKAGE}.cli")
        and any(
            isinstance(node, ast.Import | ast.ImportFrom)
            and any(
                (getattr(node, "module", None) or alias.name).split(".")[0] == "click"
                for alias in node.names
            )
            for node in ast.walk(ast.parse(path.read_text("utf-8")))
        )
    ]
    assert users == []
