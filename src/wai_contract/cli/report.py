"""``wai-contract report merge``."""

from __future__ import annotations

import sys

import click

from .base import baseline_option, cli, guard, publish, report_dir_option


@cli.group()
def report() -> None:
    """Work with the reports that `run` writes."""


@report.command()
@click.argument("parts", nargs=-1, required=True, metavar="REPORT...")
@report_dir_option
@baseline_option
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
    publish(merged, c.prepare_report_dir(report_dir))
    sys.exit(0 if merged.passed else 1)
