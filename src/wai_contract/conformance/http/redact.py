"""Secrets out of everything a peer sends back, and out of URLs a user typed.

A hostile or careless server may echo the token anywhere: a header's name or value, the
status line, an error message, a JSON string (escaped or not), an SSE event; whole or in
part (cut by a size limit), in any letter case, or encoded. The runner passes every string
that comes from the peer through one :class:`Redactor` as it arrives, so no report, log or
console line carries :data:`RUN` or more consecutive characters of a secret:

* every run of that many characters of the secret, in any letter case, is replaced, so a
  secret cut short (by the peer, or by a limit on what is kept) is caught as well;
* so is such a run in the text a reader would decode: JSON's ``\\u006b``, HTML's
  ``&#107;``, a URL's ``%6B``; a string holding one is kept decoded, with the run replaced;
* so is a run of base64 (standard or URL-safe, as in a ``Basic`` header or an echo of the
  whole ``Authorization`` header) that decodes, at any offset, to text holding such a run of
  the secret as it was sent: the whole base64 run is replaced. Such a run holds the base64
  of one of the secret's six-byte slices whatever its alignment (its 8 bytes hold two whole
  three-byte groups of the decoding), eight characters: a run holding none is not decoded.

A prefilter keeps this linear and cheap: each secret is cut into aligned pieces of four
characters (every run of :data:`RUN` holds one whole), found with ``str.find``; only the text
around a piece found is matched in full. A secret shorter than :data:`RUN` characters would
match inside ordinary words ("T" in "The"): only its whole occurrences are redacted, in its
own case, and the CLI warns that such a token cannot be scrubbed safely.
"""

from __future__ import annotations

import binascii
import html
import re
import string
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

REDACTED = "[REDACTED]"
RUN = 8
"""Consecutive characters of a secret that may never be written."""
SHORT_SECRET = RUN
SECRET_QUERY_NAMES = re.compile(r"key|token|secret|password|passwd|auth|sig|credential", re.I)
"""Query parameters whose value is treated as a credential (``?key=``, ``?api_token=``)."""
_PIECE = 4
_LOOK_BYTES = 1 << 20
_BASE64_RUN = re.compile(rf"[A-Za-z0-9+/_-]{{{-(-RUN * 4 // 3)},}}")
"""Runs of base64 long enough to decode to :data:`RUN` characters (11 for 8)."""
_URL_SAFE = str.maketrans("-_", "+/")
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
"""Letter case folded without changing a text's length (``str.lower`` may: ``İ``)."""
_DECODING_ROUNDS = 3
_ENCODED = re.compile(r"[\\&%]")
"""What :func:`_decodings_of` looks for: a text without it has nothing to decode."""
_CUTS = ("\n", "\x00", "\x1f", "\ufdd0", "\U0010fffe")
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\(/)")


class _Matcher:
    """Finds every run of *run* or more characters of *strings* in a text: pieces found by
    ``str.find`` first, then every fragment of *run* characters around them."""

    def __init__(self, strings: list[str], run: int, fold: bool) -> None:
        self.fold, self.run = fold, run
        self.ascii = all(s.isascii() for s in strings)
        fragments = {s[i : i + run] for s in strings for i in range(len(s) - run + 1)}
        self.pieces = {
            s[i : i + _PIECE] for s in strings for i in range(0, len(s) - _PIECE + 1, _PIECE)
        }
        self.byte_pieces = [piece.encode() for piece in self.pieces]
        alternation = "|".join(map(re.escape, sorted(fragments)))
        # A lookahead: fragments that overlap are all found, so a run is covered whole.
        self.starts = re.compile(f"(?=(?:{alternation}))", re.IGNORECASE if fold else 0)

    def sub(self, text: str) -> str:
        haystack = _folded(text, self.ascii) if self.fold else text
        near: list[tuple[int, int]] = []
        for piece in self.pieces:
            at = haystack.find(piece)
            while at != -1:
                near.append((max(0, at - self.run), at + _PIECE + self.run))
                at = haystack.find(piece, at + 1)
        covered: list[list[int]] = []
        for begin, end in sorted(near):
            for match in self.starts.finditer(text, begin, min(end, len(text))):
                start = match.start()
                if covered and start <= covered[-1][1]:
                    covered[-1][1] = max(covered[-1][1], start + self.run)
                else:
                    covered.append([start, start + self.run])
        if not covered:
            return text
        out, last = [], 0
        for start, end in covered:
            out += [text[last:start], REDACTED]
            last = end
        out.append(text[last:])
        return "".join(out)


