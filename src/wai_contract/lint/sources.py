"""Find request bodies in files, directories and stdin.

A ``.jsonl`` file holds one body per line (blank lines skipped); any other file holds
one JSON body; a directory contributes its ``.json`` and ``.jsonl`` files, recursively,
in sorted order, skipping hidden entries; ``-`` reads stdin.
"""

from __future__ import annotations

import mmap
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO, Literal, NoReturn

from ..errors import SourceError

STDIN = "-"
STDIN_NAME = "<stdin>"
BODY_SUFFIXES = (".json", ".jsonl")

StdinFormat = Literal["auto", "json", "jsonl"]


@dataclass(frozen=True, slots=True)
class BodyText:
    """The raw text of one body and where it came from (``line`` is 1-based)."""

    source: str
    line: int
    data: bytes


def expand(paths: Sequence[str]) -> list[str]:
    """Resolve *paths* to the list of files (and ``-``) to read, failing early and clearly."""
    files: list[str] = []
    for path in paths:
        if path == STDIN:
            if STDIN not in files:  # `lint - -`: standard input is read once
                files.append(path)
            continue
        try:
            mode = os.stat(path).st_mode
        except OSError as exc:  # no such file, a symlink loop, no permission, ...
            reason = exc.strerror or str(exc)
            raise SourceError(display_name(path), reason[:1].lower() + reason[1:]) from None
        if stat.S_ISDIR(mode):
            found = sorted(_files_under(path))
            if not found:
                raise SourceError(display_name(path), "directory holds no .json or .jsonl files")
            files.extend(found)
        else:  # a file, or a pipe such as /dev/stdin or <(command)
            files.append(path)
    return files


def _files_under(folder: str) -> Iterator[str]:
    """The body files below *folder*, hidden names (``.git``) left out; with a stack, not
    recursion, so that any depth is walked (links to folders are not followed)."""
    from pathlib import PurePath

    stack = [folder]
    while stack:
        here = stack.pop()
        try:
            with os.scandir(here) as listing:
                entries = list(listing)
        except OSError as error:
            _unreadable(error)
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            elif os.path.splitext(entry.name)[1] in BODY_SUFFIXES and entry.is_file():
                yield str(PurePath(entry.path))  # as pathlib spells it: "./a" is "a"


def _unreadable(error: OSError) -> NoReturn:
    raise SourceError(display_name(error.filename or ""), error.strerror or str(error))


def display_name(path: str) -> str:
    """*path* as text that any output can carry: bytes of a file name that are not UTF-8
    (which Python keeps as lone surrogates) are shown as ``\\xNN``."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def iter_bodies(
    files: Sequence[str],
    *,
    stdin: BinaryIO | None = None,
    stdin_format: StdinFormat = "auto",
) -> Iterator[BodyText]:
    """Yield every body in *files* (as returned by :func:`expand`), streaming JSONL."""
    for path in files:
        if path == STDIN:
            if stdin is None:
                raise SourceError(STDIN_NAME, "standard input is closed")
            if stdin_format == "jsonl":  # each line as it comes: a pipe is answered live
                yield from _lines(STDIN_NAME, stdin)
            else:
                yield from _split(STDIN_NAME, stdin.read(), stdin_format)
        elif path.endswith(".jsonl"):
            yield from _jsonl_file(path)
        elif not os.path.isfile(path):  # a pipe: JSON or JSONL, told apart as on stdin
            yield from _split(display_name(path), _read(path), "auto")
        else:
            yield BodyText(display_name(path), 1, _read(path))


MAX_WHOLE_BYTES = 256 * 1024 * 1024
"""A source read whole (a file of one body, a pipe): ``.jsonl`` files stream instead."""


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_WHOLE_BYTES + 1)
    except OSError as exc:
        raise SourceError(display_name(path), exc.strerror or str(exc)) from None
    if len(data) > MAX_WHOLE_BYTES:
        why = f"larger than {MAX_WHOLE_BYTES:,} bytes (a .jsonl file of bodies is streamed)"
        raise SourceError(display_name(path), why)
    return data


def _jsonl_file(path: str) -> Iterator[BodyText]:
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, while streaming lines
    except OSError as exc:
        raise SourceError(display_name(path), exc.strerror or str(exc)) from None
    name = display_name(path)
    with handle:
        try:
            # Cut from a mapping: a file's line iterator joins a long line from 8 KB reads.
            view = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # empty, or not a regular file (a pipe named .jsonl)
            yield from _lines(name, handle)
            return
        with view:
            yield from _mapped_lines(name, view)


def _lines(name: str, handle: BinaryIO) -> Iterator[BodyText]:
    for number, raw in enumerate(handle, 1):
        line = raw.strip()
        if line:
            yield BodyText(name, number, line)


def _mapped_lines(name: str, view: mmap.mmap) -> Iterator[BodyText]:
    find, size, start, number = view.find, len(view), 0, 1
    while start < size:
        stop = find(b"\n", start)
        if stop < 0:
            stop = size
        line = view[start:stop].strip()
        if line:
            yield BodyText(name, number, line)
        number += 1
        start = stop + 1


def _split(source: str, data: bytes, fmt: StdinFormat) -> Iterator[BodyText]:
    if fmt == "auto":
        fmt = "jsonl" if _looks_like_jsonl(data) else "json"
    if fmt == "json":
        yield BodyText(source, 1, data)
        return
    for number, raw in enumerate(data.split(b"\n"), 1):
        line = raw.strip()
        if line:
            yield BodyText(source, number, line)


def _looks_like_jsonl(data: bytes) -> bool:
    """Several non-blank lines, each a complete JSON value on its own: JSONL."""
    import orjson

    lines = [line for line in data.split(b"\n") if line.strip()]
    if len(lines) < 2:
        return False
    try:
        orjson.loads(lines[0])
    except orjson.JSONDecodeError:
        return False
    return True
