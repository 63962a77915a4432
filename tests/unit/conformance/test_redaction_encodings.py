"""No run of 8 characters of a secret survives the redactor, however a peer echoes it:
whole or cut, in any letter case, JSON-escaped, as HTML character references, percent-
encoded, or in base64, inside any text."""

from __future__ import annotations

import base64
import string

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.leaks import leaked
from tests.properties import examples

from wai_contract.conformance.http import HEAD_BYTES as HEAD
from wai_contract.conformance.http.redact import Redactor

TOKEN_ALPHABET = string.ascii_letters + string.digits + "-_"
tokens = st.text(TOKEN_ALPHABET, min_size=8, max_size=64)
surroundings = st.text(max_size=40)


def _encode_some(token: str, which: list[bool], encode: object) -> str:
    return "".join(encode(c) if flag else c for c, flag in zip(token, which, strict=False))  # type: ignore[operator]


ENCODINGS = {
    "json": lambda c: f"\\u{ord(c):04x}",
    "html-decimal": lambda c: f"&#{ord(c)};",
    "html-hex": lambda c: f"&#x{ord(c):x};",
    "percent": lambda c: f"%{ord(c):02X}",
}


@st.composite
def echoes(draw: st.DrawFn) -> tuple[str, str]:
    """A secret and a text that echoes it one way."""
    token = draw(tokens)
    how = draw(st.sampled_from(["plain", "case", "cut", "base64", *ENCODINGS]))
    if how == "plain":
        echo = token
    elif how == "case":
        echo = token.swapcase()
    elif how == "cut":
        start = draw(st.integers(0, len(token) - 8))
        echo = token[start : draw(st.integers(start + 8, len(token)))]
    elif how == "base64":
        around = draw(st.sampled_from(["", "Bearer ", "user:", "x" * 7]))
        raw = base64.b64encode((around + token).encode())
        encoded = raw.decode()
        echo = encoded if draw(st.booleans()) else encoded.replace("+", "-").replace("/", "_")
    else:
        which = draw(st.lists(st.booleans(), min_size=len(token), max_size=len(token)))
        echo = _encode_some(token, which, ENCODINGS[how])
    return token, draw(surroundings) + echo + draw(surroundings)


@settings(max_examples=examples(400), deadline=None)
@given(echoes())
def test_no_run_of_a_secret_survives_any_echo(case: tuple[str, str]) -> None:
    token, text = case
    assert leaked(Redactor(token).text(text), token) == []


@settings(max_examples=examples(100), deadline=None)
@given(tokens, st.sampled_from(["é", "数", "😀"]), st.data())
def test_a_secret_cut_by_the_head_limit_is_redacted(
    token: str, wide: str, data: st.DataObject
) -> None:
    """The head is cut in bytes before it is redacted (a secret after many multi-byte
    characters straddles the cut) and in characters after."""
    kept = data.draw(st.integers(1, len(token)), label="characters of the token kept")
    room = HEAD + 256 - kept  # the bytes the reader keeps, before the token
    prefix = wide * (room // len(wide.encode())) + "a" * (room % len(wide.encode()))
    head = (prefix + token).encode()[: HEAD + 256].decode("utf-8", "replace")
    assert head.endswith(token[:kept])
    assert leaked(Redactor(token).text(head)[:HEAD], token) == []


@given(st.text(max_size=200))
def test_text_without_the_secret_is_unchanged(text: str) -> None:
    token = "tok9F3kQ7zLm2Wx8Rb4Tn6Yc1Hv5Jd0Pq"
    if not leaked(text, token):
        assert Redactor(token).text(text) == text


def test_letters_whose_lower_case_is_longer_do_not_shift_the_search() -> None:
    token = "tok9F3kQ7zLm2Wx8Rb4Tn6Yc1Hv5Jd0Pq"
    text = "İ" * 40 + token.upper() + " end"  # "İ".lower() is two characters
    assert leaked(Redactor(token).text(text), token) == []


CASE_TRICKS = (
    "\u0130\u212a\u212b\u03a3\u03c3\u03c2\u1e9e\u00df\ufb00"  # İ K Å Σ σ ς ẞ ß ﬀ
    "\u00c4\u00e4\u00d6\u6570\u00e9\U0001f600"  # Ä ä Ö 数 é 😀
)
"""Letters whose ``str.lower`` differs from ASCII folding: longer (İ), folding into ASCII
(the Kelvin sign, the Ångström sign), or changing outside ASCII (Σ, ẞ, Ä); and some that
have no case."""


@settings(max_examples=examples(200), deadline=None)
@given(tokens, st.text(CASE_TRICKS, max_size=30), st.text(CASE_TRICKS, max_size=30))
def test_letters_that_fold_unlike_ascii_never_hide_or_shift_a_secret(
    token: str, before: str, after: str
) -> None:
    for echo in (token, token.swapcase(), token.upper()):
        text = before + echo + after
        clean = Redactor(token).text(text)
        assert leaked(clean, token) == [] and "[REDACTED]" in clean


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(echoes(), min_size=1, max_size=6), st.sampled_from(["", "\n", "\n\x00\x1f"]))
def test_texts_together_are_redacted_as_each_alone(
    cases: list[tuple[str, str]], separators: str
) -> None:
    """Many texts are redacted in one pass, split on a character none holds: the same as
    each alone, whatever separators they hold already. The redactor knows the first
    case's secret; the other echoes are of secrets it does not know, or plain text."""
    token = cases[0][0]
    texts = [text + separators for _, text in cases] + ["", "plain"]
    redactor = Redactor(token)
    together = redactor.texts(texts)
    assert together == [redactor.text(text) for text in texts]
    assert leaked(together[0], token) == []


def test_every_base64_run_of_a_secret_is_caught_at_every_alignment() -> None:
    """Every 8- and 9-character run of the secret, after 0 to 2 other bytes (each alignment of
    base64's three-byte groups), standard and URL-safe, inside a JSON answer: the byte-level
    look (``might_hold``) sees it, and the text comes out with nothing a reader recovers."""
    secret = "tok9F3kQ7zLm2Wx8Rb4Tn6Yc1Hv5Jd0Pq+/é"
    redactor = Redactor(secret)
    for length in (8, 9):
        for start in range(len(secret) - length + 1):
            for before in (b"", b"x", b"xy"):
                raw = before + secret[start : start + length].encode() + b"!"
                for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
                    text = '{"echo": "' + encoded.decode() + '"}'
                    assert redactor.might_hold(text.encode()), (start, before, encoded)
                    assert leaked(redactor.text(text), secret) == [], (start, before, encoded)
