"""The depth bound: the same verdict as a character-by-character reading, in linear work."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from wai_contract.conformance.http.jsondepth import TooDeep, check_depth


def _deepest(text: str) -> int:
    """The nesting depth of *text* read one character at a time (strings skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _verdict(data: str | bytes, limit: int) -> bool:
    try:
        check_depth(data, limit)
    except TooDeep:
        return False
    return True


@given(st.text(alphabet='[]{}"\\aé\n', max_size=300), st.integers(min_value=0, max_value=12))
def test_the_verdict_is_a_character_readings_for_text_and_its_bytes(text: str, limit: int) -> None:
    expected = _deepest(text) <= limit
    assert _verdict(text, limit) is expected
    assert _verdict(text.encode(), limit) is expected


# Shapes that made a backtracking string pattern quadratic: every quote opens a string that
# never closes, so a pattern that can fail there is retried at each later quote.
_SCRIPT = """
import sys
from wai_contract.conformance.http.jsondepth import TooDeep, check_depth
n = 100_000
shapes = ['"' + '\\\\"' * n, '"' + '\\\\' * (2 * n), '"a' * n, '["\\\\"' * n]
for shape in shapes:
    for data in ("[]" * 101 + shape, ("[]" * 101 + shape).encode()):
        try:
            check_depth(data)
        except TooDeep:
            pass
print("done")
"""


def test_unterminated_strings_of_200_kb_are_read_in_linear_work() -> None:
    # Quadratic work takes minutes here; linear work well under a second. The bound only stops
    # a regression from hanging the suite, it measures nothing.
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "done"
