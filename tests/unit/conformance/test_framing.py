"""Where an answer ends on a kept-alive connection: the runner's count agrees with h11 (the
parser httpcore uses) on every framing, however the bytes are split into reads."""

from __future__ import annotations

import h11
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.properties import examples

from wai_contract.conformance.http._transport import _Framing

_BYTES = st.binary(max_size=40)


@st.composite
def answers(draw: st.DrawFn) -> bytes:
    """One HTTP/1.1 answer h11 accepts: interim heads, then a body framed by length or
    by chunks (with extensions and trailers), or none (204, 304)."""
    interim = draw(st.lists(st.sampled_from([b"100 Continue", b"103 Early Hints"]), max_size=2))
    head = b"".join(b"HTTP/1.1 %s\r\nX-A: b\r\n\r\n" % line for line in interim)
    status = draw(st.sampled_from([200, 400, 204, 304, 500]))
    body = draw(st.lists(_BYTES, max_size=5))
    if draw(st.booleans()):
        ext = draw(st.sampled_from([b"", b";a=b", b"; name"]))
        trailers = draw(st.sampled_from([b"", b"X-T: 1\r\n", b"X-T: 1\r\nX-U: 2\r\n"]))
        framed = b"".join(b"%x%s\r\n%s\r\n" % (len(p), ext, p) for p in body if p)
        head += b"HTTP/1.1 %d X\r\nTransfer-Encoding: chunked\r\n\r\n" % status
        message = framed + b"0\r\n" + trailers + b"\r\n"
    else:
        data = b"".join(body)
        length = draw(st.sampled_from([b"%d" % len(data), b"%d, %d" % (len(data), len(data))]))
        head += b"HTTP/1.1 %d X\r\ncontent-LENGTH: %s\r\n\r\n" % (status, length)
        message = data
    return head + (b"" if status in (204, 304) else message)


def _h11_excess(data: bytes) -> int:
    client = h11.Connection(h11.CLIENT)
    client.send(h11.Request(method="POST", target="/", headers=[("Host", "a")]))
    client.send(h11.EndOfMessage())
    client.receive_data(data)
    while client.their_state is not h11.DONE:
        assert client.next_event() is not h11.NEED_DATA
    return len(client.trailing_data[0])


@settings(max_examples=examples(300), deadline=None)
@given(answers(), _BYTES, st.lists(st.integers(1, 64), max_size=40))
def test_the_excess_is_what_h11_leaves_over(answer: bytes, extra: bytes, cuts: list[int]) -> None:
    data = answer + extra
    framing, at = _Framing(), 0
    for cut in [*cuts, len(data)]:
        framing.feed(data[at : at + cut])
        at += cut
    framing.feed(data[at:])
    assert not framing.lost and framing.state == "done"
    assert framing.excess == _h11_excess(data) == len(extra)


def test_what_it_cannot_follow_is_lost_not_guessed() -> None:
    for data in (
        b"HTTP/1.1 200 X\r\nContent-Type: a\r\n\r\nthe body ends with the connection",
        b"HTTP/1.1 200 X\r\nContent-Length: 1, 2\r\n\r\nab",
        b"HTTP/1.1 200 X\r\nContent-Length: 2\r\n folded\r\n\r\nab",
        b"HTTP/1.1 101 Switching\r\nUpgrade: x\r\n\r\nanything",
        b"HTTP/1.1 200 X\r\nX: " + b"a" * 200_000,
    ):
        framing = _Framing()
        framing.feed(data)
        assert framing.lost, data[:60]
