"""The command group, the entry point, and the guard that turns errors into one line."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from ..display import inert
from ..errors import WaiContractError

F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {' '.join(inert(message).split())}", err=True)  # one line, inert
    sys.exit(2)


BROKEN_PIPE_STATUS = 141
"""What a shell reports for a command its reader stopped reading (128 + SIGPIPE)."""


def guard(command: F) -> F:
    """Turn toolkit errors into ``error: ...`` and exit 2, output that cannot be written
    (closed, full) into ``error: cannot write ...`` and exit 2, and a reader that stopped
    reading (``| head``) into a quiet exit 141."""
    import functools

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            try:
                result = command(*args, **kwargs)
            except SystemExit:
                _flush_stdout()
                raise
            _flush_stdout()
            return result
        except WaiContractError as exc:
            _fail(str(exc))
        except BrokenPipeError:
            _quiet_exit(BROKEN_PIPE_STATUS)
        except KeyboardInterrupt:
            _fail("interrupted")
        except OSError as exc:
            _fail(f"cannot write the output: {exc.strerror or exc}")

    return wrapper  # type: ignore[return-value]


def _flush_stdout() -> None:
    """Flush here, where a failure can still be told (not at the interpreter's exit)."""
    if sys.stdout is not None and not sys.stdout.closed:
        sys.stdout.flush()


def _quiet_exit(status: int) -> NoReturn:
    # Nothing more may reach the closed pipe, not even the interpreter's last flush.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.exit(status)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="wai-contract")
def cli() -> None:
    """Schema validation and contract testing for the Workers AI text-generation API of
    @cf/mistral/mistral-7b-instruct-v0.2-lora."""


class ExitAtOnce(SystemExit):
    """Raised by a command that leaves nothing to clean up: the console entry point
    then ends the process without interpreter teardown (freeing every object, about 10
    ms). Anywhere else, such as click's test runner, it is a plain ``SystemExit``."""


def main(argv: list[str] | None = None) -> None:
    """Console entry point: click errors become one ``error: ...`` line and exit 2."""
    if sys.stdout is None:  # `wai-contract ... >&-`
        _fail("cannot write the output: standard output is closed")
    from ..display import tolerant_console
    from .settings import ENV_PREFIX, default_map, find_pyproject

    tolerant_console()
    try:
        defaults = default_map(cli, find_pyproject())
    except WaiContractError as exc:
        _fail(str(exc))
    try:
        cli.main(
            args=argv,
            prog_name="wai-contract",
            standalone_mode=False,
            auto_envvar_prefix=ENV_PREFIX,
            default_map=defaults,
        )
    except ExitAtOnce as exc:
        sys.stderr.flush()
        os._exit(exc.code if isinstance(exc.code, int) else 1)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        hint = ""
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            hint = f" (see '{exc.ctx.command_path} --help')"
        _fail(exc.format_message() + hint)
    except click.Abort:
        _fail("aborted")


def schema_option(command: F) -> F:
    """``--schema NAME|FILE``: the request schema that judges bodies."""
    return click.option(
        "--schema",
        "schema_file",
        metavar="NAME|FILE",
        default=None,
        help="The request schema bodies are judged by: `published` (default: the model's "
        "schema as Cloudflare publishes it today), `page` (the vendor's page we started "
        "from), or a file (saved by `schemas pull`, a catalogue file, or the schema itself).",
    )(command)


def verbosity_options(command: F) -> F:
    """``-q``/``--quiet`` (the verdict line alone, no progress) and ``-v``/``--verbose``
    (every cause under each check)."""
    command = click.option("-v", "--verbose", is_flag=True, help="Show every cause.")(command)
    return click.option(
        "-q", "--quiet", is_flag=True, help="Print the verdict line alone, and no progress."
    )(command)


report_dir_option = click.option(
    "--report-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Where to write the report (default: reports/<UTC timestamp>/).",
)
baseline_option = click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    default=None,
    help="An earlier report.json: list new failures and fixed ones.",
)


def publish(report: Any, directory: Path, verbosity: int = 0) -> None:
    """Write *report* into *directory* in every format; print its summary (the verdict line
    alone at *verbosity* -1, every cause at 1) and where it is."""
    from .. import conformance

    if verbosity < 0:  # first: a failed write loses no verdict
        click.echo(conformance.verdict_line(report))
    else:
        click.echo(conformance.render_console(report, every=verbosity > 0))
    conformance.write_report(report, directory)
    click.echo(f"report: {directory / 'report.html'} (also report.json, junit.xml, summary.md)")
    if os.environ.get("GITHUB_ACTIONS") == "true":
        _to_github(conformance.render_annotations(report), directory / "summary.md")


STEP_SUMMARY_BYTES = 1000 * 1024
"""What GitHub keeps of a step's summary (1 MiB): past it, the summary says where the rest is."""


def _to_github(annotations: str, summary: Path) -> None:
    """In GitHub Actions: an annotation per cause of failure, and the summary in the step's
    summary (``$GITHUB_STEP_SUMMARY``, appended as GitHub asks)."""
    click.echo(annotations, nl=False)
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    text = summary.read_bytes()
    if len(text) > STEP_SUMMARY_BYTES:
        cut = text[:STEP_SUMMARY_BYTES].decode("utf-8", "ignore")
        text = f"{cut}\n\n(cut here: the whole summary is {summary})\n".encode()
    try:
        with open(target, "ab") as handle:
            handle.write(text)
    except OSError as exc:
        click.echo(f"warning: cannot write the step summary: {exc.strerror or exc}", err=True)


def use_schema_file(choice: str | None) -> None:
    """Judge request bodies by the schema ``--schema`` named (the published one when
    ``None``) from now on."""
    from ..schemas import choose_input_schema

    choose_input_schema(choice)
