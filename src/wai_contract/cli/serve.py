"""``wai-contract serve``."""

from __future__ import annotations

import sys

import click

from ..errors import ConfigError
from .base import cli, guard, schema_option, use_schema_file


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
@click.option(
    "--head-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="Seconds a request head may take to arrive (then 408 and the connection closes).",
)
@click.option(
    "--body-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Seconds a request body may take to arrive (then 408).",
)
@click.option("--access-log", is_flag=True, help="Log every request to stderr.")
@schema_option
@guard
def serve(
    host: str,
    port: int,
    token: str | None,
    no_auth: bool,
    token_delay: float,
    faults: tuple[str, ...],
    list_faults: bool,
    max_body_bytes: int,
    head_timeout: float,
    body_timeout: float,
    access_log: bool,
    schema_file: str | None,
) -> None:
    """Run the local reference server for the model's endpoint.

    POST /client/v4/accounts/ACCOUNT/ai/run/@cf/mistral/mistral-7b-instruct-v0.2-lora
    answers like the live API, with a deterministic fake model. The first line on stdout
    is exactly "listening on http://HOST:PORT". Stops cleanly on Ctrl-C or SIGTERM.
    """
    from ..credentials import find_token
    from ..server import (
        FAULTS,
        ServerConfig,
        bind,
        check_faults,
        listening_url,
        run_forever,
    )

    if list_faults:
        width = max(len(name) for name in FAULTS)
        for name, what in FAULTS.items():
            click.echo(f"{name:{width}}  {what}")
        return
    use_schema_file(schema_file)
    token = find_token(token)
    if token is None and not no_auth:
        raise ConfigError("no token: pass --token, set CLOUDFLARE_API_TOKEN, or use --no-auth")
    config = ServerConfig(
        token=None if no_auth else token,
        token_delay_ms=token_delay,
        faults=check_faults(faults),
        max_body_bytes=max_body_bytes,
        body_timeout=body_timeout,
    )
    sock = bind(host, port)
    click.echo(f"listening on {listening_url(sock)}")
    sys.stdout.flush()
    run_forever(config, sock, access_log=access_log, head_timeout=head_timeout)
