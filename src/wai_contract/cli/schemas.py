"""``wai-contract schemas pull`` and ``wai-contract schemas diff``."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..errors import OutputError
from .base import cli, guard


@cli.group()
def schemas() -> None:
    """The schemas the service and OpenAI publish, and how they drift from ours."""


@schemas.command()
@click.option("--account-id", default=None, metavar="ID", help="Your Cloudflare account id.")
@click.option(
    "--openai",
    "openai_ref",
    default=None,
    metavar="REF",
    help="Instead: OpenAI's chat-completions shapes from openai/openai-openapi at REF (a "
    "commit, or main), converted as the vendored ones are.",
)
@click.option(
    "--openai-url",
    default=None,
    metavar="URL",
    help="With --openai: the OpenAPI document's URL (default: GitHub's raw file at REF).",
)
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
def pull(
    account_id: str | None,
    openai_ref: str | None,
    openai_url: str | None,
    token: str | None,
    output: str,
    api_base: str | None,
) -> None:
    """Save the schemas the live service publishes for the model (GET .../ai/models/schema),
    or, with --openai REF, OpenAI's chat-completions shapes at REF.

    The file holds {"source", "result": {"input", "output"}} (or {"source", "openai"}); give
    the service's to run, lint or gen with --schema, and compare either with ours with
    `schemas diff vendored FILE` (`schemas diff vendored-openai FILE`).
    """
    import json

    if (account_id is None) == (openai_ref is None):
        raise click.UsageError("give exactly one of --account-id ID and --openai REF")
    if openai_url is not None and openai_ref is None:
        raise click.UsageError("--openai-url needs --openai REF")
    if openai_ref is not None:
        document, url = _pulled_openai(openai_ref, openai_url)
    else:
        from ..credentials import find_token
        from ..drift import pull, schema_url

        url = schema_url(str(account_id), api_base)
        document = {"source": url, "result": pull(url, find_token(token))}
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
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

    Each is a file (saved by `schemas pull`, Cloudflare's catalogue file for the model as
    published, or a schema), or a name: `published` (or `vendored`) for the published schema
    we vendor, `page` for the vendor's page's; for OpenAI's shapes, files saved by `schemas
    pull --openai` or `vendored-openai`.
    Exit status: 0 no difference, 1 differences, 2 usage error.
    """
    from ..drift import differences

    documents = _document(old), _document(new)
    shapes = [_openai_shapes(document) for document in documents]
    if (shapes[0] is None) != (shapes[1] is None):
        raise click.UsageError("OLD and NEW must both be request schemas or both OpenAI's shapes")
    if shapes[0] is not None and shapes[1] is not None:
        from ..openai_spec import differences as openai_differences

        changes = openai_differences(shapes[0], shapes[1])
    else:
        from ..schemas import input_schema_in

        changes = differences(
            *(input_schema_in(d, n) for d, n in zip(documents, (old, new), strict=True))
        )
    for change in changes:
        click.echo(change)
    if not changes:
        click.echo("no differences")
    sys.exit(1 if changes else 0)


def _document(name: str) -> Any:
    """The JSON value *name* stands for: ours (``vendored``, ``vendored-openai``), or the
    file's, read and parsed once."""
    from ..openai_spec import ROOTS
    from ..schemas import INPUT_SCHEMAS, load_schema, openai_reference, read_schema_document

    vendored = INPUT_SCHEMAS.get("published" if name == "vendored" else name)
    if vendored is not None:
        return load_schema(vendored)
    if name == "vendored-openai":
        return {"openai": {root: openai_reference(root) for root in ROOTS}}
    return read_schema_document(name)


def _pulled_openai(ref: str, url: str | None) -> tuple[dict[str, Any], str]:
    import hashlib

    from ..openai_spec import PATH, RAW_URL, REPOSITORY, components, converted, fetch

    url = url or RAW_URL.format(repository=REPOSITORY, ref=ref, path=PATH)
    text = fetch(url)
    digest = hashlib.sha256(text).hexdigest()
    comment = f"From {REPOSITORY} {PATH} at {ref} (sha256 {digest}), component {{root}}."
    source = {"repository": REPOSITORY, "ref": ref, "url": url, "sha256": digest}
    return {"source": source, "openai": converted(components(text), comment)}, url


def _openai_shapes(document: Any) -> dict[str, Any] | None:
    """OpenAI's shapes in *document* (``vendored-openai``'s, or a file saved by ``schemas
    pull --openai``); ``None`` for anything else, which the request schema's reader judges."""
    shapes = document.get("openai") if isinstance(document, dict) else None
    return shapes if isinstance(shapes, dict) else None
