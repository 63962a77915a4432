"""Options from where users keep them: the command line, then ``WAI_CONTRACT_*`` variables,
then ``[tool.wai-contract.COMMAND]`` in the nearest ``pyproject.toml``, then the contract."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tests.forked_cli import cli

PROJECT = """
[project]
name = "my-app"

[tool.wai-contract.run]
max-examples = 7
report_dir = "from-pyproject"

[tool.wai-contract.lint]
format = "json"
"""


def _env(**more: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WAI_CONTRACT_")}
    return {**clean, **more}


def test_the_command_line_then_the_environment_then_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PROJECT)
    inside = tmp_path / "src" / "deep"
    inside.mkdir(parents=True)
    cli("run", "--local", cwd=inside, env=_env())
    report = json.loads((inside / "from-pyproject" / "report.json").read_text())
    assert report["max_examples"] == 7  # found from a folder below it
    env = _env(WAI_CONTRACT_RUN_MAX_EXAMPLES="3")
    cli("run", "--local", "--report-dir", "e", cwd=inside, env=env)
    assert json.loads((inside / "e" / "report.json").read_text())["max_examples"] == 3
    cli("run", "--local", "--max-examples", "2", "--report-dir", "c", cwd=inside, env=env)
    assert json.loads((inside / "c" / "report.json").read_text())["max_examples"] == 2
    linted = cli("lint", "-", input='{"prompt": "hi"}', cwd=inside, env=_env())
    assert json.loads(linted.stdout)["valid"] is True  # format = "json"


@pytest.mark.parametrize(
    ("table", "said"),
    [
        ("[tool.wai-contract.run]\ntimout = 3\n", "run: no option 'timout'"),
        ("[tool.wai-contract.run]\ntoken = 'abc'\n", "run: no option 'token' that a file may set"),
        ("[tool.wai-contract.rnu]\nseed = 1\n", "no command 'rnu'"),
        ("[tool.wai-contract]\nrun = 3\n", "[tool.wai-contract].run is not a table"),
        ("[tool.wai-contract.run\n", "is not TOML"),
    ],
)
def test_a_bad_table_is_one_line_and_exit_two(tmp_path: Path, table: str, said: str) -> None:
    (tmp_path / "pyproject.toml").write_text(table)
    done = cli("lint", "-", input="{}", cwd=tmp_path, env=_env())
    assert done.returncode == 2 and said in done.stderr, done.stderr
    assert done.stderr.startswith("error: ") and len(done.stderr.splitlines()) == 1
