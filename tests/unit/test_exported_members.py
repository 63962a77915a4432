"""The public API is exactly what ``__all__`` says, and every name in it exists."""

from __future__ import annotations

import wai_contract


def test_public_names_are_pinned() -> None:
    assert sorted(wai_contract.__all__) == sorted(
        [
            "MODEL",
            "SCHEMA_NAMES",
            "ConfigError",
            "Finding",
            "LintResult",
            "SourceError",
            "WaiContractError",
            "lint",
            "load_schema",
        ]
    )


def test_every_public_name_is_importable_and_documented() -> None:
    for name in wai_contract.__all__:
        member = getattr(wai_contract, name)
        if callable(member):
            assert member.__doc__, f"{name} has no docstring"
