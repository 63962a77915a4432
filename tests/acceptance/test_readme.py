"""The README as a newcomer reads it: its commands run, its outputs are what they print.

Every ``sh`` block's command is run here (the install prefix of the quick start aside, which
``.ci/run`` runs from a clean clone); a command that needs a target nobody here has (your
own server, the live API) is run with ``--dry-run``, which checks it parses and plans, and
the other runs of the suite with 50 generated bodies. Shown outputs are held line by line
against what the command prints now.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from tests.forked_cli import cli as forked_cli

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text("utf-8")
BIN = Path(sys.executable).parent
INSTALL = "python3 -m venv .venv && .venv/bin/pip install -e "
FIRST_SCREEN = 50
"""Lines a newcomer sees before scrolling."""


def blocks() -> list[tuple[str, str, int]]:
    """Every fenced block: its language, its text, the line it starts on."""
    found = []
    for match in re.finditer(r"^```(\w*)\n(.*?)^```$", README, re.S | re.M):
        found.append((match[1], match[2], README[: match.start()].count("\n") + 1))
    return found


def commands(language: str = "sh") -> list[str]:
    lines = [line for lang, text, _ in blocks() if lang == language for line in text.splitlines()]
    return [line for line in lines if line.strip()]


def output_after(command: str) -> list[str]:
    """The ``text`` block that follows the ``sh`` block holding *command*."""
    found = blocks()
    for number, (lang, text, _) in enumerate(found):
        if lang == "sh" and command in text.splitlines():
            following = found[number + 1]
            assert following[0] == "text", f"no output shown after {command!r}"
            return following[1].splitlines()
    raise AssertionError(f"{command!r} is not in the README")


def cli(
    command: str, cwd: Path, timeout: float = 120, installed: bool = False
) -> subprocess.CompletedProcess[str]:
    """*command* run by the installed ``wai-contract`` script (*installed*), or by the
    same ``main`` in a process forked from a warm one (see ``tests/forked_cli.py``)."""
    words = shlex.split(command.split("#")[0])
    assert words[0] in ("wai-contract", ".venv/bin/wai-contract"), command
    env = {**os.environ, "CLOUDFLARE_API_TOKEN": "readme-token-0123456789"}
    if not installed:
        return forked_cli(*words[1:], cwd=cwd, env=env, timeout=timeout)
    return subprocess.run(
        [str(BIN / "wai-contract"), *words[1:]],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def test_the_first_screen_has_both_quick_starts_and_both_uses() -> None:
    first = "\n".join(README.splitlines()[:FIRST_SCREEN])
    assert first.count(INSTALL) == 2
    assert "wai-contract lint" in first and "wai-contract run" in first
    assert len(README.splitlines()) <= 150


def test_the_test_quick_start_is_what_ci_runs() -> None:
    (tests,) = [c for c in commands() if c.startswith(INSTALL) and c.endswith("pytest")]
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert tests.replace("pip install -e", "pip install -q -e") in ci


def test_the_run_quick_start_passes_and_prints_what_the_readme_shows(tmp_path: Path) -> None:
    (quick,) = [c for c in commands() if c.startswith(INSTALL) and "wai-contract" in c]
    command = quick.rpartition("&& ")[2]
    assert command == ".venv/bin/wai-contract run --local"
    done = cli(command, tmp_path, installed=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert list((tmp_path / "reports").glob("*/report.html"))
    printed = [" ".join(p.split()) for p in (done.stdout + done.stderr).splitlines()]
    for line in output_after("wai-contract run --local"):
        assert any(p.startswith(" ".join(line.split())) for p in printed), line


@pytest.mark.parametrize("command", ["wai-contract lint examples/mistakes.jsonl"])
def test_the_lint_output_shown_is_what_lint_prints(command: str) -> None:
    done = cli(command, ROOT)
    assert done.returncode == 1
    printed = (done.stdout + done.stderr).splitlines()
    for line in output_after(command):
        assert any(p.startswith(line) for p in printed), line


def test_every_other_run_command_parses_and_exits_as_the_readme_says(tmp_path: Path) -> None:
    (tmp_path / "token.txt").write_text("readme-token-0123456789\n")
    others = [
        c
        for c in commands()
        if c.startswith("wai-contract run ")
        and c.split("#")[0].strip() != "wai-contract run --local"
    ]
    assert len(others) >= 3
    for command in others:
        said = re.search(r"exit (\d)", command)
        local = "--local" in command
        # A local run with fewer bodies (the verdict is the same); others only plan.
        extra = " --max-examples 50" if local else " --dry-run"
        done = cli(command.split("#")[0] + extra, tmp_path)
        expected = int(said[1]) if said and local else 0
        assert done.returncode == expected, (command, done.stderr[-1000:])


def test_the_pytest_plugin_line_runs_the_suite(tmp_path: Path) -> None:
    (line,) = [c for c in commands() if c.split("#")[0].strip() == "pytest --wai-local"]
    done = subprocess.run(
        [sys.executable, "-m", *shlex.split(line.split("#")[0]), "--wai-max-examples", "50"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    assert re.search(r"\b13 passed", done.stdout), done.stdout[-500:]


def test_the_python_snippet_runs() -> None:
    (snippet,) = [text for lang, text, _ in blocks() if lang == "python"]
    exec(compile(snippet, "README.md", "exec"), {})
