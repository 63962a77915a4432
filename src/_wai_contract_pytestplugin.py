"""wai-contract's pytest plugin: the conformance suite inside a team's own pytest run, and
fixtures for their tests.

It is a top-level module, like Hypothesis's ``_hypothesis_pytestplugin``, so that pytest
loading it in every session imports nothing of wai-contract until the options or fixtures
are used.

Registered through the ``pytest11`` entry point and inert unless asked for: with
``--wai-endpoint URL`` or ``--wai-local``, every check of the contract becomes a pytest
item (``wai-contract::accepts-valid`` ...), in any directory, even one without tests, so
``-k``, ``-x``, ``--junitxml`` and xdist behave as pytest users expect. The suite runs
once, for the checks that were selected, when the first item runs; under pytest-xdist the
first worker to need it runs it and the others read its report, so no request is sent twice.

Fixtures, always available: ``wai_local_server`` (the reference server on a free port;
yields its model URL), ``wai_client`` (an ``httpx.Client`` for the endpoint, with the
token), ``wai_lint`` (the linter) and ``wai_strategies`` (the Hypothesis strategies).
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import httpx

    from wai_contract.conformance.results import CheckResult, Report

_REPORT = pytest.StashKey["Report | None"]()
_SHARED = pytest.StashKey[str]()
_FAILED = pytest.StashKey[bool]()
_SHARED_INPUT = "wai_contract_shared"
LOCAL_TOKEN = "wai-contract-pytest-local"
SHOWN = 5
"""Causes of failure shown in a failing check's item (each with its first case)."""


