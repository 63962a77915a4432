"""The small pieces that keep a hostile peer in bounds: redaction, inflating, SSE caps,
JSON depth, Markdown escaping."""

from __future__ import annotations

import gzip
import zlib

import pytest

from wai_contract.conformance.http import _reading as reading
from wai_contract.conformance.http._reading import BodyError, Inflater
from wai_contract.conformance.http._sse import SseError, SseParser
from wai_contract.conformance.http.jsondepth import TooDeep, check_depth
from wai_contract.conformance.http.redact import Redactor, redact_url, url_secrets
from wai_contract.conformance.reporters.markdown import escape, fenced

SECRET = "tok-AbCdEfGh123456"


def test_a_secret_is_redacted_in_any_case_in_text_and_in_json_keys_and_values() -> None:
    redactor = Redactor(SECRET)
    assert redactor.text(f"x{SECRET}y {SECRET.lower()}") == "x[REDACTED]y [REDACTED]"
    value = {SECRET: [1, f"a {SECRET}"], "k": {"n": SECRET.upper()}}
    assert redactor.value(value) == {"[REDACTED]": [1, "a [REDACTED]"], "k": {"n": "[REDACTED]"}}
    assert not Redactor(None) and Redactor(None).text(SECRET) == SECRET


def test_a_short_secret_is_redacted_only_where_it_stands_alone() -> None:
    redactor = Redactor("T")
    assert redactor.text("The T, </details>") == "The [REDACTED], </details>"


def test_credentials_in_a_url_are_redacted_and_known_as_secrets() -> None:
    url = "https://user:pw-123456789@host.test/ai/run/m?key=k-abcdefgh&model=x&api_token=t9"
    clean = redact_url(url)
    assert "pw-123456789" not in clean and "k-abcdefgh" not in clean and "t9" not in clean
    assert clean.startswith("https://[REDACTED]@host.test/ai/run/m?") and "model=x" in clean
    assert set(url_secrets(url)) == {"user", "pw-123456789", "k-abcdefgh", "t9"}
    assert redact_url("http://h.test/p?model=x") == "http://h.test/p?model=x"


def _inflate(encoding: str, data: bytes) -> bytes:
    inflater = Inflater(encoding)
    return b"".join(inflater.feed(data)) + inflater.close()


def test_every_encoding_we_ask_for_inflates_in_bounded_pieces() -> None:
    data = b"hello " * 100_000
    raw = zlib.compressobj(wbits=-15)
    assert _inflate("gzip", gzip.compress(data)) == data
    assert _inflate("gzip", gzip.compress(b"one ") + gzip.compress(b"two")) == b"one two"
    assert _inflate("deflate", zlib.compress(data)) == data
    assert _inflate("deflate", raw.compress(data) + raw.flush()) == data
    assert _inflate("identity", data) == data
    pieces = list(Inflater("gzip").feed(gzip.compress(bytes(10_000_000))))
    assert max(len(p) for p in pieces) <= reading.INFLATE_PIECE


@pytest.mark.parametrize(("encoding", "data"), [("br", b"x"), ("gzip", b"not gzip at all")])
def test_an_encoding_we_did_not_ask_for_or_cannot_read_is_a_body_error(
    encoding: str, data: bytes
) -> None:
    with pytest.raises(BodyError, match="undecodable"):
        _inflate(encoding, data)


def test_sse_lines_and_events_are_capped_and_parsing_stays_linear() -> None:
    with pytest.raises(SseError, match="line runs past"):
        parser = SseParser(max_event_chars=100)
        for _ in range(20):
            parser.feed(b"x" * 10)
    with pytest.raises(SseError, match="event runs past"):
        SseParser(max_event_chars=100).feed(b"data: " + b"y" * 60 + b"\ndata: " + b"y" * 60 + b"\n")
    parser = SseParser()
    for _ in range(2000):  # no line ending for 2,000 chunks: held, not rescanned
        assert parser.feed(b"data: " if _ == 0 else b"z" * 100) == []
    assert parser.feed(b"\n\n") == ["z" * 199_900]


def test_json_nested_past_the_limit_is_too_deep_whatever_its_strings_hold() -> None:
    check_depth("[" * 100 + "]" * 100)
    check_depth('["' + "[" * 500 + '"]')
    for deep in ("[" * 101, b'{"a":' * 101, b"[" * 101):
        with pytest.raises(TooDeep):
            check_depth(deep)


def test_markdown_from_a_peer_is_escaped_and_fenced_past_its_backticks() -> None:
    assert escape("# x\n![i](u) <b> `c`") == "\\# x !\\[i\\](u) \\<b\\> \\`c\\`"
    assert fenced("a ````` b", "text") == ["``````text", "a ````` b", "``````"]
    assert fenced("plain", "sh")[0] == "```sh"
