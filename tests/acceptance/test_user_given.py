"""A user's own property test, written the way the README tells them to."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from tests.properties import examples

from wai_contract import lint
from wai_contract.strategies import invalid_bodies, valid_bodies


def my_client_prepares(body: dict[str, Any]) -> dict[str, Any]:
    """Stand-in for a user's code: adds a default and must keep the body valid."""
    return {"max_tokens": 256, **body}


@settings(max_examples=examples(100), deadline=None)
@given(valid_bodies(branch="messages"))
def test_my_client_keeps_bodies_valid(body: dict[str, Any]) -> None:
    assert lint(my_client_prepares(body)).valid


@settings(max_examples=examples(100), deadline=None)
@given(invalid_bodies(branch="prompt"))
def test_my_validator_catches_every_mutation(case: Any) -> None:
    assert not lint(case.payload).valid, (case.tags, case.pointer)
