"""Shared helpers for both test tiers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"


def page_schema(text: str) -> dict[str, Any]:
    """The input schema printed under 'API Schemas' on the vendor's page."""
    start = text.index("{", text.index("The following schemas are based on JSON Schema"))
    schema: dict[str, Any] = json.loads(text[start:])
    return schema


@pytest.fixture(scope="session")
def input_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS / "input.json").read_text("utf-8"))
    return schema
