"""``wai-contract lint``."""

from __future__ import annotations

import sys
from typing import cast

import click

from ..errors import SourceError
from ..lint.reporters import LINT_FORMATS
from .base import ExitAtOnce, cli, guard, schema_option, use_schema_file


@cli.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH|-...")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(LINT_FORMATS)),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option(
    "--stdin-format",
    type=click.Choice(["auto", "json", "jsonl"]),
    default="auto",
    show_default=True,
    help="How to split stdin: one JSON body, JSONL (each line linted as it comes), or guess "
    "from the whole text.",
)
@click.option(
    "--api",
    type=click.Choice(["auto", "native", "openai"]),
    default="auto",
    show_default=True,
    help="The surface the bodies are for: /ai/run (native) or /ai/v1/chat/completions "
    "(openai); auto: openai when a body has both model and messages.",
)
@click.option(
    "--reading",
    type=click.Choice(["both", "openai", "service"]),
    default="both",
    show_default=True,
    help="For OpenAI-compatible bodies: judge them by OpenAI's reference (what generic "
    "compatible servers follow), by what Workers AI does (the model's own schema), or both; "
    "every error names the reading that finds it.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    default=0,
    help="Worker processes for large .jsonl files (0: one per core).",
)
@schema_option
@guard
def lint(
    paths: tuple[str, ...],
    fmt: str,
    strict: bool,
    stdin_format: str,
    jobs: int,
    api: str,
    reading: str,
    schema_file: str | None,
) -> None:
    """Validate request bodies before sending them.

    PATH is a .json file (one body), a .jsonl file (one body per line), a directory (its
    .json and .jsonl files, recursively) or - for stdin. Every error is reported with its
    JSON Pointer and its line and column in the file; warnings flag legal but odd input.

    Exit status: 0 all valid, 1 any invalid (or any warning with --strict), 2 usage error.
    """
    use_schema_file(schema_file)
    from ..lint.batch import default_jobs, lint_files
    from ..lint.openai import READINGS, Api, Reading
    from ..lint.sources import STDIN, StdinFormat, expand

    files = expand(paths)
    stdin = sys.stdin.buffer if STDIN in files and sys.stdin is not None else None
    summary = lint_files(
        files,
        fmt,
        sys.stdout,
        jobs=jobs or default_jobs(),
        stdin=stdin,
        stdin_format=cast("StdinFormat", stdin_format),
        api=cast("Api", api),
        readings=READINGS if reading == "both" else (cast("Reading", reading),),
    )
    if summary.bodies == 0:
        shown = ", ".join(paths)
        raise SourceError(shown, "no request bodies", message=f"no request bodies found in {shown}")
    sys.stdout.flush()  # here, where a closed pipe is caught
    raise ExitAtOnce(1 if summary.invalid or (strict and summary.warnings) else 0)
