"""The SSE parser: events however the bytes are split, every line ending, and bad streams."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wai_contract.conformance.http._sse import SseError, SseParser

STREAM = 'data: {"response":"héllo"}\n\n: a comment\n\ndata: a\ndata: b\n\ndata:[DONE]\n\n'
EVENTS = ['{"response":"héllo"}', "a\nb", "[DONE]"]


def feed_all(parser: SseParser, chunks: list[bytes]) -> list[str]:
    events: list[str] = []
    for chunk in chunks:
        events += parser.feed(chunk)
    return events


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_every_line_ending_gives_the_same_events(ending: str) -> None:
    parser = SseParser()
    assert feed_all(parser, [STREAM.replace("\n", ending).encode()]) == EVENTS
    assert parser.close() == ""


@given(st.lists(st.integers(0, len(STREAM.encode())), max_size=12), st.sampled_from(["\n", "\r\n"]))
def test_events_do_not_depend_on_where_the_bytes_are_cut(cuts: list[int], ending: str) -> None:
    data = STREAM.replace("\n", ending).encode()
    points = sorted({0, len(data), *(min(c, len(data)) for c in cuts)})
    chunks = [data[a:b] for a, b in itertools.pairwise(points)]
    parser = SseParser()
    assert feed_all(parser, chunks) == EVENTS
    assert parser.close() == ""


def test_text_after_the_last_event_is_left_over() -> None:
    parser = SseParser()
    assert parser.feed(b"data: one\n\ndata: two\n") == ["one"]
    assert parser.close() == "data: two"
    parser = SseParser()
    parser.feed(b"data: one\n\npartial")
    assert parser.close() == "partial"


def test_only_data_fields_make_an_event() -> None:
    parser = SseParser()
    assert parser.feed(b"event: x\nid: 3\nretry: 10\n\ndata:no-space\n\n") == ["no-space"]


def test_invalid_utf8_is_an_error_and_a_split_character_is_not() -> None:
    parser = SseParser()
    encoded = "data: é\n\n".encode()
    assert parser.feed(encoded[:7]) == [] and parser.feed(encoded[7:]) == ["é"]
    with pytest.raises(SseError, match="not valid UTF-8"):
        SseParser().feed(b"data: \xff\n\n")
    cut = SseParser()
    cut.feed("data: é".encode()[:-1])
    with pytest.raises(SseError, match="inside a UTF-8 character"):
        cut.close()
