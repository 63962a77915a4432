"""Inputs and outputs at the edges: odd keys, closed or full outputs, odd file names and
kinds, values too deep for Python. Each gets a clear answer, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from tests.forked_cli import cli

from wai_contract import lint

SURROGATE_KEYS = [
    '{"prompt": "ok", "\\ud83d": 1}',
    '{"messages": [{"role": "user", "content": "x", "\\udc00": 2}]}',
    '{"prompt": "hi", "tools": [{"name": "f", "description": "d", "parameters": '
    '{"type": "object", "properties": {"\\ud83d": {"type": "string"}}}}]}',
]


def wai(*args: str | bytes, **options: Any) -> subprocess.CompletedProcess[bytes]:
    """The CLI; forked from a warm process unless the test handles the child's streams."""
    if set(options) <= {"input"}:
        return cli(*args, text=False, **options)
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **options}
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "wai_contract", *args], timeout=60, **streams
    )


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_a_lone_surrogate_in_a_key_is_a_warning_in_every_format(fmt: str, tmp_path: Path) -> None:
    path = tmp_path / "bodies.jsonl"
    path.write_text("\n".join(SURROGATE_KEYS) + "\n")
    result = wai("lint", "--format", fmt, str(path))
    assert result.returncode == 0 and b"Traceback" not in result.stderr, result.stderr
    assert b"lone-surrogate" in result.stdout


def test_a_repeated_key_is_a_warning_in_every_format_with_its_place(tmp_path: Path) -> None:
    path = tmp_path / "bodies.jsonl"
    path.write_text('{"prompt": "ok"}\n{"prompt":"hi","top_k":99,"top_k":5}\n')
    text = wai("lint", str(path))
    assert text.returncode == 0, text.stderr
    assert f"{path}:2:35: /top_k: `top_k` is given 2 times".encode() in text.stdout
    assert b"[warning duplicate-key]" in text.stdout
    for fmt in ("json", "sarif", "github"):
        result = wai("lint", "--format", fmt, str(path))
        assert result.returncode == 0 and b"duplicate-key" in result.stdout, (fmt, result.stderr)
    strict = wai("lint", "--strict", str(path))
    assert strict.returncode == 1


