"""The docs agree with the code: the table of checks is the registry's."""

from __future__ import annotations

import runpy
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_table_of_checks_is_the_registrys() -> None:
    table = runpy.run_path(str(DOCS / "checks_table.py"))
    page = (DOCS / "checks.md").read_text("utf-8")
    assert table["with_table"](page) == page, "run: python docs/checks_table.py"


def test_the_table_names_every_check_once() -> None:
    from wai_contract.conformance.checks import CHECKS

    table = runpy.run_path(str(DOCS / "checks_table.py"))["render_table"]()
    assert [line.split("`")[1] for line in table.splitlines()[2:]] == list(CHECKS)


def test_every_link_between_pages_leads_to_a_file() -> None:
    import re

    pages = [DOCS.parent / "README.md", *DOCS.glob("*.md")]
    broken = [
        f"{page.name}: {target}"
        for page in pages
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text("utf-8"))
        if not (page.parent / target).exists()
    ]
    assert broken == []
