"""The public API is exactly what ``__all__`` says, and every name in it works."""

from __future__ import annotations

import subprocess
import sys

import wai_contract


def test_public_names_are_pinned() -> None:
    assert sorted(wai_contract.__all__) == sorted(
        [
            "MODEL",
            "SCHEMA_NAMES",
            "ConfigError",
            "Contract",
            "Finding",
            "LintResult",
            "LocalServer",
            "OutputError",
            "Report",
            "RunOptions",
            "SourceError",
            "Target",
            "WaiContractError",
            "WorkerError",
            "lint",
            "load_contract",
            "load_schema",
            "run",
            "serve",
            "strategies",
        ]
    )


def test_every_public_name_is_importable_and_documented() -> None:
    for name in wai_contract.__all__:
        member = getattr(wai_contract, name)
        if callable(member) or hasattr(member, "__file__"):
            assert member.__doc__, f"{name} has no docstring"


def test_unknown_names_raise_attribute_error() -> None:
    try:
        wai_contract.nothing_here  # noqa: B018
    except AttributeError as exc:
        assert "nothing_here" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")


def test_importing_the_package_loads_nothing_heavy() -> None:
    code = (
        "import sys, wai_contract; print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('httpx', 'hypothesis', 'jsonschema', 'jsonschema_rs', 'starlette', 'uvicorn', "
        "'yaml')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"