OPTIONS: dict[str, tuple[str, str]] = {
    "endpoint": ("URL", "Run the conformance suite against this model URL."),
    "local": ("", "Run the conformance suite against the bundled reference server."),
    "token": ("T", "API token (default: --wai-token-file, $CLOUDFLARE_API_TOKEN, then "
              "$CLOUDFLARE_AUTH_TOKEN)."),
    "token-file": ("FILE", "Read the API token from this file."),
    "contract": ("FILE", "Contract file (default: bundled)."),
    "report-dir": ("DIR", "Also write the run's report.json, junit.xml, summary.md and "
                   "report.html here."),
    "schema": ("NAME|FILE", "The request schema bodies are judged by: published (default), "
               "page, or a file."),
    "api": ("native|openai|both", "Surfaces to judge: /ai/run, /ai/v1/chat/completions or "
            "both (default: both with --wai-local, else the endpoint's own)."),
    "openai-endpoint": ("URL", "With --wai-endpoint (a native URL): the same target's "
                        "OpenAI-compatible URL; both surfaces are judged."),
    "model": ("NAME", "With --wai-endpoint: the model's name in OpenAI-compatible bodies."),
    "max-examples": ("N", "Generated bodies to send (default from the contract)."),
}  # fmt: skip
"""Each option, ``--wai-NAME`` on the command line or ``wai_NAME`` (underscores) in the ini
file (``pytest.ini``, ``[tool.pytest.ini_options]``): the command line wins."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("wai-contract", "Workers AI conformance (wai-contract)")
    for name, (metavar, help_text) in OPTIONS.items():
        if name == "local":
            group.addoption(f"--wai-{name}", action="store_true", default=None, help=help_text)
            parser.addini("wai_local", help_text, type="bool", default=False)
            continue
        extra: dict[str, Any] = {"choices": ("native", "openai", "both")} if name == "api" else {}
        group.addoption(f"--wai-{name}", metavar=metavar or None, help=help_text, **extra)
        parser.addini(f"wai_{name.replace('-', '_')}", help_text, default=None)


def _option(config: pytest.Config, name: str) -> Any:
    """The option *name* (a key of :data:`OPTIONS`): from the command line, else the ini."""
    given = config.getoption(f"--wai-{name}")
    if given is None:
        given = config.getini(f"wai_{name.replace('-', '_')}") or None
    if name == "max-examples" and given is not None:
        try:
            return int(given)
        except ValueError:
            raise pytest.UsageError(f"wai_max_examples: {given!r} is not a number") from None
    return given


def pytest_report_header(config: pytest.Config) -> str | None:
    if not _active(config):
        return None
    return f"wai-contract schema: {_option(config, 'schema') or 'published'}"


def _active(config: pytest.Config) -> bool:
    return bool(_option(config, "endpoint") or _option(config, "local"))


def _token(config: pytest.Config) -> str | None:
    if _option(config, "local"):
        return LOCAL_TOKEN
    from wai_contract.credentials import find_token

    given, path = _option(config, "token"), _option(config, "token-file")
    if given is None and path is not None:
        from wai_contract.files import MAX_CONFIG_BYTES, read_capped

        return find_token(None, read_capped(str(path), MAX_CONFIG_BYTES, "token file"))
    return find_token(str(given) if given else None)


class WaiSuite(pytest.Collector):
    """The conformance checks of the contract, as items."""

    def collect(self) -> list[pytest.Item | pytest.Collector]:
        from wai_contract.conformance import load_contract
        from wai_contract.conformance.checks import CHECKS

        contract = load_contract(_option(self.config, "contract"))
        return [
            WaiCheck.from_parent(self, name=check_id)
            for check_id in CHECKS
            if contract.enabled(check_id)
        ]


class WaiCheckFailed(AssertionError):
    """A conformance check failed; carries its result for the failure report."""

    def __init__(self, result: CheckResult) -> None:
        super().__init__(result.id)
        self.result = result


class WaiCheck(pytest.Item):
    """One conformance check."""

    def runtest(self) -> None:
        report = _suite_report(self.session)
        result = next((c for c in report.checks if c.id == self.name), None)
        if result is None or result.status == "skipped":
            pytest.skip(result.note if result else "not run")
        if result.status == "failed":
            raise WaiCheckFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if not isinstance(excinfo.value, WaiCheckFailed):
            return str(super().repr_failure(excinfo))
        from wai_contract.conformance.reporters import case_text

        result = excinfo.value.result
        lines = [
            f"{result.id}: {result.title} — {result.failure_count} of {result.cases} cases failed",
            result.description,
            "",
        ]
        shown = result.failures[:SHOWN]
        for case in shown:
            lines += [case_text(case), ""]
        unshown = len(result.failures) + result.unlisted_causes - len(shown)
        if unshown:
            from wai_contract.conformance.reporters.text import more_causes

            cases = result.failure_count - sum(case.count for case in shown)
            where = (
                "in the report files"
                if _option(self.config, "report-dir")
                else "with --wai-report-dir DIR"
            )
            lines.append(f"... and {more_causes(unshown)} ({cases} failing cases): {where}")
        return "\n".join(lines)

    def reportinfo(self) -> tuple[str, int | None, str]:
        return "wai-contract", None, self.nodeid


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Add the suite's items before -k/-m selection sees the list."""
    if not _active(config):
        return
    suite = WaiSuite.from_parent(session, name="wai-contract", nodeid="wai-contract")
    collected = suite.collect()
    # Report the collection as pytest's own collectors do, so counts and --co include it.
    config.hook.pytest_collectreport(
        report=pytest.CollectReport(suite.nodeid, "passed", None, list(collected))
    )
    items.extend(item for item in collected if isinstance(item, pytest.Item))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist, in the controller: give every worker one private folder to share the
    suite's report in."""
    config = node.config
    if not _active(config):
        return
    if _SHARED not in config.stash:
        config.stash[_SHARED] = tempfile.mkdtemp(prefix="wai-contract-xdist-")
    node.workerinput[_SHARED_INPUT] = config.stash[_SHARED]


def pytest_unconfigure(config: pytest.Config) -> None:
    shared = config.stash.get(_SHARED, None)
    if shared:
        shutil.rmtree(shared, ignore_errors=True)


def _suite_report(session: pytest.Session) -> Report:
    stash = session.config.stash
    if stash.get(_FAILED, False):
        pytest.skip("not run: the suite could not start (see the first failure)")
    report = stash.get(_REPORT, None)
    if report is None:
        shared = getattr(session.config, "workerinput", {}).get(_SHARED_INPUT)
        produce = _run_or_fail(session)
        report = _report_once(Path(shared), produce) if shared else produce()
        stash[_REPORT] = report
    return report


def _run_or_fail(session: pytest.Session) -> Callable[[], Report]:
    """The suite's run; a target or option that cannot be used fails the item with the
    error's one paragraph (no traceback: it would show the target, token and all)."""
    from wai_contract.errors import WaiContractError

    def produce() -> Report:
        try:
            return _run_suite(session)
        except WaiContractError as exc:
            failure = f"wai-contract: {exc}"
        session.config.stash[_FAILED] = True  # one failure per cause, not one per check
        pytest.fail(failure, pytrace=False)

    return produce


