"""The ``wai-contract`` command line: click options in, library calls out.

Nothing here does the work; heavy modules are imported inside each command so that
``wai-contract --help`` starts fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar, cast

import click

from .errors import WaiContractError

F = TypeVar("F", bound=Callable[..., Any])

LINT_FORMAT_NAMES = ("text", "json", "github", "sarif")  # == report.LINT_FORMATS, kept lazy


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def _guard(command: F) -> F:
    """Turn toolkit errors into ``error: ...`` and exit 2, and a closed pipe into silence."""
    import functools

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except WaiContractError as exc:
            _fail(str(exc))
        except BrokenPipeError:
            sys.stderr.close()  # `wai-contract lint ... | head`: stop quietly
            sys.exit(1)
        except KeyboardInterrupt:
            _fail("interrupted")

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="wai-contract")
def cli() -> None:
    """Schema validation and contract testing for the Workers AI text-generation API of
    @cf/mistral/mistral-7b-instruct-v0.2-lora."""


class _ExitAtOnce(SystemExit):
    """Raised by a command that leaves nothing to clean up: the console entry point
    then ends the process without interpreter teardown (freeing every object, about 10
    ms). Anywhere else, such as click's test runner, it is a plain ``SystemExit``."""


def main(argv: list[str] | None = None) -> None:
    """Console entry point: click errors become one ``error: ...`` line and exit 2."""
    try:
        cli.main(args=argv, prog_name="wai-contract", standalone_mode=False)
    except _ExitAtOnce as exc:
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


@cli.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH|-...")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(LINT_FORMAT_NAMES),
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
    help="How to split stdin: one JSON body, JSONL, or guess from the text.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    default=0,
    help="Worker processes for large .jsonl files (0: one per core).",
)
@_guard
def lint(paths: tuple[str, ...], fmt: str, strict: bool, stdin_format: str, jobs: int) -> None:
    """Validate request bodies before sending them.

    PATH is a .json file (one body), a .jsonl file (one body per line), a directory (its
    .json and .jsonl files, recursively) or - for stdin. Every error is reported with its
    JSON Pointer and its line and column in the file; warnings flag legal but odd input.

    Exit status: 0 all valid, 1 any invalid (or any warning with --strict), 2 usage error.
    """
    from .batch import default_jobs, lint_files
    from .sources import STDIN, StdinFormat, expand

    files = expand(paths)
    stdin = sys.stdin.buffer if STDIN in files else None
    summary = lint_files(
        files,
        fmt,
        sys.stdout,
        jobs=jobs or default_jobs(),
        stdin=stdin,
        stdin_format=cast("StdinFormat", stdin_format),
    )
    if summary.bodies == 0:
        raise WaiContractError("no request bodies found in " + ", ".join(paths))
    sys.stdout.flush()  # here, where a closed pipe is caught
    raise _ExitAtOnce(1 if summary.invalid or (strict and summary.warnings) else 0)


@cli.command()
@click.option(
    "-n",
    "--count",
    type=click.IntRange(min=0),
    default=100,
    show_default=True,
    help="How many bodies to generate.",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Same seed, same output, byte for byte."
)
@click.option(
    "--kind", type=click.Choice(["valid", "invalid", "both"]), default="both", show_default=True
)
@click.option(
    "--branch",
    type=click.Choice(["prompt", "messages"]),
    default=None,
    help="Only Prompt or only Messages bodies (default: both).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default="-",
    help="Write JSONL here instead of stdout.",
)
@click.option(
    "--coverage",
    is_flag=True,
    help="Print the boundary checklist and what a run of N bodies hits, instead of the bodies.",
)
@_guard
def gen(count: int, seed: int, kind: str, branch: str | None, output: str, coverage: bool) -> None:
    """Generate conforming and edge-case request bodies as JSONL.

    Each line is {"id", "valid", "tags", "pointer" (invalid bodies only), "payload"}. The
    boundary checklist comes first (every bound at, inside and outside; both branches;
    both tool variants; type confusions; missing required properties), then random
    bodies. Invalid bodies carry exactly one violation, at "pointer".
    """
    from .generate import checklist_ids, generate

    if coverage:
        ids = checklist_ids(kind=kind, branch=branch)  # type: ignore[arg-type]
        for position, ident in enumerate(ids):
            click.echo(f"{'hit ' if position < count else 'MISS'} {ident}")
        hit = min(count, len(ids))
        click.echo(f"{hit}/{len(ids)} checklist items hit by a run of {count} bodies")
        sys.exit(0 if hit == len(ids) else 1)
    import orjson

    bodies = generate(count, seed=seed, kind=kind, branch=branch)  # type: ignore[arg-type]
    out = sys.stdout.buffer if output == "-" else _open_output(output)
    valid = 0
    with out:
        for number, body in enumerate(bodies, 1):
            out.write(orjson.dumps(body.record(f"b-{number:06d}")) + b"\n")
            valid += body.valid
    if output != "-":
        click.echo(
            f"wrote {count} bodies ({valid} valid, {count - valid} invalid) to {output}", err=True
        )


