"""Do two source trees give the same verdicts? For refactors that must not change one.

``python tests/compare_verdicts.py OLD_SRC NEW_SRC`` runs ``run --local`` (100 generated
bodies) plainly and with every fault of the reference server, once with each tree's
``src/`` first on the path, and compares the ``checks`` section of the two ``report.json``:
each check's status and the causes of its failures, warnings and known deviations; and,
where the order of requests cannot change them, its counts and the case standing for each
cause. Prints one line a run and exits 1 when a verdict differs. Faults that meet every
N-th request are run one request at a time, yet which case meets them still depends on the
order threads take their turns (a probe pair of ``cross-surface`` met by a 500 is not
judged): for those, only whether each check failed and the kinds of its problems are
compared. Arguments after ``--`` go to the NEW tree's runs only (``-- --schema page``: a
new default schema must leave the old one's verdicts as they were when it is chosen).
``--verdicts-only`` (first) compares each check's status and causes, not its counts: for a
change that sends other bodies by design.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

BY_ORDER = {"flaky-500", "rate-limit"}


def checks_of(src: Path, fault: str | None, more: list[str]) -> list[dict[str, Any]]:
    """The checks section of a local run with *src* first on the path, and *more* arguments."""
    command = [sys.executable, "-m", "wai_contract", "run", "--local", "--max-examples", "100"]
    command += more
    if fault:
        command += ["--local-fault", fault]
    if fault in BY_ORDER:
        command += ["--concurrency", "1", "--max-concurrency", "1"]
    env = {**os.environ, "PYTHONPATH": str(src)}
    with tempfile.TemporaryDirectory() as folder:
        command += ["--report-dir", folder]
        subprocess.run(command, env=env, capture_output=True, timeout=600)
        report = json.loads((Path(folder) / "report.json").read_text("utf-8"))
    checks: list[dict[str, Any]] = report["checks"]
    return checks


def verdicts(checks: list[dict[str, Any]], fault: str | None, only: bool = False) -> dict[str, Any]:
    """What a refactor must keep of each check (*only* its status and causes)."""
    kept = {}
    for check in checks:
        if fault in BY_ORDER:
            codes = {cause.split("|")[1] for cause in check["causes"]}
            kept[check["id"]] = {"failed": check["status"] == "failed", "codes": sorted(codes)}
            continue
        row: dict[str, Any] = {
            "status": check["status"],
            "causes": sorted(check["causes"]),
            "warnings": sorted({w["cause"] for w in check["warnings"]}),
            "known": sorted({k["cause"] for k in check["known"]}),
            "counts": [check[k] for k in ("cases", "failure_count", "warning_count")],
            "firsts": [(f["id"], f["cause"], f["count"]) for f in check["failures"]],
        }
        if only:
            del row["counts"], row["firsts"]
        kept[check["id"]] = row
    return kept


def main() -> int:
    args = sys.argv[1:]
    only = args[:1] == ["--verdicts-only"]
    old, new = (Path(arg).resolve() for arg in args[only : only + 2])
    rest = args[only + 2 :]
    more = rest[1:] if rest[:1] == ["--"] else []
    listed = subprocess.run(
        [sys.executable, "-m", "wai_contract", "serve", "--list-faults"],
        env={**os.environ, "PYTHONPATH": str(new)},
        capture_output=True,
        text=True,
    ).stdout
    faults = [None, *(line.split()[0] for line in listed.splitlines() if line.strip())]
    differ = 0
    for fault in faults:
        before = verdicts(checks_of(old, fault, []), fault, only)
        after = verdicts(checks_of(new, fault, more), fault, only)
        changed = [check for check in before if before[check] != after.get(check)]
        differ += bool(changed)
        print(f"{fault or 'healthy'}: {'DIFFERS in ' + ', '.join(changed) if changed else 'same'}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
