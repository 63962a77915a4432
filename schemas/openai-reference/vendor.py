"""Vendor OpenAI's chat-completions shapes from its published OpenAPI document.

Two steps, so that the second is checked offline by the test suite (the conversion is
``wai_contract.openai_spec``'s, which ``schemas pull --openai`` uses too):

``python schemas/openai-reference/vendor.py extract OPENAPI_YAML``
    reads OpenAI's ``openapi.yaml`` (repository ``openai/openai-openapi``, at the commit
    pinned below; its SHA-256 must match) and writes ``source.json``: the four roots and
    every component schema they reference, unchanged.
``python schemas/openai-reference/vendor.py convert``
    turns ``source.json`` into JSON Schema 2020-12 files beside it, one per root, byte for
    byte the same on every run: ``$ref`` to ``#/$defs/...``; OpenAPI's ``nullable: true`` as
    ``null`` admitted beside the declared type; OpenAPI's own keywords (``x-*``,
    ``discriminator``, ``example``) dropped. Nothing else is changed: every bound, enum and
    ``required`` list is OpenAI's.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from wai_contract.openai_spec import PATH, PINNED, REPOSITORY, ROOTS, components, converted, dumped

HERE = Path(__file__).resolve().parent
COMMIT = PINNED
SHA256 = "db5d7478feae10b4d331834c60d9765a8aa042e38419f9b1694288c11aa8ebc8"
__all__ = ["COMMIT", "ROOTS", "SHA256", "convert", "extract"]


def extract(openapi_yaml: Path) -> None:
    """Write ``source.json``: the roots and what they reference, from the document."""
    data = openapi_yaml.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256:
        sys.exit(f"{openapi_yaml}: SHA-256 {digest}, not the pinned {SHA256}")
    source = {
        "repository": REPOSITORY,
        "commit": COMMIT,
        "path": PATH,
        "sha256": SHA256,
        "schemas": components(data),
    }
    (HERE / "source.json").write_text(json.dumps(source, indent=1, ensure_ascii=False) + "\n")


def convert() -> dict[str, str]:
    """Each vendored file's text, from ``source.json`` (written by ``extract``)."""
    source = json.loads((HERE / "source.json").read_text())
    comment = (
        f"Vendored by schemas/openai-reference/vendor.py from {source['repository']} "
        f"{source['path']} at {source['commit']} (sha256 {source['sha256']}), "
        "component {root}; do not edit."
    )
    documents = converted(source["schemas"], comment)
    return {f"{name}.json": dumped(document) for name, document in documents.items()}


def main(argv: list[str]) -> None:
    if argv[:1] == ["extract"] and len(argv) == 2:
        extract(Path(argv[1]))
    elif argv == ["convert"]:
        for name, text in convert().items():
            (HERE / name).write_text(text)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
