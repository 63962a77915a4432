"""The two surfaces a run can cover, and the OpenAI-compatible body that means what a
native one means.

Bodies are planned as the native schema describes them (the generator's checklist, the
checks' probes) and, for the OpenAI-compatible surface, translated: ``prompt`` becomes one
user message, flat tools take the ``{type: "function", function}`` form, ``model`` names
this model, and fields OpenAI's reference does not have (``top_k``, ``raw``, ``lora``, ...)
are left out. The translated body's verdict is then that of the readings a target follows
(:mod:`.readings`), not the native one.
"""

from __future__ import annotations

from typing import Any

from .readings import READINGS, ReadingName, agreed, judge
from .schemas import MODEL, openai_request_fields


def to_openai(body: Any) -> Any:
    """The chat-completions request that means what the native *body* means."""
    if not isinstance(body, dict):
        return body
    known = openai_request_fields()
    out: dict[str, Any] = {"model": MODEL}
    if "prompt" in body and "messages" not in body:
        out["messages"] = [{"role": "user", "content": body["prompt"]}]
    for key, value in body.items():
        if key in known and key not in out:
            out[key] = value
    if isinstance(out.get("tools"), list):
        out["tools"] = [_function_tool(tool) for tool in out["tools"]]
    return out


def _function_tool(tool: Any) -> Any:
    if isinstance(tool, dict) and "function" not in tool and "name" in tool:
        return {"type": "function", "function": tool}
    return tool


def verdict(
    body: Any, followed: tuple[ReadingName, ...] = READINGS
) -> tuple[bool | None, str | None]:
    """Whether the *followed* readings (see :mod:`.readings`) accept *body*, and else the
    place of its first error; ``None`` where they disagree or one cannot tell."""
    return agreed(judge(body), followed)