def test_a_lone_surrogate_key_in_a_large_jsonl_loses_no_other_body(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    lines = ['{"prompt": "hello there, a body of some length"}'] * 90_000
    lines[45_000] = SURROGATE_KEYS[0]
    path.write_text("\n".join(lines) + "\n")
    assert path.stat().st_size > 4 * 1024 * 1024  # big enough for the forked workers
    result = wai("lint", "--format", "json", str(path))
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 90_000


@pytest.mark.parametrize("text", SURROGATE_KEYS)
def test_a_lone_surrogate_key_in_a_python_value_is_a_warning(text: str) -> None:
    result = lint(json.loads(text))
    assert result.valid and "lone-surrogate" in {w.rule for w in result.warnings}
    json.dumps(result.to_dict())


@pytest.mark.parametrize("command", [["lint", "BODY"], ["gen", "-n", "5"]])
@pytest.mark.parametrize("output", ["closed", "full"])
def test_output_that_cannot_be_written_is_one_line_and_exit_two(
    command: list[str], output: str, tmp_path: Path
) -> None:
    body = tmp_path / "ok.json"
    body.write_text('{"prompt": "hi"}')
    args = [str(body) if a == "BODY" else a for a in command]
    if output == "closed":
        result = wai(*args, stdout=None, pass_fds=(), close_fds=True, preexec_fn=_close_stdout)
    else:
        with open("/dev/full", "wb") as full:
            result = wai(*args, stdout=full)
    assert result.returncode == 2, result.stderr
    assert result.stderr.decode().startswith("error: cannot write the output:")
    assert b"Traceback" not in result.stderr


def _close_stdout() -> None:
    os.close(1)


def test_closed_standard_input_is_one_line_and_exit_two() -> None:
    result = wai("lint", "-", stdin=None, preexec_fn=lambda: os.close(0))
    assert result.returncode == 2
    assert result.stderr.decode() == "error: cannot read <stdin>: standard input is closed\n"


def test_a_reader_that_stops_reading_ends_the_writer_quietly() -> None:
    writer = subprocess.Popen(
        [sys.executable, "-m", "wai_contract", "gen", "-n", "2000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert writer.stdout is not None and writer.stderr is not None
    writer.stdout.readline()
    writer.stdout.close()  # as `| head -1` does
    assert writer.wait(timeout=60) == 141
    with writer.stderr:
        assert writer.stderr.read() == b""


@pytest.mark.parametrize("fmt", ["json", "sarif", "text"])
def test_a_file_name_that_is_not_utf8_is_shown_escaped(fmt: str, tmp_path: Path) -> None:
    name = os.fsencode(tmp_path) + b"/bad\xff.json"
    with open(name, "wb") as handle:
        handle.write(b'{"prompt": 1}')
    result = wai("lint", "--format", fmt, name)
    assert result.returncode == 1 and b"Traceback" not in result.stderr, result.stderr
    shown = {"json": b"bad\\\\xff.json", "text": b"bad\\xff.json", "sarif": b"bad%5Cxff.json"}
    assert shown[fmt] in result.stdout


def test_pipes_and_devices_are_read_like_standard_input(tmp_path: Path) -> None:
    fifo = tmp_path / "bodies"
    os.mkfifo(fifo)

    def feed() -> None:
        with open(fifo, "w") as handle:
            handle.write('{"prompt": "hi"}\n{"prompt": 1}\n')

    threading.Thread(target=feed, daemon=True).start()
    result = wai("lint", str(fifo))  # as `lint <(command)`
    assert result.returncode == 1 and b":2:" in result.stdout, result.stderr
    result = wai("lint", "/dev/stdin", input=b'{"prompt": "hi"}')
    assert result.returncode == 0, result.stderr


def test_a_symlink_loop_says_so_and_stdin_twice_is_read_once(tmp_path: Path) -> None:
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    result = wai("lint", str(tmp_path / "loop"))
    assert result.returncode == 2
    assert b"too many levels of symbolic links" in result.stderr
    result = wai("lint", "--format", "json", "-", "-", input=b'{"prompt": "hi"}')
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 1


def _nested(levels: int) -> list[object]:
    root: list[object] = []
    here = root
    for _ in range(levels):
        deeper: list[object] = []
        here.append(deeper)
        here = deeper
    return root


@pytest.mark.parametrize("levels", [600, 1000, 1022, 1023, 5000])
def test_python_values_nest_as_deep_as_text_does(levels: int) -> None:
    body = {"prompt": "hi", "extra": _nested(levels)}
    as_text = '{"prompt": "hi", "extra": ' + "[" * (levels + 1) + "]" * (levels + 1) + "}"
    assert lint(body).valid == lint(as_text).valid == (levels < 1023)
    if levels >= 1023:
        assert "nested more than 1024 levels" in lint(body).errors[0].message


def test_a_python_value_that_contains_itself_is_an_error() -> None:
    body: dict[str, object] = {"prompt": "hi"}
    body["again"] = body
    result = lint(body)
    assert not result.valid and result.errors[0].pointer == "/again"
    assert "contains itself" in result.errors[0].message


BEYOND = "number is beyond the range of a 64-bit float and reads as infinity"


@pytest.mark.parametrize(
    ("literal", "where"),
    [("1e400", "/seed"), ("9" * 310, "/seed"), ("-" + "9" * 4301, "/seed"), ("9" * 310, "/x")],
)
def test_a_number_beyond_a_double_is_an_error_at_its_place_however_written(
    literal: str, where: str
) -> None:
    key = where[1:]
    result = lint(f'{{"prompt": "hi", "{key}": {literal}}}')
    assert not result.valid
    assert (result.errors[0].pointer, result.errors[0].message) == (where, BEYOND)


def test_max_tokens_beyond_a_double_is_one_clear_error() -> None:
    result = lint('{"prompt": "hi", "max_tokens": 1e400}')
    assert [(f.pointer, f.message) for f in result.errors] == [("/max_tokens", BEYOND)]
    assert result.warnings == ()


def test_a_number_too_small_for_a_double_is_named_when_it_breaks_a_bound() -> None:
    result = lint('{"prompt": "hi", "seed": 1e-400}')
    assert [(f.pointer, f.rule) for f in result.errors] == [("/seed", "minimum")]
    assert [(f.pointer, f.rule) for f in result.warnings] == [("/seed", "underflow")]
    assert lint('{"prompt": "hi", "temperature": 1e-400}').valid  # 0 is a fine temperature


def test_a_key_holding_a_line_break_keeps_its_finding_on_one_line(tmp_path: Path) -> None:
    (tmp_path / "body.json").write_text('{"prompt": "x", "a\\nb": 1}')
    result = wai("lint", str(tmp_path / "body.json"))
    findings = result.stdout.decode().splitlines()[:-1]
    assert len(findings) == 1 and "/a\\nb" in findings[0]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('{"prompt": null}', "expected a string, got null"),
        ('{"prompt": [1]}', "expected a string, got an array of 1 item"),
        ('{"prompt": 5}', "expected a string, got integer 5"),
        ("null", "a request body must be a JSON object, got null"),
    ],
)
def test_messages_say_each_type_once(text: str, said: str) -> None:
    assert lint(text).errors[0].message == said


def test_gen_bodies_pipe_into_lint() -> None:
    bodies = wai("gen", "-n", "30", "--bodies")
    records = [json.loads(line) for line in bodies.stdout.splitlines()]
    assert len(records) == 30 and not any("payload" in r for r in records if isinstance(r, dict))
    result = wai("lint", "--format", "json", "-", input=bodies.stdout)
    assert result.returncode == 1 and len(result.stdout.splitlines()) == 30


def test_utf16_input_gets_a_hint(tmp_path: Path) -> None:
    (tmp_path / "body.json").write_bytes('{"prompt": "hi"}'.encode("utf-16"))
    result = wai("lint", str(tmp_path / "body.json"))
    assert b"it looks like UTF-16: save it as UTF-8" in result.stdout


def test_two_runs_in_the_same_second_write_two_report_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wai_contract.conformance import prepare_report_dir

    monkeypatch.chdir(tmp_path)
    first, second = prepare_report_dir(None), prepare_report_dir(None)
    assert first != second and first.is_dir() and second.is_dir()


def test_an_underflow_is_found_past_many_minus_signs() -> None:
    words = " ".join(["well-known"] * 40)
    result = lint(f'{{"prompt": "{words}", "seed": 1e-400}}')
    assert [(f.pointer, f.rule) for f in result.warnings] == [("/seed", "underflow")]
    assert lint(f'{{"prompt": "{words}", "seed": 1e-400}}'.encode()).warnings == result.warnings
