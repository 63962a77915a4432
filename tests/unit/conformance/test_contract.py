"""Contracts: the default one, typed settings per check, and errors that name the place."""

from __future__ import annotations

from typing import Any

import pytest
from tests.conftest import ROOT

from wai_contract.conformance.checks import CHECKS
from wai_contract.conformance.contract import (
    DEFAULT_CONTRACT,
    LIVE_CONTRACT,
    contract_schema,
    load_contract,
    parse_contract,
)
from wai_contract.errors import ConfigError


def test_packaged_default_contract_equals_the_repository_copy() -> None:
    assert DEFAULT_CONTRACT.read_text("utf-8") == (
        ROOT / "contracts" / "workers-ai.yaml"
    ).read_text("utf-8"), (
        "src/wai_contract/_data/workers-ai.yaml drifted from contracts/workers-ai.yaml"
    )


def test_packaged_live_contract_equals_the_repository_copy() -> None:
    assert LIVE_CONTRACT.read_text("utf-8") == (
        ROOT / "contracts" / "workers-ai-live.yaml"
    ).read_text("utf-8")
    live = load_contract(LIVE_CONTRACT)
    assert live.limits.context_window == 15000 and live.run.requests_per_minute == 240


def test_default_contract_enables_every_check_and_has_examples() -> None:
    contract = load_contract()
    assert all(contract.enabled(check) for check in CHECKS)
    assert len(contract.examples) >= 3 and contract.deviations == []
    import yaml

    written = yaml.safe_load(DEFAULT_CONTRACT.read_text("utf-8"))["checks"]
    assert list(written) == list(CHECKS), "the default contract names every check, in order"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"version": 2}, "/version"),
        ({"version": 1, "checks": {"streming": {}}}, "did you mean 'streaming'"),
        ({"version": 1, "checks": {"auth": {"enabeld": False}}}, "/checks/auth"),
        ({"version": 1, "run": {"timeout": -1}}, "/run/timeout"),
        ({"version": 1, "known_deviations": [{"check": "auth"}]}, "reason"),
        ({"version": 1, "examples": [{"name": "x", "request": {}}]}, "expect"),
    ],
)
def test_contract_errors_name_the_place(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_contract(data, "mine.yaml")


@pytest.mark.parametrize(
    ("checks", "pointer", "message"),
    [
        ({"seed-determinism": {"probes": [1, 2]}}, "/checks/seed-determinism/probes", "integer"),
        ({"max-tokens": {"probes": 3}}, "/checks/max-tokens/probes", "array"),
        ({"max-tokens": {"probes": [-1]}}, "/checks/max-tokens/probes/0", "minimum"),
        ({"streaming": {"compare_cases": "all"}}, "/checks/streaming/compare_cases", "integer"),
        ({"auth": {"probes": 2}}, "/checks/auth", "probes"),
    ],
)
def test_settings_of_the_wrong_type_name_the_file_and_the_place(
    checks: dict[str, Any], pointer: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        parse_contract({"version": 1, "checks": checks}, "mine.yaml")
    assert (caught.value.source, caught.value.pointer) == ("mine.yaml", pointer)
    assert str(caught.value).startswith(f"mine.yaml: {pointer}: ")


def test_settings_are_typed_with_defaults_where_the_file_says_nothing() -> None:
    contract = parse_contract(
        {"version": 1, "checks": {"max-tokens": {"probes": [3]}}, "run": {"seed": 9}}
    )
    assert contract.settings("max-tokens").probes == (3,)
    assert contract.settings("seed-determinism").probes == 4
    assert contract.settings("streaming").compare_cases == 30
    assert (contract.run.seed, contract.run.max_examples) == (9, 500)


def test_only_keeps_the_selected_checks_running() -> None:
    contract = load_contract().only({"auth", "transport"})
    assert [c for c in CHECKS if contract.enabled(c)] == ["auth", "transport"]
    assert contract.settings("streaming").compare_cases == 30


def test_the_contract_schema_has_every_check_and_its_settings() -> None:
    checks = contract_schema()["properties"]["checks"]
    assert set(checks["properties"]) == set(CHECKS)
    assert checks["properties"]["tool-calls"]["properties"]["probes"]["minimum"] == 0


def test_a_contract_that_is_not_yaml_names_the_line(tmp_path: Any) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\nchecks: [\n")
    with pytest.raises(ConfigError, match=r"bad.yaml: line 3, column 1: "):
        load_contract(path)
