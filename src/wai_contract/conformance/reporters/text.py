"""Plain-text pieces shared by the renderers: a failing case, a body preview, the marks."""

from __future__ import annotations

import json

from ..results import CaseResult

BODY_INLINE_LIMIT = 2048
MARK = {"passed": "✅ pass", "failed": "❌ FAIL", "skipped": "⏭ skip"}


def body_preview(case: CaseResult) -> str:
    if case.exchange is None:
        return ""
    text = json.dumps(case.exchange.body, ensure_ascii=False)
    if len(text) > BODY_INLINE_LIMIT:
        return (
            text[:BODY_INLINE_LIMIT] + f"… ({len(text):,} characters; full body in "
            f"{case.body_file or 'report.json'})"
        )
    return text


def case_text(case: CaseResult) -> str:
    """One failing case as plain text: problem, body, response head and ``curl``."""
    lines = [f"[{case.id}] {case.problem}"]
    if case.pointer is not None:
        lines.append(f"violates: {case.pointer or '/'}")
    if case.exchange is not None:
        lines.append(f"body: {body_preview(case)}")
        status = case.exchange.status if case.exchange.status is not None else "-"
        head = case.exchange.response_head[:300].replace("\r", "\\r").replace("\n", "\\n")
        lines.append(f"response: {status} {head}")
        lines.append(f"reproduce: {case.curl()}")
    return "\n".join(lines)
