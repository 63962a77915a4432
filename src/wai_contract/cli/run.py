"""``wai-contract run``."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from ..errors import WaiContractError
from .base import (
    baseline_option,
    cli,
    guard,
    publish,
    report_dir_option,
    schema_option,
    use_schema_file,
    verbosity_options,
)
from .progress import progress_display


@cli.command(name="run")
@click.option("--endpoint", metavar="URL", help="Full model URL of a compatible server.")
@click.option(
    "--account-id",
    metavar="ID",
    help="Run against the live Cloudflare API; bodies are judged by the request schema it "
    "publishes for the model (read first; the vendored one if it cannot be read), unless "
    "--schema says otherwise.",
)
@click.option(
    "--api-base",
    metavar="URL",
    help="With --account-id: another v4 API base, such as the reference server's "
    "(default: Cloudflare's).",
)
@click.option(
    "--local",
    is_flag=True,
    help="Start the bundled reference server on a free port and run against it.",
)
@click.option(
    "--local-fault",
    "local_faults",
    multiple=True,
    metavar="NAME",
    help="With --local: inject a server fault (see `serve --list-faults`).",
)
@click.option(
    "--api",
    type=click.Choice(["native", "openai", "both"]),
    default=None,
    help="The surfaces to judge: /ai/run (native), /ai/v1/chat/completions (openai) or both "
    "(default: both with --local, native with --account-id, an --endpoint's own).",
)
@click.option(
    "--openai-endpoint",
    metavar="URL",
    default=None,
    help="With --endpoint (a native URL): the same target's OpenAI-compatible URL "
    "(e.g. http://host/v1/chat/completions); both surfaces are judged in one run.",
)
@click.option(
    "--model",
    default=None,
    metavar="NAME",
    help="With --endpoint: the model's name in OpenAI-compatible bodies (default: "
    "@cf/mistral/mistral-7b-instruct-v0.2-lora), for a server that names it its own way.",
)
@click.option(
    "--token",
    default=None,
    help="API token (default: $CLOUDFLARE_API_TOKEN, then $CLOUDFLARE_AUTH_TOKEN). "
    "Never written to reports or logs, but visible to other users in `ps`: prefer the "
    "variables or --token-file.",
)
@click.option(
    "--token-file",
    type=click.File("r", encoding="utf-8"),
    default=None,
    help="Read the token from this file (- for standard input).",
)
@click.option(
    "--contract",
    "contract_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Contract file (default: the bundled contracts/workers-ai.yaml).",
)
@click.option(
    "--max-examples",
    type=click.IntRange(min=0),
    default=None,
    help="Generated bodies to send (default from the contract: 500).",
)
@click.option("--seed", type=int, default=None, help="Reproduce a run (default 0).")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.001),
    default=None,
    help="Seconds per request, to the last byte (default 30).",
)
@click.option(
    "--deadline",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Seconds the whole run may take; then it stops and reports what it judged "
    "(default: scaled from the plan, at least 300).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    default=None,
    help="Requests in flight (default 4).",
)
@click.option(
    "--max-concurrency",
    type=click.IntRange(1, 256),
    default=None,
    help="Requests in flight the run may grow to while answers are slow and the target "
    "neither queues nor pushes back (default 96; 16 for the live API).",
)
@click.option(
    "--requests-per-minute",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Pace the run (default from the contract: none, or 240 for the live API).",
)
@click.option(
    "--max-requests",
    type=click.IntRange(min=1),
    default=None,
    help="Stop sending after this many requests (live-API etiquette).",
)
@report_dir_option
@baseline_option
@click.option(
    "--shard",
    metavar="K/N",
    default=None,
    help="Send only part K of N of the plan (each part on its own machine or core); join "
    "the parts' reports with `report merge`.",
)
@click.option("--dry-run", is_flag=True, help="List the planned requests; send nothing.")
@click.option("--no-shrink", is_flag=True, help="Do not shrink failing bodies.")
@click.option(
    "--strict",
    is_flag=True,
    default=None,
    help="Fail (exit 1) on warnings too: behaviour described but not guaranteed.",
)
@schema_option
@verbosity_options
@guard
def run_command(
    endpoint: str | None,
    account_id: str | None,
    api_base: str | None,
    local: bool,
    local_faults: tuple[str, ...],
    api: str | None,
    openai_endpoint: str | None,
    model: str | None,
    token: str | None,
    token_file: Any,
    contract_path: str | None,
    max_examples: int | None,
    seed: int | None,
    timeout: float | None,
    deadline: float | None,
    concurrency: int | None,
    max_concurrency: int | None,
    max_requests: int | None,
    requests_per_minute: float | None,
    report_dir: str | None,
    baseline: str | None,
    shard: str | None,
    dry_run: bool,
    no_shrink: bool,
    strict: bool | None,
    schema_file: str | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Run the conformance suite against an endpoint and write a report.

    Exactly one target: --endpoint URL, --account-id ID (the live API) or --local.
    Writes report.json, junit.xml, summary.md and report.html into the report folder.
    Exit status: 0 every check passed, 1 a check failed or the run was incomplete (its
    deadline passed, nothing judged, the target too busy), 2 usage or configuration error,
    or interrupted (Ctrl-C, SIGTERM: the partial report is still written).
    """
    from .. import conformance as c

    use_schema_file(schema_file)
    secret = _token(token, token_file)
    contract = c.load_contract(contract_path, live=account_id is not None)
    options = c.RunOptions(
        max_examples=max_examples, seed=seed, timeout=timeout, concurrency=concurrency,
        max_requests=max_requests, shrink=not no_shrink, strict=strict or None,
        requests_per_minute=requests_per_minute, deadline=deadline,
        shard=c.Shard.parse(shard) if shard else None, max_concurrency=max_concurrency,
    )  # fmt: skip
    target = c.open_target(
        endpoint=endpoint, account_id=account_id, local=local, local_faults=local_faults,
        token=secret, api=api, model=model, openai_endpoint=openai_endpoint, api_base=api_base,
    )  # fmt: skip
    if account_id is not None and schema_file is None and not dry_run:
        _judge_by_the_live_schema(account_id, secret, api_base)
    if dry_run:
        with target as chosen:
            _print_plan(c.plan(chosen, contract, options))
        return
    _run_and_report(target, contract, options, report_dir, baseline, _verbosity(quiet, verbose))