class Redactor:
    """Replaces every run of :data:`RUN` characters of the given secrets, in any letter
    case, plain or encoded (see the module's docstring)."""

    def __init__(self, *secrets: str | None) -> None:
        kept = sorted({s for s in secrets if s}, key=len, reverse=True)
        self._secrets = kept
        long = [s for s in kept if len(s) >= RUN]
        short = [s for s in kept if len(s) < RUN]
        folded = [_folded(s) for s in long]
        self._matcher = _Matcher(folded, RUN, fold=True) if long else None
        pieces = _base64_pieces(long)
        either = "|".join(map(re.escape, pieces))
        self._base64_piece = re.compile(either) if pieces else None
        self._base64_bytes = [piece.encode() for piece in pieces]
        self._short = re.compile("|".join(map(_whole_word, short))) if short else None

    def __bool__(self) -> bool:
        return self._matcher is not None or self._short is not None

    def text(self, text: str) -> str:
        """*text* with every secret replaced by ``[REDACTED]``; decoded first where the
        decoded text holds one."""
        if not self:
            return text
        clean = self._plain(text)
        for _ in range(_DECODING_ROUNDS):  # a decoded secret may hide another encoded one
            for view in _decodings_of(clean):
                cleaned = self._plain(view)
                if cleaned != view:
                    clean = cleaned
                    break
            else:
                return clean
        return clean

    def texts(self, texts: Sequence[str]) -> list[str]:
        """Each of *texts* as :meth:`text` gives it, in one pass over them all: a text
        that holds an encoding (an escape, a reference, a percent) is looked at alone;
        the others are redacted together, joined by a character none of them holds (no
        run, base64 run or whole word of a secret spans it), and split again."""
        if not self or not texts:
            return list(texts)
        joined, cut = _joined(texts, self._secrets)
        if cut is None:  # no separator to be had: one by one
            return [self.text(text) for text in texts]
        parts = self._plain(joined).split(cut)
        return [
            self.text(text) if _ENCODED.search(text) else part
            for text, part in zip(texts, parts, strict=True)
        ]

    def _plain(self, text: str) -> str:
        if self._matcher is not None:
            text = self._matcher.sub(text)
            if self._base64_piece is not None and self._base64_piece.search(text):
                runs = _BASE64_RUN.findall(text)
                if runs and self._holds("\n".join(map(_decodings, runs))):  # one look for all
                    text = _BASE64_RUN.sub(self._base64_run, text)
        return self._short.sub(REDACTED, text) if self._short is not None else text

    def _holds(self, text: str) -> bool:
        return self._matcher is not None and self._matcher.sub(text) != text

    def _base64_run(self, run: re.Match[str]) -> str:
        """The base64 *run*, or ``[REDACTED]`` when it decodes to a secret's run."""
        return REDACTED if self._holds(_decodings(run[0])) else run[0]

    def might_hold(self, data: bytes | bytearray) -> bool:
        """Whether the JSON text *data* might hold a secret in any form :meth:`text`
        redacts (False: its parsed value needs no walk). Conservative: a piece of a
        secret, an escape or encoding that could hide one, or the base64 of a piece."""
        if self._short is not None:
            return True
        if self._matcher is None:
            return False
        pieces = self._matcher.byte_pieces
        if not all(piece.isascii() for piece in pieces):
            return True
        # A megabyte at a time, folded (ASCII letters only, as the pieces are): a copy of
        # an 8 MB answer would cost as much memory again.
        for start in range(0, len(data), _LOOK_BYTES):
            lowered = data[start : start + _LOOK_BYTES + _PIECE - 1].lower()
            if any(piece in lowered for piece in pieces):
                return True
        if b"\\u" in data or b"\\/" in data or b"&#" in data or b"%" in data:
            return True
        # One search per piece: a third faster than a regex of them all (8 MB: 100 ms).
        return any(piece in data for piece in self._base64_bytes)

    def value(self, value: Any) -> Any:
        """A JSON value with every string (keys too) redacted; the same object when no
        secret occurs in it."""
        if not self:
            return value
        strings: list[str] = []
        _strings_of(value, strings)
        clean = self.texts(strings)
        return value if clean == strings else _rebuilt(value, iter(clean))


def _joined(texts: Sequence[str], secrets: list[str]) -> tuple[str, str | None]:
    """*texts* joined by a character that none of them nor of *secrets* holds, and that
    character (None when each candidate occurs)."""
    for cut in _CUTS:
        if not any(cut in text for text in texts) and not any(cut in s for s in secrets):
            return cut.join(texts), cut
    return "", None


