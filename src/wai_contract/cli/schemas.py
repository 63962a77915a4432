"""``wai-contract schemas pull`` and ``wai-contract schemas diff``."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..errors import OutputError
from .base import cli, guard


@cli.group()
def schemas() -> None:
    """The request schema the service publishes, and how it drifts from ours."""


@schemas.command()
@click.option("--account-id", required=True, metavar="ID", help="Your Cloudflare account id.")
@click.option(
    "--token",
    default=None,
    help="API token (default: $CLOUDFLARE_API_TOKEN, then $CLOUDFLARE_AUTH_TOKEN).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default="schema.json",
    show_default=True,
    help="Where to save the schemas.",
)
@click.option(
    "--api-base",
    default=None,
    metavar="URL",
    help="Another v4 API base, such as the reference server's (default: Cloudflare's).",
)
@guard
def pull(account_id: str, token: str | None, output: str, api_base: str | None) -> None:
    """Save the schemas the live service publishes for the model (GET .../ai/models/schema).

    The file holds {"source", "result": {"input", "output"}}; give it to run, lint or gen
    with --schema, and compare it with ours with `schemas diff vendored FILE`.
    """
    import json

    from ..credentials import find_token
    from ..drift import API_BASE, pull, schema_url

    url = schema_url(account_id, api_base or API_BASE)
    result = pull(url, find_token(token))
    text = json.dumps({"source": url, "result": result}, indent=2, ensure_ascii=False) + "\n"
    try:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise OutputError(f"cannot write {output}: {exc.strerror or exc}") from None
    click.echo(f"saved the schemas of {url} to {output}", err=True)


@schemas.command()
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@guard
def diff(old: str, new: str) -> None:
    """Say in words what changed from the request schema OLD to NEW.

    Each is a file (saved by `schemas pull`, or a schema) or the word `vendored` for ours.
    Exit status: 0 no difference, 1 differences, 2 usage error.
    """
    from ..drift import differences

    changes = differences(_input_schema(old), _input_schema(new))
    for change in changes:
        click.echo(change)
    if not changes:
        click.echo("no differences")
    sys.exit(1 if changes else 0)


def _input_schema(name: str) -> Any:
    from ..schemas import load_schema, read_input_schema

    return load_schema("input") if name == "vendored" else read_input_schema(name)
