"""Finetunes in the plan: names are per account, so a body's ``lora`` is only what the
contract names, but for the bodies that are about it."""

from __future__ import annotations

import dataclasses

import pytest

from wai_contract.conformance.cases import UNKNOWN_LORA, Limits
from wai_contract.conformance.contract import RunSettings, load_contract
from wai_contract.conformance.plan import make_plan


@pytest.mark.parametrize("names", [(), ("mine", "theirs")])
def test_a_body_names_a_finetune_of_the_contract_unless_it_is_about_lora(
    names: tuple[str, ...],
) -> None:
    contract = dataclasses.replace(load_contract(), limits=Limits(lora_names=names))
    plan = make_plan(True, contract, RunSettings(max_examples=500), ("native",))
    cases = [case for job in plan.jobs for case in job.cases if isinstance(case.body, dict)]
    named = [case for case in cases if "lora" in case.body]
    about_lora = [c for c in named if (c.pointer or "").startswith("/lora")]
    assert [c.id for c in about_lora if c.body["lora"] == UNKNOWN_LORA] == ["lora-unknown"]
    others = [c for c in named if c not in about_lora]
    assert {c.body["lora"] for c in others} <= set(names)
    assert bool(others) == bool(names)  # the checklist's bodies with lora keep one, if any
