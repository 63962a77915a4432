"""The pre-commit hook lints request bodies only by default: pre-commit matches its ``files``
pattern with ``re.search`` against each path from the repository's root."""

from __future__ import annotations

import re

import pytest
import yaml
from tests.conftest import ROOT

(HOOK,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
FILES = re.compile(HOOK["files"])


@pytest.mark.parametrize(
    "path",
    [
        "requests/chat.json",
        "requests/batch.jsonl",
        "tests/fixtures/bodies/nested/a.json",
        "api/payloads/x.json",
        "chat.request.json",
        "src/llm/summary.body.json",
        "load/run.payload.jsonl",
    ],
)
def test_request_bodies_are_linted(path: str) -> None:
    assert FILES.search(path)


@pytest.mark.parametrize(
    "path",
    [
        "package.json",
        "package-lock.json",
        "tsconfig.json",
        ".vscode/settings.json",
        "data/events.jsonl",
        "schemas/input.json",
        "requests.json",
        "my-requests/x.json",
        "requests/notes.txt",
    ],
)
def test_other_json_is_not(path: str) -> None:
    assert not FILES.search(path)


def test_the_hook_runs_lint() -> None:
    assert HOOK["id"] == "wai-contract-lint" and HOOK["entry"] == "wai-contract lint"
