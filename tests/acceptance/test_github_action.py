"""The composite GitHub Action: its gate step, run here as GitHub runs it (bash, its inputs in
the environment, GITHUB_ACTIONS set), against a loopback server. The install step (pip from
the registry) and actions/setup-python are GitHub's; the step after them is ours."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml
from tests.conftest import ROOT

from wai_contract.server import serve

TOKEN = "action-token-0123456789abcdef"
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())


def _gate(tmp_path: Path, endpoint: str, args: str) -> subprocess.CompletedProcess[str]:
    step = next(s for s in ACTION["runs"]["steps"] if s.get("name") == "Run the conformance gate")
    inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    inputs |= {"endpoint": endpoint, "args": args}
    env = {key: value.replace("${{ inputs.", "").rstrip(" }") for key, value in step["env"].items()}
    env = {key: inputs[name] for key, name in env.items()}
    tmp_path.mkdir()
    summary = tmp_path / "summary.md"
    bin_folder = str(Path(sys.executable).parent)
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "WAI_CONTRACT_"))},
        **env,
        "PATH": f"{bin_folder}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(summary),
        "CLOUDFLARE_API_TOKEN": TOKEN,
    }
    return subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=tmp_path, env=environ, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_the_gate_step_passes_a_good_server_and_fails_a_broken_one(tmp_path: Path) -> None:
    with serve(token=TOKEN) as good, serve(token=TOKEN, faults=("no-done",)) as broken:
        passed = _gate(tmp_path / "a", good.model_url, "--max-examples 10")
        failed = _gate(tmp_path / "b", broken.model_url, "--max-examples 10 --no-shrink")
    assert passed.returncode == 0, passed.stderr[-2000:]
    assert (tmp_path / "a" / "wai-contract-report" / "junit.xml").is_file()
    assert failed.returncode == 1 and "::error title=wai-contract streaming::" in failed.stdout
    assert "conformance: FAILED" in (tmp_path / "b" / "summary.md").read_text()
    assert TOKEN not in passed.stdout + failed.stdout + passed.stderr + failed.stderr


def test_the_action_declares_what_the_gate_step_reads() -> None:
    step = ACTION["runs"]["steps"][-1]
    assert ACTION["runs"]["using"] == "composite"
    read = {value.split("inputs.")[1].rstrip(" }") for value in step["env"].values()}
    assert read <= set(ACTION["inputs"]) and "python-version" in ACTION["inputs"]
