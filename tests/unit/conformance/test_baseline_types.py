"""A baseline is read, and judged comparable, before anything is sent: whatever types its
JSON holds, the run either refuses it in one line at once or compares and reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.properties import examples
from tests.unit.conformance.engine_servers import URL, contract, reference_client

from wai_contract.conformance import RunOptions, Target, render_console, run, write_report
from wai_contract.errors import ConfigError

ONE_CHECK = RunOptions(max_examples=0, concurrency=1)
ODD = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=3),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)  # fmt: skip


def _breaking(wrap_request: httpx.Request, forward: Any) -> httpx.Response:
    # Every answer a 200 whose success is a string: checks fail, with causes and cases.
    answer = forward(wrap_request)
    if answer.status_code == 200 and "json" in answer.headers.get("content-type", ""):
        return httpx.Response(200, json={**answer.json(), "success": "true"})
    return answer


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("baseline")
    report = run(Target(URL, "t"), _contract(), ONE_CHECK, transport=reference_client(_breaking))
    assert any(check.failures for check in report.checks)
    write_report(report, folder)
    data: dict[str, Any] = json.loads((folder / "report.json").read_text())
    return data


def _contract() -> Any:
    return contract().only({"usage-totals", "accepts-valid"})


def _places(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value, the value's own first."""
    places = [at]
    if isinstance(value, dict):
        for key, item in value.items():
            places += _places(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            places += _places(item, (*at, index))
    return places


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_any_type_anywhere_is_refused_at_once_or_compared(
    baseline: dict[str, Any], tmp_path: Path, data: st.DataObject
) -> None:
    mutated = json.loads(json.dumps(baseline))
    places = [p for p in _places(mutated) if p and p[0] in ("checks", "seed", "target")]
    place = data.draw(st.sampled_from(places), label="place")
    holder = mutated
    for step in place[:-1]:
        holder = holder[step]
    holder[place[-1]] = data.draw(ODD, label="value")
    path = tmp_path / "report.json"
    path.write_text(json.dumps(mutated))
    sent: list[httpx.Request] = []

    def counting(request: httpx.Request, forward: Any) -> httpx.Response:
        sent.append(request)
        return _breaking(request, forward)

    try:
        report = run(
            Target(URL, "t"), _contract(), ONE_CHECK,
            transport=reference_client(counting), baseline=path,
        )  # fmt: skip
    except ConfigError as refused:
        assert sent == [] and "\n" not in str(refused)
        return
    assert report.comparison is not None
    write_report(report, tmp_path / "out")
    render_console(report)
