"""The runner against real servers: the reference one passes, each buggy one is caught."""

from __future__ import annotations

import pytest
from tests.faulty_servers import BUGS, TOKEN, WARNED, faulty_app
from tests.real_like_server import TOKEN as REAL_TOKEN
from tests.real_like_server import real_like_app

from wai_contract import MODEL
from wai_contract.conformance import LIVE_CONTRACT, Contract, RunOptions, Target, load_contract, run
from wai_contract.server import serve, serve_asgi

OBSERVERS = {"usage-totals", "no-server-errors", "transport"}
"""Checks that judge the answers to other checks' requests and send none of their own."""


def _only(check: str) -> Contract:
    """The default contract with *check* alone, and accepts-valid's and streaming's bodies
    for an observer."""
    observed = {check, "accepts-valid", "streaming"}
    return load_contract().only(observed if check in OBSERVERS else {check})


def _failed(report: object) -> set[str]:
    return {c.id for c in report.checks if c.status == "failed"}  # type: ignore[attr-defined]


@pytest.mark.parametrize("seed", [4])
def test_reference_server_passes_every_check_on_its_native_path_alone(seed: int) -> None:
    """The full plan at seed 0 on both paths is the README's quick start (test_readme)."""
    with serve(token="secret-token-123") as server:
        target = Target(server.model_url, "secret-token-123")
        report = run(target, options=RunOptions(seed=seed, max_examples=100))
    assert report.passed, [(c.id, c.failures[:1]) for c in report.checks if c.failures]
    statuses = {c.id: c.status for c in report.checks}
    assert statuses.pop("cross-surface") == "skipped", "one surface: nothing to compare"
    assert statuses.pop("openai-fields") == "skipped", "the native surface has none"
    assert set(statuses.values()) == {"passed"}, [(c.id, c.status, c.note) for c in report.checks]
    assert report.requests > 150


# One seed per server, each its own: the servers see different sets of generated bodies (a
# seed is a full run of about 600 requests a path; the suite runs on two cores).
@pytest.mark.parametrize("seed", [1])
def test_independent_faithful_server_passes_every_check(seed: int) -> None:
    with serve_asgi(faulty_app(None)) as base:
        url = f"{base}/client/v4/accounts/a/ai/run/{MODEL}"
        report = run(Target(url, TOKEN), options=RunOptions(seed=seed))
    assert report.passed, [(c.id, c.failures[:1]) for c in report.checks if c.failures]


RANDOM_ONLY = {"both-branches-accepted", "crash-on-tool-role", "rejects-empty-messages"}
"""Bugs that only the random bodies find (no checklist body plans them): these get the
contract's 500; the others are caught within 150 bodies at seed 0, and are run with 150."""


PAGE_ONLY = {"hang-on-long-prompt", "prompt-max-131073", "utf16-length"}
"""Bugs at the page's 131072-character limit, which only ``--schema page`` plans bodies at
(the published schema has no maximum length)."""


@pytest.mark.parametrize("bug", sorted(set(BUGS) - WARNED))
def test_each_realistic_bug_is_caught_by_the_right_check(
    bug: str, request: pytest.FixtureRequest
) -> None:
    """Only the check named runs: the faithful servers above show the others stay quiet."""
    if bug in PAGE_ONLY:
        request.getfixturevalue("page_schema_in_use")
    hangs = bug in ("hang-on-long-prompt", "stream-stalls")
    examples = None if bug in RANDOM_ONLY else 150
    options = RunOptions(max_examples=examples)
    if hangs:  # shrinking waits
        options = RunOptions(max_examples=examples, timeout=1.0, shrink=False)
    with serve_asgi(faulty_app(bug), graceful=1 if hangs else 5) as base:
        url = f"{base}/client/v4/accounts/a/ai/run/{MODEL}"
        report = run(Target(url, TOKEN), _only(BUGS[bug]), options)
    assert not report.passed
    assert BUGS[bug] in _failed(report), (bug, _failed(report))
    failing = next(c for c in report.checks if c.id == BUGS[bug])
    first = failing.failures[0]
    assert first.problem and first.exchange is not None
    assert TOKEN not in first.curl()


@pytest.mark.parametrize("bug", sorted(WARNED))
def test_behaviour_described_but_not_guaranteed_is_a_warning_and_fails_when_strict(
    bug: str,
) -> None:
    strictly = bug == "ignores-seed"  # one strict run shows the rule; the others add nothing
    with serve_asgi(faulty_app(bug)) as base:
        url = f"{base}/client/v4/accounts/a/ai/run/{MODEL}"
        contract = _only(BUGS[bug])
        lenient = run(Target(url, TOKEN), contract)
        strict = run(Target(url, TOKEN), contract, RunOptions(strict=True)) if strictly else None
    assert lenient.passed, _failed(lenient)
    warned = next(c for c in lenient.checks if c.id == BUGS[bug])
    assert warned.status == "warned" and warned.warnings[0].exchange is not None
    assert strict is None or (not strict.passed and BUGS[bug] in _failed(strict))


@pytest.mark.parametrize("seed", [2])
def test_a_server_that_answers_like_the_real_service_passes(seed: int) -> None:
    with serve_asgi(real_like_app()) as base:
        url = f"{base}/client/v4/accounts/a/ai/run/{MODEL}"
        report = run(Target(url, REAL_TOKEN), options=RunOptions(seed=seed))
    assert report.passed, [(c.id, c.failures[:1]) for c in report.checks if c.failures]
    assert not report.inconclusive


@pytest.mark.parametrize("seed", [3])
def test_with_the_live_contract_a_server_that_enforces_the_context_window_passes(
    seed: int,
) -> None:
    contract = load_contract(LIVE_CONTRACT)
    fast = RunOptions(seed=seed, requests_per_minute=1e9)  # the live pace is for the live API
    with serve_asgi(real_like_app(context_window=15000)) as base:
        url = f"{base}/client/v4/accounts/a/ai/run/{MODEL}"
        report = run(Target(url, REAL_TOKEN), contract, fast)
    assert report.passed, [(c.id, c.failures[:1]) for c in report.checks if c.failures]


def test_without_the_contracts_window_a_413_on_a_valid_body_is_a_failure() -> None:
    with serve_asgi(real_like_app(context_window=15000)) as base:
        url = f"{base}/client/v4/accounts/a/ai/run/{MODEL}"
        default = run(Target(url, REAL_TOKEN), load_contract().only({"accepts-valid"}))
    refused = next(c for c in default.checks if c.id == "accepts-valid")
    assert refused.status == "failed" and refused.failures[0].code == "status"


@pytest.mark.parametrize(
    ("fault", "check"),
    [
        ("no-done", "streaming"),
        ("flaky-500", "no-server-errors"),
        ("split-utf8", None),
        ("crlf", None),
    ],
)
def test_the_reference_servers_faults_are_judged_on_the_openai_surface(
    fault: str, check: str | None
) -> None:
    with serve(token="secret-token-123", faults=[fault]) as server:
        target = Target(server.openai_url, "secret-token-123")
        report = run(target, options=RunOptions(max_examples=60))
    if check is None:  # legal, if unusual: no false alarm
        assert report.passed, [(c.id, c.failures[:1]) for c in report.checks if c.failures]
    else:
        assert check in _failed(report)
