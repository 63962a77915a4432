"""The shrinker keeps a case's class: every smaller body it may send for a body that had to
be valid lints valid on its surface (an OpenAI-compatible one keeps ``model`` and
``messages``), and one for an invalid body keeps its violation, over generated bodies of both
surfaces and both schemas."""

from __future__ import annotations

import pytest

from wai_contract import lint
from wai_contract.conformance import load_contract
from wai_contract.conformance.cases import Case
from wai_contract.conformance.engine._shrink import _same_class, _smaller
from wai_contract.generate import generate

CONTRACT = load_contract()


def _kept(api: str, seed: int, valid: bool, count: int) -> list[tuple[Case, dict]]:  # type: ignore[type-arg]
    """The candidates the shrinker would send for *count* generated bodies of *valid*'s
    class."""
    kept = []
    for body in generate(count, seed=seed, api=api):  # type: ignore[arg-type]
        if body.valid is not valid or not isinstance(body.payload, dict):
            continue
        case = Case("b", "accepts-valid", body.payload, valid, pointer=body.pointer, surface=api)  # type: ignore[arg-type]
        current = body.payload
        while current is not None:  # the first kept candidate is shrunk again, as it is
            smaller = [c for c in _smaller(current, case.pointer) if _same_class(c, case, CONTRACT)]
            kept += [(case, candidate) for candidate in smaller]
            current = smaller[0] if smaller else None
    return kept


@pytest.mark.parametrize("schema", ["published", "page"])
@pytest.mark.parametrize("api", ["native", "openai"])
def test_every_smaller_body_of_a_valid_case_lints_valid(
    api: str, schema: str, request: pytest.FixtureRequest
) -> None:
    if schema == "page":
        request.getfixturevalue("page_schema_in_use")
    kept = _kept(api, 3, True, 300)
    for _, candidate in kept:
        result = lint(candidate, api=api)  # type: ignore[arg-type]
        assert result.valid, (candidate, [e.message for e in result.errors])
        if api == "openai":
            assert {"model", "messages"} <= set(candidate), candidate
        else:
            assert {"prompt", "messages"} & set(candidate), candidate
    assert len(kept) > 300


@pytest.mark.parametrize("api", ["native", "openai"])
def test_every_smaller_body_of_an_invalid_case_keeps_its_violation(api: str) -> None:
    kept = _kept(api, 5, False, 60)
    for case, candidate in kept:
        errors = lint(candidate, api=api).errors  # type: ignore[arg-type]
        assert case.pointer in [e.pointer for e in errors], (case.pointer, candidate)
    assert len(kept) > 300
