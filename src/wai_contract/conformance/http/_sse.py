"""Incremental Server-Sent Events parsing for streamed answers.

Bytes arrive in arbitrary network chunks: a UTF-8 character or a line ending may be split
between two of them. :class:`SseParser` decodes incrementally, accepts LF, CRLF and CR
line endings, and yields the ``data`` of each event as soon as its blank line arrives. Its
work is linear in the bytes fed, and a line or an event longer than ``max_event_chars``
is an error (a peer that never ends one cannot make the runner hold it all).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

MAX_EVENT_CHARS = 1024 * 1024
_LINE_END = re.compile(r"\r\n|\r|\n")


class SseError(ValueError):
    """The byte stream is not a well-formed event stream."""


@dataclass
class SseParser:
    """Feed bytes with :meth:`feed`; each complete event's data is returned."""

    max_event_chars: int = MAX_EVENT_CHARS
    _decoder: codecs.IncrementalDecoder = field(
        default_factory=lambda: codecs.getincrementaldecoder("utf-8")(errors="strict")
    )
    _pending: list[str] = field(default_factory=list)
    """Pieces of a line whose end has not arrived."""
    _pending_chars: int = 0
    _data: list[str] = field(default_factory=list)
    _data_chars: int = 0
    _pending_cr: bool = False

    def feed(self, chunk: bytes) -> list[str]:
        """The data of every event completed by *chunk*."""
        try:
            text = self._decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            raise SseError(f"stream is not valid UTF-8: {exc.reason}") from None
        return self._lines(text)

    def close(self) -> str:
        """Finish; returns text left after the last complete event ('' when clean)."""
        try:
            tail = self._decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise SseError("stream ends inside a UTF-8 character") from None
        leftover = "".join(self._pending) + tail
        if self._data:
            leftover = "\n".join(f"data: {d}" for d in self._data) + leftover
        return leftover

    def _lines(self, text: str) -> list[str]:
        if self._pending_cr:
            self._pending_cr = False
            if text.startswith("\n"):  # the LF of a CRLF split across chunks
                text = text[1:]
        if "\n" not in text and "\r" not in text:
            self._hold(text)
            return []
        if self._pending:
            text = "".join(self._pending) + text
            self._pending, self._pending_chars = [], 0
        events, start = [], 0
        for end in _LINE_END.finditer(text):
            event = self._line(text[start : end.start()])
            if event is not None:
                events.append(event)
            start = end.end()
        self._pending_cr = text.endswith("\r")
        self._hold(text[start:])
        return events

    def _hold(self, piece: str) -> None:
        if piece:
            self._pending.append(piece)
            self._pending_chars += len(piece)
            if self._pending_chars > self.max_event_chars:
                raise SseError(f"a line runs past {self.max_event_chars:,} characters")

    def _line(self, line: str) -> str | None:
        if line == "":
            if not self._data:
                return None
            data, self._data, self._data_chars = "\n".join(self._data), [], 0
            return data
        if line.startswith(":"):
            return None  # a comment
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
            self._data_chars += len(value)
            if self._data_chars > self.max_event_chars:
                raise SseError(f"an event runs past {self.max_event_chars:,} characters")
        return None