def _strings_of(value: Any, into: list[str]) -> None:
    """Every string of a JSON value, keys too, in the order :func:`_rebuilt` takes them."""
    if isinstance(value, str):
        into.append(value)
    elif isinstance(value, list):
        for item in value:
            _strings_of(item, into)
    elif isinstance(value, dict):
        for key, item in value.items():
            into.append(key)
            _strings_of(item, into)


def _rebuilt(value: Any, strings: Iterator[str]) -> Any:
    """*value* with its strings taken from *strings*, in :func:`_strings_of`'s order."""
    if isinstance(value, str):
        return next(strings)
    if isinstance(value, list):
        return [_rebuilt(item, strings) for item in value]
    if isinstance(value, dict):
        return {next(strings): _rebuilt(item, strings) for item in value.values()}
    return value


def _folded(text: str, ascii_pieces: bool = False) -> str:
    """*text* with its ASCII letters in lower case, each character where it was. With
    *ascii_pieces* (what is looked for is ASCII), ``str.lower`` serves when it keeps the
    length (it may lengthen: ``İ``; it never shortens): ten times faster than the table,
    and what it also folds outside ASCII cannot hide an ASCII piece."""
    if text.isascii():
        return text.lower()
    lowered = text.lower() if ascii_pieces else ""
    return lowered if len(lowered) == len(text) else text.translate(_ASCII_LOWER)


def _whole_word(secret: str) -> str:
    return rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])"


def _base64_pieces(secrets: list[str]) -> list[str]:
    """The base64 of every six-byte slice of each secret, standard and URL-safe: eight
    characters, so a search skips further and matches by chance less than four would."""
    pieces = set()
    for secret in secrets:
        raw = secret.encode()
        for start in range(len(raw) - 5):
            piece = binascii.b2a_base64(raw[start : start + 6], newline=False).decode()
            pieces |= {piece, piece.replace("+", "-").replace("/", "_")}
    return sorted(pieces)


def _decodings(run: str) -> str:
    """What a base64 *run* decodes to from each of its first four characters, one line
    each (bytes as Latin-1 characters)."""
    standard = run.translate(_URL_SAFE)
    lines = []
    for offset in range(4):
        piece = standard[offset:]
        piece = piece[:-1] if len(piece) % 4 == 1 else piece + "=" * (-len(piece) % 4)
        lines.append(binascii.a2b_base64(piece).decode("latin-1"))
    return "\n".join(lines)


def _decodings_of(text: str) -> list[str]:
    """*text* as a reader would decode it: JSON escapes, HTML character references, URL
    percent-encoding, each alone and all together (none when it holds no such form)."""
    decoders = [
        decode
        for marker, decode in (("\\", _json_unescaped), ("&", html.unescape), ("%", unquote))
        if marker in text
    ]
    views = [decode(text) for decode in decoders]
    if len(decoders) > 1:
        together = text
        for decode in decoders:
            together = decode(together)
        views.append(together)
    return [view for view in views if view != text]


def _json_unescaped(text: str) -> str:
    return _JSON_ESCAPE.sub(lambda m: chr(int(m[1], 16)) if m[1] else "/", text)


def scrub(text: str, token: str | None) -> str:
    """*text* with every occurrence of *token* (any letter case) replaced by ``[REDACTED]``."""
    return Redactor(token).text(text)


def redact_url(url: str) -> str:
    """*url* without credentials: its userinfo and key-like query values redacted."""
    try:
        parts = urlsplit(url)
        host = parts.netloc.rpartition("@")[2]
    except ValueError:  # unparseable: nothing of it is shown that may hold a credential
        return url.split("://", 1)[0] + "://" + REDACTED if "@" in url or "?" in url else url
    netloc = f"{REDACTED}@{host}" if "@" in parts.netloc else parts.netloc
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(SECRET_QUERY_NAMES.search(name) for name, _ in pairs):
            query = urlencode(
                [(n, REDACTED if SECRET_QUERY_NAMES.search(n) else v) for n, v in pairs],
                safe="[]",
            )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def url_secrets(url: str) -> list[str]:
    """The credentials written into *url* (userinfo, key-like query values), so that a peer
    echoing them back is redacted too."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    found = [s for s in (parts.username, parts.password) if s]
    found += [v for n, v in parse_qsl(parts.query) if SECRET_QUERY_NAMES.search(n) and v]
    return found