def _verbosity(quiet: bool, verbose: bool) -> int:
    """-1 with --quiet, 1 with --verbose, else 0."""
    if quiet and verbose:
        raise click.UsageError("give at most one of --quiet and --verbose")
    return int(verbose) - int(quiet)


def _judge_by_the_live_schema(account_id: str, token: str | None, api_base: str | None) -> None:
    """Bodies are judged by the schema the live service publishes; a note says when it
    could not be read (then the vendored published one judges)."""
    from ..drift import use_live_schema

    unread = use_live_schema(account_id, token, api_base)
    if unread:
        click.echo(f"note: {unread}: judging by the vendored published schema", err=True)


def _run_and_report(
    target: Any,
    contract: Any,
    options: Any,
    report_dir: str | None,
    baseline: str | None,
    verbosity: int = 0,
) -> None:
    """Run, write the report (also of an interrupted run), print the summary, exit."""
    from .. import conformance as c
    from ._malloc import keep_less

    wanted = Path(report_dir) if report_dir is not None else Path("reports") / "x"
    fresh = [folder for folder in wanted.parents if not folder.exists()]  # made for the run
    directory = c.prepare_report_dir(report_dir)
    keep_less()  # before the sender threads start
    interrupted = False
    try:
        shown = progress_display() if verbosity >= 0 else contextlib.nullcontext(None)
        with target as chosen, shown as progress, _sigterm_interrupts():
            try:
                report = c.run(chosen, contract, options, progress=progress, baseline=baseline)
            except c.Interrupted as stop:
                report, interrupted = stop.report, True
    except WaiContractError:  # nothing was judged: no empty report folder is left behind
        for folder in (directory, *fresh):  # the deepest first; rmdir keeps what holds files
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    publish(report, directory, verbosity)
    if interrupted:
        raise KeyboardInterrupt
    sys.exit(0 if report.passed else 1)


def _token(given: str | None, token_file: Any) -> str | None:
    from ..conformance.http.redact import SHORT_SECRET
    from ..credentials import find_token

    token = find_token(given, token_file.read() if token_file else None)
    if token and len(token) < SHORT_SECRET:
        click.echo(
            f"warning: the token is shorter than {SHORT_SECRET} characters: reports redact "
            "only its whole occurrences, so a server echoing it inside a word is not caught",
            err=True,
        )
    return token


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM (a CI job cancelled) stops the run as Ctrl-C does: with a partial report."""

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _print_plan(cases: list[Any]) -> None:
    for case in cases:
        auth = "" if case.authorised else " (without a valid token)"
        click.echo(f"{case.id:22} {case.check:17} POST{auth} {_short_json(case.body)}")


def _short_json(value: Any) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."
