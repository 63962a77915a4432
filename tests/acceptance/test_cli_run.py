"""``wai-contract run`` as a CI gate uses it: exit codes, report files, secrets, baselines."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from junitparser import Failure, JUnitXml, Skipped
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from tests.acceptance.test_cli_lint import run
from tests.forked_cli import cli

from wai_contract.server import serve_asgi

SECRET = "sk-live-THIS-MUST-NEVER-LEAK-1234"


def test_local_run_passes_and_writes_every_report(tmp_path: Path) -> None:
    # The default run (500 generated bodies) is the README's quick start, tested there.
    result = run("run", "--local", "--max-examples", "100", "--report-dir", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == [
        "junit.xml",
        "report.html",
        "report.json",
        "summary.md",
    ]
    report = json.loads((out / "report.json").read_text())
    assert report["passed"] is True and report["requests"] > 150
    assert "PASSED" in result.stdout and "report: out/report.html" in result.stdout
    xml = JUnitXml.fromfile(str(out / "junit.xml"))
    cases = [case for suite in xml for case in suite]
    assert len(cases) == 13 and all(case.is_passed for case in cases)
    assert (out / "summary.md").read_text().startswith("# wai-contract conformance: PASSED")


def test_failing_server_exits_one_with_the_check_named_everywhere(tmp_path: Path) -> None:
    result = run(
        "run",
        "--local",
        "--local-fault",
        "no-done",
        "--max-examples",
        "120",
        "--report-dir",
        "out",
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "streaming         ❌ FAIL" in result.stdout
    xml = JUnitXml.fromfile(str(tmp_path / "out" / "junit.xml"))
    failed = {case.name: case for suite in xml for case in suite if not case.is_passed}
    assert set(failed) == {"streaming"}
    (failure,) = [r for r in failed["streaming"].result if isinstance(r, Failure)]
    assert "data: [DONE]" in failure.message and "curl" in failure.text
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "## ❌ streaming" in summary and "```sh\ncurl -sS -X POST" in summary


def test_default_report_dir_is_a_utc_timestamp_under_reports(tmp_path: Path) -> None:
    result = run("run", "--local", "--max-examples", "20", cwd=tmp_path)
    assert result.returncode == 0
    (folder,) = (tmp_path / "reports").iterdir()
    assert len(folder.name) == 16 and folder.name.endswith("Z") and "T" in folder.name


def _echo_app() -> Starlette:
    """A server that (badly) echoes the Authorization header back in its errors."""

    async def handler(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "result": None,
                "success": False,
                "errors": [
                    {
                        "code": 1,
                        "message": f"bad request with {request.headers.get('authorization')}",
                    }
                ],
                "messages": [],
            },
            status_code=400,
            headers={"x-echo": str(request.headers)},
        )

    return Starlette(routes=[Route("/{path:path}", handler, methods=["POST"])])


@pytest.fixture
def echo_url() -> Iterator[str]:
    with serve_asgi(_echo_app()) as base:
        yield f"{base}/client/v4/accounts/a/ai/run/@cf/mistral/mistral-7b-instruct-v0.2-lora"


def test_the_token_never_appears_in_output_or_reports(tmp_path: Path, echo_url: str) -> None:
    result = run(
        "run",
        "--endpoint",
        echo_url,
        "--token",
        SECRET,
        "--max-examples",
        "30",
        "--report-dir",
        "out",
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert SECRET not in result.stdout + result.stderr
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(), path.name
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    curls = [f["curl"] for c in report["checks"] for f in c["failures"]]
    assert curls and all("$CLOUDFLARE_API_TOKEN" in c for c in curls if "Authorization" in c)
    assert "[REDACTED]" in json.dumps(report)


def test_dry_run_lists_requests_and_sends_none(tmp_path: Path) -> None:
    closed = (
        "http://127.0.0.1:9/client/v4/accounts/a/ai/run/@cf/mistral/mistral-7b-instruct-v0.2-lora"
    )
    result = run(
        "run",
        "--endpoint",
        closed,
        "--token",
        SECRET,
        "--dry-run",
        "--max-examples",
        "25",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("b-000001") and len(lines) > 25
    assert any("(without a valid token)" in line for line in lines)
    assert SECRET not in result.stdout
    assert not (tmp_path / "reports").exists()


def test_baseline_lists_new_failures(tmp_path: Path) -> None:
    assert (
        run(
            "run", "--local", "--max-examples", "10", "--report-dir", "before", cwd=tmp_path
        ).returncode
        == 0
    )
    result = run(
        "run",
        "--local",
        "--local-fault",
        "no-done",
        "--max-examples",
        "10",
        "--report-dir",
        "after",
        "--baseline",
        "before/report.json",
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "against before/report.json:" in result.stdout
    comparison = json.loads((tmp_path / "after" / "report.json").read_text())["comparison"]
    assert comparison["newly_failing_checks"] == ["streaming"]
    assert any(s.startswith("streaming|no-done|") for s in comparison["new_failures"])


def test_contract_can_skip_checks_and_declare_deviations(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(
        "version: 1\n"
        "checks:\n  auth: {enabled: false}\n"
        "known_deviations:\n  - check: streaming\n    code: no-done\n"
        "    reason: our proxy drops the terminator, ticket 42\n"
    )
    result = run(
        "run",
        "--local",
        "--local-fault",
        "no-done",
        "--contract",
        "mine.yaml",
        "--max-examples",
        "10",
        "--report-dir",
        "out",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout
    xml = JUnitXml.fromfile(str(tmp_path / "out" / "junit.xml"))
    auth = next(case for suite in xml for case in suite if case.name == "auth")
    assert any(isinstance(r, Skipped) for r in auth.result)
    assert "ticket 42" in (tmp_path / "out" / "summary.md").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "error: choose exactly one target"),
        (["--local", "--account-id", "x"], "error: choose exactly one target"),
        (["--endpoint", "ftp://x"], "error: --endpoint must be an http(s) URL"),
        (["--endpoint", "http://[bad/x"], "error: --endpoint 'http://[bad/x' is not a valid URL"),
        (["--endpoint", "http://exa mple.com/x"], "error: --endpoint must be an http(s) URL"),
        (["--local", "--report-dir", "/proc/wai/x"], "error: cannot create the report folder"),
        (["--local-fault", "no-done", "--endpoint", "http://x"], "error: --local-fault needs"),
        (["--local", "--contract", "missing.yaml"], "error: cannot read contract missing.yaml"),
        (["--local", "--contract", "bad.yaml"], "error: bad.yaml: /checks/streming: unknown check"),
        (["--local", "--baseline", "nope.json"], "error: cannot read baseline nope.json"),
        (["--local", "--local-fault", "explode"], "error: unknown fault 'explode'"),
        (["--local", "--model", "m"], "error: --model needs --endpoint"),
        (["--endpoint", "http://x/v1/chat/completions", "--model", " "], "error: --model must"),
        (
            ["--local", "--dry-run", "--contract", "pairs.yaml"],
            "error: pairs.yaml: /checks/seed-determinism/probes: [1, 2] is not of type 'integer'",
        ),
        (
            ["--local", "--contract", "three.yaml"],
            "error: three.yaml: /checks/max-tokens/probes: 3 is not of type 'array'",
        ),
    ],
)
def test_usage_errors_are_one_line_exit_two(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "bad.yaml").write_text("version: 1\nchecks:\n  streming: {}\n")
    (tmp_path / "pairs.yaml").write_text(
        "version: 1\nchecks: {seed-determinism: {probes: [1, 2]}}\n"
    )
    (tmp_path / "three.yaml").write_text("version: 1\nchecks: {max-tokens: {probes: 3}}\n")
    result = run("run", *args, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith(message), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (.ci/run installs it)"
)
def test_html_report_renders_in_headless_chromium_without_console_errors(tmp_path: Path) -> None:
    result = run(
        "run", "--local", "--local-fault", "flaky-500", "--max-examples", "60",
        "--report-dir", "out", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1
    page = tmp_path / "out" / "report.html"
    shot = tmp_path / "report.png"
    browser = _chromium(tmp_path, "--window-size=1200,1600", f"--screenshot={shot}", page.as_uri())
    assert shot.exists() and shot.stat().st_size > 10_000, browser.stderr[-2000:]
    console = [line for line in browser.stderr.splitlines() if "CONSOLE" in line]
    assert console == [], console
    # The first screen's top cause links to its case, which the page opens when followed.
    link = re.search(r'<ol class=top><li><a href="#([^"]+)"', page.read_text())
    assert link is not None
    followed = _chromium(tmp_path, "--dump-dom", f"{page.as_uri()}#{link.group(1)}")
    opened = re.search(rf'<details id="{re.escape(link.group(1))}"[^>]*>', followed.stdout)
    assert opened is not None and "open" in opened.group(0), followed.stderr[-2000:]


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium, offline: no background fetches, no first-run work."""
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
    ]  # fmt: skip
    return subprocess.run(
        [str(CHROMIUM), *flags, *args], capture_output=True, text=True, timeout=120
    )


