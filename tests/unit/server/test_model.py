"""The reference server's stand-in model."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from wai_contract.server.model import count_tokens

_MATCHES = re.compile(r"\w+|[^\w\s]")


@given(st.text())
def test_token_count_is_the_number_of_word_and_mark_matches(text: str) -> None:
    assert count_tokens(text) == len(_MATCHES.findall(text))


def test_token_count_of_long_texts() -> None:
    assert count_tokens("\U0001f600" * 131072) == 131072
    assert count_tokens("a" * 131072) == 1
    assert count_tokens("héllo, wörld!\u2003数据 _x1") == 6
