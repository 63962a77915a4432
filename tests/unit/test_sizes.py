"""Small modules and short functions, in the package, the tests and the benchmarks: a
module a reader can hold in mind, a function that fits on a screen."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("src", "tests", "bench")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _python_files() -> list[Path]:
    return sorted(p for folder in FOLDERS for p in (ROOT / folder).rglob("*.py"))


def long_functions(text: str) -> list[str]:
    """Functions of *text* longer than the bound (from ``def`` to their last line)."""
    return [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]


def test_no_module_is_longer_than_the_bound() -> None:
    long = {
        p.relative_to(ROOT).as_posix(): n
        for p in _python_files()
        if (n := len(p.read_text("utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


@pytest.mark.parametrize("folder", FOLDERS)
def test_no_function_is_longer_than_the_bound(folder: str) -> None:
    long = {
        p.relative_to(ROOT).as_posix(): found
        for p in sorted((ROOT / folder).rglob("*.py"))
        if (found := long_functions(p.read_text("utf-8")))
    }
    assert long == {}


def test_a_long_function_is_found() -> None:
    body = "\n".join(f"    x = {n}" for n in range(MAX_FUNCTION_LINES))
    assert long_functions(f"def f():\n{body}\n") == [f"f ({MAX_FUNCTION_LINES + 1} lines)"]
