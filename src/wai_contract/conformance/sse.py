"""Incremental Server-Sent Events parsing for streamed answers.

Bytes arrive in arbitrary network chunks: a UTF-8 character or a line ending may be split
between two of them. :class:`SseParser` decodes incrementally, accepts LF, CRLF and CR
line endings, and yields the ``data`` of each event as soon as its blank line arrives.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass, field


class SseError(ValueError):
    """The byte stream is not a well-formed event stream."""


@dataclass
class SseParser:
    """Feed bytes with :meth:`feed`; each complete event's data is returned."""

    _decoder: codecs.IncrementalDecoder = field(
        default_factory=lambda: codecs.getincrementaldecoder("utf-8")(errors="strict")
    )
    _buffer: str = ""
    _data: list[str] = field(default_factory=list)
    _pending_cr: bool = False

    def feed(self, chunk: bytes) -> list[str]:
        """The data of every event completed by *chunk*."""
        try:
            text = self._decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            raise SseError(f"stream is not valid UTF-8: {exc.reason}") from None
        return list(self._lines(text))

    def close(self) -> str:
        """Finish; returns text left after the last complete event ('' when clean)."""
        try:
            tail = self._decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise SseError("stream ends inside a UTF-8 character") from None
        leftover = self._buffer + tail
        if self._data:
            leftover = "\n".join(f"data: {d}" for d in self._data) + leftover
        return leftover

    def _lines(self, text: str) -> Iterator[str]:
        if self._pending_cr:
            self._pending_cr = False
            if text.startswith("\n"):  # the LF of a CRLF split across chunks
                text = text[1:]
        self._buffer += text
        while True:
            buffer = self._buffer
            lf, cr = buffer.find("\n"), buffer.find("\r")
            if lf < 0 and cr < 0:
                return
            if cr >= 0 and (lf < 0 or cr < lf):
                end, width = cr, 2 if buffer[cr + 1 : cr + 2] == "\n" else 1
                self._pending_cr = cr + 1 == len(buffer)
            else:
                end, width = lf, 1
            self._buffer = buffer[end + width :]
            event = self._line(buffer[:end])
            if event is not None:
                yield event

    def _line(self, line: str) -> str | None:
        if line == "":
            if not self._data:
                return None
            data, self._data = "\n".join(self._data), []
            return data
        if line.startswith(":"):
            return None  # a comment
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        return None
