"""``wai-contract run``."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

import click

from .base import cli, guard, schema_option, use_schema_file


@cli.command(name="run")
@click.option("--endpoint", metavar="URL", help="Full model URL of a compatible server.")
@click.option("--account-id", metavar="ID", help="Run against the live Cloudflare API.")
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
    "--token",
    default=None,
    help="API token (default: $CLOUDFLARE_API_TOKEN, then $CLOUDFLARE_AUTH_TOKEN). "
    "Never written to reports or logs.",
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
    "--concurrency",
    type=click.IntRange(1, 256),
    default=None,
    help="Requests in flight (default 4).",
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
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Where to write the report (default: reports/<UTC timestamp>/).",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, exists=False),
    default=None,
    help="An earlier report.json: list new failures and fixed ones.",
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
@guard
def run_command(
    endpoint: str | None,
    account_id: str | None,
    local: bool,
    local_faults: tuple[str, ...],
    api: str | None,
    token: str | None,
    contract_path: str | None,
    max_examples: int | None,
    seed: int | None,
    timeout: float | None,
    concurrency: int | None,
    max_requests: int | None,
    requests_per_minute: float | None,
    report_dir: str | None,
    baseline: str | None,
    dry_run: bool,
    no_shrink: bool,
    strict: bool | None,
    schema_file: str | None,
) -> None:
    """Run the conformance suite against an endpoint and write a report.

    Exactly one target: --endpoint URL, --account-id ID (the live API) or --local.
    Writes report.json, junit.xml, summary.md and report.html into the report folder.
    Exit status: 0 every check passed, 1 a check failed, 2 usage or configuration error.
    """
    from .. import conformance as c
    from ..server import token_from_environment

    use_schema_file(schema_file)
    # The live service has a contract of its own (context window, pace).
    live = account_id is not None and contract_path is None
    contract = c.load_contract(c.LIVE_CONTRACT if live else contract_path)
    options = c.RunOptions(
        max_examples, seed, timeout, concurrency, max_requests, not no_shrink, strict or None,
        requests_per_minute,
    )  # fmt: skip
    previous = c.load_report(baseline) if baseline else None  # a bad one fails before the run
    target = c.open_target(
        endpoint=endpoint,
        account_id=account_id,
        local=local,
        local_faults=local_faults,
        token=token or token_from_environment(),
        api=api,
    )
    if dry_run:
        with target as chosen:
            _print_plan(c.plan(chosen, contract, options))
        return
    directory = c.prepare_report_dir(report_dir)
    with target as chosen, _progress_bar() as progress:
        report = c.run(chosen, contract, options, progress=progress)
    if previous is not None:
        report.comparison = c.compare(report, previous, str(baseline))
    c.write_report(report, directory)
    click.echo(c.render_console(report))
    click.echo(f"report: {directory / 'report.html'} (also report.json, junit.xml, summary.md)")
    sys.exit(0 if report.passed else 1)


@contextlib.contextmanager
def _progress_bar() -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr, shown from the first job done, so that a run that ends
    before its plan (an unreachable target) prints its error alone."""
    with contextlib.ExitStack() as stack:
        bars: list[Any] = []

        def progress(done: int, total: int) -> None:
            if not bars:
                bar = click.progressbar(
                    length=total, label="running", file=sys.stderr, show_pos=True
                )
                bars.append(stack.enter_context(bar))
            bars[0].update(done - bars[0].pos)

        yield progress


def _print_plan(cases: list[Any]) -> None:
    for case in cases:
        auth = "" if case.authorised else " (without a valid token)"
        click.echo(f"{case.id:22} {case.check:17} POST{auth} {_short_json(case.body)}")


def _short_json(value: Any) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."