def _report_once(shared: Path, produce: Callable[[], Report]) -> Report:
    """The report in *shared*, produced by whichever worker takes the lock first; the
    others wait for it, and take over if the worker holding the lock has died."""
    lock, done = shared / "lock", shared / "report.pickle"
    while True:
        if done.exists():
            loaded: Report = pickle.loads(done.read_bytes())  # our own file, in a 0700 folder
            return loaded
        try:
            held = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            if not _holder_alive(lock):
                lock.unlink(missing_ok=True)
            time.sleep(0.05)
            continue
        with os.fdopen(held, "w") as out:
            out.write(str(os.getpid()))
        try:
            report = produce()
        except BaseException:
            lock.unlink(missing_ok=True)  # another worker tries, and reports its own error
            raise
        partial = shared / f"report.{os.getpid()}"
        partial.write_bytes(pickle.dumps(report))
        partial.replace(done)
        return report


def _holder_alive(lock: Path) -> bool:
    try:
        pid = int(lock.read_text() or "0")
        if pid == 0:  # created, its pid not yet written: give it a few seconds
            return time.time() - lock.stat().st_mtime < 5
    except FileNotFoundError:
        return False
    except (OSError, ValueError):
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _run_suite(session: pytest.Session) -> Report:
    from wai_contract.conformance import prepare_report_dir, write_report

    config = session.config
    folder = _option(config, "report-dir")
    directory = prepare_report_dir(folder) if folder else None  # unwritable: fail at once
    report = _judge(config, session)
    if directory is not None:
        write_report(report, directory)
    return report


def _judge(config: pytest.Config, session: pytest.Session) -> Report:
    from wai_contract.conformance import RunOptions, load_contract, open_target, run
    from wai_contract.schemas import choose_input_schema

    choose_input_schema(_option(config, "schema"))
    # Only the selected checks run (after -k, -m, --deselect): the rest are switched off.
    selected = {item.name for item in session.items if isinstance(item, WaiCheck)}
    contract = load_contract(_option(config, "contract")).only(selected)
    options = RunOptions(max_examples=_option(config, "max-examples"))
    local = bool(_option(config, "local"))
    with open_target(
        endpoint=None if local else str(_option(config, "endpoint")),
        local=local,
        token=_token(config),
        local_token=LOCAL_TOKEN,
        api=_option(config, "api"),
        model=_option(config, "model"),
        openai_endpoint=_option(config, "openai-endpoint"),
    ) as target:
        return run(target, contract, options)


# --- fixtures for users' own tests ------------------------------------------------------------


@pytest.fixture(scope="session")
def wai_local_server() -> Iterator[str]:
    """The reference server on a free port (token ``wai-contract-pytest-local``); yields its
    model URL."""
    from wai_contract.server import serve

    with serve(token=LOCAL_TOKEN) as server:
        yield server.model_url


@pytest.fixture
def wai_client(request: pytest.FixtureRequest) -> Iterator[httpx.Client]:
    """An ``httpx.Client`` for the endpoint (``--wai-endpoint``, else the local reference
    server) that sends the token; its ``base_url`` is the ``/ai/run/`` prefix, so
    ``wai_client.post(wai_contract.MODEL, json=body)`` calls the model."""
    import httpx

    config = request.config
    url = _option(config, "endpoint")
    if not url:
        url = request.getfixturevalue("wai_local_server")
        token: str | None = LOCAL_TOKEN
    else:
        token = _token(config)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    # httpx gives a base URL a trailing slash, so the base is the /ai/run/ prefix and
    # requests name the model: client.post(MODEL, json=...).
    base = (
        str(url)[: str(url).index("/ai/run/") + len("/ai/run/")]
        if "/ai/run/" in str(url)
        else str(url)
    )
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        yield client


@pytest.fixture
def wai_lint() -> Any:
    """The linter: ``wai_lint(body_or_text) -> LintResult``."""
    from wai_contract.lint import lint

    return lint


@pytest.fixture
def wai_strategies() -> Any:
    """The Hypothesis strategies module (``valid_bodies``, ``invalid_bodies``, ...)."""
    from wai_contract import strategies

    return strategies
