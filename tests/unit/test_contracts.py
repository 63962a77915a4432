"""The default contract: shipped identical to contracts/, valid, and every check on."""

from __future__ import annotations

from tests.conftest import ROOT

from wai_contract.conformance.checks import CHECKS
from wai_contract.conformance.contract import DEFAULT_CONTRACT, load_contract


def test_packaged_default_contract_equals_the_repository_copy() -> None:
    assert DEFAULT_CONTRACT.read_text("utf-8") == (
        ROOT / "contracts" / "workers-ai.yaml"
    ).read_text("utf-8"), (
        "src/wai_contract/_data/workers-ai.yaml drifted from contracts/workers-ai.yaml"
    )


def test_default_contract_enables_every_check_and_has_examples() -> None:
    contract = load_contract()
    assert all(contract.enabled(check) for check in CHECKS)
    assert set(contract.checks) == set(CHECKS)
    assert len(contract.examples) >= 3 and contract.deviations == []
