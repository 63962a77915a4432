"""Schema drift as a user meets it: pull the published schema, diff it with ours, and run,
lint and gen against it (--schema), with the schema recorded in every report."""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.acceptance.test_cli_lint import run
from tests.conftest import ROOT

from wai_contract import MODEL, load_schema
from wai_contract.schemas import INPUT_SCHEMA_NAMES
from wai_contract.server import serve, serve_asgi

TOKEN = "schema-token-0123456789"


def drifted() -> dict[str, Any]:
    """The page's input schema, drifted as real-api.md first described the published one
    ("Input schema drift"): another schema than either of ours."""
    schema = copy.deepcopy(load_schema("input-page"))
    for branch in schema["oneOf"]:
        properties = branch["properties"]
        properties["top_p"].update(minimum=0.001, maximum=1)
        properties["frequency_penalty"]["minimum"] = -2
        properties["presence_penalty"]["minimum"] = -2
        properties.pop("image")
        properties["response_format"] = {"type": "object"}
    schema["oneOf"][0]["properties"]["prompt"].pop("maxLength")
    return schema


@pytest.fixture
def drift_file(tmp_path: Path) -> Path:
    path = tmp_path / "drift.json"
    path.write_text(json.dumps({"result": {"input": drifted(), "output": {}}}))
    return path


def test_pull_saves_what_the_endpoint_publishes_and_diff_finds_no_drift(tmp_path: Path) -> None:
    with serve(token=TOKEN) as server:
        pulled = run(
            "schemas", "pull", "--account-id", "acct", "--token", TOKEN,
            "--api-base", f"{server.base_url}/client/v4", "-o", "pulled.json", cwd=tmp_path,
        )  # fmt: skip
        refused = run(
            "schemas", "pull", "--account-id", "acct", "--token", "wrong",
            "--api-base", f"{server.base_url}/client/v4", "-o", "no.json", cwd=tmp_path,
        )  # fmt: skip
    assert pulled.returncode == 0, pulled.stderr
    saved = json.loads((tmp_path / "pulled.json").read_text())
    assert saved["result"]["input"] == load_schema("input")
    assert saved["source"].endswith(f"/accounts/acct/ai/models/schema?model={MODEL}")
    assert TOKEN not in (tmp_path / "pulled.json").read_text()
    same = run("schemas", "diff", "vendored", "pulled.json", cwd=tmp_path)
    assert (same.returncode, same.stdout) == (0, "no differences\n")
    assert refused.returncode == 2 and refused.stderr.startswith("error: ")
    assert "401" in refused.stderr and len(refused.stderr.splitlines()) == 1


CATALOGUE = ROOT / "schemas" / "catalogue" / "mistral-7b-instruct-v0.2-lora.json"
PUBLISHED_CHANGES = {
    "Prompt: property `response_format` added",
    "Prompt: property `image` removed",
    "Prompt /prompt: maxLength 131072 -> (none)",
    "Prompt /top_p: minimum 0 -> 0.001",
    "Prompt /top_p: maximum 2 -> 1",
    "Prompt /frequency_penalty: minimum 0 -> -2",
    "Prompt /presence_penalty: minimum 0 -> -2",
    "Messages: property `response_format` added",
    "Messages: property `raw` added",
    "Messages: property `image` removed",
    'Messages /messages[]/content: type "string" -> (none)',
    "Messages /messages[]/content: maxLength 131072 -> (none)",
    "Messages /messages[]/content: oneOf of 0 -> 2 alternatives",
    "Messages /top_p: minimum 0 -> 0.001",
    "Messages /top_p: maximum 2 -> 1",
    "Messages /frequency_penalty: minimum 0 -> -2",
    "Messages /presence_penalty: minimum 0 -> -2",
}
"""The page's schema against Cloudflare's catalogue file (../shared/real-api.md, "The
model's schema as published now": 17 places)."""


def test_diff_reads_the_catalogue_file_as_published_and_says_what_changed(
    tmp_path: Path,
) -> None:
    published = run("schemas", "diff", "page", str(CATALOGUE))
    assert published.returncode == 1, published.stderr
    assert set(published.stdout.splitlines()) == PUBLISHED_CHANGES
    assert len(published.stdout.splitlines()) == 17
    ours = run("schemas", "diff", "published", str(CATALOGUE))
    assert (ours.returncode, ours.stdout) == (0, "no differences\n")
    (tmp_path / "catalogue.json").write_bytes(CATALOGUE.read_bytes())  # any path, any name
    back = run("schemas", "diff", "catalogue.json", "page", cwd=tmp_path)
    assert back.returncode == 1 and len(back.stdout.splitlines()) == 17


def test_diff_says_what_changed_in_words(drift_file: Path) -> None:
    result = run("schemas", "diff", "page", str(drift_file))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    for expected in (
        "Prompt /top_p: maximum 2 -> 1",
        "Prompt /top_p: minimum 0 -> 0.001",
        "Messages /frequency_penalty: minimum 0 -> -2",
        "Prompt /prompt: maxLength 131072 -> (none)",
        "Messages: property `image` removed",
        "Prompt: property `response_format` added",
    ):
        assert expected in lines, (expected, lines)


