"""Each renderer of a conformance report on one hand-made report: what a reviewer reads."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from junitparser import Failure, JUnitXml, Skipped

from wai_contract.conformance import render_console, write_report
from wai_contract.conformance.http import Exchange
from wai_contract.conformance.merge import compare
from wai_contract.conformance.reporters import RUN_FORMATS
from wai_contract.conformance.results import CaseResult, CheckResult, Comparison, Report

URL = "http://server.test/client/v4/accounts/a/ai/run/m"
HOSTILE = "<script>alert(1)</script> ``` # heading"


def report(*, big_body: bool = False) -> Report:
    body = {"prompt": "x" * 5000 if big_body else "hi", "top_k": 51}
    exchange = Exchange("POST", URL, body, status=200, response_head='{"result":{"response":"ok"}}')
    failure = CaseResult(
        "b-000007",
        "rejects-invalid",
        f"accepted invalid input: {HOSTILE}",
        "accepted-invalid",
        tags=["top_k", "above-maximum"],
        pointer="/top_k",
        seed=0,
        exchange=exchange,
        shrunk_from=900,
    )
    known = CaseResult("auth-no-token", "auth", "got 403", "status", known="gateway, ticket 7")
    return Report(
        target=URL,
        started="2026-12-02T00:00:00Z",
        seconds=1.25,
        seed=0,
        max_examples=40,
        requests=61,
        checks=[
            CheckResult("accepts-valid", "Accepts valid input", "Valid bodies pass.", "passed", 20),
            CheckResult(
                "rejects-invalid",
                "Rejects invalid input",
                "Invalid bodies are refused.",
                "failed",
                20,
                [failure],
                failure_count=3,
            ),
            CheckResult("auth", "Requires a valid token", "401.", "passed", 2, known=[known]),
            CheckResult("examples", "Contract examples", "Examples.", "skipped", note="disabled"),
        ],
        latencies_ms=[1.0, 2.0, 30.0],
        notes=["stopped early: --max-requests 61 reached"],
    )


def test_json_round_trips_and_adds_signature_and_curl() -> None:
    data = json.loads(RUN_FORMATS["report.json"](report()))
    assert data["passed"] is False
    case = data["checks"][1]["failures"][0]
    assert case["signature"] == "rejects-invalid|accepted-invalid|top_k/above-maximum"
    assert case["curl"].startswith("curl -sS -X POST") and "$CLOUDFLARE_API_TOKEN" in case["curl"]
    assert Report.from_dict(data).to_dict() == report().to_dict()


def test_junit_has_one_case_per_check_with_failures_and_skips(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    path.write_text(RUN_FORMATS["junit.xml"](report()))
    cases = {case.name: case for suite in JUnitXml.fromfile(str(path)) for case in suite}
    assert list(cases) == ["accepts-valid", "rejects-invalid", "auth", "examples"]
    (failure,) = [r for r in cases["rejects-invalid"].result if isinstance(r, Failure)]
    assert failure.message.startswith("3 of 20 cases failed") and failure.type == "accepted-invalid"
    assert "reproduce: curl" in (failure.text or "")
    assert isinstance(cases["examples"].result[0], Skipped)
    assert "gateway, ticket 7" in (cases["auth"].system_out or "")


def test_markdown_lists_the_verdict_the_table_and_each_failure_with_its_repro() -> None:
    text = RUN_FORMATS["summary.md"](report())
    assert text.startswith("# wai-contract conformance: FAILED")
    assert "| `rejects-invalid` Rejects invalid input | ❌ FAIL | 20 | 3 | 0 |" in text
    assert "## ❌ rejects-invalid" in text and "```sh\ncurl -sS -X POST" in text
    assert "- violates /top\\_k" in text and "shrunk from a 900-byte body" in text
    assert "> stopped early" in text and "Known deviations of auth" in text


def test_html_escapes_what_the_server_said_and_draws_the_latencies() -> None:
    page = RUN_FORMATS["report.html"](report())
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert "<svg" in page and "3 requests" in page
    assert 'class="failed"' in page and "1 more failures" not in page
    assert "2 more failing cases: report.json" in page


def test_console_shows_each_check_the_first_failures_and_the_comparison() -> None:
    the_report = report()
    the_report.comparison = Comparison("old.json", ["a|b|c"], [], new_cases=4)
    text = render_console(the_report)
    assert "rejects-invalid  ❌ FAIL      20         3" in text
    assert "b-000007: accepted invalid input" in text and "(+1 known)" in text
    assert text.splitlines()[-2].startswith("FAILED: 61 requests in 1.2 s against http")
    assert text.endswith(
        "against old.json: 1 new causes of failure (4 new failing cases), 0 fixed (0 cases)"
    )


def test_console_counts_the_failing_cases_and_every_cause_it_does_not_show() -> None:
    the_report = report()
    check = next(c for c in the_report.checks if c.id == "rejects-invalid")
    check.causes = {f"rejects-invalid|accepted-invalid|/k{n}": [f"b-{n}"] for n in range(5)}
    check.causes["rejects-invalid|status|"] = ["b-0", "b-9"]  # b-0 fails twice: one case
    the_report.planned, the_report.judged_cases = 20, 20
    lines = render_console(the_report).splitlines()
    assert "    and 5 more causes: summary.md" in "\n".join(lines)  # 6 causes, 1 group shown
    assert lines[-1].startswith("FAILED: 6 of 20 cases failed (61 requests) in 1.2 s")
    the_report.judged_cases = 15
    assert "FAILED: 6 of 20 cases failed, 15 judged (61 requests)" in render_console(the_report)
    check.causes = {f"rejects-invalid|status|/k{n}": [f"b-{n}"] for n in range(40)}
    assert "and 39 more causes: report.json" in render_console(the_report)  # past summary.md's


def test_every_format_names_every_cause_or_says_how_many_more(tmp_path: Path) -> None:
    the_report = report()
    check = next(c for c in the_report.checks if c.id == "rejects-invalid")
    check.causes = {f"rejects-invalid|status|/k{n}": [f"b-{n}", f"c-{n}"] for n in range(40)}
    check.failure_count = 80
    said = {name: render(the_report) for name, render in RUN_FORMATS.items()}
    assert "And 39 more causes of failure: their cases are in report.json." in said["summary.md"]
    assert "39 more causes of failure (79 failing cases): report.json" in said["report.html"]
    assert "and 39 more causes of failure: report.json" in said["junit.xml"]
    assert len(json.loads(said["report.json"])["checks"][1]["causes"]) == 40
    assert "and 39 more causes: report.json" in render_console(the_report)
    check.causes = {"rejects-invalid|accepted-invalid|top_k/above-maximum": ["b-000007"]}
    check.failure_count = 1
    quiet = {name: render(the_report) for name, render in RUN_FORMATS.items()}
    assert not [name for name, text in quiet.items() if "more cause" in text]


def test_write_report_writes_every_format_and_large_bodies_beside_them(tmp_path: Path) -> None:
    written = write_report(report(big_body=True), str(tmp_path / "out"))
    assert sorted(p.name for p in written) == sorted(RUN_FORMATS)
    (body_file,) = (tmp_path / "out" / "cases").iterdir()
    assert json.loads(body_file.read_text())["top_k"] == 51
    assert "@cases/rejects-invalid-b-000007.json" in (tmp_path / "out" / "summary.md").read_text()


def test_write_report_to_a_place_that_cannot_be_written_is_an_output_error() -> None:
    from wai_contract.errors import OutputError

    with pytest.raises(OutputError, match="cannot write the report to /proc/none"):
        write_report(report(), "/proc/none")


def test_compare_by_cause_and_verdict() -> None:
    before, after = report(), report()
    changed = after.checks[1].failures[0]
    was = changed.cause
    changed.tags = ["seed", "below-minimum"]  # another body, the same cause: no change
    assert compare(after, before, "before.json").new_failures == []
    changed.code = "status"
    after.checks[0].status = "failed"
    difference = compare(after, before, "before.json")
    assert difference.new_failures == [changed.cause] and difference.fixed == [was]
    assert difference.newly_failing_checks == ["accepts-valid"]


@pytest.mark.parametrize("odd", ["\ufffe", "\uffff", "\ud800", "\x00\x1b[31m", "\udfff\ufffe"])
def test_junit_stays_well_formed_whatever_an_answer_holds(odd: str) -> None:
    import xml.etree.ElementTree as ET

    from wai_contract.conformance.reporters.junit import render_junit

    hostile = report()
    failure = hostile.checks[1].failures[0]
    failure.problem += odd
    assert failure.exchange is not None
    failure.exchange.response_head = odd * 3
    failure.exchange.headers = {"x-odd": odd}
    ET.fromstring(render_junit(hostile).encode("utf-8", "surrogatepass"))


def test_the_html_first_screen_links_every_cause_to_its_case_and_fetches_nothing() -> None:
    import re

    the_report = report()
    page = RUN_FORMATS["report.html"](the_report)
    head = page[: page.index("<table>")]  # the first screen: verdict, top causes, repro
    assert "FAILED: " in head and "Top causes" in head and 'data-copy="repro"' in head
    targets = set(re.findall(r'href="#([^"]+)"', page))
    ids = set(re.findall(r'id="([^"]+)"', page))
    assert targets and targets <= ids, targets - ids
    assert not re.search(r'\b(src|srcset|action)=|href="(?!#)|url\(|fetch\(|XMLHttpRequest', page)


def test_the_console_shows_every_cause_when_asked() -> None:
    the_report = report()
    check = next(c for c in the_report.checks if c.id == "rejects-invalid")
    check.failures = [dataclasses.replace(check.failures[0], id=f"b-{n}") for n in range(6)]
    check.causes = {f"rejects-invalid|status|/k{n}": [f"b-{n}"] for n in range(6)}
    assert render_console(the_report).count("    b-") == 3
    everything = render_console(the_report, every=True)
    assert everything.count("    b-") == 6 and "more cause" not in everything
