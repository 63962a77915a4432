"""Vendor the model's request schema as Cloudflare publishes it today.

Cloudflare's catalogue file for the model (repository ``cloudflare/cloudflare-docs``, path
below, at the pinned commit) holds ``schema.input``: the shape the model's documentation page
renders and the service's schema endpoint (``GET .../ai/models/schema``) answers. Two steps,
the second checked offline by the test suite:

``python schemas/catalogue/vendor.py fetch``
    downloads the file at the pinned commit, checks its SHA-256 and saves it beside this
    script unchanged (``FILE``). ``fetch PATH`` takes a copy already on disk instead.
``python schemas/catalogue/vendor.py convert``
    writes ``schemas/input.json`` (and the package's copy): ``schema.input`` with ``$schema``,
    ``$id`` and a ``$comment`` naming where it came from added, nothing else changed.
"""

from __future__ import annotations

import hashlib
import json
import sys
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPOSITORY = "cloudflare/cloudflare-docs"
COMMIT = "14f349e28b55b97ff69c930b10a38950469b7df0"
PATH = "src/content/workers-ai-models/mistral-7b-instruct-v0.2-lora.json"
FILE = HERE / "mistral-7b-instruct-v0.2-lora.json"
SHA256 = "10b7ad1f81e99a3b0aa9103cc7700023dfe549284ad6c8e3a403088fbba23a7e"
TARGETS = (HERE.parent / "input.json", HERE.parents[1] / "src/wai_contract/_data/input.json")
__all__ = ["COMMIT", "PATH", "REPOSITORY", "SHA256", "convert", "fetch"]


def fetch(path: Path | None = None) -> None:
    """Save the published file beside this script, once its SHA-256 is the pinned one."""
    if path is None:
        url = f"https://raw.githubusercontent.com/{REPOSITORY}/{COMMIT}/{PATH}"
        with urllib.request.urlopen(url, timeout=30) as answer:  # a pinned https URL
            data = answer.read(1 << 20)
    else:
        data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256:
        sys.exit(f"{path or PATH}: SHA-256 {digest}, not the pinned {SHA256}")
    FILE.write_bytes(data)


def convert() -> str:
    """The text of ``schemas/input.json``, from the file as published."""
    data = FILE.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256:
        sys.exit(f"{FILE}: SHA-256 {digest}, not the pinned {SHA256}")
    published = json.loads(data)
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:wai-contract:schema:input",
        "$comment": (
            f"Request body of {published['name']} as Cloudflare publishes it: 'schema.input' of "
            f"{REPOSITORY} {PATH} at {COMMIT} (sha256 {SHA256}), the shape the model's page "
            "renders and the service's schema endpoint answers. Vendored by "
            "schemas/catalogue/vendor.py; only $schema, $id and this $comment were added. "
            "The page we started from (shared/seed/) is input-page.json (--schema page)."
        ),
        **published["schema"]["input"],
    }
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> None:
    if argv[:1] == ["fetch"] and len(argv) <= 2:
        fetch(Path(argv[1]) if len(argv) == 2 else None)
    elif argv == ["convert"]:
        text = convert()
        for target in TARGETS:
            target.write_text(text, encoding="utf-8")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
