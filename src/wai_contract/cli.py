"""The ``wai-contract`` command line: click options in, library calls out.

Nothing here does the work; heavy modules are imported inside each command so that
``wai-contract --help`` starts fast.
"""

from __future__ import annotations

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


def main(argv: list[str] | None = None) -> None:
    """Console entry point: click errors become one ``error: ...`` line and exit 2."""
    try:
        cli.main(args=argv, prog_name="wai-contract", standalone_mode=False)
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
    sys.stdout.flush()
    sys.exit(1 if summary.invalid or (strict and summary.warnings) else 0)


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
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    click.echo(f"listening on http://{shown}:{bound_port}")
    sys.stdout.flush()
    run_forever(config, sock, access_log=access_log)
