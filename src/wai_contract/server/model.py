"""A deterministic fake of the model: answers, tool calls and token accounting.

The answer comes from a PRNG seeded by ``seed`` and the input, so the same body with the
same ``seed`` gets the same answer (streamed or not), and a body without ``seed`` gets a
varying one. It never generates more than ``max_tokens`` tokens (default 256).
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
import re
from dataclasses import dataclass, field
from typing import Any

import orjson

from ..schemas import default_max_tokens

LONGEST_ANSWER = 10_000
"""Tokens the stand-in model writes at most (also where the schema declares no default)."""
_VOCABULARY = (
    "The",
    "model",
    "answers",
    "your",
    "question",
    "with",
    "care",
    "and",
    "a",
    "little",
    "detail",
    "about",
    "pizza",
    "Hello",
    "World",
    "origin",
    "phrase",
    "program",
    "first",
    "printed",
    "by",
    "Kernighan",
    "in",
    "1972",
    "tokens",
    "stream",
    "seed",
    "café",
    "naïve",
    "数据",
    "😀",
    ".",
    ",",
    "!",
)
_WORD = re.compile(r"\w+")


@dataclass(slots=True)
class Answer:
    """What the fake model says: text pieces (one per token), tool calls and usage."""

    pieces: list[str]
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    prompt_tokens: int = 0

    @property
    def text(self) -> str:
        return "".join(self.pieces)

    @property
    def completion_tokens(self) -> int:
        return len(self.pieces) + sum(_call_tokens(c) for c in self.tool_calls)

    def usage(self) -> dict[str, int]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
        }


@functools.lru_cache(maxsize=8)
def count_tokens(text: str) -> int:
    """A stand-in tokenizer: the matches of ``\\w+|[^\\w\\s]`` (words, and every other
    character that is not white space), counted without making a list of them. Cached: a run
    sends each long boundary text several times (both branches, streamed or not)."""
    rest, words = _WORD.subn("", text)
    return words + len("".join(rest.split()))  # split() drops what \s matches


def _call_tokens(call: dict[str, Any]) -> int:
    return 1 + count_tokens(json.dumps(call["arguments"]))


def _input_text(body: dict[str, Any]) -> str:
    if isinstance(body.get("prompt"), str):
        return str(body["prompt"])
    return "\n".join(
        content_text(m.get("content")) for m in body.get("messages", []) if isinstance(m, dict)
    )


def content_text(content: Any) -> str:
    """The text of a message's ``content``: the string, or its text parts joined (the
    published schema lets a part lack ``text``, and lets ``content`` be an array)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            part["text"]
            for part in content
            if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    return ""


def _rng(body: dict[str, Any]) -> random.Random:
    seed = body.get("seed")
    if seed is None:
        return random.Random()
    material = {k: v for k, v in body.items() if k != "stream"}
    try:
        text = orjson.dumps(material, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # what orjson refuses (an integer past 64 bits, a lone surrogate)
        text = json.dumps(material, sort_keys=True, default=str).encode("utf-8", "replace")
    return random.Random(hashlib.sha256(text).digest())


def answer(body: dict[str, Any], *, include: str = "", call: bool = False) -> Answer:
    """The fake model's answer to a *valid* body; *include* forces a word into it, *call*
    a call of one of its tools."""
    rng = _rng(body)
    limit = body.get("max_tokens", default_max_tokens())
    budget = max(0, min(int(limit if limit is not None else LONGEST_ANSWER), LONGEST_ANSWER))
    result = Answer([], prompt_tokens=max(1, count_tokens(_input_text(body))))
    tools = body.get("tools") if isinstance(body.get("messages"), list) else None
    if tools and (call or rng.random() < 0.6):
        made = _tool_call(tools, rng)
        if made is not None and _call_tokens(made) <= budget:
            result.tool_calls.append(made)
            return result
    length = min(budget, rng.randint(3, 80))
    words = [rng.choice(_VOCABULARY) for _ in range(length)]
    if include and words:
        words[rng.randrange(len(words))] = include
    result.pieces = [w if i == 0 or w in ".,!" else " " + w for i, w in enumerate(words)]
    return result


def _tool_call(tools: list[Any], rng: random.Random) -> dict[str, Any] | None:
    tool = rng.choice(tools)
    spec = tool.get("function", tool) if isinstance(tool, dict) else None
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
        return None
    # On the OpenAI surface, parameters are any JSON object: read only what makes sense.
    given = spec.get("parameters")
    parameters: dict[str, Any] = given if isinstance(given, dict) else {}
    properties = parameters.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    listed = parameters.get("required")
    required = (
        {name for name in listed if isinstance(name, str)} if isinstance(listed, list) else set()
    )
    arguments = {
        name: _argument(declared.get("type") if isinstance(declared, dict) else None, rng)
        for name, declared in properties.items()
        if name in required or rng.random() < 0.5
    }
    for name in sorted(required - arguments.keys()):  # required but never declared
        arguments[name] = _argument(None, rng)
    return {"name": spec["name"], "arguments": arguments}


def _argument(kind: Any, rng: random.Random) -> Any:
    if kind == "integer":
        return rng.randint(0, 100)
    if kind == "number":
        return round(rng.uniform(0, 100), 2)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "array":
        return []
    if kind == "object":
        return {}
    if kind == "null":
        return None
    return rng.choice(("Lisbon", "pizza", "today", "celsius"))
