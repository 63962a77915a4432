"""Shared helpers for both test tiers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"


def pytest_configure(config: pytest.Config) -> None:
    """Compile the package once, before the workers start: the tests start the CLI and
    pytest itself in new processes some hundred times, and where PYTHONDONTWRITEBYTECODE is
    set (as on our machines) each would compile the package again (about 60 ms a start)."""
    if not hasattr(config, "workerinput"):
        import compileall

        import wai_contract

        compileall.compile_dir(Path(wai_contract.__file__).parent, quiet=1)


def page_schema(text: str) -> dict[str, Any]:
    """The input schema printed under 'API Schemas' on the vendor's page."""
    start = text.index("{", text.index("The following schemas are based on JSON Schema"))
    schema: dict[str, Any] = json.loads(text[start:])
    return schema


@pytest.fixture(scope="session")
def input_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS / "input.json").read_text("utf-8"))
    return schema
