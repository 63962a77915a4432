"""Shared helpers for both test tiers."""

from __future__ import annotations

import json
import os
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import properties  # noqa: F401  (the Hypothesis profiles, before any test module)

pytest_plugins = ["pytester"]

# With PYTHONDONTWRITEBYTECODE set (as on our machines), pytest cannot keep the modules whose
# asserts it rewrites, and every pytest process (the workers, and the pytest runs the plugin's
# tests start) rewrote and compiled the 115 modules of the plugins' packages again: a quarter
# of the suite's CPU. Allowed from here on, for this process and those it starts (the CLI
# runs the tests start compile the package once between them, not each again).
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
# langsmith's pytest plugin (it comes with langchain-cloudflare, a client the tests use)
# costs a pytest process most of a second to import: off in the pytest runs the tests
# start (the plugin's, the README's), as in this one (pyproject.toml's addopts).
if "no:langsmith_plugin" not in os.environ.get("PYTEST_ADDOPTS", ""):
    os.environ["PYTEST_ADDOPTS"] = " ".join(
        [os.environ.get("PYTEST_ADDOPTS", ""), "-p no:langsmith_plugin"]
    ).strip()

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"


def pytest_configure(config: pytest.Config) -> None:
    """Before xdist starts its workers: Hypothesis's table of Unicode categories, built once
    in ``.hypothesis/`` (2.7 s of CPU); in a fresh clone each worker built its own."""
    if hasattr(config, "workerinput"):
        return
    from hypothesis import find
    from hypothesis import settings as hypothesis_settings
    from hypothesis import strategies as st
    from hypothesis.errors import HypothesisSideeffectWarning

    once = hypothesis_settings(database=None, max_examples=1)
    with warnings.catch_warnings():  # the slow start it warns of is the point here
        warnings.simplefilter("ignore", HypothesisSideeffectWarning)
        find(st.characters(), lambda _: True, settings=once)


@pytest.fixture
def pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """pytest's own, whose runs go without langsmith's plugin too (pytester clears the
    variable that says so)."""
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p no:langsmith_plugin")
    return pytester


def page_schema(text: str) -> dict[str, Any]:
    """The input schema printed under 'API Schemas' on the vendor's page."""
    start = text.index("{", text.index("The following schemas are based on JSON Schema"))
    schema: dict[str, Any] = json.loads(text[start:])
    return schema


@pytest.fixture
def page_schema_in_use() -> Iterator[None]:
    """The vendor's page's request schema judges bodies in this test (``--schema page``),
    the published one again after it."""
    from wai_contract.schemas import choose_input_schema

    choose_input_schema("page")
    try:
        yield
    finally:
        choose_input_schema(None)


@pytest.fixture(scope="session")
def input_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS / "input.json").read_text("utf-8"))
    return schema
