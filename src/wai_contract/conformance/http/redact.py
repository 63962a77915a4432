"""Secrets out of everything a peer sends back, and out of URLs a user typed.

A hostile or careless server may echo the token anywhere: a header's name or value, the
status line, an error message, a JSON string (escaped or not), an SSE event. The runner
passes every string that comes from the peer through one :class:`Redactor` as it arrives,
before anything cuts it short, so no report, log or console line can carry the token, whole
or in part. Matching ignores case (httpx lowercases header names). A secret shorter than
``SHORT_SECRET`` characters would match inside ordinary words ("T" in "The"): only its
whole occurrences are redacted, in its own case, and the CLI warns that such a token cannot
be scrubbed safely.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "[REDACTED]"
SHORT_SECRET = 8
SECRET_QUERY_NAMES = re.compile(r"key|token|secret|password|passwd|auth|sig|credential", re.I)
"""Query parameters whose value is treated as a credential (``?key=``, ``?api_token=``)."""


class Redactor:
    """Replaces every occurrence of the given secrets, in any letter case."""

    def __init__(self, *secrets: str | None) -> None:
        kept = sorted({s for s in secrets if s}, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(_pattern, kept))) if kept else None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def text(self, text: str) -> str:
        """*text* with every secret replaced by ``[REDACTED]``."""
        return self._pattern.sub(REDACTED, text) if self._pattern is not None else text

    def value(self, value: Any) -> Any:
        """A JSON value with every string (keys too) redacted; the same object when no
        secret occurs in it."""
        if self._pattern is None:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, dict):
            return {self.text(k): self.value(v) for k, v in value.items()}
        return value


def _pattern(secret: str) -> str:
    if len(secret) >= SHORT_SECRET:
        return f"(?i:{re.escape(secret)})"
    return rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])"


def scrub(text: str, token: str | None) -> str:
    """*text* with every occurrence of *token* (any letter case) replaced by ``[REDACTED]``."""
    return Redactor(token).text(text)


def redact_url(url: str) -> str:
    """*url* without credentials: its userinfo and key-like query values redacted."""
    try:
        parts = urlsplit(url)
        host = parts.netloc.rpartition("@")[2]
    except ValueError:
        return url
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
