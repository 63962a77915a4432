"""``wai-contract gen``."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..errors import OutputError
from .base import cli, guard, schema_option, use_schema_file


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
@click.option(
    "--api",
    type=click.Choice(["native", "openai"]),
    default="native",
    show_default=True,
    help="Bodies for /ai/run (native) or /ai/v1/chat/completions (openai).",
)
@click.option(
    "--bodies",
    "bodies_only",
    is_flag=True,
    help="Write only each body (the payload), one per line: ready for `lint -` or a client.",
)
@schema_option
@guard
def gen(
    count: int,
    seed: int,
    kind: str,
    branch: str | None,
    output: str,
    coverage: bool,
    api: str,
    bodies_only: bool,
    schema_file: str | None,
) -> None:
    """Generate conforming and edge-case request bodies as JSONL.

    Each line is {"id", "valid", "tags", "pointer" (invalid bodies only), "payload"}. The
    boundary checklist comes first (every bound at, inside and outside; both branches;
    both tool variants; type confusions; missing required properties), then random
    bodies. Invalid bodies carry exactly one violation, at "pointer".
    """
    from ..generate import checklist_ids, generate

    use_schema_file(schema_file)

    if coverage:
        ids = checklist_ids(kind=kind, branch=branch)  # type: ignore[arg-type]
        for position, ident in enumerate(ids):
            click.echo(f"{'hit ' if position < count else 'MISS'} {ident}")
        hit = min(count, len(ids))
        click.echo(f"{hit}/{len(ids)} checklist items hit by a run of {count} bodies")
        sys.exit(0 if hit == len(ids) else 1)
    import orjson

    from ..display import one_json_line

    bodies = generate(count, seed=seed, kind=kind, branch=branch, api=api)  # type: ignore[arg-type]
    out = sys.stdout.buffer if output == "-" else _open_output(output)
    valid = invalid = 0
    with out:
        for number, body in enumerate(bodies, 1):
            record = body.payload if bodies_only else body.record(f"b-{number:06d}")
            out.write(one_json_line(orjson.dumps(record)) + b"\n")
            valid += body.valid is True
            invalid += body.valid is False
    if output != "-":
        undetermined = count - valid - invalid
        more = f", {undetermined} undetermined (the readings disagree)" if undetermined else ""
        click.echo(
            f"wrote {count} bodies ({valid} valid, {invalid} invalid{more}) to {output}", err=True
        )


def _open_output(path: str) -> Any:
    try:
        return open(path, "wb")
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