def _open_output(path: str) -> Any:
    try:
        return open(path, "wb")
    except OSError as exc:
        raise WaiContractError(f"cannot write {path}: {exc.strerror or exc}") from None


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8787,
    show_default=True,
    help="0 picks a free port.",
)
@click.option(
    "--token",
    default=None,
    help="Bearer token to require (default: $CLOUDFLARE_API_TOKEN, then $CLOUDFLARE_AUTH_TOKEN).",
)
@click.option("--no-auth", is_flag=True, help="Accept requests without a token.")
@click.option(
    "--token-delay",
    "token_delay",
    type=click.FloatRange(min=0),
    default=0,
    help="Milliseconds between streamed tokens, to pace streams like a real model.",
)
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="NAME",
    help="Inject a documented misbehaviour (repeatable); see --list-faults.",
)
@click.option("--list-faults", is_flag=True, help="List the injectable faults and exit.")
@click.option(
    "--max-body-bytes",
    type=click.IntRange(min=1),
    default=8 * 1024 * 1024,
    show_default=True,
    help="Larger bodies get 413.",
)
@click.option("--access-log", is_flag=True, help="Log every request to stderr.")
@_guard
def serve(
    host: str,
    port: int,
    token: str | None,
    no_auth: bool,
    token_delay: float,
    faults: tuple[str, ...],
    list_faults: bool,
    max_body_bytes: int,
    access_log: bool,
) -> None:
    """Run the local reference server for the model's endpoint.

    POST /client/v4/accounts/ACCOUNT/ai/run/@cf/mistral/mistral-7b-instruct-v0.2-lora
    answers like the live API, with a deterministic fake model. The first line on stdout
    is exactly "listening on http://HOST:PORT". Stops cleanly on Ctrl-C or SIGTERM.
    """
    from .server import (
        FAULTS,
        ServerConfig,
        bind,
        check_faults,
        listening_url,
        run_forever,
        token_from_environment,
    )

    if list_faults:
        width = max(len(name) for name in FAULTS)
        for name, what in FAULTS.items():
            click.echo(f"{name:{width}}  {what}")
        return
    token = token or token_from_environment()
    if token is None and not no_auth:
        raise WaiContractError("no token: pass --token, set CLOUDFLARE_API_TOKEN, or use --no-auth")
    config = ServerConfig(
        token=None if no_auth else token,
        token_delay_ms=token_delay,
        faults=check_faults(faults),
        max_body_bytes=max_body_bytes,
    )
    sock = bind(host, port)
    click.echo(f"listening on {listening_url(sock)}")
    sys.stdout.flush()
    run_forever(config, sock, access_log=access_log)


