"""Servers that break on the text users really send: one that pastes it into a JSON
template is caught on both surfaces; the same server escaping it as JSON asks passes."""

from __future__ import annotations

import pytest
from tests.template_server import TOKEN, template_app

from wai_contract import MODEL, load_contract, run
from wai_contract.server import serve_asgi


@pytest.mark.parametrize("escape", [False, True], ids=["pasted", "escaped"])
def test_a_server_that_pastes_text_into_a_json_template_is_caught_on_both_surfaces(
    escape: bool,
) -> None:
    with serve_asgi(template_app(escape)) as base:
        url = f"{base}/client/v4/accounts/a/ai/run/{MODEL}"
        only = load_contract().only({"accepts-valid"})  # its echo breaks token counts
        report = run(url, only, token=TOKEN, api="both", max_examples=150)
    (check,) = [c for c in report.checks if c.id == "accepts-valid"]
    if escape:
        assert report.passed, check.causes
        return
    failing = [case for cause, ids in check.causes.items() if "not-json" in cause for case in ids]
    assert [c for c in failing if c.startswith("oa-")], "the OpenAI-compatible surface"
    assert [c for c in failing if not c.startswith("oa-")], "the native surface"
    assert len(failing) == check.failure_count


def test_the_python_api_chooses_the_schema_as_the_cli_does() -> None:
    from wai_contract.schemas import INPUT_SCHEMA_NAMES, choose_input_schema
    from wai_contract.server import serve

    try:
        with serve(token="api-schema-token-0123456789") as server:
            args = (server.model_url,)
            options = {"token": "api-schema-token-0123456789", "max_examples": 5}
            page = run(*args, schema="page", **options)
            published = run(*args, **options)  # None: back to the published one
        assert page.schema["source"] == INPUT_SCHEMA_NAMES["page"] and page.passed
        assert published.schema["source"] == INPUT_SCHEMA_NAMES["published"] and published.passed
    finally:
        choose_input_schema(None)
