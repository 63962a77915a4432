"""Generated text carries what breaks naive servers, on both surfaces and in every kind of
text field: quotes, backslashes, line breaks, tabs, control characters, right-to-left text,
emoji (before, 0 of 11,999 generated strings held a quote, a backslash or a line break)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest

from wai_contract.generate import generate

CLASSES = {
    "quote": lambda t: '"' in t,
    "backslash": lambda t: "\\" in t,
    "line break": lambda t: "\n" in t or "\r" in t or "\u2028" in t,
    "tab": lambda t: "\t" in t,
    "control": lambda t: any(unicodedata.category(c) == "Cc" and c not in "\t\n\r" for c in t),
    "right-to-left": lambda t: any(unicodedata.bidirectional(c) in ("R", "AL") for c in t),
    "emoji": lambda t: any(ord(c) >= 0x1F000 for c in t),
}


def _texts(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """Every string of a body, with the key it is the value of."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _texts(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item, key)


@pytest.mark.parametrize(("api", "seed"), [("native", 0), ("openai", 7)])
def test_every_class_of_hazard_is_in_prompts_contents_and_descriptions(api: str, seed: int) -> None:
    found: dict[str, set[str]] = {name: set() for name in CLASSES}
    strings = 0
    for body in generate(1000, seed=seed, api=api):  # type: ignore[arg-type]
        if body.valid is False:
            continue
        for key, text in _texts(body.payload):
            strings += 1
            for name, holds in CLASSES.items():
                if holds(text):
                    found[name].add(key)
    for name, keys in found.items():
        wanted = {"content", "description"} | ({"prompt"} if api == "native" else set())
        assert wanted <= keys, (name, sorted(keys))
    assert strings > 2000
