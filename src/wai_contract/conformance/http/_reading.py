"""Reading an answer's body within bounds: size, events, time, and decompression.

The runner asks for ``gzip, deflate`` and inflates the raw bytes itself, a bounded piece at a
time, so the caps hold on the inflated body: a gzip bomb is cut at the cap, never inflated
whole. The same caps hold for streams, whose events the incremental :class:`~._sse.SseParser`
reads as they arrive.

Parsed JSON takes many times its text in memory (a list of numbers: about ten), so besides
its bytes an answer's JSON values are capped, counted by their commas as bytes arrive. Our
reading of both caps: an answer of this model is text of a few thousand tokens (a 32K-token
answer is about 256 KB, or 160,000 commas as a stream), far under 8 MB and 250,000 values.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx

from ._sse import SseParser

MAX_BODY_BYTES = 8 * 1024 * 1024
MAX_VALUES = 250_000
MAX_EVENTS = 20_000
INFLATE_PIECE = 256 * 1024


class BodyError(Exception):
    """The body cannot be read as sent: undecodable, or too large."""


class Inflater:
    """Decodes a ``Content-Encoding`` (identity, gzip, deflate) in bounded pieces."""

    def __init__(self, encoding: str) -> None:
        codings = [c.strip() for c in encoding.lower().split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise BodyError(f"undecodable: Content-Encoding {encoding[:60]!r} was not asked for")
        self._coding = codings[0] if codings else None
        self._engine = self._new_engine() if self._coding else None

    def _new_engine(self) -> zlib._Decompress:
        # 47: a zlib or a gzip header, detected; deflate may also come raw (tried on error).
        return zlib.decompressobj(47 if self._coding != "deflate" else zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The inflated bytes of *data*, in pieces of at most 256 KB."""
        engine = self._engine
        if engine is None:
            yield data
            return
        while data:
            try:
                out = engine.decompress(data, INFLATE_PIECE)
            except zlib.error as exc:
                if self._coding == "deflate" and not engine.eof:
                    self._coding = "raw"
                    self._engine = engine = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise BodyError(f"undecodable: {self._coding}: {exc}") from None
            if out:
                yield out
            data = engine.unconsumed_tail
            if engine.eof:
                rest = engine.unused_data
                self._engine = engine = self._new_engine()
                # Another gzip member goes on; other trailing bytes are ignored, as by httpx.
                data = rest + data if rest.startswith(b"\x1f\x8b") else b""
            elif not out:
                break

    def close(self) -> bytes:
        return self._engine.flush() if self._engine is not None else b""


@dataclass
class BodyReader:
    """Reads a body within its deadline: the head for the report, and either the bytes (up
    to the cap) or the stream's events (up to the cap and the event count)."""

    deadline: float
    head_bytes: int
    streamed: bool
    head: bytearray = field(default_factory=bytearray)
    tail: bytes = b""
    """The last ``head_bytes`` of a body longer than that (where a stream's fault often is)."""
    plain: bytearray = field(default_factory=bytearray)
    """A plain answer's bytes: one buffer, grown by an eighth at a time and, once large,
    remapped rather than copied; given to the parser as it is (no joined copy)."""
    commas: int = 0
    events: list[str] = field(default_factory=list)
    leftover: str = ""
    size: int = 0
    _parser: SseParser = field(default_factory=SseParser)

    def body(self) -> bytearray:
        """A plain answer's bytes, handed over (the reader keeps none)."""
        body, self.plain = self.plain, bytearray()
        return body

    def read(self, response: httpx.Response) -> None:
        """Read to the end; raises :class:`BodyError` or :class:`SseError` on a bad body,
        and ``TimeoutError`` past the deadline."""
        if response.is_stream_consumed:  # built in memory, by a test's transport: decoded
            inflater, raws = Inflater(""), iter([response.content])
        else:
            inflater = Inflater(response.headers.get("content-encoding", ""))
            raws = response.iter_raw()
        for raw in raws:
            for chunk in inflater.feed(raw):
                self._take(chunk)
            if time.monotonic() > self.deadline:
                raise TimeoutError
        self._take(inflater.close())
        if self.streamed:
            self.leftover = self._parser.close()

    def _take(self, chunk: bytes) -> None:
        if not chunk:
            return
        self.size += len(chunk)
        if len(self.head) < self.head_bytes:
            self.head += chunk[: self.head_bytes - len(self.head)]
        if self.size > self.head_bytes:
            self.tail = (self.tail + chunk[-self.head_bytes :])[-self.head_bytes :]
        if self.size > MAX_BODY_BYTES:
            raise BodyError(f"too-large: body over {MAX_BODY_BYTES:,} bytes")
        self.commas += chunk.count(b",")
        if self.commas > MAX_VALUES:
            raise BodyError(f"too-large: more than {MAX_VALUES:,} JSON values")
        if not self.streamed:
            self.plain += chunk
            return
        self.events += self._parser.feed(chunk)
        if len(self.events) > MAX_EVENTS:
            raise BodyError(f"too-large: more than {MAX_EVENTS:,} events")


__all__ = [
    "MAX_BODY_BYTES",
    "MAX_EVENTS",
    "MAX_VALUES",
    "BodyError",
    "BodyReader",
    "Inflater",
]
