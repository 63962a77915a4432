"""``wai-contract gen`` as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.acceptance.test_cli_lint import run


def test_gen_writes_the_documented_records(tmp_path: Path) -> None:
    result = run("gen", "-n", "40", "--seed", "7", "-o", "bodies.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "wrote 40 bodies" in result.stderr
    records = [json.loads(line) for line in (tmp_path / "bodies.jsonl").read_text().splitlines()]
    assert [r["id"] for r in records[:2]] == ["b-000001", "b-000002"]
    for record in records:
        if record["valid"]:
            assert list(record) == ["id", "valid", "tags", "payload"]
        else:
            assert list(record) == ["id", "valid", "tags", "pointer", "payload"]
            assert record["pointer"] == "" or record["pointer"].startswith("/")


def test_gen_is_byte_for_byte_reproducible(tmp_path: Path) -> None:
    first = run("gen", "-n", "600", "--seed", "3").stdout
    second = run("gen", "-n", "600", "--seed", "3").stdout
    other = run("gen", "-n", "600", "--seed", "4").stdout
    assert first == second != other
    assert len(first.splitlines()) == 600


def test_generated_bodies_lint_as_labelled(tmp_path: Path) -> None:
    run("gen", "-n", "450", "--seed", "11", "-o", "g.jsonl", cwd=tmp_path)
    labels = [json.loads(x) for x in (tmp_path / "g.jsonl").read_text().splitlines()]
    (tmp_path / "payloads.jsonl").write_text(
        "\n".join(json.dumps(r["payload"], ensure_ascii=False) for r in labels) + "\n"
    )
    linted = run("lint", "--format", "json", "payloads.jsonl", cwd=tmp_path)
    verdicts = [json.loads(x) for x in linted.stdout.splitlines()]
    assert [v["valid"] for v in verdicts] == [r["valid"] for r in labels]
    for label, verdict in zip(labels, verdicts, strict=True):
        if not label["valid"]:
            assert label["pointer"] in [e["pointer"] for e in verdict["errors"]]


def test_gen_records_piped_into_lint_are_named_as_such() -> None:
    records = run("gen", "-n", "2", "--seed", "5").stdout
    linted = run("lint", "--format", "json", "-", stdin=records.encode())
    roots = [json.loads(x)["errors"][0] for x in linted.stdout.splitlines()]
    assert [e["pointer"] for e in roots] == ["", ""]
    assert all("`wai-contract gen` record" in e["message"] for e in roots)
    assert all("gen --bodies" in e["message"] for e in roots)


def test_gen_filters_and_coverage() -> None:
    invalid = run("gen", "-n", "30", "--kind", "invalid", "--branch", "prompt")
    assert all(not json.loads(x)["valid"] for x in invalid.stdout.splitlines())
    full = run("gen", "-n", "500", "--coverage")
    assert full.returncode == 0
    hit, total = full.stdout.splitlines()[-1].split()[0].split("/")
    assert hit == total and int(total) > 300
    short = run("gen", "-n", "100", "--coverage")
    assert short.returncode == 1
    assert "MISS" in short.stdout


def test_gen_bad_input_is_one_line(tmp_path: Path) -> None:
    result = run("gen", "-o", str(tmp_path / "missing" / "x.jsonl"))
    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot write ")
    assert run("gen", "-n", "-3").returncode == 2
    assert run("gen", "--kind", "odd").returncode == 2
