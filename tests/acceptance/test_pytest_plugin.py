"""The pytest plugin, run as users run it: pytest in a directory of theirs, the plugin found
by its entry point. What depends on a process of its own (nothing imported without the
plugin's options, xdist's workers, the exit status and output of a suite that cannot start)
runs pytest in a subprocess; the rest runs it in this one (pytester's in-process run: a
second less each, for the interpreter and imports a subprocess starts anew)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests.conftest import ROOT
from tests.faulty_servers import TOKEN, faulty_app

from wai_contract import MODEL
from wai_contract.server import serve_asgi


@pytest.fixture
def no_done_server() -> Iterator[str]:
    with serve_asgi(faulty_app("no-done")) as base:
        yield f"{base}/client/v4/accounts/a/ai/run/{MODEL}"


def test_local_suite_runs_in_an_empty_directory(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess("--wai-local", "--wai-max-examples", "20", "-v")
    result.assert_outcomes(passed=13)
    result.stdout.fnmatch_lines(
        ["*wai-contract::accepts-valid PASSED*", "*wai-contract::streaming PASSED*"]
    )


def test_the_page_schema_is_chosen_by_name_and_said_in_the_header(
    pytester: pytest.Pytester,
) -> None:
    result = pytester.runpytest_inprocess(
        "--wai-local", "--wai-schema", "page", "--wai-max-examples", "5"
    )
    result.assert_outcomes(passed=13)
    result.stdout.fnmatch_lines(["wai-contract schema: page"])
    plain = pytester.runpytest_inprocess("--wai-local", "--wai-max-examples", "0", "-k", "auth")
    plain.stdout.fnmatch_lines(["wai-contract schema: published"])
    broken = pytester.runpytest_inprocess(
        "--wai-local", "--wai-schema", "nowhere.json", "-k", "auth"
    )
    broken.stdout.fnmatch_lines(["wai-contract: cannot read schema nowhere.json: No such file*"])
    assert broken.ret != 0


def test_every_option_can_come_from_the_ini_file_and_the_command_line_wins(
    pytester: pytest.Pytester, no_done_server: str
) -> None:
    pytester.makeini(
        "[pytest]\n"
        f"wai_endpoint = {no_done_server}\n"
        "wai_token_file = token.txt\n"
        "wai_max_examples = 5\n"
        "wai_schema = page\n"
        "wai_report_dir = out\n"
    )
    (pytester.path / "token.txt").write_text(TOKEN + "\n")
    result = pytester.runpytest_inprocess("-k", "streaming or auth")
    result.assert_outcomes(passed=1, failed=1, deselected=11)  # the server's no-done fault
    result.stdout.fnmatch_lines(["wai-contract schema: page"])
    assert (pytester.path / "out" / "report.json").is_file() and TOKEN not in result.stdout.str()
    local = pytester.runpytest_inprocess("--wai-local", "--wai-schema", "published", "-k", "auth")
    local.assert_outcomes(passed=1, deselected=12)
    local.stdout.fnmatch_lines(["wai-contract schema: published"])


def test_a_faulty_server_fails_with_the_check_named(
    pytester: pytest.Pytester, no_done_server: str
) -> None:
    result = pytester.runpytest_inprocess(
        "--wai-endpoint",
        no_done_server,
        "--wai-token",
        TOKEN,
        "--wai-max-examples",
        "20",
        "-ra",
        "--junitxml=junit.xml",
        "--wai-report-dir",
        "out",
    )
    result.assert_outcomes(passed=10, failed=1, skipped=2)  # native: cross-surface, openai-fields
    result.stdout.fnmatch_lines(
        [
            "*streaming: Streams Server-Sent Events*",
            "*the stream does not end with data: [[]DONE]*",  # [[] is a literal [ in fnmatch
            "*reproduce: curl -sS -X POST*",
            "*FAILED wai-contract::streaming*",
        ]
    )
    assert TOKEN not in result.stdout.str()
    assert 'name="streaming"' in (pytester.path / "junit.xml").read_text()
    assert "... and" not in result.stdout.str(), "one cause, shown: nothing more to count"
    written = {p.name for p in (pytester.path / "out").iterdir()}
    assert {"report.json", "junit.xml", "summary.md", "report.html"} <= written


def test_k_selects_checks_and_only_they_run(pytester: pytest.Pytester, no_done_server: str) -> None:
    result = pytester.runpytest_inprocess(
        "--wai-endpoint", no_done_server, "--wai-token", TOKEN, "-k", "auth or max-tokens", "-v"
    )
    result.assert_outcomes(passed=2, deselected=11)


def test_x_stops_at_the_first_failure(pytester: pytest.Pytester, no_done_server: str) -> None:
    result = pytester.runpytest_inprocess(
        "--wai-endpoint", no_done_server, "--wai-token", TOKEN, "--wai-max-examples", "10", "-x"
    )
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed") == 1 and outcomes.get("passed", 0) < 10


def test_contract_option_skips_disabled_checks(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", mine="version: 1\nchecks:\n  auth: {enabled: false}\n")
    result = pytester.runpytest_inprocess(
        "--wai-local", "--wai-contract", "mine.yaml", "--wai-max-examples", "30", "--co", "-q"
    )
    assert "wai-contract::auth" not in result.stdout.str()
    result.stdout.fnmatch_lines(["*12 tests collected*"])


def test_fixtures_for_users_own_tests(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Hypothesis's table of Unicode categories, built once in our own storage directory
    # (in a new one, building it takes a user's first run 2 s more).
    monkeypatch.setenv("HYPOTHESIS_STORAGE_DIRECTORY", str(ROOT / ".hypothesis"))
    pytester.makepyfile(
        test_mine="""
        from hypothesis import given, settings
        from wai_contract import MODEL

        def test_client(wai_client, wai_lint):
            body = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 5}
            assert wai_lint(body).valid
            answer = wai_client.post(MODEL, json=body)
            assert answer.status_code == 200
            assert answer.json()["result"]["usage"]["completion_tokens"] <= 5

        def test_rejects(wai_client):
            assert wai_client.post(MODEL, json={"prompt": ""}).status_code == 400

        def test_strategies(wai_strategies, wai_lint):
            @settings(max_examples=30, deadline=None)
            @given(wai_strategies.valid_bodies())
            def check(body):
                assert wai_lint(body).valid
            check()
    """
    )
    pytester.runpytest_inprocess().assert_outcomes(passed=3)


def test_inert_without_its_options(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain="def test_one():\n    assert True\n")
    pytester.makeconftest("""
        import sys
        def pytest_sessionfinish(session):
            loaded = sorted(m for m in sys.modules if m.split(".")[0] == "wai_contract")
            with open("loaded.txt", "w") as out:
                out.write("\\n".join(loaded))
    """)
    result = pytester.runpytest_subprocess("-v")
    result.assert_outcomes(passed=1)
    assert "wai-contract::" not in result.stdout.str()
    assert "wai-contract" in result.stdout.str(), "the plugin is registered"
    loaded = (pytester.path / "loaded.txt").read_text().split()
    assert loaded == [], "nothing of wai-contract is imported"


class Counting:
    """An ASGI wrapper that counts the HTTP requests its app receives."""

    def __init__(self, app: Any) -> None:
        self.app, self.requests = app, 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.requests += 1
        await self.app(scope, receive, send)


def test_under_xdist_every_request_is_sent_once(pytester: pytest.Pytester) -> None:
    counted = Counting(faulty_app(None))
    with serve_asgi(counted) as base:
        url = f"{base}/client/v4/accounts/a/ai/run/{MODEL}"
        options = ("--wai-endpoint", url, "--wai-token", TOKEN, "--wai-max-examples", "10")
        pytester.runpytest_inprocess(*options, "-n", "0").assert_outcomes(passed=11, skipped=2)
        alone, counted.requests = counted.requests, 0
        pytester.runpytest_subprocess(*options, "-n", "2").assert_outcomes(passed=11, skipped=2)
    assert alone > 20 and counted.requests == alone


def test_the_api_option_picks_the_surfaces(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(
        "--wai-local", "--wai-api", "native", "--wai-max-examples", "10", "-rs"
    )
    result.assert_outcomes(passed=11, skipped=2)
    result.stdout.fnmatch_lines(["*SKIPPED*the target serves one surface*"])


SECRET = "tok9F3kQ7zLm2Wx8Rb4Tn6Yc1Hv5Jd0Pq"


@pytest.fixture
def refusing_server() -> Iterator[str]:
    """The reference server, expecting another token than the one the run sends."""
    from wai_contract.server import serve

    with serve(token="the-server-expects-this-one") as server:
        yield server.model_url


@pytest.mark.parametrize(
    ("cause", "mode"),
    [
        ("unreachable", ["-l", "--tb=long"]),
        ("not-a-url", ["-n", "2"]),
        ("refused-token", ["-l", "--tb=native", "-vv"]),
    ],
)
def test_a_suite_that_cannot_start_fails_in_one_paragraph_without_the_token(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    refusing_server: str,
    cause: str,
    mode: list[str],
) -> None:
    from tests.leaks import leaked

    endpoint = {
        "unreachable": f"http://127.0.0.1:9/client/v4/accounts/a/ai/run/{MODEL}",
        "not-a-url": "notaurl",
        "refused-token": refusing_server,
    }[cause]
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", SECRET)
    # Under xdist the workers are processes of their own; otherwise in this one (cheaper).
    runpytest = pytester.runpytest_subprocess if "-n" in mode else pytester.runpytest_inprocess
    result = runpytest(
        "--wai-endpoint", endpoint, "--junitxml=junit.xml", "-p", "no:cacheprovider", *mode
    )
    assert result.ret == 1
    said = "\n".join(result.outlines + result.errlines)
    junit = (pytester.path / "junit.xml").read_text("utf-8")
    assert leaked(said, SECRET) == [] and leaked(junit, SECRET) == []
    paragraphs = [line for line in result.outlines if line.startswith("wai-contract: ")]
    assert 1 <= len(paragraphs) <= (2 if "-n" in mode else 1), said  # once per worker
    assert len(result.outlines) < 60, said[-3000:]
