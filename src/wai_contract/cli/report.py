"""``wai-contract report merge``."""

from __future__ import annotations

import sys

import click

from .base import cli, guard


@cli.group()
def report() -> None:
    """Work with the reports that `run` writes."""


@report.command()
@click.argument("parts", nargs=-1, required=True, metavar="REPORT...")
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Where to write the merged report (default: reports/<UTC timestamp>/).",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    default=None,
    help="An earlier report.json: list new failures and fixed ones.",
)
@guard
def merge(parts: tuple[str, ...], report_dir: str | None, baseline: str | None) -> None:
    """Join the reports of every part of a sharded run (`run --shard K/N`) into one.

    Each REPORT is a report folder or its report.json. The merged report holds the verdicts
    the whole run would have given. Exit status as for `run`: 0 passed, 1 failed or
    incomplete, 2 when the reports are not every part of one run.
    """
    from .. import conformance as c

    loaded = [c.load_report(part, "report") for part in parts]
    previous = c.load_report(baseline) if baseline else None
    merged = c.merge_reports(loaded)
    if previous is not None:
        merged.comparison = c.compare(merged, previous, str(baseline))
    directory = c.prepare_report_dir(report_dir)
    c.write_report(merged, directory)
    click.echo(c.render_console(merged))
    click.echo(f"report: {directory / 'report.html'} (also report.json, junit.xml, summary.md)")
    sys.exit(0 if merged.passed else 1)
