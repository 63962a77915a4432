"""The table of checks in docs/checks.md, generated from the registry.

``python docs/checks_table.py`` rewrites the table between its markers; a test fails while
the page and the registry disagree.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from wai_contract.conformance.checks import CHECKS

PAGE = Path(__file__).with_name("checks.md")
BEGIN, END = "<!-- checks table: begin -->", "<!-- checks table: end -->"


def render_table() -> str:
    """One row per registered check, in report order: id, title, what it judges, and its
    contract settings with their defaults."""
    rows = ["| id | check | judges | settings (default) |", "| --- | --- | --- | --- |"]
    for check_id, check in CHECKS.items():
        settings = ", ".join(
            f"`{f.name}` ({json.dumps(f.default)})"
            for f in dataclasses.fields(check.settings_class)
        )
        cells = [f"`{check_id}`", check.title, check.description, settings]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows)


def with_table(page: str) -> str:
    """*page* with the text between the markers replaced by the current table."""
    head, _, rest = page.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{render_table()}\n{END}{tail}"


if __name__ == "__main__":
    PAGE.write_text(with_table(PAGE.read_text("utf-8")), "utf-8")