def test_in_github_actions_a_run_annotates_each_cause_and_writes_the_step_summary(
    tmp_path: Path,
) -> None:
    step = tmp_path / "step-summary.md"
    step.write_text("earlier step\n")
    env = {**os.environ, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(step)}
    quick = ("--max-examples", "10", "--report-dir")
    failed = cli("run", "--local", "--local-fault", "no-done", *quick, "a", cwd=tmp_path, env=env)
    passed = cli("run", "--local", *quick, "b", cwd=tmp_path, env=env)
    outside = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    plain = cli("run", "--local", *quick, "c", cwd=tmp_path, env=outside)  # none of it
    assert (failed.returncode, passed.returncode, plain.returncode) == (1, 0, 0)
    errors = [x for x in failed.stdout.splitlines() if x.startswith("::error ")]
    assert errors and all(x.startswith("::error title=wai-contract streaming::") for x in errors)
    assert "::" not in passed.stdout + plain.stdout
    said = step.read_text()
    assert said.startswith("earlier step\n# wai-contract conformance: FAILED")
    assert said.count("# wai-contract conformance: ") == 2 and "conformance: PASSED" in said


def test_quiet_prints_the_verdict_alone_and_verbose_every_cause(tmp_path: Path) -> None:
    quick = ("--local", "--local-fault", "no-done", "--max-examples", "10", "--report-dir")
    quiet = run("run", *quick, "q", "-q", cwd=tmp_path)
    assert quiet.returncode == 1 and quiet.stderr == ""  # no progress either
    assert quiet.stdout.splitlines()[0].startswith("FAILED: ")
    assert quiet.stdout.splitlines()[1].startswith("report: q/report.html")
    assert len(quiet.stdout.splitlines()) == 2
    both = run("run", *quick, "b", "-q", "-v", cwd=tmp_path)
    assert both.returncode == 2 and "at most one of --quiet and --verbose" in both.stderr