def test_lint_gen_and_run_follow_the_schema_given(tmp_path: Path, drift_file: Path) -> None:
    body = tmp_path / "body.json"
    body.write_text('{"prompt": "hi", "top_p": 1.5}')
    assert run("lint", "--schema", "page", str(body)).returncode == 0  # the page: up to 2
    for schema in (str(drift_file), "published", None):
        strict = run("lint", *(("--schema", schema) if schema else ()), str(body))
        said = "/top_p: 1.5 is greater than the maximum of 1"
        assert strict.returncode == 1 and said in strict.stdout, schema
    for schema, top in (("page", 2), (None, 1)):  # the page's 0..2, the published 0.001..1
        chosen = ("--schema", schema) if schema else ()
        generated = run("gen", "-n", "500", *chosen, "--kind", "valid")
        lines = generated.stdout.splitlines()
        top_p = [v for v in (json.loads(x)["payload"].get("top_p") for x in lines) if v is not None]
        assert max(top_p) == top and (min(top_p) == 0) is (schema == "page"), schema
    result = run(
        "run", "--local", "--schema", str(drift_file), "--max-examples", "60",
        "--report-dir", "out", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"schema: {drift_file}" in result.stdout
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    canonical = json.dumps(drifted(), sort_keys=True, separators=(",", ":"))
    assert report["schema"] == {
        "source": str(drift_file),
        "sha256": hashlib.sha256(canonical.encode()).hexdigest(),
    }
    assert f"- schema: {drift_file}, sha256" in (tmp_path / "out" / "summary.md").read_text()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "is not JSON"),
        ('{"type": 5}', "is not a valid JSON Schema"),
        ('{"type": "object"}', "is not a request schema"),
    ],
)
def test_a_bad_schema_file_is_one_line(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "bad.json").write_text(content)
    result = run("lint", "--schema", "bad.json", "-", stdin=b'{"prompt": "hi"}', cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr
    assert len(result.stderr.splitlines()) == 1


def _openapi_app(document: bytes) -> Any:
    """A server of one file: the OpenAPI document, as GitHub's raw URL serves it."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        status = 200 if scope["path"] == "/openapi.yaml" else 404
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": document if status == 200 else b""})

    return app


def _document(change: Any = None) -> bytes:
    """An OpenAPI document holding the components the vendored shapes came from."""
    import yaml

    source = json.loads((ROOT / "schemas" / "openai-reference" / "source.json").read_text())
    schemas = copy.deepcopy(source["schemas"])
    if change:
        change(schemas)
    return yaml.safe_dump({"openapi": "3.1.0", "components": {"schemas": schemas}}).encode()


def _warmer(schemas: dict[str, Any]) -> None:
    properties = schemas["CreateChatCompletionRequest"]["allOf"][1]["properties"]
    properties["n"]["maximum"] = 256


def test_pull_openai_converts_as_vendored_and_diff_says_what_changed(tmp_path: Path) -> None:
    from wai_contract.schemas import openai_reference
    from wai_contract.server import serve_asgi

    with (
        serve_asgi(_openapi_app(_document())) as base,
        serve_asgi(_openapi_app(_document(_warmer))) as changed,
    ):
        same = run("schemas", "pull", "--openai", "f85dbe2", "--openai-url",
                   f"{base}/openapi.yaml", "-o", "same.json", cwd=tmp_path)  # fmt: skip
        other = run("schemas", "pull", "--openai", "next", "--openai-url",
                    f"{changed}/openapi.yaml", "-o", "next.json", cwd=tmp_path)  # fmt: skip
        missing = run("schemas", "pull", "--openai", "x", "--openai-url", f"{base}/nope",
                      cwd=tmp_path)  # fmt: skip
    assert same.returncode == 0 and other.returncode == 0, same.stderr + other.stderr
    pulled = json.loads((tmp_path / "same.json").read_text())["openai"]
    for name, document in pulled.items():
        vendored = openai_reference(name)
        assert document["$defs"] == vendored["$defs"] and document["$ref"] == vendored["$ref"]
    assert run("schemas", "diff", "vendored-openai", "same.json", cwd=tmp_path).returncode == 0
    said = run("schemas", "diff", "vendored-openai", "next.json", cwd=tmp_path)
    assert said.returncode == 1
    assert said.stdout.splitlines() == [
        "chat-request: CreateChatCompletionRequest <allOf 2>/n: maximum 128 -> 256"
    ], said.stdout
    assert missing.returncode == 2 and "answered 404" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


def test_run_judges_by_the_published_schema_or_the_page_when_asked(tmp_path: Path) -> None:
    """lint and gen are above, serve below (and by default in test_server.py), the plugin's
    option in test_pytest_plugin.py."""
    for schema in (None, "page"):
        chosen = ("--schema", schema) if schema else ()
        out = tmp_path / f"out-{schema}"
        result = run(
            "run", "--local", *chosen, "--max-examples", "20", "--report-dir", str(out),
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
        source = json.loads((out / "report.json").read_text())["schema"]["source"]
        assert source == INPUT_SCHEMA_NAMES[schema or "published"]
        assert ("schema: the vendor's page" in result.stdout) is (schema == "page")


@contextlib.contextmanager
def _serve_cli(*extra: str) -> Iterator[str]:
    """``wai-contract serve`` in a process of its own; yields its model URL."""
    command = [sys.executable, "-m", "wai_contract", "serve", "--port", "0", *extra]
    env = {**os.environ, "CLOUDFLARE_API_TOKEN": TOKEN}
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env) as process:
        try:
            assert process.stdout is not None
            base = process.stdout.readline().strip().removeprefix("listening on ")
            yield f"{base}/client/v4/accounts/a/ai/run/{MODEL}"
        finally:
            process.terminate()
            process.wait(timeout=30)


def _schema_answers(said: bytes | None) -> tuple[Any, list[str]]:
    """The reference server, whose schema endpoint answers *said* with 500 (its own answer
    when ``None``); and the paths it was asked, as they come."""
    from wai_contract.server.app import ServerConfig, create_app

    app, asked = create_app(ServerConfig(token=TOKEN)), []

    async def answering(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            asked.append(scope["path"])
        if scope["type"] == "http" and said is not None and scope["path"].endswith("/schema"):
            await send({"type": "http.response.start", "status": 500, "headers": []})
            await send({"type": "http.response.body", "body": said})
            return
        await app(scope, receive, send)

    return answering, asked


FAST = ("--requests-per-minute", "100000", "--max-examples", "10")
"""The live contract paces a run at 240 a minute: not the reference server's need."""


def test_the_live_api_is_judged_by_the_schema_it_publishes(tmp_path: Path) -> None:
    """``run --account-id`` reads the schema first (here the page's, as a server run with
    ``--schema page`` publishes it and judges by it) and names its URL and hash."""
    with _serve_cli("--schema", "page") as url:
        long = json.dumps({"prompt": "a" * 131073}).encode()  # over the page's limit only
        auth = {"Authorization": f"Bearer {TOKEN}"}
        assert httpx.post(url, content=long, headers=auth, timeout=30).status_code == 400
        base = url.split("/accounts/")[0]
        result = run(
            "run", "--account-id", "acct", "--api-base", base, "--token", TOKEN, *FAST,
            "--report-dir", "out", cwd=tmp_path,
        )  # fmt: skip
        published = httpx.get(
            f"{base}/accounts/acct/ai/models/schema", params={"model": MODEL},
            headers={"Authorization": f"Bearer {TOKEN}"},
        ).json()["result"]["input"]  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    said = json.loads((tmp_path / "out" / "report.json").read_text())["schema"]
    canonical = json.dumps(published, sort_keys=True, separators=(",", ":")).encode()
    assert said == {
        "source": f"the live service's, {base}/accounts/acct/ai/models/schema?model={MODEL}",
        "sha256": hashlib.sha256(canonical).hexdigest(),
    }
    assert published == load_schema("input-page") and "schema: the live service's" in result.stdout
    assert TOKEN not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("said", "reason"),
    [(b'{"success": false, "errors": [{"code": 7000, "message": "down"}]}', "answered 500"),
     (b"[" * 5_000_000, "more than 4,194,304 bytes")],
    ids=["500", "too-big"],
)  # fmt: skip
def test_a_live_schema_that_cannot_be_read_leaves_the_vendored_one_and_says_why(
    tmp_path: Path, said: bytes, reason: str
) -> None:
    app, asked = _schema_answers(said)
    with serve_asgi(app) as base:
        result = run(
            "run", "--account-id", "acct", "--api-base", f"{base}/client/v4", "--token", TOKEN,
            *FAST, "--report-dir", "out", cwd=tmp_path,
        )  # fmt: skip
        chosen = run(
            "run", "--account-id", "acct", "--api-base", f"{base}/client/v4", "--token", TOKEN,
            *FAST, "--schema", "published", "--report-dir", "chosen", cwd=tmp_path,
        )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    (note,) = [line for line in result.stderr.splitlines() if line.startswith("note: ")]
    assert reason in note and note.endswith("judging by the vendored published schema")
    source = json.loads((tmp_path / "out" / "report.json").read_text())["schema"]["source"]
    assert source.startswith(INPUT_SCHEMA_NAMES["published"]) and reason in source
    assert asked[0].endswith("/ai/models/schema")
    assert [path for path in asked if path.endswith("/schema")] == [asked[0]], "--schema: none"
    assert chosen.returncode == 0 and "note: " not in chosen.stderr
