"""Both validator backends give the same verdicts and the same violations."""

from __future__ import annotations

import pytest
from tests.unit.test_lint_table import CASES

from wai_contract.errors import ConfigError
from wai_contract.validators import BACKENDS, Validator, compile_validator


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_backend_verdicts_match_the_table(backend: str) -> None:
    validator = compile_validator("input", backend=backend)
    wrong = [c.id for c in CASES if validator.is_valid(c.body) is not c.valid]
    assert wrong == []


def _shape(validator: Validator, body: object) -> set[tuple[object, ...]]:
    return {(v.path, v.keyword, repr(v.detail), v.schema_path) for v in validator.iter_errors(body)}


@pytest.mark.parametrize("at", ["/oneOf/0", "/oneOf/1"])
def test_backends_report_the_same_violations(at: str) -> None:
    rs, py = compile_validator("input", at, "rs"), compile_validator("input", at, "py")
    compared = 0
    for case in CASES:
        if not isinstance(case.body, dict):
            continue
        assert _shape(rs, case.body) == _shape(py, case.body), case.id
        compared += 1
    assert compared > 100


def test_validators_are_compiled_once() -> None:
    assert compile_validator("input") is compile_validator("input")


def test_unknown_backend_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown validator backend 'java'"):
        compile_validator("input", backend="java")