LIVE_URL = "https://api.cloudflare.com/client/v4/accounts/{account}/ai/run/{model}"


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
@_guard
def run_command(
    endpoint: str | None,
    account_id: str | None,
    local: bool,
    local_faults: tuple[str, ...],
    token: str | None,
    contract_path: str | None,
    max_examples: int | None,
    seed: int | None,
    timeout: float | None,
    concurrency: int | None,
    max_requests: int | None,
    report_dir: str | None,
    baseline: str | None,
    dry_run: bool,
    no_shrink: bool,
) -> None:
    """Run the conformance suite against an endpoint and write a report.

    Exactly one target: --endpoint URL, --account-id ID (the live API) or --local.
    Writes report.json, junit.xml, summary.md and report.html into the report folder.
    Exit status: 0 every check passed, 1 a check failed, 2 usage or configuration error.
    """
    import contextlib
    import secrets
    from datetime import UTC, datetime
    from pathlib import Path

    from .contracts import load_contract
    from .runner import RunOptions, Target, plan, run
    from .schemas import MODEL
    from .server import token_from_environment

    chosen = [
        name
        for name, on in (("--endpoint", endpoint), ("--account-id", account_id), ("--local", local))
        if on
    ]
    if len(chosen) != 1:
        raise WaiContractError(
            "choose exactly one target: --endpoint URL, --account-id ID "
            f"or --local (got {', '.join(chosen) or 'none'})"
        )
    if local_faults and not local:
        raise WaiContractError("--local-fault needs --local")
    if endpoint is not None:
        _check_endpoint(endpoint)
    contract = load_contract(contract_path)
    options = RunOptions(
        max_examples, seed, timeout, concurrency, max_requests, shrink=not no_shrink
    )
    previous = _read_baseline(baseline) if baseline else None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    directory = Path(report_dir) if report_dir else Path("reports") / stamp
    if not dry_run:
        try:  # fail before the run, not after it
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WaiContractError(
                f"cannot create the report folder {directory}: {exc.strerror or exc}"
            ) from None
    token = token or token_from_environment()
    with contextlib.ExitStack() as stack:
        if local:
            from .server import serve

            token = secrets.token_urlsafe(16)
            server = stack.enter_context(serve(token=token, faults=local_faults))
            url = server.model_url
        elif account_id is not None:
            url = LIVE_URL.format(account=account_id, model=MODEL)
        else:
            url = str(endpoint)
        target = Target(url, token)
        if dry_run:
            for request in plan(target, contract, options):
                body = _short_json(request.body)
                auth = "" if request.authorised else " (without a valid token)"
                click.echo(f"{request.case:22} {request.check:17} POST{auth} {body}")
            return
        with click.progressbar(length=1, label="running", file=sys.stderr, show_pos=True) as bar:

            def progress(done: int, total: int) -> None:
                bar.length = total
                bar.update(done - bar.pos)

            report = run(target, contract, options, progress=progress)
    if previous is not None:
        from .report.model import compare

        report.comparison = compare(report, previous, str(baseline))
    from .report.run import render_console, write_report

    try:
        write_report(report, directory)
    except OSError as exc:
        raise WaiContractError(
            f"cannot write the report to {directory}: {exc.strerror or exc}"
        ) from None
    click.echo(render_console(report))
    if report.comparison is not None:
        cmp = report.comparison
        click.echo(
            f"against {cmp.baseline}: {len(cmp.new_failures)} new failures, {len(cmp.fixed)} fixed"
        )
    click.echo(f"report: {directory / 'report.html'} (also report.json, junit.xml, summary.md)")
    sys.exit(0 if report.passed else 1)


def _check_endpoint(url: str) -> None:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise WaiContractError(f"--endpoint {url!r} is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        raise WaiContractError(f"--endpoint must be an http(s) URL with a host, not {url!r}")
    del port  # parsed only to validate it


def _short_json(value: Any) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."


def _read_baseline(path: str) -> Any:
    import json

    from .report.model import Report

    try:
        with open(path, encoding="utf-8") as handle:
            return Report.from_dict(json.load(handle))
    except OSError as exc:
        raise WaiContractError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    except (ValueError, TypeError, KeyError) as exc:
        raise WaiContractError(
            f"baseline {path} is not a wai-contract report.json: {exc}"
        ) from None
